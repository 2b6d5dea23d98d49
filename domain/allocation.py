"""Allocating a case worker, for every order kind: who holds the order.

One step (`case_worker_allocated`) and one event (`CaseWorkerAllocated`) serve every order kind. The
allocated worker receives the order's reminders, and their manager its escalations; nobody allocated,
both go to the team. A later allocation replaces the earlier one (a reallocation), and each is kept as
its own event, so the timeline shows who held the order when. Whether the name is a user who may hold
an order is checked where users are known (`client.steps`), not here: the domain has no I/O.
"""

from __future__ import annotations

from typing import Literal, Protocol, Self, TypeVar

from pydantic import Field

from domain import events as ev
from domain.decisions import Decision, Step

__all__ = ["AllocateCaseWorker", "Allocated", "allocate", "allocated"]


class AllocateCaseWorker(Step):
    step: Literal["case_worker_allocated"] = "case_worker_allocated"
    case_worker: str = Field(min_length=1, description="The username of the worker who holds the order from now on.")


class Allocated(Protocol):
    """An order's state that records who holds it."""

    @property
    def case_worker(self) -> str | None: ...

    def model_copy(self, *, update: dict[str, object] | None = None, deep: bool = False) -> Self: ...


def allocate(step: AllocateCaseWorker) -> Decision:
    """The decision for an allocation, once the order kind has checked the order is open and the date
    is allowed. Allocating again, to the same worker or another, is recorded too: it is who was given
    the order on that day, and running orders already hold such allocations."""
    return Decision(events=(ev.CaseWorkerAllocated(case_worker=step.case_worker),))


S = TypeVar("S", bound=Allocated)


def allocated(state: S, payload: ev.CaseWorkerAllocated) -> S:
    """The state after an allocation: the new worker replaces whoever held the order."""
    return state.model_copy(update={"case_worker": payload.case_worker})
