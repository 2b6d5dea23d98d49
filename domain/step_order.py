"""Steps in date order: a step that follows another may not be dated before it.

Each order kind says which of its steps follow which (its `FOLLOWS` table, in its checks module) and
which recorded event carries the date of which step (its `STEP_EVENTS` table). The kind's state keeps
the latest date of each step recorded (`step_dates`, filled by `noted` as events are folded in), and
`check_in_order` refuses a step dated before any step it follows, naming both, so a worker who keys
the wrong date is told which recorded step the date contradicts.

`step_dates` is None on a state opened before this check existed (its workflow replays the steps it
recorded without it, and the check is off for that run); every new order starts it empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TypeVar

from pydantic import BaseModel

from domain import events as ev
from domain.decisions import StepRefused

T = TypeVar("T", bound=BaseModel)
StepDates = dict[str, date]
Follows = Mapping[str, tuple[str, ...]]
StepEvents = Mapping[type[ev.EventPayload], tuple[str, str]]


def noted(dates: StepDates | None, payload: ev.EventPayload, table: StepEvents) -> StepDates | None:
    """The step dates after `payload`, or None when the event dates no step (or dates are not kept)."""
    if dates is None:
        return None
    entry = table.get(type(payload))
    if entry is None:
        return None
    step, field = entry
    day = getattr(payload, field)
    if not isinstance(day, date):
        return None
    return {**dates, step: max(day, dates[step]) if step in dates else day}


def keeping_dates(state: T, after: T, payload: ev.EventPayload, table: StepEvents) -> T:
    """`after` (the state `payload` folded into `state`) with the step's date noted, as every kind folds."""
    dates = noted(getattr(state, "step_dates", None), payload, table)
    return after if dates is None else after.model_copy(update={"step_dates": dates})


def check_in_order(name: str, day: date, follows: Follows, dates: StepDates | None) -> None:
    """Refuse step `name` dated `day` if any step it follows was recorded with a later date."""
    if dates is None:
        return
    for earlier in follows.get(name, ()):
        recorded = dates.get(earlier)
        if recorded is not None and day < recorded:
            raise StepRefused(
                f"{name} refused: it is dated {day}, before {earlier} on {recorded}, which it follows; "
                f"date it on or after {recorded}, or correct the {earlier} if its date is wrong"
            )


def followed_steps(follows: Follows) -> frozenset[str]:
    """Every step some other step follows: the steps whose dates a kind must keep."""
    return frozenset(s for before in follows.values() for s in before)
