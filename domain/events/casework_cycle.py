"""Events of the casework cycle every order kind shares: assessment, its countersignature, the plan, its
reviews, significant changes and the manager's oversight (oversight.md). The words for their codes live
here too, so a page, an export and a sentence say them the same way."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = [
    "AssessmentCompleted",
    "AssessmentCountersigned",
    "AssessmentStage",
    "AssessmentTool",
    "CaseworkCycleStarted",
    "ChangeKind",
    "ClosureWithoutOversight",
    "Likelihood",
    "MappaLevel",
    "OversightCovers",
    "OversightRecorded",
    "PlanAgreed",
    "PlanReviewed",
    "ReviewTrigger",
    "Severity",
    "SignificantChangeRecorded",
]

AssessmentTool = Literal["asset_plus", "pdat", "other"]
AssessmentStage = Literal["start", "review", "end", "transfer"]
Likelihood = Literal["low", "medium", "high"]
Severity = Literal["low", "medium", "high", "very_high"]
MappaLevel = Literal["none", "1", "2", "3"]
ReviewTrigger = Literal["scheduled", "significant_change"]
ChangeKind = Literal[
    "new_offence_or_arrest",
    "custody_or_remand",
    "safeguarding_concern",
    "exploitation_concern",
    "change_of_address_or_care_status",
    "risk_classification_raised",
]
OversightCovers = Literal["allocation", "assessment", "plan", "review", "risk", "closure"]
Classification = Literal["likelihood_of_reoffending", "risk_of_serious_harm", "safety_and_wellbeing"]

TOOLS: dict[str, str] = {
    "asset_plus": "AssetPlus",
    "pdat": "the prevention and diversion tool",
    "other": "another tool",
}
STAGES: dict[str, str] = {
    "start": "start of the order",
    "review": "review",
    "end": "end of the order",
    "transfer": "transfer",
}
LEVELS: dict[str, str] = {"low": "low", "medium": "medium", "high": "high", "very_high": "very high"}
CLASSIFICATIONS: dict[str, str] = {
    "likelihood_of_reoffending": "likelihood of reoffending",
    "risk_of_serious_harm": "risk of serious harm to others",
    "safety_and_wellbeing": "safety and wellbeing",
}
CHANGES: dict[str, str] = {
    "new_offence_or_arrest": "a new offence or arrest",
    "custody_or_remand": "custody or remand",
    "safeguarding_concern": "a safeguarding concern",
    "exploitation_concern": "an exploitation concern",
    "change_of_address_or_care_status": "a change of address or care status",
    "risk_classification_raised": "a risk classification raised",
}
MAPPA: dict[str, str] = {"none": "not MAPPA eligible", "1": "MAPPA level 1", "2": "MAPPA level 2", "3": "MAPPA level 3"}


class CaseworkCycleStarted(EventPayload):
    """The order's casework cycle clocks start: from the order for a new order, from the first step after
    the cycle landed for one already running."""

    clocks_from: date

    title = "Casework cycle started"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"The assessment, planning and oversight clocks run from {w.day(self.clocks_from)}: "
            f"{w.rule('assessment.initial', rule_names)} and {w.rule('oversight.allocation', rule_names)}."
        )


class AssessmentCompleted(EventPayload):
    assessed_on: date
    assessor: str = Field(min_length=1, max_length=200)
    tool: AssessmentTool
    stage: AssessmentStage
    likelihood_of_reoffending: Likelihood
    risk_of_serious_harm: Severity
    safety_and_wellbeing: Severity
    mappa_level: MappaLevel | None = None
    raised: list[Classification] = Field(
        default=[], description="Classifications that rose to high or very high with this assessment."
    )

    title = "Assessment completed"

    def describe(self, rule_names: w.RuleNames) -> str:
        said = (
            f"Assessment ({STAGES[self.stage]}) completed by {self.assessor} with {TOOLS[self.tool]} "
            f"on {w.day(self.assessed_on)}: "
            f"likelihood of reoffending {LEVELS[self.likelihood_of_reoffending]}, risk of serious harm to others "
            f"{LEVELS[self.risk_of_serious_harm]}, safety and wellbeing {LEVELS[self.safety_and_wellbeing]}"
        )
        if self.mappa_level is not None:
            said += f", {MAPPA[self.mappa_level]}"
        said += "."
        if self.raised:
            said += f" Raised to high or very high: {w.and_list(CLASSIFICATIONS[c] for c in self.raised)}."
        return said


class AssessmentCountersigned(EventPayload):
    assessed_on: date
    author: str = Field(min_length=1, max_length=200)
    countersigned_on: date
    direction: str | None = Field(default=None, max_length=4000)

    title = "Assessment countersigned"

    def describe(self, rule_names: w.RuleNames) -> str:
        said = (
            f"The assessment of {w.day(self.assessed_on)} by {self.author} was countersigned by a manager "
            f"on {w.day(self.countersigned_on)}."
        )
        return said + (f" Direction: {self.direction}." if self.direction else "")


class PlanAgreed(EventPayload):
    agreed_on: date
    child_participated: bool = True
    parent_participated: bool = True

    title = "Intervention plan agreed"

    def describe(self, rule_names: w.RuleNames) -> str:
        took_part = (("the child", self.child_participated), ("their parent or carer", self.parent_participated))
        who = [p for p, took in took_part if took]
        with_whom = f" with {w.and_list(who)}" if who else " without the child or their parent or carer"
        return f"The intervention plan was agreed{with_whom} on {w.day(self.agreed_on)}."


class PlanReviewed(EventPayload):
    reviewed_on: date
    trigger: ReviewTrigger

    title = "Plan reviewed"

    def describe(self, rule_names: w.RuleNames) -> str:
        why = "as scheduled" if self.trigger == "scheduled" else "after a significant change"
        return f"The assessment and plan were reviewed {why} on {w.day(self.reviewed_on)}."


class SignificantChangeRecorded(EventPayload):
    on: date
    kind: ChangeKind

    title = "Significant change recorded"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"A significant change on {w.day(self.on)}: {CHANGES[self.kind]}. "
            f"The plan is to be reviewed ({w.rule('review.significant_change', rule_names)})."
        )


class OversightRecorded(EventPayload):
    on: date
    manager: str = Field(min_length=1, max_length=200)
    covers: list[OversightCovers] = Field(min_length=1)
    summary: str = Field(min_length=1, max_length=4000)
    direction: str = Field(min_length=1, max_length=4000)

    title = "Management oversight recorded"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"Management oversight of the {w.and_list(self.covers)} recorded by {self.manager} on {w.day(self.on)}: "
            f"{self.summary.rstrip('.')}. Direction: {self.direction.rstrip('.')}."
        )


class ClosureWithoutOversight(EventPayload):
    """A manager's reason for letting the order close without oversight of its closure."""

    on: date
    manager: str = Field(min_length=1, max_length=200)
    why: str = Field(min_length=1, max_length=4000)

    title = "Closure allowed without management oversight"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"On {w.day(self.on)} {self.manager} allowed the order to close without management oversight "
            f"of its closure: {self.why.rstrip('.')}."
        )
