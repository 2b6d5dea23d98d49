"""The law for a remand (LASPO 2012 ss.91–99, CTL Regs 1987), and its clear-day limits as warnings."""

from __future__ import annotations

from datetime import date

from domain.court_outcome.dates import _clear_days
from domain.court_outcome.disposals import CTL_DAYS, CUSTODIAL_REMANDS, RemandDisposal
from domain.court_outcome.errors import FieldError
from domain.court_outcome.readable import _Readable


def _remand(d: RemandDisposal, p: _Readable, age: int | None) -> list[FieldError]:
    errors: list[FieldError] = []
    custodial = d.type in CUSTODIAL_REMANDS
    if age is not None and age >= 18:
        errors.append(
            FieldError(
                field="child.date_of_birth",
                rule="remand.under_18",
                message=(
                    "the youth remand framework is for children under 18 (LASPO 2012 s.91); "
                    f"the child was {age} on the hearing date"
                ),
            )
        )
    if d.type == "youth_detention_accommodation" and age is not None and age < 12:
        errors.append(
            FieldError(
                field="disposal.type",
                rule="remand.youth_detention_age_12",
                message=(
                    "a child under 12 cannot be remanded to youth detention accommodation, only to local "
                    f"authority accommodation (LASPO 2012 ss.98–99); the child was {age}"
                ),
            )
        )
    if p.hearing_date is not None and d.next_hearing_date <= p.hearing_date:
        errors.append(
            FieldError(
                field="disposal.next_hearing_date",
                rule="remand.next_hearing_after_hearing",
                message="the next hearing must be after this hearing",
            )
        )
    if d.ctl_days is not None and d.ctl_days not in CTL_DAYS:
        errors.append(
            FieldError(
                field="disposal.ctl_days",
                rule="remand.ctl_days",
                message=(
                    "a custody time limit is 56, 70 or 182 days "
                    f"(Prosecution of Offences (Custody Time Limits) Regulations 1987); got {d.ctl_days}"
                ),
            )
        )
    if custodial:
        for name, value in (("ctl_start_date", d.ctl_start_date), ("ctl_days", d.ctl_days)):
            if value is None:
                errors.append(
                    FieldError(
                        field=f"disposal.{name}",
                        rule="remand.custody_time_limit_required",
                        message=(
                            f"disposal.{name} is required for a remand to local authority or youth detention "
                            "accommodation: a custody time limit runs (Prosecution of Offences Act 1985 s.22)"
                        ),
                    )
                )
    return errors


def _remand_clear_days(d: RemandDisposal, hearing_date: date) -> list[FieldError]:
    """The clear-day limits on a remand in custody (MCA 1980 ss.128(6), 128A), as warnings.

    The court has already fixed the date and the child is held on its order, so a date beyond the limit
    is accepted and flagged (and recorded in the remand's stream as `NextHearingLimitBreached`), never
    refused: refusing would leave a remanded child with no workflow at all.
    """
    if d.type not in CUSTODIAL_REMANDS or d.next_hearing_date <= hearing_date:
        return []
    clear = _clear_days(hearing_date, d.next_hearing_date)
    if d.first_remand and clear > 8:
        return [
            FieldError(
                field="disposal.next_hearing_date",
                rule="remand.first_custodial_remand_8_clear_days",
                message=(
                    "after a first remand in custody the next hearing must be within 8 clear days "
                    f"(Magistrates' Courts Act 1980 s.128(6)); this is {clear} clear days: "
                    "accepted as the court ordered it, and flagged on the remand"
                ),
            )
        ]
    if not d.first_remand and clear > 28:
        return [
            FieldError(
                field="disposal.next_hearing_date",
                rule="remand.later_custodial_remand_28_clear_days",
                message=(
                    "after a later remand in custody the next hearing must be within 28 clear days "
                    f"(Magistrates' Courts Act 1980 s.128A); this is {clear} clear days: "
                    "accepted as the court ordered it, and flagged on the remand"
                ),
            )
        ]
    return []
