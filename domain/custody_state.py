"""A custodial sentence's state, and how each recorded event changes it (`evolve`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain import casework_cycle as cycle
from domain import events as ev
from domain.allocation import allocated
from domain.casework_cycle.state import CycleState
from domain.court_outcome import age_on
from domain.custody_dates import HMPPS_METHOD, LEGACY_METHOD, ReleaseMethod
from domain.step_order import StepDates, StepEvents, keeping_dates
from domain.victims_added import victim_added

__all__ = ["CLOSED_STATES", "STEP_EVENTS", "CustodyState", "CustodyStatus", "age_at", "evolve", "term_words"]


class CustodyStatus(StrEnum):
    IN_CUSTODY = "in_custody"
    RELEASED = "released"  # DTO: on supervision to the end of the term; longer sentences: on licence
    FURTHER_SUPERVISION = "further_supervision"
    COMPLETED = "completed"
    TRANSFERRED_TO_PROBATION = "transferred_to_probation"


CLOSED_STATES = frozenset({CustodyStatus.COMPLETED, CustodyStatus.TRANSFERRED_TO_PROBATION})


class CustodyState(BaseModel):
    """Everything the workflow must carry across continue-as-new.

    `date_of_birth` and `offence_date` (the earliest offence, so s.247 is never applied to an older
    one) are needed for a DTO to decide further supervision; they are not copied into any event.
    `release_method` is how the DTO's dates were computed: a sentence keeps the method it opened with,
    and a state carried from before the HMPPS method existed reads as the legacy one.
    """

    model_config = ConfigDict(frozen=True)

    child_id: str
    yjs: str
    sentence_date: date
    kind: ev.CustodialKind
    months: int | None = None
    weeks: int | None = None
    remand_days: int = 0
    tagged_bail_days: int = 0
    secure_estate_release_date: date | None = None
    date_of_birth: date | None = None
    offence_date: date | None = None
    release_method: ReleaseMethod = LEGACY_METHOD
    # Set as events are folded in.
    status: CustodyStatus = CustodyStatus.IN_CUSTODY
    case_worker: str | None = None  # who holds the sentence: its reminders go to them
    victim_refs: tuple[str, ...] = ()  # the victims the order tells of its milestones: the court's and those added
    term_end: date | None = None
    half_way_date: date | None = None
    earliest_release: date | None = None
    latest_release: date | None = None
    release_point: date | None = None
    release_date: date | None = None
    release_source: ev.ReleaseSource | None = None
    further_supervision: bool = False
    initial_planning_date: date | None = None
    reviews_held: int = 0
    last_review_date: date | None = None
    accommodation_confirmed: bool = False
    ete_confirmed: bool = False
    pre_release_confirmed_on: date | None = None
    first_released_on: date | None = None
    released_on: date | None = None
    release_contact_on: date | None = None
    supervision_until: date | None = None
    further_supervision_ends: date | None = None
    completed_date: date | None = None
    step_dates: StepDates | None = Field(
        default_factory=dict, description="The latest date of each step recorded (domain.step_order)."
    )
    cycle: CycleState = CycleState()

    @property
    def is_dto(self) -> bool:
        return self.kind == "dto"


def age_at(state: CustodyState, day: date) -> int:
    if state.date_of_birth is None:
        raise ValueError("a DTO needs the child's date of birth to decide further supervision (s.247)")
    return age_on(state.date_of_birth, day)


def term_words(state: CustodyState) -> str:
    """The term as the court gave it, for a refusal's reason."""
    if state.weeks is not None:
        return f"{state.weeks} weeks"
    return f"{state.months} months"


# The event that dates each step (domain.step_order); `FOLLOWS` in domain.custody_steps says what follows what.
STEP_EVENTS: StepEvents = {
    ev.InitialPlanningMeetingHeld: ("initial_planning_held", "meeting_date"),
    ev.CustodyReviewHeld: ("review_held", "review_date"),
    ev.PreReleaseConfirmed: ("pre_release_confirmed", "review_date"),
    ev.Released: ("released", "released_on"),
    ev.ReleaseContactMade: ("release_contact_made", "contact_date"),
    ev.SupervisionBreachOutcome: ("supervision_breach_outcome", "decision_date"),
}


