"""The initial panel and the contract it agrees, from which the compliance period runs."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.calendar import add_calendar_months
from domain.decisions import Decision, MeetDeadline, ScheduleDeadline
from domain.referral_order.checks import _refuse, _require
from domain.referral_order.state import OrderState, ReferralOrderState
from domain.referral_order.steps import RecordInitialPanel


def _initial_panel(state: ReferralOrderState, step: RecordInitialPanel, today: date) -> Decision:
    name = step.step
    _require(state, name, {OrderState.ORDER_MADE, OrderState.PANEL_ADJOURNED})
    signed = step.contract_signed_date
    if signed < step.effective_date:
        raise _refuse(name, "the contract cannot be signed before the panel that agreed it")
    if signed > today:
        raise _refuse(
            name, f"the contract signing date {signed} is in the future (today is {today})", "contract_signed_date"
        )
    end = add_calendar_months(signed, state.months)
    return Decision(
        events=(
            ev.InitialPanelHeld(panel_date=step.effective_date),
            ev.ContractSigned(signed_date=signed, compliance_start=signed, compliance_end=end, months=state.months),
        ),
        deadlines=(
            MeetDeadline(rule_id="ro.initial_panel", met_on=step.effective_date),
            next_progress_panel(state, signed, compliance_end=end),
            ScheduleDeadline(rule_id="ro.end", clock_start=signed, amount=state.months),
            ScheduleDeadline(rule_id="ro.final_panel", clock_start=end),
        ),
    )


def next_progress_panel(
    state: ReferralOrderState, day: date, *, compliance_end: date | None = None
) -> ScheduleDeadline:
    """The next progress panel, counted from `day`; one that would fall due on or after the end of the
    compliance period is not owed, since the final panel meets before the period ends."""
    end = compliance_end or state.compliance_end
    if not state.progress_panels_within_order or end is None:
        return ScheduleDeadline(rule_id="ro.progress_panel", clock_start=day)
    return ScheduleDeadline(
        rule_id="ro.progress_panel",
        clock_start=day,
        due_before=end,
        why_not_owed=f"it would fall due after the compliance period ends on {end}; the final panel is due before then",
    )
