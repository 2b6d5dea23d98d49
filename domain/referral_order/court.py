"""Back to court: a referral back, the court's decision on it, and an extension of the compliance period."""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain import events as ev
from domain.calendar import add_calendar_months
from domain.decisions import CancelDeadline, Decision, ScheduleDeadline
from domain.referral_order.checks import _refuse, _require
from domain.referral_order.state import MAX_EXTENSION_MONTHS, MAX_MONTHS, OrderState, ReferralOrderState
from domain.referral_order.steps import RecordCourtDecision, RecordExtendedByCourt, RecordReferralBack


def _referral_back(state: ReferralOrderState, step: RecordReferralBack) -> Decision:
    name = step.step
    if step.grounds == "no_agreement":
        _require(state, name, {OrderState.ORDER_MADE, OrderState.PANEL_ADJOURNED})
    else:
        _require(state, name, {OrderState.CONTRACT_AGREED, OrderState.FINAL_PANEL_HELD})
    if not step.reason:
        raise _refuse(name, "a referral back to court needs a reason (Sch 4 para 2: a written report)", "reason")
    if (
        step.grounds == "revocation_good_progress"
        and state.revocation_bar_until is not None
        and step.effective_date < state.revocation_bar_until
    ):
        raise _refuse(
            name,
            "the court refused revocation; no new revocation referral before "
            f"{state.revocation_bar_until} without the court's consent (s.102(4), ro.revocation_bar)",
        )
    return Decision(events=(ev.ReferredBackToCourt(referral_date=step.effective_date, grounds=step.grounds),))


def _court_decision(state: ReferralOrderState, step: RecordCourtDecision) -> Decision:
    name = step.step
    _require(state, name, {OrderState.REFERRED_BACK})
    day = step.effective_date
    decided = ev.CourtDecisionRecorded(
        decision_date=day, decision=step.decision, extension_months=step.extension_months
    )
    if step.decision != "extend" and step.extension_months:
        raise _refuse(name, "extension_months is only for a decision to extend", "extension_months")
    if step.decision == "continue":
        return Decision(events=(decided,))
    if step.decision == "extend":
        return _extension(state, step, decided)
    grounds: Literal["resentenced", "good_progress"] = (
        "resentenced" if step.decision == "revoke_and_resentence" else "good_progress"
    )
    if grounds == "good_progress" and state.referral_grounds != "revocation_good_progress":
        raise _refuse(name, "revocation for good progress needs a referral back on those grounds")
    return Decision(
        events=(decided, ev.OrderRevoked(revoked_date=day, grounds=grounds)),
        deadlines=(CancelDeadline(rule_id="*", why=f"order revoked ({grounds})"),),
    )


def _extension(state: ReferralOrderState, step: RecordCourtDecision, decided: ev.CourtDecisionRecorded) -> Decision:
    name = step.step
    if not 1 <= step.extension_months <= MAX_EXTENSION_MONTHS:
        raise _refuse(
            step.step,
            f"an extension must be 1–{MAX_EXTENSION_MONTHS} months (CJCA 2015 s.44; Sch 4 para 9(2))",
            "extension_months",
        )
    return _extended(state, name, step.effective_date, step.extension_months, decided)


def _extended_on_further_conviction(state: ReferralOrderState, step: RecordExtendedByCourt) -> Decision:
    """Sch 4 paras 13–16: the court sentencing a further offence may extend instead of revoking, with no
    referral back and no 3-month cap (that cap is para 9's, on a referral back), only the 12 months in all."""
    name = step.step
    _require(state, name, {OrderState.CONTRACT_AGREED})
    decided = ev.ExtendedOnFurtherConviction(decision_date=step.effective_date, extension_months=step.extension_months)
    return _extended(state, name, step.effective_date, step.extension_months, decided)


def _extended(state: ReferralOrderState, name: str, day: date, months: int, decided: ev.EventPayload) -> Decision:
    if state.contract_signed_date is None or state.compliance_end is None:
        raise _refuse(name, "the compliance period can only be extended once a contract is in effect")
    if day >= state.compliance_end:
        raise _refuse(name, f"the compliance period already ended on {state.compliance_end}")
    total = state.months + state.extension_months + months
    if total > MAX_MONTHS:
        raise _refuse(
            name,
            f"the order would total {total} months; the compliance period may not exceed {MAX_MONTHS} months",
            "extension_months",
        )
    end = add_calendar_months(state.contract_signed_date, total)
    return Decision(
        events=(decided, ev.OrderExtended(extension_months=months, total_months=total, compliance_end=end)),
        deadlines=(
            CancelDeadline(rule_id="ro.end", why="compliance period extended"),
            CancelDeadline(rule_id="ro.final_panel", why="compliance period extended"),
            ScheduleDeadline(rule_id="ro.end", clock_start=state.contract_signed_date, amount=total),
            ScheduleDeadline(rule_id="ro.final_panel", clock_start=end),
        ),
    )
