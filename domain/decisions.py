"""What every order's decision function returns, and the step shape people record.

A domain module (one per order kind or victim contact) exposes `decide(state, step, today) -> Decision`
and `evolve(state, payload) -> state`. A `Decision` is the events to record and the deadline changes
they cause; the workflow carries both out. `StepRefused` carries the reason a step is not allowed now.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain import events as ev


class StepRefused(ValueError):
    """A step that is out of order or out of law; the message says why and what would be allowed.

    `field` names the step's field at fault (`effective_date`, `extension_months`…) when one is, so a form
    can put the reason next to that question; None when the step as a whole is refused (the case's state)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Step(BaseModel):
    """What every recorded step carries: who did it, when it took effect, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actor: str = Field(min_length=1, description="The acting user (set by the API from the token).")
    effective_date: date = Field(description="When it happened in the world; may be back-dated.")
    reason: str | None = Field(default=None, max_length=2000)


class ScheduleDeadline(BaseModel):
    """Schedule a deadline of `rule_id` from `clock_start`; with `due_before`, one that would fall due on
    or after that date is not owed (it is recorded as cancelled at once, saying why)."""

    model_config = ConfigDict(frozen=True)
    rule_id: str
    clock_start: date
    amount: int | None = None
    due_before: date | None = None
    why_not_owed: str | None = None


class MeetDeadline(BaseModel):
    model_config = ConfigDict(frozen=True)
    rule_id: str
    met_on: date


class CancelDeadline(BaseModel):
    """Cancel the open deadlines of `rule_id` (\"*\" for every open deadline)."""

    model_config = ConfigDict(frozen=True)
    rule_id: str
    why: str


class MissDeadline(BaseModel):
    """Record the newest open deadline of `rule_id` as missed now: a decision that takes effect whatever
    was still owed (a court closing the order before its closure was overseen)."""

    model_config = ConfigDict(frozen=True)
    rule_id: str


DeadlineEffect = ScheduleDeadline | MeetDeadline | CancelDeadline | MissDeadline


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)
    events: tuple[ev.EventPayload, ...]
    deadlines: tuple[DeadlineEffect, ...] = ()
