"""What workflows and activities pass each other: plain pydantic models, no I/O.

Inputs are one model per call so fields with defaults can be added without breaking running workflows.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict

from domain.corrections import RecordedStep
from domain.court_outcome import YouthRehabilitationOrderDisposal
from domain.custody import CustodyState
from domain.events import CustodialKind, DeadlineScheduled, NewEvent
from domain.referral_order import ReferralOrderState
from domain.remand import RemandState
from domain.victim_contact import VictimContactState
from domain.youth_rehabilitation_order import YroState


class RecordEventsInput(BaseModel):
    events: list[NewEvent]


class DeadlineRequest(BaseModel):
    model_config = ConfigDict(frozen=True)
    event_id: UUID
    deadline_id: str
    rule_id: str
    clock_start: date
    amount: int | None = None


class ScheduleDeadlinesInput(BaseModel):
    """Deadlines to schedule at `first_version` on, and the events a decision records before them
    (`preceding`), appended with them in one transaction: the step and the deadlines it starts are
    stored together or not at all. Histories from before `preceding` recorded those in an activity of
    their own."""

    stream_id: str
    child_id: str
    yjs: str
    first_version: int
    effective_at: AwareDatetime
    requests: list[DeadlineRequest]
    preceding: list[NewEvent] = []


class DeadlineNoticeInput(BaseModel):
    """A reminder or an escalation to send, and the event that records it."""

    kind: Literal["reminder", "escalation"]
    event_id: UUID
    stream_id: str
    stream_version: int
    child_id: str
    yjs: str
    deadline: DeadlineScheduled
    at: AwareDatetime
    responsible: str | None
    escalation_number: int = 0


class ReferralOrderInput(BaseModel):
    """How intake starts a referral order: references only, never names."""

    outcome_id: str
    case_reference: str
    court_kind: str
    child_id: str
    yjs: str
    hearing_date: date
    months: int
    victim_refs: list[str] = []
    resume: ResumeState | None = None


class TrackedDeadline(BaseModel):
    """A deadline the workflow is watching, with how far its reminders and escalations have got."""

    schedule: DeadlineScheduled
    status: str = "open"  # open | met | missed | cancelled
    reminders_done: int = 0
    escalations_done: int = 0


class _ResumesSteps(BaseModel):
    """The people's steps every order kind carries across continue-as-new: written once, as saved histories
    need these names, types and defaults to stay the same in every kind's resume."""

    steps_recorded: list[str] = []  # Update ids of the latest people's steps, so a retried one is not recorded twice
    recorded_steps: list[RecordedStep] = []  # every person's step, so one can be corrected (domain.corrections)


class ResumeState(_ResumesSteps):
    """All a referral order carries across continue-as-new."""

    order: ReferralOrderState
    version: int
    deadlines: list[TrackedDeadline]
    deadline_counts: dict[str, int]


class OpenDeadlineView(BaseModel):
    deadline_id: str
    rule_id: str
    description: str
    due_date: date
    status: str
    unconfirmed: bool


class ReferralOrderView(BaseModel):
    workflow_id: str
    order: ReferralOrderState
    case_worker: str | None = None  # who holds the order, as every kind's view says it
    version: int
    deadlines: list[OpenDeadlineView]


ReferralOrderInput.model_rebuild()


class OrderMilestone(BaseModel):
    """A milestone of a child's order that its victims' contacts hear about (references only)."""

    milestone: str  # panel_held | contract_signed | breach | order_ended
    order_id: str
    effective_date: date


class VictimViewsReceived(BaseModel):
    """A victim contact tells its order that the victim's views reached the panel (or they attend)."""

    victim_ref: str
    effective_date: date


class VictimContactInput(BaseModel):
    """How intake starts a victim's contact: the police reference and facts, never their details."""

    victim_ref: str
    victim_kind: Literal["person", "organisation"] = "person"
    under_18: bool = False
    linked_order_id: str
    child_id: str
    yjs: str
    opened_on: date
    outcome_id: str
    vcs_referral_needed: bool = False  # Victims' Code Right 11: decided at intake from the sentence
    sentence_date: date | None = None
    resume: VictimContactResume | None = None


class VictimContactResume(_ResumesSteps):
    contact: VictimContactState
    version: int
    deadlines: list[TrackedDeadline]
    deadline_counts: dict[str, int]
    views_sent: bool = False


