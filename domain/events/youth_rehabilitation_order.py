"""Events of a youth rehabilitation order (SA 2020 Part 9 Ch 1, Sch 6, Sch 7).

The compliance events (`AppointmentMissed` to `BreachLaid`) follow one incident through the shared
model in `domain.compliance`; they name the incident so a timeline can group them.
Requirements are the court outcome's own models, so an order's requirements read the same here as
in the intake contract.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.court_outcome import (
    ActivityRequirement,
    CurfewRequirement,
    ExtendedActivityRequirement,
    Requirement,
    UnpaidWorkRequirement,
)
from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = [
    "AbsenceExplained",
    "AppointmentMissed",
    "BreachLaid",
    "CourtBreachOutcome",
    "FirstAppointmentAttended",
    "FollowUpContactMade",
    "OrderAmended",
    "OrderTransferred",
    "RequirementProgressRecorded",
    "ReviewHeld",
    "WarningIssued",
    "YouthRehabilitationOrderMade",
    "YroCompleted",
    "YroRevoked",
]


def _requirement(r: Requirement) -> str:
    """'unpaid work (60 hours)', 'curfew (8 hours a day until Friday 2 April 2027)'."""
    if isinstance(r, ActivityRequirement | ExtendedActivityRequirement):
        return f"{w.words(r.kind)} ({w.count(r.days, 'day')})"
    if isinstance(r, UnpaidWorkRequirement):
        return f"unpaid work ({w.count(r.hours, 'hour')})"
    if isinstance(r, CurfewRequirement):
        hours = f"{r.hours_per_day:g} hour{'' if r.hours_per_day == 1 else 's'}"
        return f"curfew ({hours} a day until {w.day(r.end_date)})"
    return w.words(r.kind)


def _requirement_ref(ref: str) -> str:
    """A requirement's ref on the order: 'curfew#2' → 'the second curfew'."""
    kind, _, number = ref.partition("#")
    return f"the {w.ordinal(int(number))} {w.words(kind)}" if number.isdigit() else w.words(kind)


class YouthRehabilitationOrderMade(EventPayload):
    hearing_date: date
    end_date: date
    iss: bool
    requirements: list[Requirement]

    title = "Youth rehabilitation order made"

    def describe(self, rule_names: w.RuleNames) -> str:
        iss = " with intensive supervision and surveillance" if self.iss else ""
        required = w.and_list(_requirement(r) for r in self.requirements)
        return (
            f"The court made a youth rehabilitation order{iss} on {w.day(self.hearing_date)}, ending on"
            f" {w.day(self.end_date)}.{f' Requirements: {required}.' if required else ''}"
        )


class FirstAppointmentAttended(EventPayload):
    appointment_date: date

    title = "First appointment attended"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The child attended their first appointment on {w.day(self.appointment_date)}."


class ReviewHeld(EventPayload):
    review_date: date

    title = "Review held"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Intervention plan and assessment reviewed on {w.day(self.review_date)}."


class RequirementProgressRecorded(EventPayload):
    """Progress on one requirement, with running totals so a reader needs no arithmetic."""

    requirement: str  # the requirement's ref on the order, e.g. "unpaid_work" or "curfew#2"
    kind: str
    recorded_date: date
    activity_days_used: int | None = None
    unpaid_work_hours_done: int | None = None
    period_started: date | None = None
    period_ended: date | None = None

    title = "Progress on a requirement recorded"

    def describe(self, rule_names: w.RuleNames) -> str:
        so_far = w.and_list(
            [
                f"{w.count(self.activity_days_used, 'day')} used" if self.activity_days_used is not None else "",
                f"{w.count(self.unpaid_work_hours_done, 'hour')} done"
                if self.unpaid_work_hours_done is not None
                else "",
            ]
        )
        period = w.and_list(
            [
                f"started on {w.day(self.period_started)}" if self.period_started else "",
                f"ended on {w.day(self.period_ended)}" if self.period_ended else "",
            ]
        )
        said = f"{so_far} so far" if so_far else ""
        said = w.and_list([said, f"the period {period}" if period else ""])
        return (
            f"Progress on {_requirement_ref(self.requirement)} recorded on {w.day(self.recorded_date)}"
            f"{f': {said}' if said else ''}."
        )


class AppointmentMissed(EventPayload):
    incident_id: str
    appointment_date: date

    title = "Appointment missed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The child missed an appointment on {w.day(self.appointment_date)}."


