"""The steps a person records on a custodial sentence, and the refusals they share."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from domain import events as ev
from domain.allocation import AllocateCaseWorker
from domain.casework_cycle.steps import CycleStep
from domain.custody_state import CustodyState, CustodyStatus
from domain.decisions import Step, StepRefused
from domain.step_order import Follows, check_in_order
from domain.transfers import RecordTransfer
from domain.victims_added import AddVictim

__all__ = [
    "FOLLOWS",
    "CustodyStep",
    "RecordCompleted",
    "RecordCustodyReview",
    "RecordInitialPlanning",
    "RecordPreRelease",
    "RecordReleaseContact",
    "RecordReleaseDate",
    "RecordReleased",
    "RecordSupervisionBreach",
    "in_order",
    "not_before",
    "refuse",
    "require",
]


class _Step(Step):
    pass


class RecordInitialPlanning(_Step):
    step: Literal["initial_planning_held"] = "initial_planning_held"


class RecordCustodyReview(_Step):
    step: Literal["review_held"] = "review_held"


class RecordReleaseDate(_Step):
    """A new expected release date: the secure estate's own, or an early or late release (DTO, s.241(4)–(5))."""

    step: Literal["release_date_set"] = "release_date_set"
    release_date: date
    source: Literal["secure_estate", "early_release", "late_release"]


class RecordPreRelease(_Step):
    step: Literal["pre_release_confirmed"] = "pre_release_confirmed"
    accommodation: bool
    ete: bool


class RecordReleased(_Step):
    """The child left custody; `effective_date` is the day of release."""

    step: Literal["released"] = "released"


class RecordReleaseContact(_Step):
    step: Literal["release_contact_made"] = "release_contact_made"


class RecordSupervisionBreach(_Step):
    """The youth court's decision (`effective_date`) on a failure to comply with DTO supervision.

    `breach_date` is the first day of the failure (a failure over several days is dated to its first).
    """

    step: Literal["supervision_breach_outcome"] = "supervision_breach_outcome"
    breach_date: date
    decision: ev.BreachDecision
    months: int | None = Field(default=None, ge=1)


class RecordCompleted(_Step):
    step: Literal["completed"] = "completed"


CustodyStep = Annotated[
    AllocateCaseWorker
    | RecordInitialPlanning
    | RecordCustodyReview
    | RecordReleaseDate
    | RecordPreRelease
    | RecordReleased
    | RecordReleaseContact
    | RecordSupervisionBreach
    | RecordCompleted
    | RecordTransfer
    | AddVictim
    | CycleStep,
    Field(discriminator="step"),
]


# --- refusing a step ------------------------------------------------------------------------------


def refuse(step: str, why: str, field: str | None = None) -> StepRefused:
    return StepRefused(f"{step} refused: {why}", field)


def require(state: CustodyState, step: str, allowed: set[CustodyStatus]) -> None:
    if state.status not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise refuse(step, f"the sentence is {state.status.value}; this step needs it to be {names}")


def not_before(name: str, day: date, earliest: date | None, what: str) -> None:
    if earliest is not None and day < earliest:
        raise refuse(name, f"it is dated {day}, before {what} ({earliest})", "effective_date")


# Which recorded steps each step follows: a step dated before one of these is refused, naming both.
# Only where the order is the law's or the sentence's own (custody work before release, supervision
# after it, nothing after completion), or a step repeats (reviews in turn).
FOLLOWS: Follows = {
    "review_held": ("initial_planning_held", "review_held"),
    "released": ("initial_planning_held", "review_held", "pre_release_confirmed"),
    "release_contact_made": ("released",),
    "supervision_breach_outcome": ("released",),
    "completed": ("released", "release_contact_made", "supervision_breach_outcome"),
}


def in_order(state: CustodyState, name: str, day: date) -> None:
    check_in_order(name, day, FOLLOWS, state.step_dates)