class VictimContactView(BaseModel):
    workflow_id: str
    contact: VictimContactState
    version: int
    deadlines: list[OpenDeadlineView]


VictimContactInput.model_rebuild()


class YouthRehabilitationOrderInput(BaseModel):
    """How intake starts a YRO: references and the order's terms, never names.

    `warned_period_months` is read from the rule pack (`yro.warned_period`, [U]) when the order opens,
    so a later change of the pack never changes a running order on replay.
    """

    outcome_id: str
    case_reference: str
    court_kind: str
    child_id: str
    yjs: str
    hearing_date: date
    disposal: YouthRehabilitationOrderDisposal
    warned_period_months: int
    eighteenth_birthday: date | None = None
    victim_refs: list[str] = []
    history_limit: int | None = None  # tests force continue-as-new early; None = the default limit
    resume: YroResume | None = None


class YroResume(_ResumesSteps):
    order: YroState
    version: int
    deadlines: list[TrackedDeadline]
    deadline_counts: dict[str, int]


class YroView(BaseModel):
    workflow_id: str
    order: YroState
    case_worker: str | None = None  # who holds the order, as every kind's view says it
    version: int
    deadlines: list[OpenDeadlineView]


YouthRehabilitationOrderInput.model_rebuild()


class RemandInput(BaseModel):
    """How intake starts a remand: references and the court's terms, never names.

    `remand` is the opening state `domain.remand.start_remand` built at intake with the working calendar
    in force (holiday overrides included), so the custody time limit's expiry is counted once, there, and
    recorded with the remand; a replay or a later change of the calendar never recounts it. It carries the
    child's id and service, so they are not repeated here.
    """

    outcome_id: str
    case_reference: str
    court_kind: str
    hearing_date: date
    remand: RemandState
    victim_refs: list[str] = []
    history_limit: int | None = None  # tests force continue-as-new early; None = the default limit
    resume: RemandResume | None = None


class RemandResume(_ResumesSteps):
    remand: RemandState
    version: int
    deadlines: list[TrackedDeadline]
    deadline_counts: dict[str, int]


class RemandView(BaseModel):
    workflow_id: str
    remand: RemandState
    status: str  # RemandState.status is computed, so it is spelt out for readers of the view
    looked_after: bool
    case_worker: str | None = None  # who holds the remand, as every kind's view says it
    version: int
    deadlines: list[OpenDeadlineView]


RemandInput.model_rebuild()


class CustodyInput(BaseModel):
    """How intake starts a custodial sentence and resettlement: references and the sentence's terms, never names.

    A DTO's release dates are computed in the domain when it opens (`open_custody`); the secure estate's
    date, when the court outcome carries one, replaces the computed release point. Longer sentences
    (s.250, s.254, s.259) run through the same workflow with the secure estate's dates supplied.
    """

    outcome_id: str
    case_reference: str
    court_kind: str
    child_id: str
    yjs: str
    sentence_date: date
    kind: CustodialKind = "dto"
    months: int | None = None
    weeks: int | None = None  # a DTO's term is in months or in weeks
    remand_days: int = 0  # days the court directs to count towards a DTO (from 28 June 2022)
    tagged_bail_days: int = 0
    secure_estate_release_date: date | None = None
    # s.247 further supervision turns on the child's age at the release point, and that point moves when
    # the secure estate gives its own date, so no single age (or yes/no) can be worked out at intake: the
    # domain takes the date of birth and asks the age on whichever date is in force. With it goes only
    # the earliest offence's date (s.247 is never applied to an older offence); no offence details, no
    # names, and neither is copied into any event. Both are left out for sentences other than a DTO.
    date_of_birth: date | None = None
    offence_date: date | None = None
    victim_refs: list[str] = []
    history_limit: int | None = None  # tests force continue-as-new early; None = the default limit
    resume: CustodyResume | None = None


class CustodyResume(_ResumesSteps):
    custody: CustodyState
    version: int
    deadlines: list[TrackedDeadline]
    deadline_counts: dict[str, int]


class CustodyView(BaseModel):
    workflow_id: str
    custody: CustodyState
    case_worker: str | None = None  # who holds the sentence, as every kind's view says it
    version: int
    deadlines: list[OpenDeadlineView]


CustodyInput.model_rebuild()
