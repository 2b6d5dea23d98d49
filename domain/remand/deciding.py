"""Deciding a step on a remand: refused with a reason, or its events and deadline effects."""

from __future__ import annotations

from datetime import date

from domain import casework_cycle as cycle
from domain.allocation import AllocateCaseWorker, allocate
from domain.decisions import Decision
from domain.remand.checks import _in_order, _not_before, _refuse
from domain.remand.custody_time_limit import _ctl_extension
from domain.remand.ending import _ending
from domain.remand.looked_after import _lac_review, _social_worker_visit
from domain.remand.renewal import _renewal
from domain.remand.state import CLOSED_STATES, RemandState
from domain.remand.steps import (
    RecordCtlExtended,
    RecordLacReview,
    RecordRemandEnded,
    RecordRemandRenewed,
    RecordSocialWorkerVisit,
    RemandStep,
)
from domain.transfers import RecordTransfer, transfer
from domain.victims_added import AddVictim, add_victim


def decide(state: RemandState, step: RemandStep, *, today: date) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects; the
    casework cycle's steps and its gates on closing are `domain.casework_cycle`'s."""
    return cycle.around(state.cycle, step, lambda: _decide(state, step, today), completion_steps=())


def _decide(state: RemandState, step: RemandStep, today: date) -> Decision:
    name = step.step
    if state.status in CLOSED_STATES:
        raise _refuse(name, "the remand has ended; nothing more can be recorded on it")
    day = step.effective_date
    if day > today:
        raise _refuse(name, f"effective date {day} is in the future (today is {today})", "effective_date")
    _not_before(name, day, state.remand_date, "the remand began")
    _in_order(state, name, day)
    if cycle.is_cycle_step(step):
        return cycle.decide(state.cycle, step)
    match step:
        case AllocateCaseWorker():
            return allocate(step)
        case RecordLacReview():
            return _lac_review(state, name, day)
        case RecordSocialWorkerVisit():
            return _social_worker_visit(state, name, day)
        case RecordRemandRenewed():
            return _renewal(state, step)
        case RecordCtlExtended():
            return _ctl_extension(state, step)
        case RecordRemandEnded():
            return _ending(state, step)
        case RecordTransfer():
            return transfer(
                step,
                from_yjs=state.yjs,
                probation_refused="a remand is not a sentence; only a sentence passes to probation",
            )
        case AddVictim():
            return add_victim(step, victim_refs=state.victim_refs)
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive
