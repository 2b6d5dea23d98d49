"""The law for a detention and training order (Sentencing Act 2020 ss.233–236, PCSCA 2022 s.158)."""

from __future__ import annotations

from datetime import date

from domain.court_outcome.disposals import DetentionAndTrainingOrderDisposal
from domain.court_outcome.errors import FieldError

# PCSCA 2022 s.158 (from 28 June 2022) let a DTO run any term of 4 to 24 months; before, the term was one
# of 4, 6, 8, 10, 12, 18 or 24 months, so a term in weeks and days counted off a DTO start on that date.
DTO_ANY_TERM_FROM = date(2022, 6, 28)
# 4 calendar months are 120 to 123 days and 24 are 730 or 731, whatever the start: 17 weeks (119 days)
# is always short of 4 months, 104 weeks (728) never past 24, so the lawful terms in weeks are 18–104.
DTO_MIN_WEEKS, DTO_MAX_WEEKS = 18, 104


def _detention_and_training_order(
    d: DetentionAndTrainingOrderDisposal, age: int | None, hearing_date: date | None = None
) -> list[FieldError]:
    errors = _dto_term(d, hearing_date)
    if age is not None and not 12 <= age <= 17:
        errors.append(
            FieldError(
                field="child.date_of_birth",
                rule="detention_and_training_order.age_12_to_17",
                message=(
                    "a detention and training order needs the child to be 12–17 at conviction "
                    f"(Sentencing Act 2020 Part 10 Ch 2); the child was {age} on the hearing date"
                ),
            )
        )
    return errors


def _dto_term(d: DetentionAndTrainingOrderDisposal, hearing_date: date | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if (d.months is None) == (d.weeks is None):
        errors.append(
            FieldError(
                field="disposal.months",
                rule="detention_and_training_order.term_in_months_or_weeks",
                message="a detention and training order's term is given in months or in weeks, exactly one of them",
            )
        )
    if d.months is not None and not 4 <= d.months <= 24:
        errors.append(
            FieldError(
                field="disposal.months",
                rule="detention_and_training_order.months_range",
                message=(
                    f"a detention and training order must be 4–24 months (Sentencing Act 2020 s.236); got {d.months}"
                ),
            )
        )
    if d.weeks is not None:
        if hearing_date is not None and hearing_date < DTO_ANY_TERM_FROM:
            errors.append(
                FieldError(
                    field="disposal.weeks",
                    rule="detention_and_training_order.weeks_from_28_june_2022",
                    message=(
                        "before 28 June 2022 a detention and training order was 4, 6, 8, 10, 12, 18 or 24 months "
                        "(Sentencing Act 2020 s.236 before PCSCA 2022 s.158); give the term in months"
                    ),
                )
            )
        elif not DTO_MIN_WEEKS <= d.weeks <= DTO_MAX_WEEKS:
            errors.append(
                FieldError(
                    field="disposal.weeks",
                    rule="detention_and_training_order.weeks_range",
                    message=(
                        f"a detention and training order must be 4–24 months (Sentencing Act 2020 s.236), which in "
                        f"weeks is {DTO_MIN_WEEKS}–{DTO_MAX_WEEKS}; got {d.weeks}"
                    ),
                )
            )
    for name in ("remand_days", "tagged_bail_days"):
        days = getattr(d, name)
        if days < 0:
            errors.append(
                FieldError(
                    field=f"disposal.{name}",
                    rule=f"detention_and_training_order.{name}_not_negative",
                    message=f"days counted towards the sentence cannot be negative; got {days}",
                )
            )
        elif days and hearing_date is not None and hearing_date < DTO_ANY_TERM_FROM:
            errors.append(
                FieldError(
                    field=f"disposal.{name}",
                    rule=f"detention_and_training_order.{name}_from_28_june_2022",
                    message=(
                        "before 28 June 2022 the court took time on remand or tagged bail into account in setting "
                        "a DTO's term (Sentencing Act 2020 s.237); nothing is counted off a term passed before then"
                    ),
                )
            )
    return errors
