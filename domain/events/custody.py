"""Events of a custodial sentence and resettlement (SA 2020 ss.233–248, Sch 12; ss.250, 254, 259)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.events.envelope import EventPayload

__all__ = [
    "BreachDecision",
    "CustodialKind",
    "CustodialSentenceMade",
    "CustodyCompleted",
    "CustodyReviewHeld",
    "FurtherSupervisionStarted",
    "InitialPlanningMeetingHeld",
    "PreReleaseConfirmed",
    "ReleaseContactMade",
    "ReleaseDateSet",
    "ReleaseSource",
    "Released",
    "SupervisionBreachOutcome",
]

CustodialKind = Literal["dto", "s250", "s254", "s259"]
ReleaseSource = Literal["computed", "secure_estate", "early_release", "late_release"]
BreachDecision = Literal["further_detention", "further_supervision", "fine", "none"]


class CustodialSentenceMade(EventPayload):
    """The court passed a custodial sentence.

    For a DTO the dates are computed from the term; for s.250, s.254 and s.259 they are left to the
    secure estate (and the Parole Board), so only `secure_estate_release_date` may be set.
    """

    kind: CustodialKind
    sentence_date: date
    months: int | None = None
    term_end: date | None = None
    half_way_date: date | None = None
    earliest_release: date | None = None
    latest_release: date | None = None
    secure_estate_release_date: date | None = None
    further_supervision: bool = False
    # A DTO in weeks, the days the court counted off, and the method that computed the dates
    # (domain.custody_dates; None on sentences recorded before the HMPPS method: the legacy one).
    weeks: int | None = None
    remand_days: int = 0
    tagged_bail_days: int = 0
    release_method: str | None = None


class InitialPlanningMeetingHeld(EventPayload):
    meeting_date: date


class CustodyReviewHeld(EventPayload):
    number: int
    review_date: date


class ReleaseDateSet(EventPayload):
    """The date the child is expected to leave custody, and on whose word.

    A secure estate date for a DTO moves the release point, so it carries the early and late limits
    and the s.247 answer that follow from it; other sources leave those as they were (None).
    """

    release_date: date
    source: ReleaseSource
    earliest_release: date | None = None
    latest_release: date | None = None
    further_supervision: bool | None = None


class PreReleaseConfirmed(EventPayload):
    """The final review before release: whether accommodation and education/training/employment are in place."""

    review_date: date
    accommodation: bool
    ete: bool


class Released(EventPayload):
    released_on: date


class ReleaseContactMade(EventPayload):
    contact_date: date


class FurtherSupervisionStarted(EventPayload):
    """The DTO term ended and s.247 further supervision runs on to 12 months after the half-way point."""

    starts: date
    ends: date


class SupervisionBreachOutcome(EventPayload):
    """The youth court's decision on a breach of DTO supervision (Sch 12 para 3).

    `until` is when a further period of detention or supervision ends (None for a fine or no action).
    """

    decision_date: date
    breach_date: date
    decision: BreachDecision
    months: int | None = None
    until: date | None = None


class CustodyCompleted(EventPayload):
    completed_date: date
