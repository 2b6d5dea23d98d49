"""The contact's state: how far it has got along §2.2 and the facts it carries across continue-as-new."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from domain.events.victim_contact import (
    CloseOutcome,
    ConsentGiver,
    ConsentHow,
    MilestoneKind,
    PreparationParty,
    RiskOutcome,
    RjOption,
    ShuttleDirection,
    VictimKind,
    VictimRef,
)


class ContactState(StrEnum):
    """How far the contact has got along §2.2; a contact never moves back except by withdrawing."""

    IDENTIFIED = "identified"
    DETAILS_RECEIVED = "details_received"
    SUITABILITY_DECIDED = "suitability_decided"
    CONTACT_ATTEMPTED = "contact_attempted"
    CONTACTED = "contacted"
    INFORMED_CHOICE_GIVEN = "informed_choice_given"
    CONSENT_RECORDED = "consent_recorded"
    RISK_ASSESSED = "risk_assessed"
    PREPARING = "preparing"
    INTERVENTION_DELIVERED = "intervention_delivered"
    FEEDBACK_RECORDED = "feedback_recorded"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


# The forward path of §2.2, in order; `closed` and `withdrawn` are off it.
PATH: tuple[ContactState, ...] = tuple(
    s for s in ContactState if s not in (ContactState.CLOSED, ContactState.WITHDRAWN)
)


class OptionConsent(BaseModel):
    """The live answer for one option: given or not, who answered, how and when."""

    model_config = ConfigDict(frozen=True)

    granted: bool
    given_by: ConsentGiver
    how: ConsentHow
    on: date
    ever_granted: bool = False  # tells a revocation apart from a plain "no"
    lapsed_by_withdrawal: bool = False


class VictimContactState(BaseModel):
    """Everything the workflow must carry across continue-as-new; references and facts only, no details."""

    model_config = ConfigDict(frozen=True)

    victim_ref: VictimRef
    victim_kind: VictimKind = "person"
    under_18: bool = False
    enhanced_rights: bool = False
    linked_order_id: str | None = None
    child_id: str
    yjs: str
    opened_on: date
    vcs_referral_needed: bool = False
    sentence_date: date | None = None

    state: ContactState = ContactState.IDENTIFIED
    victim_worker: str | None = None
    state_before_withdrawal: ContactState | None = None
    details_received_on: date | None = None
    invited: bool | None = None
    contact_attempts: int = 0
    contact_refused_on: date | None = None
    contacted_on: date | None = None
    rj_information_given_on: date | None = None
    informed_choice_on: date | None = None
    consents: dict[RjOption, OptionConsent] = {}
    keep_informed_choice: bool | None = None  # the victim's explicit say, which wins over consents
    keep_informed_opt_in: bool = False
    risk_outcome: RiskOutcome | None = None
    risk_assessed_on: date | None = None
    prepared_with: tuple[PreparationParty, ...] = ()
    shuttle_rounds: int = 0  # rounds begun (a round is a message each way); messages, for older contacts
    shuttle_messages: int = 0
    shuttle_round_directions: tuple[ShuttleDirection, ...] = ()  # what the round under way has carried
    conferences_held: int = 0
    outcome_agreement: bool = False
    delivered: tuple[RjOption, ...] = ()
    pending_milestones: tuple[MilestoneKind, ...] = ()
    order_ended_on: date | None = None
    conclusion_owed: bool = False  # something concluded that the victim has not been told of
    conclusion_deadline_open: bool = False
    conclusion_notified_on: date | None = None
    feedback_on: date | None = None
    feedback_satisfied: bool | None = None
    vcs_referral_made_on: date | None = None
    withdrawn_on: date | None = None
    closed_outcome: CloseOutcome | None = None
    closed_on: date | None = None
    # When each fact a later step follows took effect, so no step is dated before one it depends on
    # (`domain.victim_contact.ordering`). Defaults keep states carried from before these were kept readable.
    suitability_decided_on: date | None = None
    options_explained: tuple[RjOption, ...] | None = None  # None: recorded before options were named
    prepared_on: dict[PreparationParty, date] = {}
    last_shuttle_on: date | None = None
    last_conference_on: date | None = None
    delivered_on: dict[RjOption, date] = {}
    milestones_on: dict[MilestoneKind, date] = {}
    last_step_on: date | None = None
    # What the YJB's KPI 10 asks (yjb-returns.md): consent to contact, views sought, further support.
    contact_consent: bool | None = None
    views_sought_on: date | None = None
    views_given: bool = False
    support_requested_on: date | None = None
    support_signposted_on: date | None = None

    @model_validator(mode="after")
    def _coherent(self) -> VictimContactState:
        # A legal person has no age and is not a "victim" under the Code (§2.3): it has no enhanced rights.
        if self.victim_kind == "organisation" and (self.under_18 or self.enhanced_rights):
            raise ValueError("an organisation cannot be under 18 or have enhanced rights")
        if self.vcs_referral_needed and self.sentence_date is None:
            raise ValueError("a VCS referral runs from the sentence: give sentence_date")
        return self
