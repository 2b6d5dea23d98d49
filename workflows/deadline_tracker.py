"""Which reminder, miss or escalation is due next: pure bookkeeping shared by every order workflow.

It decides nothing about the law; it only walks the instants a `DeadlineScheduled` event already fixed.
Kept free of temporalio so it can be tested on its own and reused by the other order kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.events import DeadlineScheduled
from domain.messages import TrackedDeadline

ESCALATION_REPEAT = timedelta(days=7)


@dataclass(frozen=True)
class Due:
    """One thing to do now for one deadline."""

    kind: str  # "reminder" | "missed" | "escalation"
    deadline_id: str
    at: datetime
    number: int = 0  # which reminder (1-based) or which escalation


NEVER_MISSED = frozenset({"fixed_date", "block"})


def _can_miss(s: DeadlineScheduled) -> bool:
    """A date the law fixes (an order's end) or a bar is reached, not missed."""
    return s.rule_kind not in NEVER_MISSED


def track(schedule: DeadlineScheduled, now: datetime) -> TrackedDeadline:
    """Start watching a deadline; reminders already in the past (a late-loaded outcome) are skipped."""
    done = sum(1 for r in schedule.reminders if r <= now)
    return TrackedDeadline(schedule=schedule, reminders_done=done)


def next_instant(deadlines: list[TrackedDeadline]) -> datetime | None:
    """The earliest instant at which something falls due, or None when nothing is pending."""
    instants: list[datetime] = []
    for d in deadlines:
        s = d.schedule
        if d.status == "open":
            pending = [r for r in s.reminders[d.reminders_done :] if r < s.due_at]
            if pending:
                instants.append(pending[0])
            elif _can_miss(s):
                instants.append(s.due_at)
        elif d.status == "missed":
            instants.append(s.escalate_at + ESCALATION_REPEAT * d.escalations_done)
    return min(instants) if instants else None


def due_now(d: TrackedDeadline, now: datetime) -> list[Due]:
    """What falls due for one deadline at `now`, in order; the caller records each and updates `d`."""
    s = d.schedule
    out: list[Due] = []
    if d.status == "open":
        for i, at in enumerate(s.reminders[d.reminders_done :], start=d.reminders_done):
            if at > now:
                break
            if at < s.due_at:
                out.append(Due("reminder", s.deadline_id, at, i + 1))
        if now >= s.due_at and _can_miss(s):
            out.append(Due("missed", s.deadline_id, s.due_at))
    missed = d.status == "missed" or any(x.kind == "missed" for x in out)
    if missed:
        number = d.escalations_done
        while s.escalate_at + ESCALATION_REPEAT * number <= now:
            number += 1
        if number > d.escalations_done:
            # A late-loaded or long-stalled case escalates once now, not once per week it missed.
            out.append(Due("escalation", s.deadline_id, s.escalate_at + ESCALATION_REPEAT * (number - 1), number))
    return out


def days_late(due: date, met_on: date) -> int:
    return max((met_on - due).days, 0)
