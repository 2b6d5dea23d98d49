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

It also says how a deadline counts in the compliance figures (`deadline_outcome`, `ComplianceFigures`).
A deadline "met on time" by the date its step says it was done may have been recorded weeks later,
after the managers were escalated to (the Rochdale case, `youth-justice.md` §3: files antedated for an
inspection). So the figures count by both times: met on time and recorded on time; met on time but
recorded late, with how late and whether escalations fired before it was recorded ("met only on paper");
met late; missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from domain.calendar import add_calendar_months, london_date

__all__ = [
    "WARNINGS_BEFORE_COURT",
    "ComplianceFigures",
    "ComplianceIncident",
    "CompliancePolicy",
    "DeadlineOutcome",
    "DeadlineRecord",
    "Explanation",
    "IncidentOutcome",
    "NextStep",
    "WarnedPeriod",
    "after_unacceptable_failure",
    "covering_period",
    "days_recorded_late",
    "deadline_outcome",
    "escalation_note",
    "met_only_on_paper",
    "outcomes_allowed",
    "recording_note",
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


# --- how a deadline counts in the figures ---------------------------------------------------------

DeadlineOutcome = Literal["on_time", "recorded_late", "met_late", "missed", "open", "cancelled"]


class DeadlineRecord(BaseModel):
    """What the figures need of one deadline: when it was due, when its step says it was done, and when
    that step was recorded (None for a deadline not met, or met before yjflow kept the recording time)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal["open", "met", "missed", "cancelled"]
    due_date: date
    due_at: datetime = Field(description="The instant it fell due: the end of `due_date`, London time.")
    met_on: date | None = None
    met_recorded_at: datetime | None = None
    escalations_before_met: int = Field(default=0, ge=0)
    missed_before_met: bool = Field(default=False, description="The miss was recorded before the step.")


def deadline_outcome(d: DeadlineRecord) -> DeadlineOutcome:
    """How one deadline counts. Met on time means by the step's own date; it was recorded late when the
    step reached the record after the deadline fell due, or after its miss was recorded (which is the
    same thing told by the record's order rather than its clock)."""
    if d.status == "cancelled":
        return "cancelled"
    if d.met_on is None:
        return "missed" if d.status == "missed" else "open"
    if d.met_on > d.due_date:
        return "met_late"
    if d.missed_before_met or (d.met_recorded_at is not None and d.met_recorded_at > d.due_at):
        return "recorded_late"
    return "on_time"


def days_recorded_late(d: DeadlineRecord) -> int:
    """Calendar days from the due day to the day the meeting step was recorded (London); 0 unless
    `deadline_outcome` is "recorded_late", and at least 1 when it is."""
    if deadline_outcome(d) != "recorded_late":
        return 0
    if d.met_recorded_at is None:
        return 1
    return max((london_date(d.met_recorded_at) - d.due_date).days, 1)


def met_only_on_paper(d: DeadlineRecord) -> bool:
    """Met on time by its date, but recorded only after the escalations to a manager had fired: the
    record says it was done, the service acted all along as though it was not."""
    return deadline_outcome(d) == "recorded_late" and d.escalations_before_met > 0


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def recording_note(d: DeadlineRecord) -> str | None:
    """What a timeline or an inspection export says of a deadline met on time by its date but recorded
    after it fell due; None for every other deadline."""
    if deadline_outcome(d) != "recorded_late" or d.met_recorded_at is None:
        return None
    late = f"recorded {_days(days_recorded_late(d))} after it was due, on {london_date(d.met_recorded_at):%d %B %Y}"
    if met_only_on_paper(d):
        n = d.escalations_before_met
        return f"Met on time only on paper: {late}, after {n} escalation{'s' if n != 1 else ''} to a manager"
    return f"Met on time but {late}"


def escalation_note(d: DeadlineRecord) -> str | None:
    """What an escalation of a deadline later met on paper says: it was right to fire, because the step
    that met the deadline had not been recorded yet. None when the deadline was not met on paper."""
    if not met_only_on_paper(d) or d.met_recorded_at is None:
        return None
    return (
        f"Fired before the step that met this deadline was recorded (on {london_date(d.met_recorded_at):%d %B %Y},"
        f" dated {d.met_on:%d %B %Y})"
    )


class ComplianceFigures(BaseModel):
    """The counts for a set of deadlines that fell due (cancelled ones left out). `met_on_time` is every
    deadline met by its step's date, `recorded_on_time + recorded_late`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    due: int = 0
    recorded_on_time: int = 0
    recorded_late: int = 0
    recorded_late_days: int = 0  # the recorded-late ones' days late, summed
    recorded_late_max_days: int = 0
    met_only_on_paper: int = 0  # recorded late after escalations fired
    met_late: int = 0
    missed: int = 0
    still_open: int = 0

    @classmethod
    def of(cls, deadlines: Iterable[DeadlineRecord]) -> ComplianceFigures:
        counts: dict[str, int] = {}
        due = late_days = late_max = paper = 0
        for d in deadlines:
            outcome = deadline_outcome(d)
            if outcome == "cancelled":
                continue
            due += 1
            counts[outcome] = counts.get(outcome, 0) + 1
            days = days_recorded_late(d)
            late_days += days
            late_max = max(late_max, days)
            paper += met_only_on_paper(d)
        return cls(
            due=due,
            recorded_on_time=counts.get("on_time", 0),
            recorded_late=counts.get("recorded_late", 0),
            recorded_late_days=late_days,
            recorded_late_max_days=late_max,
            met_only_on_paper=paper,
            met_late=counts.get("met_late", 0),
            missed=counts.get("missed", 0),
            still_open=counts.get("open", 0),
        )

    def __add__(self, other: ComplianceFigures) -> ComplianceFigures:
        summed = {k: getattr(self, k) + getattr(other, k) for k in ComplianceFigures.model_fields}
        summed["recorded_late_max_days"] = max(self.recorded_late_max_days, other.recorded_late_max_days)
        return ComplianceFigures.model_validate(summed)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def met_on_time(self) -> int:
        return self.recorded_on_time + self.recorded_late

    @computed_field  # type: ignore[prop-decorator]
    @property
    def decided(self) -> int:
        return self.met_on_time + self.met_late + self.missed

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pct_on_time(self) -> float | None:
        """Met and recorded on time, as a share of the decided deadlines: the honest figure."""
        return round(100 * self.recorded_on_time / self.decided, 1) if self.decided else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pct_on_time_by_date(self) -> float | None:
        """Met on time by the steps' own dates, however late they were recorded: what the record claims."""
        return round(100 * self.met_on_time / self.decided, 1) if self.decided else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mean_days_recorded_late(self) -> float | None:
        return round(self.recorded_late_days / self.recorded_late, 1) if self.recorded_late else None
