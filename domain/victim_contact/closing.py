"""Reopening a withdrawn contact and closing a contact, with the outcome each close needs."""

from __future__ import annotations

from domain import events as ev
from domain.decisions import CancelDeadline, Decision, ScheduleDeadline
from domain.victim_contact.checks import _refuse, _vcs_owed
from domain.victim_contact.consent import granted
from domain.victim_contact.deadlines import open_deadline_rules
from domain.victim_contact.fold import evolve
from domain.victim_contact.state import ContactState, VictimContactState
from domain.victim_contact.steps import RecordClosure, RecordReopening


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
                raise _refuse(name, "closing safely needs the safeguarding reason recorded (give reason)", "reason")
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
