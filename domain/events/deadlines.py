"""Events of deadlines: scheduled once, then reminded, met, missed, escalated or cancelled."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from domain.events.envelope import EventPayload


class DeadlineScheduled(EventPayload):
    """A deadline computed once and recorded, so replays and audits never recompute it."""

    deadline_id: str
    rule_id: str
    rule_pack_version: str
    calendar_version: str
    rule_type: str
    rule_kind: str = "deadline"  # deadline | fixed_date | block | check: a fixed date is never "missed"
    confidence: str
    unconfirmed: bool
    source: str
    description: str
    clock_start: date
    due_date: date
    period_end: date | None = None
    due_at: AwareDatetime
    reminders: list[AwareDatetime] = []
    escalate_at: AwareDatetime


class DeadlineReminderSent(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date
    reminder_at: AwareDatetime
    recipient: str
    unconfirmed: bool


class DeadlineMet(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date
    met_on: date
    late: bool
    days_late: int = 0
    met_by: str


class DeadlineMissed(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date


class DeadlineEscalated(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date
    recipient: str
    escalation_number: int


class DeadlineCancelled(EventPayload):
    deadline_id: str
    rule_id: str
    why: str
