"""One model of non-compliance across orders, with the route each order's law prescribes.

A failure to comply (usually a missed appointment) is one `ComplianceIncident` whatever the order:
missed → explained (acceptable or not) → followed up → resolved. What an unacceptable failure leads
to differs by order, so that is a `CompliancePolicy`:

- referral order: the panel deals with it and may refer the child back to court (Sch 4);
- youth rehabilitation order: the responsible officer warns or lays information; after two warnings
  in a warned period a further failure must go to court (SA 2020 Sch 7 para 4);
- DTO supervision: breach goes to the youth court (Sch 12).

The warned period's length is the rule `yro.warned_period` ([U]: 12 months from memory), so every
function here takes it as `months` from the rule pack and never assumes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.calendar import add_calendar_months

__all__ = [
    "WARNINGS_BEFORE_COURT",
    "ComplianceIncident",
    "CompliancePolicy",
    "Explanation",
    "IncidentOutcome",
    "NextStep",
    "WarnedPeriod",
    "after_unacceptable_failure",
    "covering_period",
    "outcomes_allowed",
    "warnings_in_period",
]

# Sch 7 para 4(2) [S✓]: a failure in a warned period during which a further warning was already
# given must go to court, so two warnings is the most one warned period can hold. The count is
# statute; only the period's length is unconfirmed, and that comes from the rule pack.
WARNINGS_BEFORE_COURT = 2


class CompliancePolicy(StrEnum):
    """Which order's law decides what an unacceptable failure leads to."""

    REFERRAL_ORDER = "referral_order"
    YOUTH_REHABILITATION_ORDER = "youth_rehabilitation_order"
    DTO_SUPERVISION = "dto_supervision"


Explanation = Literal["acceptable", "not_acceptable", "none_yet"]
IncidentOutcome = Literal["excused", "warned", "breach_laid", "referred_to_panel"]
NextStep = Literal["warn", "breach_must_be_laid", "refer_to_panel", "youth_court"]

_OUTCOMES: dict[CompliancePolicy, frozenset[str]] = {
    CompliancePolicy.REFERRAL_ORDER: frozenset({"excused", "referred_to_panel"}),
    CompliancePolicy.YOUTH_REHABILITATION_ORDER: frozenset({"excused", "warned", "breach_laid"}),
    CompliancePolicy.DTO_SUPERVISION: frozenset({"excused", "breach_laid"}),
}


def outcomes_allowed(policy: CompliancePolicy) -> frozenset[str]:
    """The ways an incident on this kind of order can be resolved."""
    return _OUTCOMES[policy]


def after_unacceptable_failure(policy: CompliancePolicy, warnings_in_period: int) -> NextStep:
    """What must happen after a failure without reasonable excuse.

    `warnings_in_period` is how many warnings' warned periods the failure falls in (see
    `warnings_in_period`). For a YRO the officer may always lay information instead of warning; the
    answer "warn" means a warning is still lawful, "breach_must_be_laid" that it no longer is.
    """
    if warnings_in_period < 0:
        raise ValueError(f"a count of warnings cannot be negative, not {warnings_in_period}")
    match policy:
        case CompliancePolicy.REFERRAL_ORDER:
            return "refer_to_panel"
        case CompliancePolicy.DTO_SUPERVISION:
            return "youth_court"
        case CompliancePolicy.YOUTH_REHABILITATION_ORDER:
            return "warn" if warnings_in_period < WARNINGS_BEFORE_COURT else "breach_must_be_laid"
    raise ValueError(f"unknown compliance policy {policy!r}")  # pragma: no cover - the enum is exhaustive


# --- warned periods -------------------------------------------------------------------------------


class WarnedPeriod(BaseModel):
    """The warned period a warning opens: from the warning's date until `end`.

    A period of months "beginning with" the warning's date has run out on the corresponding date
    months later, so `end` is the first day outside it, the same date the fixed-date deadline
    `yro.warned_period` falls on (`add_calendar_months`, clamped at month ends). Where a month-end
    clamp makes the period a day shorter, that favours the child.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date = Field(description="The day the warning was given.")
    end: date = Field(description="The day the period has run out (not itself inside it).")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"a warned period must end after it starts ({self.start} to {self.end})")
        return self

    @classmethod
    def starting(cls, start: date, *, months: int) -> WarnedPeriod:
        """The period a warning given on `start` opens; `months` is the rule `yro.warned_period` amount."""
        if months < 1:
            raise ValueError(f"a warned period must be at least one month, not {months}")
        return cls(start=start, end=add_calendar_months(start, months))

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def warnings_in_period(warnings: Iterable[WarnedPeriod], failure_date: date) -> int:
    """How many warnings' warned periods a failure on `failure_date` falls in.

    Only warnings given on or before the failure count: para 4(2) asks whether the child "had been
    given" a further warning when the failure happened. Two or more means the failure lies in the
    first one's period and a further warning was given within it, so it must go to court.
    """
    return sum(1 for w in warnings if w.contains(failure_date))


def covering_period(warnings: Iterable[WarnedPeriod], failure_date: date) -> WarnedPeriod | None:
    """The earliest warned period `failure_date` falls in: the one later warnings were given within."""
    covering = sorted((w for w in warnings if w.contains(failure_date)), key=lambda w: w.start)
    return covering[0] if covering else None


# --- the incident ---------------------------------------------------------------------------------


class ComplianceIncident(BaseModel):
    """One failure to comply, from the missed appointment until it is excused or dealt with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    order_kind: CompliancePolicy
    appointment_date: date
    explained: Explanation = "none_yet"
    follow_up_made: bool = False
    outcome: IncidentOutcome | None = None

    @model_validator(mode="after")
    def _outcome_fits_the_order_and_the_explanation(self) -> Self:
        if self.outcome is None:
            return self
        if self.outcome not in _OUTCOMES[self.order_kind]:
            raise ValueError(f"an incident on a {self.order_kind.value} cannot end {self.outcome}")
        if self.outcome == "excused" and self.explained != "acceptable":
            raise ValueError("only an acceptable explanation excuses a failure")
        if self.outcome != "excused" and self.explained != "not_acceptable":
            raise ValueError(f"an incident ends {self.outcome} only after an explanation found not acceptable")
        return self

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    def explain(self, *, acceptable: bool) -> ComplianceIncident:
        """The incident once the explanation is judged; an acceptable one excuses the failure."""
        if not self.is_open:
            raise ValueError(f"incident {self.id} is already closed ({self.outcome})")
        if self.explained != "none_yet":
            raise ValueError(f"incident {self.id} was already explained ({self.explained})")
        if acceptable:
            return self.model_copy(update={"explained": "acceptable", "outcome": "excused"})
        return self.model_copy(update={"explained": "not_acceptable"})

    def followed_up(self) -> ComplianceIncident:
        if self.follow_up_made:
            raise ValueError(f"incident {self.id} was already followed up")
        return self.model_copy(update={"follow_up_made": True})

    def resolve(self, outcome: IncidentOutcome) -> ComplianceIncident:
        """The incident dealt with; the validator refuses an outcome the order's law does not have."""
        if not self.is_open:
            raise ValueError(f"incident {self.id} is already closed ({self.outcome})")
        return ComplianceIncident.model_validate({**self.model_dump(), "outcome": outcome})
