"""Opening the order: the court made it, and the clocks that run from the order start."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.decisions import Decision, ScheduleDeadline
from domain.youth_rehabilitation_order.state import YroState


def _end_date_clock(end_date: date) -> ScheduleDeadline:
    # The court fixes the end date itself, so the fixed-date rule starts on it and runs zero months.
    return ScheduleDeadline(rule_id="yro.end", clock_start=end_date, amount=0)


def open_order(state: YroState, *, outcome: ev.CourtOutcomeRecorded) -> Decision:
    """The court made the order: record it and start the clocks that run from the order."""
    made = ev.YouthRehabilitationOrderMade(
        hearing_date=state.hearing_date,
        end_date=state.end_date,
        iss=state.iss,
        requirements=[r.ordered for r in state.requirements],
    )
    return Decision(
        events=(outcome, made),
        deadlines=(
            ScheduleDeadline(rule_id="yro.first_appointment", clock_start=state.hearing_date),
            ScheduleDeadline(rule_id="yro.review", clock_start=state.hearing_date),
            _end_date_clock(state.end_date),
        ),
    )
