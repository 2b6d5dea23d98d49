"""The steps a person records on a youth rehabilitation order."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from domain.allocation import AllocateCaseWorker
from domain.casework_cycle.steps import CycleStep
from domain.court_outcome import Requirement
from domain.decisions import Step
from domain.transfers import RecordTransfer
from domain.victims_added import AddVictim


class _Step(Step):
    pass


class RecordFirstAppointment(_Step):
    step: Literal["first_appointment_attended"] = "first_appointment_attended"


class RecordReview(_Step):
    step: Literal["review_held"] = "review_held"


class RecordRequirementProgress(_Step):
    """One of: activity days attended, unpaid work hours worked, or a curfew/EM period started or ended."""

    step: Literal["requirement_progress"] = "requirement_progress"
    requirement: str = Field(min_length=1, description="The requirement's ref on the order, e.g. unpaid_work.")
    activity_days: int | None = Field(default=None, ge=1)
    unpaid_work_hours: int | None = Field(default=None, ge=1)
    period: Literal["started", "ended"] | None = None

    @model_validator(mode="after")
    def _exactly_one_kind_of_progress(self) -> Self:
        given = [v for v in (self.activity_days, self.unpaid_work_hours, self.period) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of activity_days, unpaid_work_hours or period")
        return self


class RecordAppointmentMissed(_Step):
    step: Literal["appointment_missed"] = "appointment_missed"


class RecordAbsenceExplained(_Step):
    step: Literal["absence_explained"] = "absence_explained"
    acceptable: bool


class RecordFollowUpContact(_Step):
    step: Literal["follow_up_contact_made"] = "follow_up_contact_made"


class RecordWarning(_Step):
    step: Literal["warning_issued"] = "warning_issued"


class RecordBreachLaid(_Step):
    step: Literal["breach_laid"] = "breach_laid"


class RecordCourtBreachOutcome(_Step):
    step: Literal["court_breach_outcome"] = "court_breach_outcome"
    decision: Literal["continue", "add_requirement", "fine", "revoke_and_resentence"]
    requirement: Requirement | None = None
    new_end_date: date | None = None


class RecordOrderAmended(_Step):
    step: Literal["order_amended"] = "order_amended"
    summary: str = Field(min_length=1, max_length=2000)
    add_requirements: tuple[Requirement, ...] = ()
    remove_requirements: tuple[str, ...] = ()
    new_end_date: date | None = None


class RecordRevocation(_Step):
    step: Literal["revoked"] = "revoked"
    grounds: Literal["good_progress", "further_offence"]


class RecordCompletion(_Step):
    step: Literal["order_completed"] = "order_completed"


YroStep = Annotated[
    AllocateCaseWorker
    | RecordFirstAppointment
    | RecordReview
    | RecordRequirementProgress
    | RecordAppointmentMissed
    | RecordAbsenceExplained
    | RecordFollowUpContact
    | RecordWarning
    | RecordBreachLaid
    | RecordCourtBreachOutcome
    | RecordOrderAmended
    | RecordRevocation
    | RecordCompletion
    | RecordTransfer
    | AddVictim
    | CycleStep,
    Field(discriminator="step"),
]
