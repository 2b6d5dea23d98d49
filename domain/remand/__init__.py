"""A child's remand (LASPO 2012 Part 3 Ch 3; MCA 1980 ss.128–128A; CTL Regs 1987) as a pure state machine.

A child refused bail is remanded to local authority accommodation (RLAA) or youth detention
accommodation (YDA); either way the child becomes looked after, so the looked-after child (LAC)
reviews and social-worker visits of the Care Planning Regulations 2010 start, and a custody time limit
(CTL) runs. On bail none of those clocks run. Every remand in custody is checked against the
clear-day limit on the next hearing; a date beyond it is flagged, never refused, because the court has
already decided it.

`start_remand` builds the state from the court's disposal (the CTL expiry needs the working calendar,
so it is computed there, once); `open_remand` records the remand and starts its clocks; `decide`
refuses a step with a reason or returns its events and deadline effects; `evolve` folds an event in.

Where things are (every public name is importable from this package):
- `state`: the remand's state (`RemandState`, `RemandStatus`) and `start_remand`;
- `deadlines`: the clocks a remand runs: the next-hearing check, the looked-after reviews and visits, the CTL;
- `opening`: `open_remand`, the remand recorded and its clocks started;
- `steps`: the steps a person records and their union `RemandStep`;
- `checks`: refusals the steps share;
- `looked_after`: LAC reviews and social-worker visits while the child is looked after;
- `custody_time_limit`: a renewal's new CTL and the court extending the CTL;
- `renewal`: a later hearing renewing the remand (into custody, onto bail, a new placement);
- `ending`: the remand ending;
- `deciding`: `decide`, which refuses a step or returns its events and deadline effects;
- `fold`: `evolve`, folding a recorded event into the state.
"""

from __future__ import annotations

from domain.allocation import AllocateCaseWorker, allocate, allocated
from domain.calendar import WorkingCalendar, latest_date_after_clear_days
from domain.court_outcome import CTL_DAYS, CUSTODIAL_REMANDS, RemandDisposal, RemandType
from domain.decisions import CancelDeadline, DeadlineEffect, Decision, MeetDeadline, ScheduleDeadline, Step, StepRefused
from domain.remand.checks import FOLLOWS, STEP_EVENTS
from domain.remand.deadlines import (
    FIRST_REMAND_CLEAR_DAYS,
    LATER_REMAND_CLEAR_DAYS,
    LOOKED_AFTER_RULES,
    next_hearing_check,
)
from domain.remand.deciding import decide
from domain.remand.fold import evolve
from domain.remand.opening import open_remand
from domain.remand.state import CLOSED_STATES, RemandState, RemandStatus, start_remand
from domain.remand.steps import (
    RecordCtlExtended,
    RecordLacReview,
    RecordRemandEnded,
    RecordRemandRenewed,
    RecordSocialWorkerVisit,
    RemandStep,
)
from domain.transfers import RecordTransfer, transfer

__all__ = [
    "CLOSED_STATES",
    "CTL_DAYS",
    "CUSTODIAL_REMANDS",
    "FIRST_REMAND_CLEAR_DAYS",
    "FOLLOWS",
    "LATER_REMAND_CLEAR_DAYS",
    "LOOKED_AFTER_RULES",
    "STEP_EVENTS",
    "AllocateCaseWorker",
    "CancelDeadline",
    "DeadlineEffect",
    "Decision",
    "MeetDeadline",
    "RecordCtlExtended",
    "RecordLacReview",
    "RecordRemandEnded",
    "RecordRemandRenewed",
    "RecordSocialWorkerVisit",
    "RecordTransfer",
    "RemandDisposal",
    "RemandState",
    "RemandStatus",
    "RemandStep",
    "RemandType",
    "ScheduleDeadline",
    "Step",
    "StepRefused",
    "WorkingCalendar",
    "allocate",
    "allocated",
    "decide",
    "evolve",
    "latest_date_after_clear_days",
    "next_hearing_check",
    "open_remand",
    "start_remand",
    "transfer",
]
