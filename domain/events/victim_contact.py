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

from domain.events import victim_words as vw
from domain.events import wording as w
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
    "FeedbackRecorded",
    "InformedChoiceGiven",
    "InterventionDelivered",
    "KeepInformedChoiceRecorded",
    "KeptInformed",
    "MilestoneKind",
    "PreparationMeetingHeld",
    "PreparationParty",
    "RiskAssessed",
    "RiskOutcome",
    "RjInformationGiven",
    "RjOption",
    "ShuttleDirection",
    "ShuttleMessageRelayed",
    "SuitabilityDecided",
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

    title = "Victim contact opened"

    def describe(self, rule_names: w.RuleNames) -> str:
        who = "an organisation" if self.victim_kind == "organisation" else "a person"
        about = (" under 18" if self.under_18 else "") + (" with enhanced rights" if self.enhanced_rights else "")
        linked = f" Linked to order {self.linked_order_id}." if self.linked_order_id else ""
        sentenced = f" The sentence was passed on {w.day(self.sentence_date)}." if self.sentence_date else ""
        vcs = " A referral to the Victim Contact Scheme is needed." if self.vcs_referral_needed else ""
        return (
            f"Victim contact opened on {w.day(self.on)} for victim {self.victim_ref}, {who}"
            f"{about}.{linked}{sentenced}{vcs}"
        )


class VictimWorkerAllocated(EventPayload):
    """The victim worker responsible for this contact (a username): their list, their reminders."""

    victim_worker: str
    on: date

    title = "Victim worker allocated"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"From {w.day(self.on)} the victim worker is {self.victim_worker}."


class VictimDetailsReceived(EventPayload):
    """The YJS received the victim's details (they went to the encrypted store): the RJ-information clock starts."""

    enhanced_rights: bool
    on: date

    title = "Victim's details received"

    def describe(self, rule_names: w.RuleNames) -> str:
        enhanced = ", with enhanced rights" if self.enhanced_rights else ""
        return (
            f"The YJS received the victim's details on {w.day(self.on)}{enhanced}. They are kept in the victims' store."
        )


class SuitabilityDecided(EventPayload):
    """Whether to invite the victim; a decision not to invite carries its reason in the envelope."""

    invite: bool
    on: date

    title = "Decision on inviting the victim"

    def describe(self, rule_names: w.RuleNames) -> str:
        if self.invite:
            return f"Decided on {w.day(self.on)} to invite the victim to take part in restorative justice."
        return f"Decided on {w.day(self.on)} not to invite the victim, for the reason recorded with this step."


class ContactAttempted(EventPayload):
    channel: ContactChannel
    result: AttemptResult
    attempt: int = Field(ge=1)
    on: date

    title = "Contact attempted"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"{w.ordinal(self.attempt).capitalize()} attempt to contact the victim, {vw.CHANNELS[self.channel]},"
            f" on {w.day(self.on)}: {vw.RESULTS[self.result]}."
        )


class VictimContacted(EventPayload):
    channel: ContactChannel
    on: date

    title = "Victim contacted"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The victim was contacted {vw.CHANNELS[self.channel]} on {w.day(self.on)}."


class RjInformationGiven(EventPayload):
    """Information about restorative justice reached the victim (Victims' Code Right 3)."""

    on: date

    title = "Restorative justice information given"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Information about restorative justice given to the victim on {w.day(self.on)}."


class InformedChoiceGiven(EventPayload):
    """The YJS role, the sentence, what happens to the victim's information and the options named were
    explained; `options_explained` is None on events recorded before the options were named."""

    on: date
    options_explained: list[RjOption] | None = None

    title = "Options explained to the victim"

    def describe(self, rule_names: w.RuleNames) -> str:
        if self.options_explained is None:
            options = "each restorative option"
        else:
            options = "these options: " + w.and_list(vw.OPTIONS[o] for o in self.options_explained)
        return (
            f"On {w.day(self.on)} the victim was told the YJS's role, the sentence, what happens to their"
            f" information and {options}, so they can choose freely."
        )


