"""Events of a victim contact: one stream per victim per offence (youth-justice.md §2).

Data protection (§2.4): these payloads carry the victim reference, step names, RJ options, dates,
channels, roles and results, never a name, address, phone number or anything said. Victims' details
live in the separate encrypted store, keyed by the same reference. Free text (a reason for not
inviting, a safeguarding reason) travels only in the envelope's `reason`; it is never copied into a
payload or a deadline event, so the typed record stays free of anything a worker might have typed.

Every payload carries `on`, the day it happened in the world, so `domain.victim_contact.evolve` can
fold it without the envelope. The vocabulary types live here, beside the facts that use them, so the
state machine and the schema cannot drift apart.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from domain.events.envelope import EventPayload

__all__ = [
    "AttemptResult",
    "CloseOutcome",
    "ConclusionNotified",
    "ConferenceHeld",
    "ConferenceRole",
    "ConsentGiver",
    "ConsentHow",
    "ConsentRecorded",
    "ContactAttempted",
    "ContactChannel",
    "ContactClosed",
    "ContactReopened",
    "ContactWithdrawn",
    "FeedbackRecorded",
    "InformedChoiceGiven",
    "InterventionDelivered",
    "KeepInformedChoiceRecorded",
    "KeptInformed",
    "MilestoneKind",
    "OrderMilestoneReceived",
    "PreparationMeetingHeld",
    "PreparationParty",
    "RiskAssessed",
    "RiskOutcome",
    "RjInformationGiven",
    "RjOption",
    "ShuttleDirection",
    "ShuttleMessageRelayed",
    "SuitabilityDecided",
    "VcsReferralMade",
    "VictimContactOpened",
    "VictimContacted",
    "VictimDetailsReceived",
    "VictimKind",
    "VictimRef",
    "VictimWorkerAllocated",
]


class RjOption(StrEnum):
    """The restorative options a victim is offered one at a time and consents to one by one (§2.2)."""

    INFORMATION_ONLY = "information_only"
    LETTER_OF_EXPLANATION = "letter_of_explanation"
    SHUTTLE_MEDIATION = "shuttle_mediation"
    DIRECT_CONFERENCE = "direct_conference"
    DIRECT_REPARATION = "direct_reparation"
    INDIRECT_REPARATION = "indirect_reparation"
    PANEL_PARTICIPATION = "panel_participation"  # attend the referral-order panel or send views to it


# The same shape the encrypted details store accepts, so a reference is usable in both places; no spaces,
# which also keeps a name typed into the wrong box from being accepted as a reference.
VictimRef = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$")]

VictimKind = Literal["person", "organisation"]
ContactChannel = Literal["letter", "phone", "email", "visit", "other"]
AttemptResult = Literal["no_answer", "left_message", "refused", "reached", "returned_undelivered"]
ConsentGiver = Literal["victim", "parent_or_guardian", "named_contact"]
ConsentHow = Literal["in_person", "phone", "letter", "email"]
RiskOutcome = Literal["proceed", "proceed_with_safeguards", "do_not_proceed"]
PreparationParty = Literal["victim", "child"]
ShuttleDirection = Literal["victim_to_child", "child_to_victim"]
# Roles only: who was in the room is recorded as a role, never as a person.
ConferenceRole = Literal[
    "victim",
    "named_contact",
    "parent_or_guardian",  # the victim's parent or guardian
    "victim_supporter",
    "child",
    "child_parent_or_carer",
    "child_supporter",
    "facilitator",
    "co_facilitator",
    "police_officer",
    "other_professional",
]
# What the linked order tells its victims' contacts. `order_ended` covers every ending (completed or
# revoked), matching `domain.referral_order.victim_milestone`.
MilestoneKind = Literal[
    "panel_held",
    "contract_signed",
    "contract_varied",
    "progress_review",
    "breach",
    "referred_back",
    "order_extended",
    "released",
    "order_ended",
]
CloseOutcome = Literal["completed", "no_response", "declined", "withdrawn", "not_invited", "safely_closed"]


class VictimContactOpened(EventPayload):
    """A victim of the child's offence is known to the YJS (by reference only)."""

    victim_ref: VictimRef
    victim_kind: VictimKind
    under_18: bool
    enhanced_rights: bool
    linked_order_id: str | None = None
    vcs_referral_needed: bool = False
    sentence_date: date | None = None
    on: date


class VictimWorkerAllocated(EventPayload):
    """The victim worker responsible for this contact (a username): their list, their reminders."""

    victim_worker: str
    on: date


class VictimDetailsReceived(EventPayload):
    """The YJS received the victim's details (they went to the encrypted store): the RJ-information clock starts."""

    enhanced_rights: bool
    on: date


class SuitabilityDecided(EventPayload):
    """Whether to invite the victim; a decision not to invite carries its reason in the envelope."""

    invite: bool
    on: date


class ContactAttempted(EventPayload):
    channel: ContactChannel
    result: AttemptResult
    attempt: int = Field(ge=1)
    on: date


class VictimContacted(EventPayload):
    channel: ContactChannel
    on: date


class RjInformationGiven(EventPayload):
    """Information about restorative justice reached the victim (Victims' Code Right 3)."""

    on: date


class InformedChoiceGiven(EventPayload):
    """The YJS role, the sentence, what happens to the victim's information and each option were explained."""

    on: date


class ConsentRecorded(EventPayload):
    """Consent to one option, given or refused; `consented=False` after a consent is a revocation."""

    option: RjOption
    given_by: ConsentGiver
    how: ConsentHow
    consented: bool
    on: date


class KeepInformedChoiceRecorded(EventPayload):
    """The victim said whether they want to hear of the order's progress, apart from any RJ consent."""

    opt_in: bool
    on: date


class RiskAssessed(EventPayload):
    outcome: RiskOutcome
    on: date


class PreparationMeetingHeld(EventPayload):
    with_party: PreparationParty
    on: date


class ShuttleMessageRelayed(EventPayload):
    """One message carried between victim and child; `round` counts messages, 1, 2, 3…"""

    round: int = Field(ge=1)
    direction: ShuttleDirection
    on: date


class ConferenceHeld(EventPayload):
    attendees: list[ConferenceRole]
    outcome_agreement: bool
    on: date


class InterventionDelivered(EventPayload):
    option: RjOption
    on: date


class KeptInformed(EventPayload):
    milestone: MilestoneKind
    on: date


class ConclusionNotified(EventPayload):
    on: date


class FeedbackRecorded(EventPayload):
    """The victim's view of the service; None when they chose not to say."""

    satisfied: bool | None = None
    on: date


class VcsReferralMade(EventPayload):
    """Details passed to the probation Victim Contact Scheme (the details themselves go store to store)."""

    on: date


class ContactWithdrawn(EventPayload):
    on: date


class ContactReopened(EventPayload):
    on: date


class ContactClosed(EventPayload):
    outcome: CloseOutcome
    on: date


class OrderMilestoneReceived(EventPayload):
    """The linked order reached a milestone this victim may be told of."""

    milestone: MilestoneKind
    order_id: str = Field(min_length=1, max_length=200)
    on: date
