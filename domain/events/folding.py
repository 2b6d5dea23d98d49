"""A deadline's bookkeeping folded under the deadline: its reminders, misses, escalations, the day it
was met or cancelled, and any reschedule, read as one story rather than half of an order's events.

Pure: it takes events in the order they are to be read (a timeline's effective order) and keeps that
order for everything else; an event of a deadline whose setting is not among them stays on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from domain.events.deadlines import (
    DeadlineCancelled,
    DeadlineEscalated,
    DeadlineMet,
    DeadlineMissed,
    DeadlineReminderSent,
    DeadlineScheduled,
)

__all__ = ["DEADLINE_EVENTS", "Folded", "fold_deadlines"]

# The events that tell of a deadline rather than of the child's case; each names its `deadline_id`.
DEADLINE_EVENTS = frozenset(
    cls.event_type
    for cls in (
        DeadlineScheduled,
        DeadlineReminderSent,
        DeadlineMet,
        DeadlineMissed,
        DeadlineEscalated,
        DeadlineCancelled,
    )
)


class Told(Protocol):
    """What folding needs of an event: its type and its payload."""

    @property
    def event_type(self) -> str: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...


E = TypeVar("E", bound=Told)


@dataclass
class Folded(Generic[E]):
    """One event to read, with the events of its deadline folded under it (none for any other event)."""

    event: E
    under: list[E] = field(default_factory=list)

    @property
    def deadline_id(self) -> str | None:
        return _deadline_id(self.event)


def _deadline_id(event: Told) -> str | None:
    if event.event_type not in DEADLINE_EVENTS:
        return None
    deadline_id = event.payload.get("deadline_id")
    return deadline_id if isinstance(deadline_id, str) else None


def fold_deadlines(events: Sequence[E], *, stream: Callable[[E], str]) -> list[Folded[E]]:
    """`events` with each deadline's later events folded under the event that set it.

    A deadline is known by its stream (`stream(event)`) and its id; a second `DeadlineScheduled` of the
    same deadline (a reschedule) folds under the first, so the deadline reads as one entry."""
    out: list[Folded[E]] = []
    heads: dict[tuple[str, str], Folded[E]] = {}
    for event in events:
        deadline_id = _deadline_id(event)
        if deadline_id is None:
            out.append(Folded(event))
            continue
        key = (stream(event), deadline_id)
        head = heads.get(key)
        if head is not None:
            head.under.append(event)
            continue
        folded = Folded(event)
        if event.event_type == DeadlineScheduled.event_type:
            heads[key] = folded
        out.append(folded)
    return out
