"""The law for a youth rehabilitation order (Sentencing Act 2020 Part 9, Sch 6): its length and requirements."""

from __future__ import annotations

from domain.court_outcome.dates import _add_months
from domain.court_outcome.disposals import YouthRehabilitationOrderDisposal
from domain.court_outcome.errors import FieldError
from domain.court_outcome.readable import _Readable
from domain.court_outcome.requirements import (
    ActivityRequirement,
    CurfewRequirement,
    ExtendedActivityRequirement,
    Requirement,
    UnpaidWorkRequirement,
)


def _is_extended_activity(r: Requirement) -> bool:
    return isinstance(r, ExtendedActivityRequirement) or (isinstance(r, ActivityRequirement) and r.days > 90)


def _youth_rehabilitation_order(d: YouthRehabilitationOrderDisposal, p: _Readable, age: int | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if age is not None and age >= 18:
        errors.append(
            FieldError(
                field="child.date_of_birth",
                rule="youth_rehabilitation_order.under_18_at_conviction",
                message=(
                    "a youth rehabilitation order needs the child to be under 18 at conviction "
                    f"(Sentencing Act 2020 Part 9); the child was {age} on the hearing date"
                ),
            )
        )
    if p.hearing_date is not None:
        if d.end_date <= p.hearing_date:
            errors.append(
                FieldError(
                    field="disposal.end_date",
                    rule="youth_rehabilitation_order.end_date_after_hearing",
                    message="a youth rehabilitation order's end date must be after the hearing",
                )
            )
        elif d.end_date > _add_months(p.hearing_date, 36):
            errors.append(
                FieldError(
                    field="disposal.end_date",
                    rule="youth_rehabilitation_order.end_date_within_3_years",
                    message=(
                        "a youth rehabilitation order must end within 3 years of the hearing "
                        "(Sentencing Act 2020 s.187)"
                    ),
                )
            )
        if d.iss and p.hearing_date < d.end_date < _add_months(p.hearing_date, 6):
            errors.append(
                FieldError(
                    field="disposal.end_date",
                    rule="youth_rehabilitation_order.iss_at_least_6_months",
                    message=(
                        "a youth rehabilitation order with ISS must last at least 6 months from the hearing "
                        "(Sentencing Act 2020 s.187)"
                    ),
                )
            )
    if not d.requirements:
        errors.append(
            FieldError(
                field="disposal.requirements",
                rule="youth_rehabilitation_order.at_least_one_requirement",
                message=("a youth rehabilitation order needs at least one requirement (Sentencing Act 2020 s.174)"),
            )
        )
    if d.iss:
        kinds = {r.kind for r in d.requirements}
        missing = [
            name
            for name, present in (
                (
                    "an extended activity requirement (activity of more than 90 days)",
                    any(_is_extended_activity(r) for r in d.requirements),
                ),
                ("supervision", "supervision" in kinds),
                ("curfew", "curfew" in kinds),
            )
            if not present
        ]
        if missing:
            errors.append(
                FieldError(
                    field="disposal.requirements",
                    rule="youth_rehabilitation_order.iss_requirements",
                    message=(
                        "a youth rehabilitation order with ISS needs extended activity, supervision and "
                        "curfew; "
                        f"missing: {'; '.join(missing)}"
                    ),
                )
            )
    for i, r in enumerate(d.requirements):
        if isinstance(r, UnpaidWorkRequirement) and age is not None and not 16 <= age <= 17:
            errors.append(
                FieldError(
                    field=f"disposal.requirements[{i}]",
                    rule="youth_rehabilitation_order.unpaid_work_age",
                    message=(
                        "an unpaid work requirement is only for a child aged 16 or 17 at conviction "
                        f"(Sentencing Act 2020 s.185); the child was {age}"
                    ),
                )
            )
        if isinstance(r, CurfewRequirement) and not 2 <= r.hours_per_day <= 16:
            errors.append(
                FieldError(
                    field=f"disposal.requirements[{i}].hours_per_day",
                    rule="youth_rehabilitation_order.curfew_hours",
                    message=(
                        "a curfew must be 2–16 hours a day (Sentencing Act 2020 Sch 6 para 18); "
                        f"got {r.hours_per_day:g}"
                    ),
                )
            )
    return errors
