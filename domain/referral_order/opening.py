"""Opening the order: the court made it, and the clocks that run from the order start."""

from __future__ import annotations

from domain import events as ev
from domain.decisions import Decision, ScheduleDeadline
from domain.referral_order.state import ReferralOrderState


def open_order(state: ReferralOrderState, *, outcome: ev.CourtOutcomeRecorded) -> Decision:
    """The court made the order: record it and start the clocks that run from the order."""
    made = ev.ReferralOrderMade(
        months=state.months, hearing_date=state.hearing_date, victim_refs=list(state.victim_refs)
    )
    clocks = [
        ScheduleDeadline(rule_id="ro.first_contact", clock_start=state.hearing_date),
        ScheduleDeadline(rule_id="ro.initial_panel", clock_start=state.hearing_date),
    ]
    if state.victim_refs:
        clocks.append(ScheduleDeadline(rule_id="ro.victim_views", clock_start=state.hearing_date))
    return Decision(events=(outcome, made), deadlines=tuple(clocks))