class ConsentRecorded(EventPayload):
    """Consent to one option, given or refused; `consented=False` after a consent is a revocation."""

    option: RjOption
    given_by: ConsentGiver
    how: ConsentHow
    consented: bool
    on: date

    title = "Consent recorded"

    def describe(self, rule_names: w.RuleNames) -> str:
        given = "given" if self.consented else "refused"
        return (
            f"Consent to {vw.OPTIONS[self.option]} {given} by {vw.GIVERS[self.given_by]}, {vw.HOW[self.how]},"
            f" on {w.day(self.on)}."
        )


class KeepInformedChoiceRecorded(EventPayload):
    """The victim said whether they want to hear of the order's progress, apart from any RJ consent."""

    opt_in: bool
    on: date

    title = "Choice about being kept informed"

    def describe(self, rule_names: w.RuleNames) -> str:
        choice = "to be told" if self.opt_in else "not to be told"
        return f"The victim chose on {w.day(self.on)} {choice} of the order's progress."


class RiskAssessed(EventPayload):
    outcome: RiskOutcome
    on: date

    title = "Risk assessed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Risk assessed on {w.day(self.on)}: {vw.RISK[self.outcome]}."


class PreparationMeetingHeld(EventPayload):
    with_party: PreparationParty
    on: date

    title = "Preparation meeting held"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Preparation meeting with the {self.with_party} held on {w.day(self.on)}."


class ShuttleMessageRelayed(EventPayload):
    """One message carried between victim and child. A round is a message each way: `message` counts
    the messages (1, 2, 3…) and `round` the round it belongs to. Events recorded before rounds were
    counted so have no `message`, and their `round` is the message's number."""

    round: int = Field(ge=1)
    direction: ShuttleDirection
    on: date
    message: int | None = Field(default=None, ge=1)

    title = "Shuttle message carried"

    def describe(self, rule_names: w.RuleNames) -> str:
        if self.message is None:
            return f"Message {self.round} carried {vw.DIRECTIONS[self.direction]} on {w.day(self.on)}."
        return (
            f"Message {self.message} (round {self.round}) carried {vw.DIRECTIONS[self.direction]} on {w.day(self.on)}."
        )


class ConferenceHeld(EventPayload):
    attendees: list[ConferenceRole]
    outcome_agreement: bool
    on: date

    title = "Restorative conference held"

    def describe(self, rule_names: w.RuleNames) -> str:
        present = w.and_list(vw.ROLES[role] for role in dict.fromkeys(self.attendees))
        agreed = "An outcome agreement was reached." if self.outcome_agreement else "No outcome agreement was reached."
        return f"Restorative conference held on {w.day(self.on)}{f' with {present}' if present else ''}. {agreed}"


class InterventionDelivered(EventPayload):
    option: RjOption
    on: date

    title = "Restorative intervention delivered"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Restorative intervention delivered on {w.day(self.on)}: {vw.OPTIONS[self.option]}."


class KeptInformed(EventPayload):
    milestone: MilestoneKind
    on: date

    title = "Victim kept informed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The victim was told on {w.day(self.on)} that {vw.MILESTONES[self.milestone]}."


class ConclusionNotified(EventPayload):
    on: date

    title = "Victim told the work has concluded"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The victim was told on {w.day(self.on)} that the intervention has concluded."


class FeedbackRecorded(EventPayload):
    """The victim's view of the service; None when they chose not to say."""

    satisfied: bool | None = None
    on: date

    title = "Victim's feedback recorded"

    def describe(self, rule_names: w.RuleNames) -> str:
        if self.satisfied is None:
            return f"The victim chose on {w.day(self.on)} not to say how they found the service."
        satisfied = "satisfied" if self.satisfied else "not satisfied"
        return f"The victim said on {w.day(self.on)} that they were {satisfied} with the service."
