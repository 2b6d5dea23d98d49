"""The steps a victim worker records, and which earlier facts each depends on."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from domain.decisions import Step
from domain.events.victim_contact import (
    AttemptResult,
    CloseOutcome,
    ConferenceRole,
    ConsentGiver,
    ConsentHow,
    ContactChannel,
    MilestoneKind,
    PreparationParty,
    RiskOutcome,
    RjOption,
    ShuttleDirection,
)


class _Step(Step):
    pass


class AllocateVictimWorker(_Step):
    step: Literal["victim_worker_allocated"] = "victim_worker_allocated"
    victim_worker: str = Field(min_length=1, max_length=100)


class RecordDetailsReceived(_Step):
    step: Literal["details_received"] = "details_received"
    enhanced_rights: bool = False


class RecordSuitability(_Step):
    step: Literal["suitability_decided"] = "suitability_decided"
    invite: bool


class RecordContactAttempt(_Step):
    step: Literal["contact_attempted"] = "contact_attempted"
    channel: ContactChannel
    result: AttemptResult


class RecordContacted(_Step):
    step: Literal["contacted"] = "contacted"
    channel: ContactChannel


class RecordInformedChoice(_Step):
    step: Literal["informed_choice_given"] = "informed_choice_given"
    options_explained: list[RjOption] | None = Field(
        default=None,
        description="The options explained to the victim, one at a time; consent is asked only to these. "
        "Record the step again when more options are explained later.",
    )

    @field_validator("options_explained", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        # One option named alone (`--set options_explained=letter_of_explanation`) is a list of one.
        return [value] if isinstance(value, str) else value


class RecordConsent(_Step):
    step: Literal["consent_recorded"] = "consent_recorded"
    option: RjOption
    given_by: ConsentGiver
    how: ConsentHow
    consented: bool


class RecordContactConsent(_Step):
    """Whether the victim agrees to be contacted by the YJS at all (apart from any restorative option)."""

    step: Literal["contact_consent_recorded"] = "contact_consent_recorded"
    consented: bool


class RecordViewsSought(_Step):
    """The victim was asked their view; on a referral order, views given meet the panel's `ro.victim_views`."""

    step: Literal["views_sought"] = "views_sought"
    views_given: bool = Field(description="Whether the victim gave their views (what they said goes in the note).")
    before_planning: bool = Field(
        default=True, description="Asked before the plan for the child was made (panel, out-of-court decision)."
    )


class RecordSupportRequested(_Step):
    step: Literal["support_requested"] = "support_requested"


class RecordSupportSignposted(_Step):
    step: Literal["support_signposted"] = "support_signposted"


class RecordKeepInformedChoice(_Step):
    step: Literal["keep_informed_choice"] = "keep_informed_choice"
    opt_in: bool


class RecordRiskAssessment(_Step):
    step: Literal["risk_assessed"] = "risk_assessed"
    outcome: RiskOutcome


class RecordPreparationMeeting(_Step):
    step: Literal["preparation_meeting_held"] = "preparation_meeting_held"
    with_party: PreparationParty


class RecordShuttleMessage(_Step):
    step: Literal["shuttle_message_relayed"] = "shuttle_message_relayed"
    direction: ShuttleDirection


class RecordConference(_Step):
    step: Literal["conference_held"] = "conference_held"
    attendees: list[ConferenceRole] = Field(min_length=1)
    outcome_agreement: bool


class RecordInterventionDelivered(_Step):
    step: Literal["intervention_delivered"] = "intervention_delivered"
    option: RjOption


class RecordKeptInformed(_Step):
    step: Literal["kept_informed"] = "kept_informed"
    milestone: MilestoneKind


class RecordConclusionNotified(_Step):
    step: Literal["conclusion_notified"] = "conclusion_notified"


class RecordFeedback(_Step):
    step: Literal["feedback_recorded"] = "feedback_recorded"
    satisfied: bool | None = None


class RecordVcsReferral(_Step):
    step: Literal["vcs_referral_made"] = "vcs_referral_made"


class RecordWithdrawal(_Step):
    step: Literal["withdrawn"] = "withdrawn"


class RecordReopening(_Step):
    step: Literal["reopened"] = "reopened"


class RecordClosure(_Step):
    step: Literal["closed"] = "closed"
    outcome: CloseOutcome


VictimContactStep = Annotated[
    AllocateVictimWorker
    | RecordDetailsReceived
    | RecordSuitability
    | RecordContactAttempt
    | RecordContacted
    | RecordInformedChoice
    | RecordConsent
    | RecordKeepInformedChoice
    | RecordRiskAssessment
    | RecordPreparationMeeting
    | RecordShuttleMessage
    | RecordConference
    | RecordInterventionDelivered
    | RecordKeptInformed
    | RecordConclusionNotified
    | RecordFeedback
    | RecordVcsReferral
    | RecordWithdrawal
    | RecordReopening
    | RecordClosure
    | RecordContactConsent
    | RecordViewsSought
    | RecordSupportRequested
    | RecordSupportSignposted,
    Field(discriminator="step"),
]

# Which steps depend on which earlier facts (for their dates: a dependent step is never dated earlier).
NEEDS_INFORMED_CHOICE = frozenset(
    {
        "consent_recorded", "risk_assessed", "preparation_meeting_held", "shuttle_message_relayed",
        "conference_held", "intervention_delivered", "feedback_recorded",
    }
)  # fmt: skip
NEEDS_CONTACT = NEEDS_INFORMED_CHOICE | {
    "informed_choice_given", "keep_informed_choice", "kept_informed", "contact_consent_recorded", "views_sought",
    "support_requested", "support_signposted",
}  # fmt: skip
NEEDS_DETAILS = NEEDS_CONTACT | {"suitability_decided", "contact_attempted", "contacted", "conclusion_notified"}

# What a withdrawn contact still accepts: coming back, being told the order ended (that deadline
# survives withdrawal on purpose), and being closed.
WHILE_WITHDRAWN = frozenset({"reopened", "conclusion_notified", "closed"})
