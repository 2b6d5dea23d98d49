"""Which steps a case would accept: each step kind tried through the kind's own `decide`, now and on the
days ahead, so "most likely next" is what the domain's rules allow rather than a fixed list.

A step is tried as a worker would most plainly record it: dated the day it is tried, each choice's first
value (then each other value in turn), yes for a required yes/no, the case's own references where the
caller gives them (its victims, its worker), a note for the reason. A step accepted by any such try is
acceptable; one refused by all is not, and `acceptable_steps` says the first day ahead it would be.
Pure: the state and `today` come in, nothing is read or recorded.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from domain.decisions import StepRefused

# A kind's `decide(state, step, today=…)`, as `lambda state, step, day: decide(state, step, today=day)`.
Decide = Callable[[Any, Any, date], object]
# How far ahead "soon" looks, and how finely: a panel or an end date weeks away is found to the day
# within a fortnight, to the week beyond it.
HORIZON_DAYS = 400
_PROBE_DAYS = (*range(1, 15), *range(21, HORIZON_DAYS + 1, 7))
# Set by the service, never tried.
_NOT_TRIED = frozenset({"actor", "step", "effective_date", "reason"})
ACTOR = "system:acceptable-steps"
NOTE = "Recorded from the case page."


@dataclass(frozen=True)
class Acceptable:
    """A step the case would take: `from_day` is today when it would be accepted now, else the first day
    ahead it would be."""

    step: str
    from_day: date


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _choices(annotation: Any) -> tuple[Any, ...] | None:
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(annotation)
    return None


def _values(name: str, annotation: Any, day: date, known: Mapping[str, Sequence[Any]]) -> tuple[Any, ...]:
    """The values a required field is tried with, plainest first."""
    if known.get(name):
        return tuple(known[name])
    inner, _ = _unwrap(annotation)
    choices = _choices(inner)
    if choices is not None:
        return choices
    if inner is date:
        # A date the step names beside its own (a next hearing, a new expiry): that day, or weeks after.
        return (day, day + timedelta(days=28), day + timedelta(days=182))
    if inner is bool:
        return (True, False)
    if inner is int:
        return (1, 3, 6, 56)
    if inner is str:
        return ("x",)
    if get_origin(inner) in (list, tuple):
        item_choices = _choices(get_args(inner)[0])
        return ([item_choices[0]],) if item_choices else ()
    return ()  # a nested model: nothing plain to try it with


def _tries(model: type[BaseModel], day: date, known: Mapping[str, Sequence[Any]]) -> Iterator[BaseModel]:
    """The step dated `day`, each required field at its plainest, then each field's other values one at a
    time (not every combination: a step has a handful of questions, each with a few answers)."""
    base: dict[str, Any] = {"actor": ACTOR, "effective_date": day, "reason": NOTE}
    options: dict[str, tuple[Any, ...]] = {}
    for name, info in model.model_fields.items():
        if name in _NOT_TRIED:
            continue
        if info.is_required() or name in known:
            values = _values(name, info.annotation, day, known)
            if not values:
                if info.is_required():
                    return
                continue
            options[name] = values
            base[name] = values[0]
    seen: list[dict[str, Any]] = []
    candidates = [base] + [{**base, n: v} for n, vs in options.items() for v in vs[1:]]
    for fields in candidates:
        if fields in seen:
            continue
        seen.append(fields)
        try:
            yield model.model_validate(fields)
        except ValidationError:
            continue


def accepts(decide: Decide, state: Any, model: type[BaseModel], day: date, known: Mapping[str, Sequence[Any]]) -> bool:
    """Whether the case in `state` would take the step on `day` (recorded that day) in any plain form."""
    for step in _tries(model, day, known):
        try:
            decide(state, step, day)
        except (StepRefused, ValidationError):
            continue
        return True
    return False


def _first_day(
    decide: Decide, state: Any, model: type[BaseModel], today: date, known: Mapping[str, Sequence[Any]]
) -> date | None:
    """The first day ahead the step would be accepted: probed coarsely, then to the day since the last
    probe that refused it."""
    previous = 0
    for n in _PROBE_DAYS:
        if accepts(decide, state, model, today + timedelta(days=n), known):
            return next(
                today + timedelta(days=k)
                for k in range(previous + 1, n + 1)
                if accepts(decide, state, model, today + timedelta(days=k), known)
            )
        previous = n
    return None


def acceptable_steps(
    decide: Decide,
    state: Any,
    models: Sequence[type[BaseModel]],
    *,
    today: date,
    known: Mapping[str, Sequence[Any]] | None = None,
    look_ahead: Sequence[str] = (),
) -> list[Acceptable]:
    """Every step of `models` the case would accept today, then each step named in `look_ahead` that it
    would not, with the first day ahead it would be accepted, soonest first (left out if none within the
    horizon). `known` gives the case's own values for fields such as `victim_ref`."""
    known = known or {}
    now: list[Acceptable] = []
    later: list[Acceptable] = []
    for model in models:
        name = str(model.model_fields["step"].default)
        if accepts(decide, state, model, today, known):
            now.append(Acceptable(name, today))
        elif name in look_ahead:
            day = _first_day(decide, state, model, today, known)
            if day is not None:
                later.append(Acceptable(name, day))
    later.sort(key=lambda a: (a.from_day or date.max, a.step))
    return now + later
