"""The linked order's milestones: recorded on the contact, owed to a victim who opted in to hear them."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.decisions import Decision, ScheduleDeadline
from domain.events.victim_contact import MilestoneKind
from domain.victim_contact.checks import _check_day, _refuse
from domain.victim_contact.deadlines import CONCLUSION, KEEP_INFORMED, _keeps_informed
from domain.victim_contact.state import ContactState, VictimContactState


def milestone_received(
    state: VictimContactState,
    milestone: MilestoneKind,
    order_id: str,
    today: date,
    *,
    occurred_on: date | None = None,
) -> Decision:
    """The linked order reached a milestone (not a person's step: the order signals it).

    It is always recorded while the contact is open, so a victim who comes back can be told. A victim
    who opted in, and has not withdrawn, is owed an update (`victim.keep_informed`). The order ending is
    told as the conclusion instead (`victim.conclusion`), to every contact still open, withdrawn or not.
    """
    name = "order_milestone"
    day = today if occurred_on is None else occurred_on
    if state.state == ContactState.CLOSED:
        raise _refuse(name, f"the contact is closed ({state.closed_outcome}); nothing more can be recorded on it")
    if state.linked_order_id is None or order_id != state.linked_order_id:
        raise _refuse(name, f"this contact is linked to order {state.linked_order_id}, not {order_id}")
    _check_day(state, name, day, today)
    received = ev.OrderMilestoneReceived(milestone=milestone, order_id=order_id, on=day)
    if milestone == "order_ended":
        if state.conclusion_deadline_open:
            return Decision(events=(received,))
        return Decision(events=(received,), deadlines=(ScheduleDeadline(rule_id=CONCLUSION, clock_start=day),))
    if _keeps_informed(state):
        return Decision(events=(received,), deadlines=(ScheduleDeadline(rule_id=KEEP_INFORMED, clock_start=day),))
    return Decision(events=(received,))
