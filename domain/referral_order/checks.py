"""Refusals the referral order's steps share: the step's dates and the order's state."""

from __future__ import annotations

from datetime import date

from domain.decisions import Step, StepRefused
from domain.referral_order.state import OrderState, ReferralOrderState


def _refuse(step: str, why: str, field: str | None = None) -> StepRefused:
    return StepRefused(f"{step} refused: {why}", field)


def _check_dates(state: ReferralOrderState, step: Step, today: date) -> None:
    name = str(getattr(step, "step", "step"))
    if step.effective_date > today:
        raise _refuse(
            name, f"effective date {step.effective_date} is in the future (today is {today})", "effective_date"
        )
    if step.effective_date < state.hearing_date:
        raise _refuse(
            name,
            f"effective date {step.effective_date} is before the order was made ({state.hearing_date})",
            "effective_date",
        )


def _require(state: ReferralOrderState, step: str, allowed: set[OrderState]) -> None:
    if state.state not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise _refuse(step, f"the order is {state.state.value}; this step needs it to be {names}")


def _after_last_panel(state: ReferralOrderState, name: str, day: date) -> None:
    if state.contract_signed_date is not None and day < state.contract_signed_date:
        raise _refuse(
            name, f"it is dated before the contract was signed ({state.contract_signed_date})", "effective_date"
        )
