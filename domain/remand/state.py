"""The remand's state: where the child is remanded, whether looked after, and its state when it opens."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain import events as ev
from domain.calendar import WorkingCalendar
from domain.casework_cycle.state import CycleState
from domain.court_outcome import CUSTODIAL_REMANDS, RemandDisposal, RemandType
from domain.step_order import StepDates


class RemandStatus(StrEnum):
    ON_BAIL = "on_bail"
    LOCAL_AUTHORITY_ACCOMMODATION = "local_authority_accommodation"
    YOUTH_DETENTION_ACCOMMODATION = "youth_detention_accommodation"
    ENDED = "ended"


CLOSED_STATES = frozenset({RemandStatus.ENDED})


class RemandState(BaseModel):
    """Everything the workflow must carry across continue-as-new."""

    model_config = ConfigDict(frozen=True)

    child_id: str
    yjs: str
    remand_date: date
    type: RemandType
    next_hearing_date: date
    first_remand: bool
    ctl_start_date: date | None = None
    ctl_days: int | None = None
    ctl_expiry: date | None = None
    # Set as events are folded in.
    case_worker: str | None = None  # who holds the remand: its reminders go to them
    victim_refs: tuple[str, ...] = ()  # the victims the order tells of its milestones: the court's and those added
    last_remand_date: date | None = None
    remanded_in_custody_before: bool = False
    open_hearing_check: str | None = None
    looked_after_since: date | None = None
    lac_reviews_held: int = 0
    last_lac_review: date | None = None
    placement_start: date | None = None
    sw_visits_made: int = 0
    last_sw_visit: date | None = None
    ended_how: ev.RemandEndedHow | None = None
    ended_on: date | None = None
    sentence_order_id: str | None = None
    step_dates: StepDates | None = Field(
        default_factory=dict, description="The latest date of each step recorded (domain.step_order)."
    )
    cycle: CycleState = CycleState()

    @property
    def status(self) -> RemandStatus:
        if self.ended_how is not None:
            return RemandStatus.ENDED
        if self.type == "local_authority_accommodation":
            return RemandStatus.LOCAL_AUTHORITY_ACCOMMODATION
        if self.type == "youth_detention_accommodation":
            return RemandStatus.YOUTH_DETENTION_ACCOMMODATION
        return RemandStatus.ON_BAIL

    @property
    def looked_after(self) -> bool:
        """LASPO 2012 s.104: a child remanded to RLAA or YDA is looked after by the designated authority."""
        return self.ended_how is None and self.type in CUSTODIAL_REMANDS

    @property
    def current_remand_date(self) -> date:
        return self.last_remand_date or self.remand_date


def start_remand(
    *, child_id: str, yjs: str, remand_date: date, disposal: RemandDisposal, calendar: WorkingCalendar
) -> RemandState:
    """The state a remand opens with, its CTL expiry counted on `calendar` (reg 2(4)–(5): rolled back).

    The expiry is computed here rather than in `open_remand` so the workflow needs no calendar: call
    this where the calendar with the service's holiday overrides is at hand (intake), with the same
    calendar the `remand.ctl` deadline is scheduled on, so the event and the deadline agree.
    """
    custodial = disposal.type in CUSTODIAL_REMANDS
    start, days = (disposal.ctl_start_date, disposal.ctl_days) if custodial else (None, None)
    if custodial and (start is None or days is None):
        raise ValueError("a remand to RLAA or YDA needs ctl_start_date and ctl_days: a custody time limit runs")
    return RemandState(
        child_id=child_id,
        yjs=yjs,
        remand_date=remand_date,
        type=disposal.type,
        next_hearing_date=disposal.next_hearing_date,
        first_remand=disposal.first_remand,
        ctl_start_date=start,
        ctl_days=days,
        # A CTL only limits custody; on bail the court's CTL fields, if sent, limit nothing.
        ctl_expiry=calendar.ctl_expiry(start, days) if start is not None and days is not None else None,
    )
