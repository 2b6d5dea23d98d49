"""The casework cycle HM Inspectorate of Probation reads in every sampled case (oversight.md): assessment,
its countersignature, the intervention plan, its reviews, significant changes and the manager's
oversight, the same on every order kind.

Each order kind's state carries a `CycleState` (`cycle`), its steps union takes `CycleStep`, its `decide`
hands a cycle step to `decide` here once it has checked the order is open and the date allowed, and its
`evolve` hands a cycle event to `evolve` here; so there is one copy of the cycle's rules.

- `steps`: the steps and their names (`CYCLE_STEPS`, `CYCLE_STEP_NAMES`, `MANAGER_STEPS`);
- `state`: `CycleState`, `Classifications`;
- `deciding`: `decide`, `start` (the first clocks), `completion_refusal` and `closing_by_court` (closure);
- `fold`: `evolve`, `CYCLE_EVENTS`;
- `routing`: `levels_up`, how far up the management line a notice goes.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from domain import events as ev
from domain.casework_cycle.deciding import (
    COURT_CLOSINGS,
    around,
    closing_by_court,
    completion_refusal,
    decide,
    raised,
    start,
)
from domain.casework_cycle.fold import CYCLE_EVENTS, evolve
from domain.casework_cycle.routing import levels_up
from domain.casework_cycle.state import Classifications, CycleState
from domain.casework_cycle.steps import (
    CYCLE_STEP_NAMES,
    CYCLE_STEPS,
    MANAGER_STEPS,
    CycleStep,
    RecordAssessment,
    RecordClosureWithoutOversight,
    RecordCountersignature,
    RecordOversight,
    RecordPlanAgreed,
    RecordPlanReviewed,
    RecordSignificantChange,
)

__all__ = [
    "COURT_CLOSINGS",
    "CYCLE_EVENTS",
    "CYCLE_STEPS",
    "CYCLE_STEP_NAMES",
    "MANAGER_STEPS",
    "Classifications",
    "CycleState",
    "CycleStep",
    "RecordAssessment",
    "RecordClosureWithoutOversight",
    "RecordCountersignature",
    "RecordOversight",
    "RecordPlanAgreed",
    "RecordPlanReviewed",
    "RecordSignificantChange",
    "around",
    "closing_by_court",
    "completion_refusal",
    "decide",
    "evolve",
    "is_cycle_event",
    "is_cycle_step",
    "levels_up",
    "raised",
    "start",
]


def is_cycle_step(step: Any) -> TypeGuard[CycleStep]:
    return isinstance(step, CYCLE_STEPS)


def is_cycle_event(payload: ev.EventPayload) -> bool:
    return isinstance(payload, CYCLE_EVENTS)
