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

Where things are (every public name is importable from this package):
- `state`: the contact's state model (`VictimContactState`, `ContactState`, the forward path, `OptionConsent`);
- `steps`: the steps a victim worker records, their union `VictimContactStep`, and which steps depend on which;
- `deadlines`: the rule ids, which of them a contact has open, and when a VCS referral is due;
- `checks`: refusals shared by every step (the effective date, being invited, a VCS referral still owed);
- `consent`: consent per option and what each option needs before anything is done under it;
- `fold`: `evolve`, folding a recorded event into the state;
- `opening`: `open_contact`, the contact's first event and the VCS clock;
- `milestones`: `milestone_received`, the linked order's milestones;
- `reaching`: deciding whether to invite, attempting contact, and the informed choice;
- `mediation`: conferences and delivering an intervention;
- `closing`: reopening after a withdrawal and closing the contact;
- `deciding`: `decide`, which refuses a step or returns its events and deadline effects.
"""

from __future__ import annotations

from domain.decisions import CancelDeadline, DeadlineEffect, Decision, MeetDeadline, ScheduleDeadline, Step, StepRefused
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
    VictimKind,
    VictimRef,
)
from domain.victim_contact.consent import PREPARED, RISK_GATED, SAFE_TO_PROCEED, granted, victim_views_for_panel
from domain.victim_contact.deadlines import (
    CONCLUSION,
    KEEP_INFORMED,
    RJ_INFORMATION,
    RJ_INFORMATION_ENHANCED,
    VCS_MIN_SENTENCE_MONTHS,
    VCS_REFERRAL,
    has_enhanced_rights,
    open_deadline_rules,
    rj_information_rule,
    vcs_referral_due,
)
from domain.victim_contact.deciding import decide
from domain.victim_contact.fold import evolve
from domain.victim_contact.milestones import milestone_received
from domain.victim_contact.opening import open_contact
from domain.victim_contact.state import PATH, ContactState, OptionConsent, VictimContactState
from domain.victim_contact.steps import (
    NEEDS_CONTACT,
    NEEDS_DETAILS,
    NEEDS_INFORMED_CHOICE,
    WHILE_WITHDRAWN,
    AllocateVictimWorker,
    RecordClosure,
    RecordConclusionNotified,
    RecordConference,
    RecordConsent,
    RecordContactAttempt,
    RecordContactConsent,
    RecordContacted,
    RecordDetailsReceived,
    RecordFeedback,
    RecordInformedChoice,
    RecordInterventionDelivered,
    RecordKeepInformedChoice,
    RecordKeptInformed,
    RecordPreparationMeeting,
    RecordReopening,
    RecordRiskAssessment,
    RecordShuttleMessage,
    RecordSuitability,
    RecordSupportRequested,
    RecordSupportSignposted,
    RecordVcsReferral,
    RecordViewsSought,
    RecordWithdrawal,
    VictimContactStep,
    _Step,
)

__all__ = [
    "CONCLUSION",
    "KEEP_INFORMED",
    "NEEDS_CONTACT",
    "NEEDS_DETAILS",
    "NEEDS_INFORMED_CHOICE",
    "PATH",
    "PREPARED",
    "RISK_GATED",
    "RJ_INFORMATION",
    "RJ_INFORMATION_ENHANCED",
    "SAFE_TO_PROCEED",
    "VCS_MIN_SENTENCE_MONTHS",
    "VCS_REFERRAL",
    "WHILE_WITHDRAWN",
    "AllocateVictimWorker",
    "AttemptResult",
    "CancelDeadline",
    "CloseOutcome",
    "ConferenceRole",
    "ConsentGiver",
    "ConsentHow",
    "ContactChannel",
    "ContactState",
    "DeadlineEffect",
    "Decision",
    "MeetDeadline",
    "MilestoneKind",
    "OptionConsent",
    "PreparationParty",
    "RecordClosure",
    "RecordConclusionNotified",
    "RecordConference",
    "RecordConsent",
    "RecordContactAttempt",
    "RecordContactConsent",
    "RecordContacted",
    "RecordDetailsReceived",
    "RecordFeedback",
    "RecordInformedChoice",
    "RecordInterventionDelivered",
    "RecordKeepInformedChoice",
    "RecordKeptInformed",
    "RecordPreparationMeeting",
    "RecordReopening",
    "RecordRiskAssessment",
    "RecordShuttleMessage",
    "RecordSuitability",
    "RecordSupportRequested",
    "RecordSupportSignposted",
    "RecordVcsReferral",
    "RecordViewsSought",
    "RecordWithdrawal",
    "RiskOutcome",
    "RjOption",
    "ScheduleDeadline",
    "ShuttleDirection",
    "Step",
    "StepRefused",
    "VictimContactState",
    "VictimContactStep",
    "VictimKind",
    "VictimRef",
    "_Step",
    "decide",
    "evolve",
    "granted",
    "has_enhanced_rights",
    "milestone_received",
    "open_contact",
    "open_deadline_rules",
    "rj_information_rule",
    "vcs_referral_due",
    "victim_views_for_panel",
]
