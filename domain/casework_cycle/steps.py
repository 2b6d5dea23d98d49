"""The casework cycle's steps, the same on every order kind; each kind's steps union takes them all."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from domain.decisions import Step
from domain.events.casework_cycle import (
    AssessmentStage,
    AssessmentTool,
    ChangeKind,
    Likelihood,
    MappaLevel,
    OversightCovers,
    ReviewTrigger,
    Severity,
)

__all__ = [
    "CYCLE_STEPS",
    "CYCLE_STEP_NAMES",
    "MANAGER_STEPS",
    "CycleStep",
    "CycleStepBase",
    "RecordAssessment",
    "RecordClosureWithoutOversight",
    "RecordCountersignature",
    "RecordOversight",
    "RecordPlanAgreed",
    "RecordPlanReviewed",
    "RecordSignificantChange",
]


class CycleStepBase(Step):
    # Countersigning and oversight are for managers only, so the step carries who is acting in what role.
    actor_role: str = Field(default="", description="The acting user's role (set by the API from the token's user).")


class RecordAssessment(CycleStepBase):
    step: Literal["assessment_completed"] = "assessment_completed"
    tool: AssessmentTool = Field(description="The assessment tool: AssetPlus, PDAT or another.")
    stage: AssessmentStage = Field(description="When in the case: at the start, a review, the end or a transfer.")
    likelihood_of_reoffending: Likelihood
    risk_of_serious_harm: Severity
    safety_and_wellbeing: Severity
    mappa_level: MappaLevel | None = Field(
        default=None, description="The MAPPA level (1, 2 or 3) where MAPPA applies; none where it does not."
    )


class RecordCountersignature(CycleStepBase):
    step: Literal["assessment_countersigned"] = "assessment_countersigned"
    direction: str | None = Field(default=None, max_length=4000, description="Any direction the manager gives.")


class RecordPlanAgreed(CycleStepBase):
    step: Literal["plan_agreed"] = "plan_agreed"
    child_participated: bool = True
    parent_participated: bool = True


class RecordPlanReviewed(CycleStepBase):
    step: Literal["plan_reviewed"] = "plan_reviewed"
    trigger: ReviewTrigger = Field(description="Why the plan is reviewed: as scheduled, or after a significant change.")


class RecordSignificantChange(CycleStepBase):
    step: Literal["significant_change"] = "significant_change"
    kind: ChangeKind


class RecordOversight(CycleStepBase):
    step: Literal["oversight_recorded"] = "oversight_recorded"
    covers: list[OversightCovers] = Field(
        min_length=1, description="What it covers: allocation, assessment, plan, review, risk, closure."
    )
    summary: str = Field(min_length=1, max_length=4000, description="What the manager read and found.")
    direction: str = Field(min_length=1, max_length=4000, description="The direction given to the case worker.")

    @field_validator("covers", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        # The CLI's `--set covers=allocation,risk` sends one string.
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


class RecordClosureWithoutOversight(CycleStepBase):
    step: Literal["closure_without_oversight"] = "closure_without_oversight"
    reason: str = Field(min_length=1, max_length=2000, description="Why the order may close without it.")


CycleStep = (
    RecordAssessment
    | RecordCountersignature
    | RecordPlanAgreed
    | RecordPlanReviewed
    | RecordSignificantChange
    | RecordOversight
    | RecordClosureWithoutOversight
)
CYCLE_STEPS = (
    RecordAssessment,
    RecordCountersignature,
    RecordPlanAgreed,
    RecordPlanReviewed,
    RecordSignificantChange,
    RecordOversight,
    RecordClosureWithoutOversight,
)
CYCLE_STEP_NAMES: frozenset[str] = frozenset(str(s.model_fields["step"].default) for s in CYCLE_STEPS)
MANAGER_STEPS: frozenset[str] = frozenset(
    {"assessment_countersigned", "oversight_recorded", "closure_without_oversight"}
)
