"""Order of steps by date: a step is never dated before a step it follows (issue #15, part 3).

Steps are often recorded late and back-dated, so the order they are recorded in is no guide; what matters
is that the dates tell a possible story. For each step, `follows` names the earlier facts it depends on,
with the day each took effect, and `check_order` refuses a step dated before any of them, naming both.
A risk assessment follows the consent it assesses; feedback follows the delivery it is about and the
conclusion it was asked after; a closure or withdrawal follows everything already on the record.
"""

from __future__ import annotations

from datetime import date

from domain.events.victim_contact import RjOption
from domain.victim_contact.checks import _refuse
from domain.victim_contact.consent import PREPARED, RISK_GATED
from domain.victim_contact.state import VictimContactState
from domain.victim_contact.steps import (
    RecordClosure,
    RecordConclusionNotified,
    RecordConference,
    RecordConsent,
    RecordContactAttempt,
    RecordContactConsent,
    RecordContacted,
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

Earlier = tuple[str, date | None]


def _consent_on(state: VictimContactState, option: RjOption) -> Earlier:
    c = state.consents.get(option)
    return (f"consent to {option} was given", c.on if c is not None and c.granted else None)


def _earliest_consent(state: VictimContactState, options: frozenset[RjOption]) -> Earlier:
    days = [c.on for o, c in state.consents.items() if c.granted and o in options]
    return ("the first consent it depends on was given", min(days) if days else None)


def _risk(state: VictimContactState) -> Earlier:
    return ("the risk was assessed", state.risk_assessed_on)


def _prepared(state: VictimContactState) -> list[Earlier]:
    return [(f"the preparation meeting with the {p} was held", d) for p, d in sorted(state.prepared_on.items())]


def follows(state: VictimContactState, step: VictimContactStep) -> list[Earlier]:
    """The earlier facts `step` depends on, each with the day it took effect (None: not recorded)."""
    details: Earlier = ("the victim's details were received", state.details_received_on)
    contacted: Earlier = ("the victim was contacted", state.contacted_on)
    informed: Earlier = ("the informed choice was given", state.informed_choice_on)
    everything: Earlier = ("the latest step already recorded", state.last_step_on)
    match step:
        case RecordSuitability() | RecordVcsReferral():
            return [details]
        case RecordContactAttempt() | RecordContacted():
            return [details, ("whether to invite the victim was decided", state.suitability_decided_on)]
        case RecordInformedChoice() | RecordKeepInformedChoice():
            return [details, contacted]
        case RecordConsent():
            earlier = [details, contacted, informed]
            current = state.consents.get(step.option)
            if current is not None:
                answer = "given" if current.granted else "refused"
                earlier.append((f"consent to {step.option} was last {answer}", current.on))
            return earlier
        case RecordRiskAssessment():
            return [details, contacted, informed, _earliest_consent(state, frozenset(RjOption))]
        case RecordPreparationMeeting():
            return [informed, _earliest_consent(state, PREPARED), _risk(state)]
        case RecordShuttleMessage():
            option = RjOption.SHUTTLE_MEDIATION
            shuttle: Earlier = ("the previous shuttle message was carried", state.last_shuttle_on)
            return [informed, _consent_on(state, option), _risk(state), *_prepared(state), shuttle]
        case RecordConference():
            return [informed, _consent_on(state, RjOption.DIRECT_CONFERENCE), _risk(state), *_prepared(state)]
        case RecordInterventionDelivered():
            earlier = [informed, _consent_on(state, step.option)]
            if step.option in RISK_GATED:
                earlier.append(_risk(state))
            if step.option == RjOption.SHUTTLE_MEDIATION:
                earlier.append(("the last shuttle message was carried", state.last_shuttle_on))
            if step.option == RjOption.DIRECT_CONFERENCE:
                earlier.append(("the conference was held", state.last_conference_on))
            return earlier
        case RecordKeptInformed():
            milestone = state.milestones_on.get(step.milestone)
            return [contacted, (f"the order's milestone {step.milestone} was received", milestone)]
        case RecordConclusionNotified():
            ended: Earlier = ("the order ended", state.order_ended_on)
            delivered = [(f"{o} was delivered", d) for o, d in sorted(state.delivered_on.items())]
            return [details, *delivered, ended]
        case RecordFeedback():
            first: Earlier = ("the first intervention was delivered", min(state.delivered_on.values(), default=None))
            return [informed, first, ("the victim was told the work had concluded", state.conclusion_notified_on)]
        case RecordContactConsent() | RecordViewsSought() | RecordSupportRequested():
            return [details, contacted]
        case RecordSupportSignposted():
            return [details, contacted, ("the victim asked for further support", state.support_requested_on)]
        case RecordReopening():
            return [("the victim withdrew", state.withdrawn_on)]
        case RecordWithdrawal() | RecordClosure():
            return [everything]
    return []


def check_order(state: VictimContactState, step: VictimContactStep) -> None:
    """Refuse `step` when it is dated before a fact it follows, naming the fact and both days (the latest
    such fact: the one nearest the date given)."""
    day = step.effective_date
    later = [(since, what) for what, since in follows(state, step) if since is not None and day < since]
    if later:
        since, what = max(later, key=lambda pair: pair[0])
        raise _refuse(
            step.step,
            f"effective date {day} is before {what} ({since}), which it depends on: a step cannot have "
            "happened before the step it follows (if that step's date is wrong, it needs correcting first)",
        )
