"""Reaching the victim: whether to invite them, attempts at contact, and the informed choice."""

from __future__ import annotations

from domain import events as ev
from domain.decisions import CancelDeadline, DeadlineEffect, Decision, MeetDeadline
from domain.events.victim_contact import RjOption
from domain.victim_contact.checks import _refuse, _require_invited, _vcs_owed
from domain.victim_contact.deadlines import rj_information_rule
from domain.victim_contact.state import VictimContactState
from domain.victim_contact.steps import RecordContactAttempt, RecordInformedChoice, RecordSuitability


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
        raise _refuse(name, "a decision not to invite the victim needs the reason recorded (give reason)", "reason")
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


def _informed_choice(state: VictimContactState, step: RecordInformedChoice, *, later_rules: bool) -> Decision:
    name = step.step
    if state.contacted_on is None:
        raise _refuse(name, "the victim has not been contacted yet (contacted)")
    day = step.effective_date
    explained = None
    if later_rules:
        if not step.options_explained:
            raise _refuse(
                name,
                "options_explained: name the options explained to the victim (one or more of "
                f"{', '.join(RjOption)}); consent can be asked only to an option explained",
            )
        already = set(RjOption) if state.informed_choice_on is not None and state.options_explained is None else set()
        already |= set(state.options_explained or ())
        explained = [o for o in dict.fromkeys(step.options_explained) if o not in already]
        if not explained:
            raise _refuse(
                name,
                f"the informed choice was already given on {state.informed_choice_on} and every option named "
                "in options_explained was already explained",
            )
        if state.informed_choice_on is not None:
            # More options explained later: recorded as such, the first explanation's date stands.
            return Decision(events=(ev.InformedChoiceGiven(on=day, options_explained=explained),))
    elif state.informed_choice_on is not None:
        raise _refuse(name, f"the informed choice was already given on {state.informed_choice_on}")
    events: list[ev.EventPayload] = [ev.InformedChoiceGiven(on=day, options_explained=explained)]
    effects: list[DeadlineEffect] = []
    if state.rj_information_given_on is None:
        events.insert(0, ev.RjInformationGiven(on=day))
        effects.append(MeetDeadline(rule_id=rj_information_rule(state), met_on=day))
    return Decision(events=tuple(events), deadlines=tuple(effects))
