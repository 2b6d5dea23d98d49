"""Completing the order, and transferring it to another YJS or (from 18) to probation."""

from __future__ import annotations

from domain import events as ev
from domain.court_outcome import UnpaidWorkRequirement
from domain.decisions import Decision, MeetDeadline
from domain.transfers import RecordTransfer, transfer
from domain.youth_rehabilitation_order.checks import _refuse, _require
from domain.youth_rehabilitation_order.state import YroState, YroStatus
from domain.youth_rehabilitation_order.steps import RecordCompletion


def _completion(state: YroState, step: RecordCompletion) -> Decision:
    name, day = step.step, step.effective_date
    _require(state, name, {YroStatus.ACTIVE})
    if (incident := state.open_incident) is not None:
        raise _refuse(name, f"the missed appointment on {incident.appointment_date} ({incident.id}) is still open")
    if day < state.end_date:
        raise _refuse(name, f"the order runs until its end date, {state.end_date}")
    for r in state.requirements_in_force():
        if isinstance(r.ordered, UnpaidWorkRequirement) and r.unpaid_work_hours_done < r.ordered.hours:
            raise _refuse(
                name,
                f"{r.ref}: {r.unpaid_work_hours_done} of {r.ordered.hours} hours done; the order stays in force "
                "until the unpaid work is done (s.198)",
            )
    return Decision(
        events=(ev.YroCompleted(completed_date=day),),
        # The order ends on its end date however late completion is recorded.
        deadlines=(MeetDeadline(rule_id="yro.end", met_on=state.end_date),),
    )


def _transfer(state: YroState, step: RecordTransfer) -> Decision:
    day = step.effective_date
    too_young = None
    if state.eighteenth_birthday is not None and day < state.eighteenth_birthday:
        too_young = f"the child turns 18 on {state.eighteenth_birthday}; an order passes to probation only from 18"
    return transfer(step, from_yjs=state.yjs, probation_refused=too_young)
