"""Events of a youth rehabilitation order (SA 2020 Part 9 Ch 1, Sch 6, Sch 7).

The compliance events (`AppointmentMissed` to `BreachLaid`) follow one incident through the shared
model in `domain.compliance`; they name the incident so a timeline can group them.
Requirements are the court outcome's own models, so an order's requirements read the same here as
in the intake contract.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.court_outcome import Requirement
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


class YouthRehabilitationOrderMade(EventPayload):
    hearing_date: date
    end_date: date
    iss: bool
    requirements: list[Requirement]


class FirstAppointmentAttended(EventPayload):
    appointment_date: date


class ReviewHeld(EventPayload):
    review_date: date


class RequirementProgressRecorded(EventPayload):
    """Progress on one requirement, with running totals so a reader needs no arithmetic."""

    requirement: str  # the requirement's ref on the order, e.g. "unpaid_work" or "curfew#2"
    kind: str
    recorded_date: date
    activity_days_used: int | None = None
    unpaid_work_hours_done: int | None = None
    period_started: date | None = None
    period_ended: date | None = None


class AppointmentMissed(EventPayload):
    incident_id: str
    appointment_date: date


class AbsenceExplained(EventPayload):
    incident_id: str
    explained_date: date
    acceptable: bool


class FollowUpContactMade(EventPayload):
    incident_id: str
    contact_date: date


class WarningIssued(EventPayload):
    """A formal warning (Sch 7 para 4); `number` is its place in the warned period the failure fell in."""

    incident_id: str
    warning_date: date
    number: int
    warned_period_ends: date


class BreachLaid(EventPayload):
    """Information laid before the court; `mandatory` when Sch 7 para 4(2) left no choice."""

    incident_id: str
    laid_date: date
    mandatory: bool


class CourtBreachOutcome(EventPayload):
    decision_date: date
    decision: Literal["continue", "add_requirement", "fine", "revoke_and_resentence"]
    added_requirement: Requirement | None = None
    previous_end_date: date | None = None
    new_end_date: date | None = None


class OrderAmended(EventPayload):
    amended_date: date
    summary: str
    added_requirements: list[Requirement] = []
    removed_requirements: list[str] = []
    new_end_date: date | None = None


class YroRevoked(EventPayload):
    revoked_date: date
    grounds: Literal["good_progress", "further_offence", "breach"]


class YroCompleted(EventPayload):
    completed_date: date


class OrderTransferred(EventPayload):
    """The order moved to another YJS (it continues there) or to probation (the YJS's part ends)."""

    transfer_date: date
    to: Literal["yjs", "probation"]
    from_yjs: str
    to_yjs: str | None = None
