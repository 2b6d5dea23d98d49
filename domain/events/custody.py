"""Events of a custodial sentence and resettlement (SA 2020 ss.233–248, Sch 12; ss.250, 254, 259)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.events import wording as w
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

_SENTENCES = {
    "dto": "a detention and training order",
    "s250": "long-term detention (s.250)",
    "s254": "an extended sentence of detention (s.254)",
    "s259": "detention at His Majesty's pleasure (s.259)",
}
_SOURCES = {
    "computed": "as computed from the sentence",
    "secure_estate": "as given by the secure estate",
    "early_release": "for early release",
    "late_release": "for late release",
}
_BREACH_DECISIONS = {
    "further_detention": "a further period of detention",
    "further_supervision": "a further period of supervision",
    "fine": "a fine",
    "none": "no action",
}


def _release_window(earliest: date | None, latest: date | None) -> str:
    if earliest and latest:
        return f" Release may be as early as {w.day(earliest)} or as late as {w.day(latest)}."
    return ""


def _counted(remand_days: int, tagged_bail_days: int) -> str:
    parts = [
        w.count(remand_days, "day") + " on remand" if remand_days else "",
        w.count(tagged_bail_days, "day") + " of tagged bail" if tagged_bail_days else "",
    ]
    said = w.and_list(parts)
    return f" The court counted {said} towards it." if said else ""


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

    title = "Custodial sentence passed"

    def describe(self, rule_names: w.RuleNames) -> str:
        if self.weeks:
            length = f" of {w.count(self.weeks, 'week')}"
        elif self.months:
            length = f" of {w.count(self.months, 'month')}"
        else:
            length = ""
        term = f" The term ends on {w.day(self.term_end)}." if self.term_end else ""
        half = f" The half-way point is {w.day(self.half_way_date)}." if self.half_way_date else ""
        estate = (
            f" The secure estate gives the release date as {w.day(self.secure_estate_release_date)}."
            if self.secure_estate_release_date
            else ""
        )
        after = " Further supervision follows the term." if self.further_supervision else ""
        return (
            f"The court passed {_SENTENCES[self.kind]}{length} on {w.day(self.sentence_date)}.{term}{half}"
            f"{_release_window(self.earliest_release, self.latest_release)}{estate}"
            f"{_counted(self.remand_days, self.tagged_bail_days)}{after}"
        )


class InitialPlanningMeetingHeld(EventPayload):
    meeting_date: date

    title = "Initial planning meeting held"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Initial sentence planning meeting held on {w.day(self.meeting_date)}."


class CustodyReviewHeld(EventPayload):
    number: int
    review_date: date

    title = "Sentence plan review held"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The {w.ordinal(self.number)} sentence plan review was held on {w.day(self.review_date)}."


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

    title = "Release date set"

    def describe(self, rule_names: w.RuleNames) -> str:
        after = {None: "", True: " Further supervision follows the term.", False: " No further supervision follows."}
        return (
            f"Release date set for {w.day(self.release_date)}, {_SOURCES[self.source]}."
            f"{_release_window(self.earliest_release, self.latest_release)}{after[self.further_supervision]}"
        )


class PreReleaseConfirmed(EventPayload):
    """The final review before release: whether accommodation and education/training/employment are in place."""

    review_date: date
    accommodation: bool
    ete: bool

    title = "Final review before release held"

    def describe(self, rule_names: w.RuleNames) -> str:
        housed = "in place" if self.accommodation else "not in place"
        occupied = "in place" if self.ete else "not in place"
        return (
            f"Final review before release held on {w.day(self.review_date)}: accommodation is {housed};"
            f" education, training or employment is {occupied}."
        )


class Released(EventPayload):
    released_on: date

    title = "Released from custody"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The child was released from custody on {w.day(self.released_on)}."


class ReleaseContactMade(EventPayload):
    contact_date: date

    title = "First contact after release made"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"First supervision contact after release on {w.day(self.contact_date)}."


class FurtherSupervisionStarted(EventPayload):
    """The DTO term ended and s.247 further supervision runs on to 12 months after the half-way point."""

    starts: date
    ends: date

    title = "Further supervision started"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Further supervision runs from {w.day(self.starts)} to {w.day(self.ends)}."


class SupervisionBreachOutcome(EventPayload):
    """The youth court's decision on a breach of DTO supervision (Sch 12 para 3).

    `until` is when a further period of detention or supervision ends (None for a fine or no action).
    """

    decision_date: date
    breach_date: date
    decision: BreachDecision
    months: int | None = None
    until: date | None = None

    title = "Court decision on a breach of supervision"

    def describe(self, rule_names: w.RuleNames) -> str:
        length = f" of {w.count(self.months, 'month')}" if self.months else ""
        until = f", until {w.day(self.until)}" if self.until else ""
        return (
            f"The youth court decided on {w.day(self.decision_date)}, for the breach of supervision on"
            f" {w.day(self.breach_date)}: {_BREACH_DECISIONS[self.decision]}{length}{until}."
        )


class CustodyCompleted(EventPayload):
    completed_date: date

    title = "Sentence completed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Sentence completed on {w.day(self.completed_date)}."
