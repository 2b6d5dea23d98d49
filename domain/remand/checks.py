"""Refusals the remand's steps share."""

from __future__ import annotations

from datetime import date

from domain.decisions import StepRefused
from domain.remand.state import RemandState


def _refuse(step: str, why: str, field: str | None = None) -> StepRefused:
    return StepRefused(f"{step} refused: {why}", field)


def _not_before(name: str, day: date, earliest: date | None, what: str) -> None:
    if earliest is not None and day < earliest:
        raise _refuse(name, f"it is dated {day}, before {what} ({earliest})", "effective_date")


def _require_looked_after(state: RemandState, name: str) -> None:
    if not state.looked_after:
        raise _refuse(
            name,
            "the child is on bail, so not looked after through this remand; "
            "LAC reviews and social-worker visits are for remands to RLAA or YDA",
        )
