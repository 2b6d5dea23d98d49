"""Victim contact and restorative justice (youth-justice.md §2) as a pure state machine.

One contact per victim per offence. `decide` takes the contact's state, a step a victim worker wants to
record and today's date, and either refuses it with a reason the worker can act on, or returns the events
to record and the deadline changes they cause. `evolve` folds a recorded event into the state. The linked
order is not a person: its milestones arrive through `milestone_received`.

Principles the checks enforce (§2.3, RJC principles):
- voluntarism: consent is per option, recorded with who gave it, how and when, and revocable at any time;
  nothing is done under an option without a live consent; a withdrawal stops the work with no reason
  asked, and a reopened contact starts again from fresh consent;
- safety: anything carried between victim and child (a letter, shuttle messages, a conference, direct
  reparation) needs a risk assessment that allows it, and mediated or direct meetings need both parties
  prepared first;
- who may consent: an adult victim themselves; a victim under 18 through a parent or guardian; an
  organisation through its named contact;
- data protection (§2.4): the state and every event hold the victim reference and facts about the process
  only, never who the victim is.

Deadlines (rule ids in domain/rules/default.toml):
- `victim.rj_information` (or `victim.rj_information_enhanced` for enhanced rights, which every victim
  under 18 has) runs from `details_received` and is met when RJ information is given, i.e. by
  `informed_choice_given`. A decision not to invite closes the contact, which *cancels* it: the Code's
  information was not given, so recording it as met would make the audit say something untrue; the
  reason for not inviting is on the suitability event;
- `victim.keep_informed` runs from each milestone of the linked order for a victim who opted in, and is
  met by `kept_informed` for that milestone;
- `victim.conclusion` runs from the order's `order_ended` milestone and is met by `conclusion_notified`;
- `victim.vcs_referral` runs from the sentence when the contact was opened with `vcs_referral_needed`
  (see `vcs_referral_due`) and is met by `vcs_referral_made`.
A withdrawal cancels the open ones except the conclusion (the victim is still told it ended); reopening
restarts the cancelled RJ-information and VCS clocks from the day of reopening; closing cancels all.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain import events as ev
from domain.decisions import (
    CancelDeadline,
    DeadlineEffect,
    Decision,
    MeetDeadline,
    ScheduleDeadline,
    Step,
    StepRefused,
)
from domain.events.victim_contact import AttemptResult as AttemptResult
from domain.events.victim_contact import CloseOutcome as CloseOutcome
from domain.events.victim_contact import ConferenceRole as ConferenceRole
from domain.events.victim_contact import ConsentGiver as ConsentGiver
from domain.events.victim_contact import ConsentHow as ConsentHow
from domain.events.victim_contact import ContactChannel as ContactChannel
from domain.events.victim_contact import MilestoneKind as MilestoneKind
from domain.events.victim_contact import PreparationParty as PreparationParty
from domain.events.victim_contact import RiskOutcome as RiskOutcome
from domain.events.victim_contact import RjOption as RjOption
from domain.events.victim_contact import ShuttleDirection as ShuttleDirection
from domain.events.victim_contact import VictimKind as VictimKind
from domain.events.victim_contact import VictimRef as VictimRef

RJ_INFORMATION = "victim.rj_information"
RJ_INFORMATION_ENHANCED = "victim.rj_information_enhanced"
KEEP_INFORMED = "victim.keep_informed"
CONCLUSION = "victim.conclusion"
VCS_REFERRAL = "victim.vcs_referral"

VCS_MIN_SENTENCE_MONTHS = 12  # Victims' Code Right 11: violent or sexual offence, 12 months or more


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

# Options that carry something between victim and child need a risk assessment that lets them go ahead.
RISK_GATED = frozenset(
    {RjOption.LETTER_OF_EXPLANATION, RjOption.SHUTTLE_MEDIATION, RjOption.DIRECT_CONFERENCE, RjOption.DIRECT_REPARATION}
)
# Options for which victim and child are prepared in meetings before anything passes between them.
PREPARED = frozenset({RjOption.SHUTTLE_MEDIATION, RjOption.DIRECT_CONFERENCE, RjOption.DIRECT_REPARATION})
SAFE_TO_PROCEED = frozenset({"proceed", "proceed_with_safeguards"})


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
    shuttle_rounds: int = 0
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

    @model_validator(mode="after")
    def _coherent(self) -> VictimContactState:
        # A legal person has no age and is not a "victim" under the Code (§2.3): it has no enhanced rights.
        if self.victim_kind == "organisation" and (self.under_18 or self.enhanced_rights):
            raise ValueError("an organisation cannot be under 18 or have enhanced rights")
        if self.vcs_referral_needed and self.sentence_date is None:
            raise ValueError("a VCS referral runs from the sentence: give sentence_date")
        return self


# --- the steps a victim worker records ---------------------------------------------------------------


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


class RecordConsent(_Step):
    step: Literal["consent_recorded"] = "consent_recorded"
    option: RjOption
    given_by: ConsentGiver
    how: ConsentHow
    consented: bool


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
    | RecordClosure,
    Field(discriminator="step"),
]

# Which steps depend on which earlier facts (for their dates: a dependent step is never dated earlier).
NEEDS_INFORMED_CHOICE = frozenset(
    {
        "consent_recorded", "risk_assessed", "preparation_meeting_held", "shuttle_message_relayed",
        "conference_held", "intervention_delivered", "feedback_recorded",
    }
)  # fmt: skip
NEEDS_CONTACT = NEEDS_INFORMED_CHOICE | {"informed_choice_given", "keep_informed_choice", "kept_informed"}
NEEDS_DETAILS = NEEDS_CONTACT | {"suitability_decided", "contact_attempted", "contacted", "conclusion_notified"}

# What a withdrawn contact still accepts: coming back, being told the order ended (that deadline
# survives withdrawal on purpose), and being closed.
WHILE_WITHDRAWN = frozenset({"reopened", "conclusion_notified", "closed"})


# --- small pure questions about a contact -----------------------------------------------------------------


def vcs_referral_due(sentence_months: int, violent_or_sexual: bool) -> bool:
    """Whether the victim must be referred to the probation Victim Contact Scheme (Code Right 11)."""
    return violent_or_sexual and sentence_months >= VCS_MIN_SENTENCE_MONTHS


def has_enhanced_rights(state: VictimContactState) -> bool:
    """Every victim under 18 at the offence has enhanced rights; others when the YJS records it."""
    return state.enhanced_rights or state.under_18


def rj_information_rule(state: VictimContactState) -> str:
    return RJ_INFORMATION_ENHANCED if has_enhanced_rights(state) else RJ_INFORMATION


def granted(state: VictimContactState) -> frozenset[RjOption]:
    """The options the victim currently consents to."""
    return frozenset(o for o, c in state.consents.items() if c.granted)


def open_deadline_rules(state: VictimContactState) -> frozenset[str]:
    """The rule ids this contact has open, derived from the facts (so they cannot drift from them)."""
    if state.state == ContactState.CLOSED:
        return frozenset()
    rules: set[str] = set()
    live = state.state != ContactState.WITHDRAWN
    if live and state.details_received_on is not None and state.rj_information_given_on is None:
        rules.add(rj_information_rule(state))
    if live and state.pending_milestones:
        rules.add(KEEP_INFORMED)
    if live and state.vcs_referral_needed and state.vcs_referral_made_on is None:
        rules.add(VCS_REFERRAL)
    if state.conclusion_deadline_open:
        rules.add(CONCLUSION)
    return frozenset(rules)


def victim_views_for_panel(state: VictimContactState) -> bool:
    """Whether the victim's views can reach the referral-order panel (`ro.victim_views`).

    True once the victim consents to panel participation (to attend or send views) or has given their
    views (panel participation delivered, even if the consent was later revoked). The contact workflow
    is to send its order a `VictimViewsReceived` signal (domain/messages.py) the first time this turns
    True after a step; the order then records `victim_views_recorded` for this victim ref, which meets
    `ro.victim_views` once every victim named on the order is heard.
    """
    return RjOption.PANEL_PARTICIPATION in granted(state) or RjOption.PANEL_PARTICIPATION in state.delivered


# --- opening the contact ----------------------------------------------------------------------------


def open_contact(state: VictimContactState) -> Decision:
    """The victim is identified (by reference). No RJ clock yet: it runs from when the details arrive.

    The VCS clock is the exception: it runs from the sentence, whether or not details have arrived, so
    a contact opened with `vcs_referral_needed` schedules it now.
    """
    opened = ev.VictimContactOpened(
        victim_ref=state.victim_ref,
        victim_kind=state.victim_kind,
        under_18=state.under_18,
        enhanced_rights=has_enhanced_rights(state),
        linked_order_id=state.linked_order_id,
        vcs_referral_needed=state.vcs_referral_needed,
        sentence_date=state.sentence_date,
        on=state.opened_on,
    )
    clocks: tuple[DeadlineEffect, ...] = ()
    if state.vcs_referral_needed and state.sentence_date is not None:
        clocks = (ScheduleDeadline(rule_id=VCS_REFERRAL, clock_start=state.sentence_date),)
    return Decision(events=(opened,), deadlines=clocks)


# --- the linked order's milestones ----------------------------------------------------------------------


def milestone_received(
    state: VictimContactState,
    milestone: MilestoneKind,
    order_id: str,
    today: date,
    *,
    occurred_on: date | None = None,
) -> Decision:
    """The linked order reached a milestone (not a person's step: the order signals it).

    It is always recorded while the contact is open, so a victim who comes back can be told. A victim
    who opted in, and has not withdrawn, is owed an update (`victim.keep_informed`). The order ending is
    told as the conclusion instead (`victim.conclusion`), to every contact still open, withdrawn or not.
    """
    name = "order_milestone"
    day = today if occurred_on is None else occurred_on
    if state.state == ContactState.CLOSED:
        raise _refuse(name, f"the contact is closed ({state.closed_outcome}); nothing more can be recorded on it")
    if state.linked_order_id is None or order_id != state.linked_order_id:
        raise _refuse(name, f"this contact is linked to order {state.linked_order_id}, not {order_id}")
    _check_day(state, name, day, today)
    received = ev.OrderMilestoneReceived(milestone=milestone, order_id=order_id, on=day)
    if milestone == "order_ended":
        if state.conclusion_deadline_open:
            return Decision(events=(received,))
        return Decision(events=(received,), deadlines=(ScheduleDeadline(rule_id=CONCLUSION, clock_start=day),))
    if _keeps_informed(state):
        return Decision(events=(received,), deadlines=(ScheduleDeadline(rule_id=KEEP_INFORMED, clock_start=day),))
    return Decision(events=(received,))


def _keeps_informed(state: VictimContactState) -> bool:
    return state.keep_informed_opt_in and state.state not in (ContactState.WITHDRAWN, ContactState.CLOSED)


# --- deciding a step ------------------------------------------------------------------------------------


def _refuse(step: str, why: str) -> StepRefused:
    return StepRefused(f"{step} refused: {why}")


def _check_day(state: VictimContactState, name: str, day: date, today: date) -> None:
    if day > today:
        raise _refuse(name, f"effective date {day} is in the future (today is {today})")
    if day < state.opened_on:
        raise _refuse(name, f"effective date {day} is before the contact was opened ({state.opened_on})")
    # A step cannot have happened before the step it depends on, however late either is recorded.
    for since, what, steps in (
        (state.details_received_on, "the victim's details were received", NEEDS_DETAILS),
        (state.contacted_on, "the victim was contacted", NEEDS_CONTACT),
        (state.informed_choice_on, "the informed choice was given", NEEDS_INFORMED_CHOICE),
    ):
        if since is not None and name in steps and day < since:
            raise _refuse(name, f"effective date {day} is before {what} ({since}), which it depends on")


def decide(state: VictimContactState, step: VictimContactStep, *, today: date) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects."""
    name = step.step
    if state.state == ContactState.CLOSED:
        raise _refuse(name, f"the contact is closed ({state.closed_outcome}); nothing more can be recorded on it")
    if state.state == ContactState.WITHDRAWN and name not in WHILE_WITHDRAWN:
        raise _refuse(
            name,
            f"the victim withdrew on {state.withdrawn_on}; nothing more is done without them: only reopened "
            "(at the victim's request), conclusion_notified or closed can be recorded",
        )
    _check_day(state, name, step.effective_date, today)
    day = step.effective_date
    match step:
        case AllocateVictimWorker():
            if step.victim_worker == state.victim_worker:
                raise _refuse(name, f"{step.victim_worker} is already the victim worker")
            return Decision(events=(ev.VictimWorkerAllocated(victim_worker=step.victim_worker, on=day),))
        case RecordDetailsReceived():
            if state.details_received_on is not None:
                raise _refuse(name, f"the details were already received on {state.details_received_on}")
            enhanced = has_enhanced_rights(state) or step.enhanced_rights
            if enhanced and state.victim_kind == "organisation":
                raise _refuse(name, "an organisation has no enhanced rights under the Victims' Code")
            rule = RJ_INFORMATION_ENHANCED if enhanced else RJ_INFORMATION
            return Decision(
                events=(ev.VictimDetailsReceived(enhanced_rights=enhanced, on=day),),
                deadlines=(ScheduleDeadline(rule_id=rule, clock_start=day),),
            )
        case RecordSuitability():
            return _suitability(state, step)
        case RecordContactAttempt():
            return _contact_attempt(state, step)
        case RecordContacted():
            _require_invited(state, name)
            if state.contacted_on is not None:
                raise _refuse(name, f"the victim was already contacted on {state.contacted_on}")
            return Decision(events=(ev.VictimContacted(channel=step.channel, on=day),))
        case RecordInformedChoice():
            return _informed_choice(state, step)
        case RecordConsent():
            return _consent(state, step)
        case RecordKeepInformedChoice():
            if state.contacted_on is None:
                raise _refuse(name, "the victim has not been contacted yet; only they can choose to be kept informed")
            return Decision(events=(ev.KeepInformedChoiceRecorded(opt_in=step.opt_in, on=day),))
        case RecordRiskAssessment():
            if not granted(state):
                raise _refuse(
                    name,
                    "the victim has not consented to any option yet; the risk assessment is of what they agreed to",
                )
            return Decision(events=(ev.RiskAssessed(outcome=step.outcome, on=day),))
        case RecordPreparationMeeting():
            if not granted(state) & PREPARED:
                raise _refuse(
                    name,
                    "preparation meetings are for shuttle mediation, a conference or direct reparation, and the "
                    "victim has consented to none of them",
                )
            _require_safe(state, name, "preparation")
            return Decision(events=(ev.PreparationMeetingHeld(with_party=step.with_party, on=day),))
        case RecordShuttleMessage():
            _require_ready(state, name, RjOption.SHUTTLE_MEDIATION, prepared=True)
            return Decision(
                events=(ev.ShuttleMessageRelayed(round=state.shuttle_rounds + 1, direction=step.direction, on=day),)
            )
        case RecordConference():
            return _conference(state, step)
        case RecordInterventionDelivered():
            return _delivered(state, step)
        case RecordKeptInformed():
            if not state.keep_informed_opt_in:
                raise _refuse(
                    name,
                    "the victim has not opted in to be kept informed; updates are only sent to victims who want them",
                )
            effects: tuple[DeadlineEffect, ...] = ()
            if step.milestone in state.pending_milestones:
                effects = (MeetDeadline(rule_id=KEEP_INFORMED, met_on=day),)
            return Decision(events=(ev.KeptInformed(milestone=step.milestone, on=day),), deadlines=effects)
        case RecordConclusionNotified():
            if not state.conclusion_owed:
                if state.conclusion_notified_on is not None:
                    why = f"the victim was already told on {state.conclusion_notified_on} and nothing has ended since"
                else:
                    why = "nothing has concluded yet: no intervention was delivered and the order has not ended"
                raise _refuse(name, why)
            effects = (MeetDeadline(rule_id=CONCLUSION, met_on=day),) if state.conclusion_deadline_open else ()
            return Decision(events=(ev.ConclusionNotified(on=day),), deadlines=effects)
        case RecordFeedback():
            if not state.delivered:
                raise _refuse(name, "no intervention has been delivered yet to give feedback on")
            return Decision(events=(ev.FeedbackRecorded(satisfied=step.satisfied, on=day),))
        case RecordVcsReferral():
            if state.details_received_on is None:
                raise _refuse(name, "the victim's details have not been received yet, so there is nothing to pass on")
            if state.vcs_referral_made_on is not None:
                raise _refuse(name, f"the referral was already made on {state.vcs_referral_made_on}")
            # A referral not required by the Code is allowed (probation may accept it); it meets no deadline.
            effects = (MeetDeadline(rule_id=VCS_REFERRAL, met_on=day),) if state.vcs_referral_needed else ()
            return Decision(events=(ev.VcsReferralMade(on=day),), deadlines=effects)
        case RecordWithdrawal():
            # No reason is asked for: a victim owes nobody an explanation for stepping back.
            cancels = tuple(
                CancelDeadline(rule_id=rule, why="the victim withdrew")
                for rule in sorted(open_deadline_rules(state) - {CONCLUSION})
            )
            return Decision(events=(ev.ContactWithdrawn(on=day),), deadlines=cancels)
        case RecordReopening():
            return _reopening(state, step)
        case RecordClosure():
            return _closure(state, step)
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive


def _require_invited(state: VictimContactState, name: str) -> None:
    if state.details_received_on is None:
        raise _refuse(name, "the victim's details have not been received yet (details_received)")
    if state.invited is None:
        raise _refuse(name, "whether to invite the victim has not been decided yet (suitability_decided)")


def _vcs_owed(state: VictimContactState, name: str) -> None:
    # Closing would cancel the VCS clock, and the Code's referral is owed whatever happens to RJ.
    if state.vcs_referral_needed and state.vcs_referral_made_on is None:
        raise _refuse(
            name,
            "a Victim Contact Scheme referral is owed (sentence of 12 months or more for a violent or sexual "
            "offence) and closing would drop it: record vcs_referral_made first",
        )


def _suitability(state: VictimContactState, step: RecordSuitability) -> Decision:
    name = step.step
    if state.details_received_on is None:
        raise _refuse(name, "the victim's details have not been received yet (details_received)")
    if state.invited is not None:
        raise _refuse(name, "suitability was already decided")
    decided = ev.SuitabilityDecided(invite=step.invite, on=step.effective_date)
    if step.invite:
        return Decision(events=(decided,))
    if not (step.reason and step.reason.strip()):
        raise _refuse(name, "a decision not to invite the victim needs the reason recorded (give reason)")
    _vcs_owed(state, name)
    # Not inviting ends the contact now, so no open case sits in a worker's list with no clock on it.
    return Decision(
        events=(decided, ev.ContactClosed(outcome="not_invited", on=step.effective_date)),
        deadlines=(CancelDeadline(rule_id="*", why="victim not invited (reason on the suitability decision)"),),
    )


def _contact_attempt(state: VictimContactState, step: RecordContactAttempt) -> Decision:
    name = step.step
    _require_invited(state, name)
    if state.contact_refused_on is not None:
        raise _refuse(
            name,
            f"the victim refused contact on {state.contact_refused_on}; do not try again (no pressure): "
            "close the contact as declined, or record contacted if they get in touch",
        )
    day = step.effective_date
    events: list[ev.EventPayload] = [
        ev.ContactAttempted(channel=step.channel, result=step.result, attempt=state.contact_attempts + 1, on=day)
    ]
    if step.result == "reached" and state.contacted_on is None:
        events.append(ev.VictimContacted(channel=step.channel, on=day))
    return Decision(events=tuple(events))


def _informed_choice(state: VictimContactState, step: RecordInformedChoice) -> Decision:
    name = step.step
    if state.contacted_on is None:
        raise _refuse(name, "the victim has not been contacted yet (contacted)")
    if state.informed_choice_on is not None:
        raise _refuse(name, f"the informed choice was already given on {state.informed_choice_on}")
    day = step.effective_date
    events: list[ev.EventPayload] = [ev.InformedChoiceGiven(on=day)]
    effects: list[DeadlineEffect] = []
    if state.rj_information_given_on is None:
        events.insert(0, ev.RjInformationGiven(on=day))
        effects.append(MeetDeadline(rule_id=rj_information_rule(state), met_on=day))
    return Decision(events=tuple(events), deadlines=tuple(effects))


def _consent(state: VictimContactState, step: RecordConsent) -> Decision:
    name = step.step
    ref = state.victim_ref
    if state.informed_choice_on is None:
        raise _refuse(
            name,
            "the victim has not been given an informed choice yet (informed_choice_given): each option is "
            "explained before consent to it is asked",
        )
    if state.victim_kind == "organisation":
        if step.given_by != "named_contact":
            raise _refuse(name, f"{ref} is an organisation: it consents only through its named contact (named_contact)")
    elif step.given_by == "named_contact":
        raise _refuse(name, f"{ref} is a person: named_contact is only for an organisation")
    elif not state.under_18 and step.given_by == "parent_or_guardian":
        raise _refuse(name, f"{ref} is an adult: consent is the victim's own, not a parent's or guardian's")
    elif state.under_18 and step.consented and step.given_by != "parent_or_guardian":
        # A victim under 18 agrees with a parent or guardian involved; the record names the parent. Either
        # of them saying no is honoured at once, so only the giving of consent is checked.
        raise _refuse(
            name,
            f"{ref} is under 18: consent is given with a parent or guardian involved (given_by=parent_or_guardian)",
        )
    current = state.consents.get(step.option)
    if step.consented and current is not None and current.granted:
        raise _refuse(name, f"consent to {step.option} was already given on {current.on}")
    return Decision(
        events=(
            ev.ConsentRecorded(
                option=step.option,
                given_by=step.given_by,
                how=step.how,
                consented=step.consented,
                on=step.effective_date,
            ),
        )
    )


def _why_no_consent(state: VictimContactState, option: RjOption) -> str:
    c = state.consents.get(option)
    if c is None:
        return f"the victim has not consented to {option}"
    if c.lapsed_by_withdrawal:
        return f"consent to {option} lapsed when the victim withdrew on {c.on}; record fresh consent first"
    if c.ever_granted:
        return f"consent to {option} was revoked on {c.on}; nothing more is done under it without fresh consent"
    return f"the victim declined {option} on {c.on}"


def _require_consent(state: VictimContactState, name: str, option: RjOption) -> None:
    if option not in granted(state):
        raise _refuse(name, _why_no_consent(state, option))


def _require_safe(state: VictimContactState, name: str, what: str) -> None:
    if state.risk_outcome is None:
        raise _refuse(name, f"{what} needs a risk assessment first (risk_assessed: proceed or proceed_with_safeguards)")
    if state.risk_outcome not in SAFE_TO_PROCEED:
        raise _refuse(
            name,
            f"the risk assessment on {state.risk_assessed_on} was do_not_proceed, so {what} cannot go ahead; "
            "offer information_only, indirect_reparation or panel_participation, or close the contact safely",
        )


def _require_ready(state: VictimContactState, name: str, option: RjOption, *, prepared: bool) -> None:
    _require_consent(state, name, option)
    _require_safe(state, name, str(option))
    if prepared:
        missing = [p for p in ("victim", "child") if p not in state.prepared_with]
        if missing:
            raise _refuse(
                name,
                f"{option} needs preparation meetings with both the victim and the child first; "
                f"missing: {', '.join(missing)}",
            )


def _conference(state: VictimContactState, step: RecordConference) -> Decision:
    name = step.step
    _require_ready(state, name, RjOption.DIRECT_CONFERENCE, prepared=True)
    who = set(step.attendees)
    victim_role = "named_contact" if state.victim_kind == "organisation" else "victim"
    needed = [victim_role, "child", "facilitator"]
    if state.under_18:
        needed.append("parent_or_guardian")
    missing = [r for r in needed if r not in who]
    if missing:
        raise _refuse(name, f"a restorative conference needs {', '.join(needed)}; missing: {', '.join(missing)}")
    return Decision(
        events=(
            ev.ConferenceHeld(
                attendees=list(step.attendees), outcome_agreement=step.outcome_agreement, on=step.effective_date
            ),
        )
    )


def _delivered(state: VictimContactState, step: RecordInterventionDelivered) -> Decision:
    name = step.step
    option = step.option
    if option in RISK_GATED:
        _require_ready(state, name, option, prepared=False)
    else:
        _require_consent(state, name, option)
    if option == RjOption.SHUTTLE_MEDIATION and state.shuttle_rounds == 0:
        raise _refuse(name, "no shuttle message has been relayed yet (shuttle_message_relayed)")
    if option == RjOption.DIRECT_CONFERENCE and state.conferences_held == 0:
        raise _refuse(name, "no conference has been held yet (conference_held)")
    return Decision(events=(ev.InterventionDelivered(option=option, on=step.effective_date),))


def _reopening(state: VictimContactState, step: RecordReopening) -> Decision:
    name = step.step
    if state.state != ContactState.WITHDRAWN:
        raise _refuse(name, f"only a withdrawn contact can be reopened; this one is {state.state.value}")
    day = step.effective_date
    # The clocks withdrawal stopped start again from the day the victim came back.
    back = evolve(state, ev.ContactReopened(on=day))
    clocks = tuple(
        ScheduleDeadline(rule_id=rule, clock_start=day)
        for rule in sorted(open_deadline_rules(back) - open_deadline_rules(state))
    )
    return Decision(events=(ev.ContactReopened(on=day),), deadlines=clocks)


def _closure(state: VictimContactState, step: RecordClosure) -> Decision:
    name = step.step
    outcome = step.outcome
    withdrawn = state.state == ContactState.WITHDRAWN
    match outcome:
        case "not_invited":
            raise _refuse(
                name,
                "a decision not to invite is recorded with suitability_decided (invite=false and the reason); "
                "it closes the contact",
            )
        case "withdrawn":
            if not withdrawn:
                raise _refuse(name, "the victim has not withdrawn; record withdrawn first")
        case "safely_closed":
            if not (step.reason and step.reason.strip()):
                raise _refuse(name, "closing safely needs the safeguarding reason recorded (give reason)")
        case _ if withdrawn:
            raise _refuse(name, f"the victim withdrew on {state.withdrawn_on}: close as withdrawn or safely_closed")
        case "no_response":
            if state.contacted_on is not None:
                raise _refuse(name, f"the victim was contacted on {state.contacted_on}; they did respond")
            if state.contact_attempts == 0:
                raise _refuse(name, "no contact attempt has been recorded (contact_attempted)")
        case "declined":
            if state.contacted_on is None and state.contact_refused_on is None:
                raise _refuse(name, "the victim has not been reached, so has not declined; close as no_response")
            if granted(state):
                live = ", ".join(sorted(granted(state)))
                raise _refuse(name, f"the victim still consents to {live}; record the revocation first")
        case "completed":
            if not state.delivered:
                raise _refuse(name, "no intervention has been delivered (intervention_delivered)")
            if state.conclusion_owed:
                raise _refuse(name, "the victim has not been told the intervention concluded (conclusion_notified)")
    if outcome in ("completed", "no_response", "declined"):
        _vcs_owed(state, name)
    return Decision(
        events=(ev.ContactClosed(outcome=outcome, on=step.effective_date),),
        deadlines=(CancelDeadline(rule_id="*", why=f"victim contact closed ({outcome})"),),
    )


# --- folding recorded events into the state ---------------------------------------------------------------


def _advance(state: VictimContactState, to: ContactState) -> ContactState:
    """The furthest point reached: a later fact never moves the contact back along the path."""
    if state.state not in PATH:
        return state.state
    return to if PATH.index(to) > PATH.index(state.state) else state.state


def evolve(state: VictimContactState, payload: ev.EventPayload) -> VictimContactState:
    """The state after a recorded event; events that do not change the contact leave it as it was."""
    return _evolve(state, payload)


def _evolve(state: VictimContactState, payload: ev.EventPayload) -> VictimContactState:
    match payload:
        case ev.VictimContactOpened():
            return state.model_copy(update={"enhanced_rights": payload.enhanced_rights})
        case ev.VictimWorkerAllocated():
            return state.model_copy(update={"victim_worker": payload.victim_worker})
        case ev.VictimDetailsReceived():
            return state.model_copy(
                update={
                    "details_received_on": payload.on,
                    "enhanced_rights": payload.enhanced_rights,
                    "state": _advance(state, ContactState.DETAILS_RECEIVED),
                }
            )
        case ev.SuitabilityDecided():
            return state.model_copy(
                update={"invited": payload.invite, "state": _advance(state, ContactState.SUITABILITY_DECIDED)}
            )
        case ev.ContactAttempted():
            refused = payload.on if payload.result == "refused" else state.contact_refused_on
            return state.model_copy(
                update={
                    "contact_attempts": payload.attempt,
                    "contact_refused_on": refused,
                    "state": _advance(state, ContactState.CONTACT_ATTEMPTED),
                }
            )
        case ev.VictimContacted():
            return state.model_copy(
                update={"contacted_on": payload.on, "state": _advance(state, ContactState.CONTACTED)}
            )
        case ev.RjInformationGiven():
            return state.model_copy(update={"rj_information_given_on": payload.on})
        case ev.InformedChoiceGiven():
            return state.model_copy(
                update={"informed_choice_on": payload.on, "state": _advance(state, ContactState.INFORMED_CHOICE_GIVEN)}
            )
        case ev.ConsentRecorded():
            return _fold_consent(state, payload)
        case ev.KeepInformedChoiceRecorded():
            return state.model_copy(
                update={"keep_informed_choice": payload.opt_in, "keep_informed_opt_in": payload.opt_in}
            )
        case ev.RiskAssessed():
            return state.model_copy(
                update={
                    "risk_outcome": payload.outcome,
                    "risk_assessed_on": payload.on,
                    "state": _advance(state, ContactState.RISK_ASSESSED),
                }
            )
        case ev.PreparationMeetingHeld():
            parties = tuple(sorted({*state.prepared_with, payload.with_party}))
            return state.model_copy(update={"prepared_with": parties, "state": _advance(state, ContactState.PREPARING)})
        case ev.ShuttleMessageRelayed():
            return state.model_copy(update={"shuttle_rounds": payload.round})
        case ev.ConferenceHeld():
            return state.model_copy(
                update={
                    "conferences_held": state.conferences_held + 1,
                    "outcome_agreement": state.outcome_agreement or payload.outcome_agreement,
                }
            )
        case ev.InterventionDelivered():
            return state.model_copy(
                update={
                    "delivered": (*state.delivered, payload.option),
                    "conclusion_owed": True,
                    "state": _advance(state, ContactState.INTERVENTION_DELIVERED),
                }
            )
        case ev.KeptInformed():
            pending = list(state.pending_milestones)
            if payload.milestone in pending:
                pending.remove(payload.milestone)
            return state.model_copy(update={"pending_milestones": tuple(pending)})
        case ev.ConclusionNotified():
            return state.model_copy(
                update={
                    "conclusion_owed": False,
                    "conclusion_deadline_open": False,
                    "conclusion_notified_on": payload.on,
                }
            )
        case ev.FeedbackRecorded():
            return state.model_copy(
                update={
                    "feedback_on": payload.on,
                    "feedback_satisfied": payload.satisfied,
                    "state": _advance(state, ContactState.FEEDBACK_RECORDED),
                }
            )
        case ev.VcsReferralMade():
            return state.model_copy(update={"vcs_referral_made_on": payload.on})
        case ev.OrderMilestoneReceived():
            return _fold_milestone(state, payload)
        case ev.ContactWithdrawn():
            return _fold_withdrawal(state, payload)
        case ev.ContactReopened():
            before = state.state_before_withdrawal or ContactState.IDENTIFIED
            # Consents lapsed on withdrawal, so a contact that had got past the informed choice resumes there.
            cap = ContactState.INFORMED_CHOICE_GIVEN
            resumed = before if PATH.index(before) <= PATH.index(cap) else cap
            return state.model_copy(update={"state": resumed, "state_before_withdrawal": None, "withdrawn_on": None})
        case ev.ContactClosed():
            return state.model_copy(
                update={
                    "state": ContactState.CLOSED,
                    "closed_outcome": payload.outcome,
                    "closed_on": payload.on,
                    "pending_milestones": (),
                    "conclusion_deadline_open": False,
                }
            )
    return state


def _fold_consent(state: VictimContactState, payload: ev.ConsentRecorded) -> VictimContactState:
    before = state.consents.get(payload.option)
    answer = OptionConsent(
        granted=payload.consented,
        given_by=payload.given_by,
        how=payload.how,
        on=payload.on,
        ever_granted=payload.consented or (before is not None and before.ever_granted),
    )
    consents = {**state.consents, payload.option: answer}
    # Any consent but a "no" means the victim is taking part, and so wants to hear how the order goes,
    # unless they said otherwise themselves.
    opt_in = state.keep_informed_opt_in or (payload.consented and state.keep_informed_choice is None)
    return state.model_copy(
        update={
            "consents": consents,
            "keep_informed_opt_in": opt_in,
            "state": _advance(state, ContactState.CONSENT_RECORDED),
        }
    )


def _fold_milestone(state: VictimContactState, payload: ev.OrderMilestoneReceived) -> VictimContactState:
    if payload.milestone == "order_ended":
        return state.model_copy(
            update={"order_ended_on": payload.on, "conclusion_owed": True, "conclusion_deadline_open": True}
        )
    if _keeps_informed(state):
        return state.model_copy(update={"pending_milestones": (*state.pending_milestones, payload.milestone)})
    return state


def _fold_withdrawal(state: VictimContactState, payload: ev.ContactWithdrawn) -> VictimContactState:
    # Withdrawal ends every consent, the risk assessment and the preparation: if the victim comes back,
    # they choose afresh and the work is reassessed, rather than resuming under an old "yes".
    lapsed = {
        option: c.model_copy(update={"granted": False, "on": payload.on, "lapsed_by_withdrawal": True})
        if c.granted
        else c
        for option, c in state.consents.items()
    }
    return state.model_copy(
        update={
            "state": ContactState.WITHDRAWN,
            "state_before_withdrawal": state.state,
            "withdrawn_on": payload.on,
            "consents": lapsed,
            "keep_informed_choice": None,
            "keep_informed_opt_in": False,
            "risk_outcome": None,
            "risk_assessed_on": None,
            "prepared_with": (),
            "pending_milestones": (),
        }
    )
