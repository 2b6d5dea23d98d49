"""Starting an order's casework cycle clocks (domain.casework_cycle), the same for every order kind.

A new order starts them from the order's date as it opens, in the opening's own decision (one schedule,
so the order's first deadlines are watched exactly as before). An order already running when the cycle
landed starts them from the day of its next step, after that step, so the step is decided as its
validator decided it. Behind `changes.in_force("casework-cycle")` and
`changes.in_force("casework-cycle-from-next-step")`: a history recorded before the cycle replays
without it. Runs inside the workflow sandbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from temporalio import workflow

from workflows import changes

with workflow.unsafe.imports_passed_through():
    from domain import casework_cycle as cycle
    from domain import events as ev
    from domain.decisions import Decision

from workflows.casework import CaseWorkflow

__all__ = ["CYCLE_PATCH", "RUNNING_CYCLE_PATCH", "start_cycle", "with_cycle"]

CYCLE_PATCH = "casework-cycle"
# Its own patch: a run that replayed its opening without the cycle has `casework-cycle` settled as
# unpatched for good (the SDK keeps a patch's first answer), yet must start the cycle at its next step.
RUNNING_CYCLE_PATCH = "casework-cycle-from-next-step"


async def start_cycle(case: CaseWorkflow, state: Callable[[], cycle.CycleState], *, clocks_from: date) -> None:
    """Record the cycle's start and its first clocks, once, on an open case."""
    async with case._lock:
        current = state()
        if current.started or case._closed() or not changes.in_force(RUNNING_CYCLE_PATCH):
            return
        decision = cycle.start(current, clocks_from=clocks_from)
        await case._carry_out(decision, actor=ev.SYSTEM_DEADLINES, effective_date=clocks_from, reason=None)
        case._wake = True


def with_cycle(decision: Decision, state: cycle.CycleState, *, clocks_from: date) -> Decision:
    """A new order's opening decision with the cycle's start and first clocks after its own."""
    if state.started or not changes.in_force(CYCLE_PATCH):
        return decision
    started = cycle.start(state, clocks_from=clocks_from)
    return Decision(events=(*decision.events, *started.events), deadlines=(*decision.deadlines, *started.deadlines))