def evolve(state: CustodyState, payload: ev.EventPayload) -> CustodyState:
    """The state after a recorded event; events that do not change the sentence leave it as it was."""
    return keeping_dates(state, _evolve(state, payload), payload, STEP_EVENTS)


def _evolve(state: CustodyState, payload: ev.EventPayload) -> CustodyState:
    if cycle.is_cycle_event(payload):
        return state.model_copy(update={"cycle": cycle.evolve(state.cycle, payload)})
    match payload:
        case ev.CustodialSentenceMade():
            return state.model_copy(
                update={
                    "term_end": payload.term_end,
                    "half_way_date": payload.half_way_date,
                    "earliest_release": payload.earliest_release,
                    "latest_release": payload.latest_release,
                    "release_point": payload.secure_estate_release_date or payload.half_way_date,
                    "further_supervision": payload.further_supervision,
                    # A state rebuilt from the events alone (activities.order_states) learns them here.
                    "weeks": payload.weeks,
                    "remand_days": payload.remand_days,
                    "tagged_bail_days": payload.tagged_bail_days,
                    "release_method": HMPPS_METHOD if payload.release_method == HMPPS_METHOD else LEGACY_METHOD,
                }
            )
        case ev.ReleaseDateSet():
            update: dict[str, object] = {"release_date": payload.release_date, "release_source": payload.source}
            if payload.source == "secure_estate":
                update["release_point"] = payload.release_date
            if payload.earliest_release is not None:
                update["earliest_release"] = payload.earliest_release
            if payload.latest_release is not None:
                update["latest_release"] = payload.latest_release
            if payload.further_supervision is not None:
                update["further_supervision"] = payload.further_supervision
            return state.model_copy(update=update)
        case ev.CaseWorkerAllocated():
            return allocated(state, payload)
        case ev.VictimAdded():
            return victim_added(state, payload)
        case ev.InitialPlanningMeetingHeld():
            return state.model_copy(update={"initial_planning_date": payload.meeting_date})
        case ev.CustodyReviewHeld():
            return state.model_copy(update={"reviews_held": payload.number, "last_review_date": payload.review_date})
        case ev.PreReleaseConfirmed():
            both = payload.accommodation and payload.ete
            return state.model_copy(
                update={
                    "accommodation_confirmed": payload.accommodation,
                    "ete_confirmed": payload.ete,
                    "pre_release_confirmed_on": payload.review_date if both else None,
                }
            )
        case ev.Released():
            after = CustodyStatus.FURTHER_SUPERVISION if state.further_supervision_ends else CustodyStatus.RELEASED
            return state.model_copy(
                update={
                    "status": after,
                    "released_on": payload.released_on,
                    "first_released_on": state.first_released_on or payload.released_on,
                    "release_contact_on": None,
                }
            )
        case ev.ReleaseContactMade():
            return state.model_copy(update={"release_contact_on": payload.contact_date})
        case ev.SupervisionBreachOutcome() if payload.until is not None:
            if payload.decision == "further_detention":
                return state.model_copy(
                    update={"status": CustodyStatus.IN_CUSTODY, "release_date": payload.until, "release_source": None}
                )
            current = state.supervision_until or state.term_end
            later = payload.until if current is None or payload.until > current else current
            return state.model_copy(update={"supervision_until": later})
        case ev.FurtherSupervisionStarted():
            return state.model_copy(
                update={"status": CustodyStatus.FURTHER_SUPERVISION, "further_supervision_ends": payload.ends}
            )
        case ev.CustodyCompleted():
            return state.model_copy(
                update={"status": CustodyStatus.COMPLETED, "completed_date": payload.completed_date}
            )
        case ev.OrderTransferred() if payload.to == "probation":
            return state.model_copy(update={"status": CustodyStatus.TRANSFERRED_TO_PROBATION})
        case ev.OrderTransferred() if payload.to_yjs is not None:
            return state.model_copy(update={"yjs": payload.to_yjs})
    return state
