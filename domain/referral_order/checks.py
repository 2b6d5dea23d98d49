"""Refusals the referral order's steps share: the step's dates and the order's state."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.decisions import Step, StepRefused
from domain.referral_order.state import OrderState, ReferralOrderState
from domain.step_order import Follows, StepEvents, check_in_order


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


# Which recorded steps each step follows: a step dated before one of these is refused, naming both.
# Only where the order of the two is the law's or the order's own (a panel before the contract it agrees,
# a decision before the referral it decides, nothing after the final panel), or a step repeats (panels
# in turn); a step that merely happened earlier and is entered late is not refused for it.
# `contract_signed` is the contract the initial panel agreed (its own date, on or after the panel's).
FOLLOWS: Follows = {
    "panel_adjourned": ("panel_adjourned",),
    "initial_panel_held": ("panel_adjourned",),
    "progress_panel_held": ("contract_signed", "initial_panel_held", "progress_panel_held"),
    "contract_varied": ("contract_signed",),
    "referred_back_to_court": (
        "panel_adjourned",
        "contract_signed",
        "final_panel_held",
        "court_decision",
        "revocation_refused",
    ),
    "court_decision": ("referred_back_to_court",),
    "revocation_refused": ("referred_back_to_court",),
    "extended_by_court": ("contract_signed",),
    "final_panel_held": (
        "contract_signed",
        "progress_panel_held",
        "contract_varied",
        "court_decision",
        "revocation_refused",
        "extended_by_court",
    ),
    "order_completed": ("final_panel_held", "court_decision"),
}

STEP_EVENTS: StepEvents = {
    ev.PanelAdjourned: ("panel_adjourned", "panel_date"),
    ev.InitialPanelHeld: ("initial_panel_held", "panel_date"),
    ev.ContractSigned: ("contract_signed", "signed_date"),
    ev.ProgressPanelHeld: ("progress_panel_held", "panel_date"),
    ev.ContractVaried: ("contract_varied", "varied_date"),
    ev.ReferredBackToCourt: ("referred_back_to_court", "referral_date"),
    ev.CourtDecisionRecorded: ("court_decision", "decision_date"),
    ev.RevocationRefused: ("revocation_refused", "decision_date"),
    ev.ExtendedOnFurtherConviction: ("extended_by_court", "decision_date"),
    ev.FinalPanelHeld: ("final_panel_held", "panel_date"),
    ev.OrderCompleted: ("order_completed", "completed_date"),
}


def _in_order(state: ReferralOrderState, name: str, day: date) -> None:
    check_in_order(name, day, FOLLOWS, state.step_dates)