class AbsenceExplained(EventPayload):
    incident_id: str
    explained_date: date
    acceptable: bool

    title = "Absence explained"

    def describe(self, rule_names: w.RuleNames) -> str:
        verdict = "accepted" if self.acceptable else "not accepted"
        return f"The missed appointment was explained on {w.day(self.explained_date)}: the explanation was {verdict}."


class FollowUpContactMade(EventPayload):
    incident_id: str
    contact_date: date

    title = "Follow-up contact made"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Follow-up contact after the missed appointment on {w.day(self.contact_date)}."


class WarningIssued(EventPayload):
    """A formal warning (Sch 7 para 4); `number` is its place in the warned period the failure fell in."""

    incident_id: str
    warning_date: date
    number: int
    warned_period_ends: date

    title = "Formal warning given"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"The {w.ordinal(self.number)} formal warning in this warned period was given on"
            f" {w.day(self.warning_date)}. The warned period ends on {w.day(self.warned_period_ends)}."
        )


class BreachLaid(EventPayload):
    """Information laid before the court; `mandatory` when Sch 7 para 4(2) left no choice."""

    incident_id: str
    laid_date: date
    mandatory: bool

    title = "Breach taken to court"

    def describe(self, rule_names: w.RuleNames) -> str:
        why = " It had to go to court: a further failure after a second warning." if self.mandatory else ""
        return f"Breach information laid before the court on {w.day(self.laid_date)}.{why}"


class CourtBreachOutcome(EventPayload):
    decision_date: date
    decision: Literal["continue", "add_requirement", "fine", "revoke_and_resentence"]
    added_requirement: Requirement | None = None
    previous_end_date: date | None = None
    new_end_date: date | None = None

    title = "Court decision on a breach"

    def describe(self, rule_names: w.RuleNames) -> str:
        decided = {
            "continue": "the order continues",
            "add_requirement": "a requirement is added",
            "fine": "a fine, and the order continues",
            "revoke_and_resentence": "the order is revoked and the child resentenced",
        }[self.decision]
        if self.decision == "add_requirement" and self.added_requirement:
            decided = f"{_requirement(self.added_requirement)} is added to the order"
        moved = (
            f" The end date moves from {w.day(self.previous_end_date)} to {w.day(self.new_end_date)}."
            if self.previous_end_date and self.new_end_date
            else f" The end date is now {w.day(self.new_end_date)}."
            if self.new_end_date
            else ""
        )
        return f"The court decided on the breach on {w.day(self.decision_date)}: {decided}.{moved}"


class OrderAmended(EventPayload):
    amended_date: date
    summary: str
    added_requirements: list[Requirement] = []
    removed_requirements: list[str] = []
    new_end_date: date | None = None

    title = "Order amended"

    def describe(self, rule_names: w.RuleNames) -> str:
        added = w.and_list(_requirement(r) for r in self.added_requirements)
        removed = w.and_list(_requirement_ref(r) for r in self.removed_requirements)
        return (
            f"Order amended on {w.day(self.amended_date)}: {w.days_in_words(self.summary.rstrip('.'))}."
            f"{f' Added: {added}.' if added else ''}{f' Removed: {removed}.' if removed else ''}"
            f"{f' The end date is now {w.day(self.new_end_date)}.' if self.new_end_date else ''}"
        )


class YroRevoked(EventPayload):
    revoked_date: date
    grounds: Literal["good_progress", "further_offence", "breach"]

    title = "Order revoked"

    def describe(self, rule_names: w.RuleNames) -> str:
        grounds = {
            "good_progress": "for good progress",
            "further_offence": "after a further offence",
            "breach": "for breach",
        }
        return f"Order revoked on {w.day(self.revoked_date)} {grounds[self.grounds]}."


class YroCompleted(EventPayload):
    completed_date: date

    title = "Order completed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Order completed on {w.day(self.completed_date)}."


class OrderTransferred(EventPayload):
    """The order moved to another YJS (it continues there) or to probation (the YJS's part ends)."""

    transfer_date: date
    to: Literal["yjs", "probation"]
    from_yjs: str
    to_yjs: str | None = None

    title = "Order transferred"

    def describe(self, rule_names: w.RuleNames) -> str:
        if self.to == "probation":
            return (
                f"The order moved from {self.from_yjs} to the probation service on {w.day(self.transfer_date)};"
                " the YJS's part ends."
            )
        to = self.to_yjs or "another YJS"
        return f"The order moved from {self.from_yjs} to {to} on {w.day(self.transfer_date)}; it continues there."
