"""Deciding a victim worker's step: refused with a reason, or its events and deadline effects."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.decisions import CancelDeadline, DeadlineEffect, Decision, MeetDeadline, ScheduleDeadline
from domain.events.victim_contact import RjOption
from domain.victim_contact.asking import _asked
from domain.victim_contact.checks import _check_day, _refuse, _require_invited
from domain.victim_contact.closing import _closure, _reopening
from domain.victim_contact.consent import PREPARED, _consent, _require_ready, _require_safe, granted
from domain.victim_contact.deadlines import (
    CONCLUSION,
    KEEP_INFORMED,
    RJ_INFORMATION,
    RJ_INFORMATION_ENHANCED,
    VCS_REFERRAL,
    has_enhanced_rights,
    open_deadline_rules,
)
from domain.victim_contact.mediation import _conference, _delivered
from domain.victim_contact.ordering import check_order
from domain.victim_contact.reaching import _contact_attempt, _informed_choice, _suitability
from domain.victim_contact.state import ContactState, VictimContactState
from domain.victim_contact.steps import (
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
)


def decide(state: VictimContactState, step: VictimContactStep, *, today: date, later_rules: bool = True) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects.

    `later_rules` checks every step's date against each step it follows (`ordering`) and the options
    explained before consent; False decides as contacts recorded before those checks were (the workflow
    replays its older histories with the patch `victim-steps-in-order` absent)."""
    name = step.step
    if state.state == ContactState.CLOSED:
        raise _refuse(name, f"the contact is closed ({state.closed_outcome}); nothing more can be recorded on it")
    if state.state == ContactState.WITHDRAWN and name not in WHILE_WITHDRAWN:
        raise _refuse(
            name,
            f"the victim withdrew on {state.withdrawn_on}; nothing more is done without them: only reopened "
            "(at the victim's request), conclusion_notified or closed can be recorded",
        )
    _check_day(state, name, step.effective_date, today, each_step=later_rules)
    if later_rules:
        check_order(state, step)
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
            return _informed_choice(state, step, later_rules=later_rules)
        case RecordConsent():
            return _consent(state, step, later_rules=later_rules)
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
            if not later_rules:
                return Decision(
                    events=(ev.ShuttleMessageRelayed(round=state.shuttle_rounds + 1, direction=step.direction, on=day),)
                )
            # A round is a message each way: a second message the same way starts the next round.
            carried = state.shuttle_round_directions
            new_round = state.shuttle_rounds == 0 or step.direction in carried or len(carried) >= 2
            message = max(state.shuttle_messages, state.shuttle_rounds if not carried else 0) + 1
            shuttle = ev.ShuttleMessageRelayed(
                round=state.shuttle_rounds + new_round, message=message, direction=step.direction, on=day
            )
            return Decision(events=(shuttle,))
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
        case RecordContactConsent() | RecordViewsSought() | RecordSupportRequested() | RecordSupportSignposted():
            return _asked(state, step)
        case RecordReopening():
            return _reopening(state, step)
        case RecordClosure():
            return _closure(state, step)
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive
