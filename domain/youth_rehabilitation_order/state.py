"""The order's state: its status, its requirements with what has been done of them, and a new order's state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.casework_cycle.state import CycleState
from domain.compliance import ComplianceIncident, CompliancePolicy, WarnedPeriod
from domain.court_outcome import Requirement, YouthRehabilitationOrderDisposal
from domain.step_order import StepDates

POLICY = CompliancePolicy.YOUTH_REHABILITATION_ORDER


class YroStatus(StrEnum):
    ORDER_MADE = "order_made"  # waiting for the first appointment (induction)
    ACTIVE = "active"
    BREACH_LAID = "breach_laid"  # information laid; waiting for the court
    COMPLETED = "completed"
    REVOKED = "revoked"
    TRANSFERRED_TO_PROBATION = "transferred_to_probation"


CLOSED_STATES = frozenset({YroStatus.COMPLETED, YroStatus.REVOKED, YroStatus.TRANSFERRED_TO_PROBATION})


class SupervisedPeriod(BaseModel):
    """One stretch of a curfew or of electronic monitoring; `end` is None while it runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    end: date | None = None


class RequirementProgress(BaseModel):
    """A requirement as the court ordered it, with what has been done of it so far.

    `ref` names it on this order: its kind, or `kind#2`, `kind#3` for later ones of the same kind.
    Refs are never reused, so a removed requirement stays listed with `removed_on` set and every
    recorded event keeps pointing at the requirement it was about.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    ref: str
    ordered: Requirement
    activity_days_used: int = 0
    unpaid_work_hours_done: int = 0
    periods: tuple[SupervisedPeriod, ...] = ()
    removed_on: date | None = None

    @property
    def kind(self) -> str:
        return self.ordered.kind

    @property
    def in_force(self) -> bool:
        return self.removed_on is None

    @property
    def running_period(self) -> SupervisedPeriod | None:
        last = self.periods[-1] if self.periods else None
        return last if last is not None and last.end is None else None


class YroState(BaseModel):
    """Everything the workflow must carry across continue-as-new."""

    model_config = ConfigDict(frozen=True)

    child_id: str
    yjs: str
    hearing_date: date = Field(description="The order takes effect on the day it is made (s.198).")
    end_date: date
    iss: bool = False
    requirements: tuple[RequirementProgress, ...] = ()
    warned_period_months: int = Field(
        ge=1, description="The rule yro.warned_period's amount ([U]), read from the rule pack when the order opens."
    )
    eighteenth_birthday: date | None = Field(
        default=None, description="When known, a transfer to probation is refused before it."
    )
    state: YroStatus = YroStatus.ORDER_MADE
    case_worker: str | None = Field(default=None, description="Who holds the order: its reminders go to them.")
    victim_refs: tuple[str, ...] = ()  # the victims the order tells of its milestones: the court's and those added
    first_appointment_date: date | None = None
    last_review_date: date | None = None
    incidents: int = 0
    incident: ComplianceIncident | None = Field(default=None, description="The latest incident, open or not.")
    warnings: tuple[WarnedPeriod, ...] = ()
    breach_laid_date: date | None = None
    breach_extension_used: bool = False
    step_dates: StepDates | None = Field(
        default_factory=dict, description="The latest date of each step recorded (domain.step_order)."
    )
    cycle: CycleState = CycleState()

    @property
    def open_incident(self) -> ComplianceIncident | None:
        return self.incident if self.incident is not None and self.incident.is_open else None

    def requirements_in_force(self) -> tuple[RequirementProgress, ...]:
        return tuple(r for r in self.requirements if r.in_force)


def new_order(
    *,
    child_id: str,
    yjs: str,
    hearing_date: date,
    disposal: YouthRehabilitationOrderDisposal,
    warned_period_months: int,
    eighteenth_birthday: date | None = None,
) -> YroState:
    """The state of an order the court has just made (validated intake in, nothing recorded yet)."""
    return YroState(
        child_id=child_id,
        yjs=yjs,
        hearing_date=hearing_date,
        end_date=disposal.end_date,
        iss=disposal.iss,
        requirements=_with_refs((), disposal.requirements),
        warned_period_months=warned_period_months,
        eighteenth_birthday=eighteenth_birthday,
    )


def _with_refs(
    existing: Sequence[RequirementProgress], added: Iterable[Requirement]
) -> tuple[RequirementProgress, ...]:
    used = {r.ref for r in existing}
    out = list(existing)
    for requirement in added:
        ref: str = requirement.kind
        n = 1
        while ref in used:
            n += 1
            ref = f"{requirement.kind}#{n}"
        used.add(ref)
        out.append(RequirementProgress(ref=ref, ordered=requirement))
    return tuple(out)
