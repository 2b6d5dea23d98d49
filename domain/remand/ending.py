"""The remand ending: bail, acquittal, or conviction and sentence."""

from __future__ import annotations

from domain import events as ev
from domain.decisions import CancelDeadline, Decision, MeetDeadline
from domain.remand.checks import _not_before, _refuse
from domain.remand.state import RemandState
from domain.remand.steps import RecordRemandEnded


def _ending(state: RemandState, step: RecordRemandEnded) -> Decision:
    name = step.step
    day = step.effective_date
    _not_before(name, day, state.current_remand_date, "the latest remand")
    if step.how == "bail" and state.type == "bail":
        raise _refuse(name, "the child is already on bail; record how the remand ended or a renewal")
    if step.how == "convicted_and_sentenced" and step.sentence_order_id is None:
        raise _refuse(name, "a remand ended by conviction and sentence needs sentence_order_id, the new order's id")
    if step.how != "convicted_and_sentenced" and step.sentence_order_id is not None:
        raise _refuse(name, "sentence_order_id is only for a remand ended by conviction and sentence")
    return Decision(
        events=(ev.RemandEnded(how=step.how, ended_on=day, sentence_order_id=step.sentence_order_id),),
        deadlines=(
            # The hearing that ended the remand is the one the next-hearing check was waiting for.
            MeetDeadline(rule_id="remand.next_hearing", met_on=step.effective_date),
            MeetDeadline(rule_id="remand.next_hearing_later", met_on=step.effective_date),
            CancelDeadline(rule_id="*", why=f"remand ended ({step.how})"),
        ),
    )
