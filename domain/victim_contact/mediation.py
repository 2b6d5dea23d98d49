"""Restorative conferences and delivering an intervention, once consent, safety and preparation allow."""

from __future__ import annotations

from domain import events as ev
from domain.decisions import Decision
from domain.events.victim_contact import RjOption
from domain.victim_contact.checks import _refuse
from domain.victim_contact.consent import RISK_GATED, _require_consent, _require_ready
from domain.victim_contact.state import VictimContactState
from domain.victim_contact.steps import RecordConference, RecordInterventionDelivered


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
    if option == RjOption.SHUTTLE_MEDIATION and max(state.shuttle_rounds, state.shuttle_messages) == 0:
        raise _refuse(name, "no shuttle message has been relayed yet (shuttle_message_relayed)")
    if option == RjOption.DIRECT_CONFERENCE and state.conferences_held == 0:
        raise _refuse(name, "no conference has been held yet (conference_held)")
    return Decision(events=(ev.InterventionDelivered(option=option, on=step.effective_date),))
