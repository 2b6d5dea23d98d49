"""The law for a referral order (Sentencing Act 2020 ss.83–84): its length, the child's age, plea and court."""

from __future__ import annotations

from domain.court_outcome.disposals import ReferralOrderDisposal
from domain.court_outcome.errors import FieldError
from domain.court_outcome.readable import _Readable


def _referral_order(d: ReferralOrderDisposal, p: _Readable, age: int | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if not 3 <= d.months <= 12:
        errors.append(
            FieldError(
                field="disposal.months",
                rule="referral_order.months_range",
                message=(f"a referral order must be 3–12 whole months (Sentencing Act 2020 s.83); got {d.months}"),
            )
        )
    if age is not None and age >= 18:
        errors.append(
            FieldError(
                field="child.date_of_birth",
                rule="referral_order.under_18_at_conviction",
                message=(
                    "a referral order needs the child to be under 18 at conviction "
                    f"(Sentencing Act 2020 s.84); the child was {age} on the hearing date"
                ),
            )
        )
    if p.offences and not any(o.plea == "guilty" for o in p.offences):
        errors.append(
            FieldError(
                field="offences",
                rule="referral_order.guilty_plea",
                message=("a referral order needs a guilty plea to at least one offence (Sentencing Act 2020 s.84)"),
            )
        )
    if p.court is not None and p.court.kind == "crown":
        errors.append(
            FieldError(
                field="court.kind",
                rule="referral_order.youth_or_magistrates_court",
                message=(
                    "a referral order is made only by a youth or magistrates' court, not the Crown Court "
                    "(Sentencing Act 2020 s.84)"
                ),
            )
        )
    return errors
