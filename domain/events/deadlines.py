"""Events of deadlines: scheduled once, then reminded, met, missed, escalated or cancelled."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = [
    "DeadlineCancelled",
    "DeadlineEscalated",
    "DeadlineMet",
    "DeadlineMissed",
    "DeadlineReminderSent",
    "DeadlineScheduled",
]

# What a scheduled date means, by the rule's kind: work due, a date the law fixes, a bar, a court's limit.
_DUE = {
    "deadline": "due by the end of {}",
    "fixed_date": "{}",
    "block": "until the end of {}",
    "check": "no later than {}",
}


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

    title = "Deadline set"

    def describe(self, rule_names: w.RuleNames) -> str:
        # The description recorded with the deadline names it: the rule as it stood when the date was set.
        name = w.rule_name_of(self.description)
        when = _DUE.get(self.rule_kind, "{}").format(w.day(self.due_date))
        unrolled = (
            f", as the period ends on {w.day(self.period_end)}, a closed day"
            if self.period_end and self.period_end != self.due_date
            else ""
        )
        standing = w.standing(self.rule_type, unconfirmed=self.unconfirmed)
        told = w.reminders(self.reminders, year=self.due_date.year)
        return f"{name}: {when}{unrolled} ({standing}, rule {self.rule_id}).{' ' + told if told else ''}"


class DeadlineReminderSent(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date
    reminder_at: AwareDatetime
    recipient: str
    unconfirmed: bool

    title = "Deadline reminder sent"

    def describe(self, rule_names: w.RuleNames) -> str:
        caveat = " The rule's number is [U] unconfirmed." if self.unconfirmed else ""
        return (
            f"Reminder sent to {w.recipient(self.recipient)} at {w.at(self.reminder_at)}:"
            f" {w.rule(self.rule_id, rule_names)} is due by the end of {w.day(self.due_date)}.{caveat}"
        )


class DeadlineMet(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date
    met_on: date
    late: bool
    days_late: int = 0
    met_by: str

    title = "Deadline met"

    def describe(self, rule_names: w.RuleNames) -> str:
        if not self.late:
            how = "on time"
        elif self.days_late:
            how = f"{w.count(self.days_late, 'day')} late"
        else:
            how = "late"
        return (
            f"{w.rule(self.rule_id, rule_names)}: met on {w.day(self.met_on)}, {how}"
            f" (it was due by the end of {w.day(self.due_date)})."
        )


class DeadlineMissed(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date

    title = "Deadline missed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"{w.rule(self.rule_id, rule_names)}: missed. It was due by the end of {w.day(self.due_date)}."


class DeadlineEscalated(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date
    recipient: str
    escalation_number: int

    title = "Missed deadline escalated"

    def describe(self, rule_names: w.RuleNames) -> str:
        nth = "" if self.escalation_number == 1 else f" (escalation {self.escalation_number})"
        return (
            f"Escalated to {w.recipient(self.recipient)}{nth}: {w.rule(self.rule_id, rule_names)}, due by the end"
            f" of {w.day(self.due_date)}, was not yet recorded as met."
        )


class DeadlineCancelled(EventPayload):
    deadline_id: str
    rule_id: str
    why: str

    title = "Deadline no longer needed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"{w.rule(self.rule_id, rule_names)}: no longer needed, because {w.words(w.days_in_words(self.why))}."
