"""What the YJS asks a victim it has reached, apart from restorative options: whether they agree to be
contacted at all, their views before the plan for the child is made, and whether they want further
support (what KPI 10 counts, yjb-returns.md)."""

from __future__ import annotations

from domain import events as ev
from domain.decisions import Decision
from domain.victim_contact.checks import _refuse
from domain.victim_contact.state import VictimContactState
from domain.victim_contact.steps import (
    RecordContactConsent,
    RecordSupportRequested,
    RecordSupportSignposted,
    RecordViewsSought,
)

Asked = RecordContactConsent | RecordViewsSought | RecordSupportRequested | RecordSupportSignposted


def _asked(state: VictimContactState, step: Asked) -> Decision:
    name = step.step
    day = step.effective_date
    if state.contacted_on is None:
        raise _refuse(name, "the victim has not been contacted yet (contacted): only they can answer this")
    match step:
        case RecordContactConsent():
            if state.contact_consent == step.consented:
                said = "agreed" if step.consented else "did not agree"
                raise _refuse(name, f"the victim already {said} to be contacted")
            return Decision(events=(ev.ContactConsentRecorded(consented=step.consented, on=day),))
        case RecordViewsSought():
            return Decision(
                events=(
                    ev.VictimViewsSought(views_given=step.views_given, before_planning=step.before_planning, on=day),
                )
            )
        case RecordSupportRequested():
            if state.support_requested_on is not None and state.support_signposted_on is None:
                raise _refuse(
                    name,
                    f"the victim asked for support on {state.support_requested_on} and has not been signposted "
                    "yet (support_signposted)",
                )
            return Decision(events=(ev.SupportRequested(on=day),))
        case RecordSupportSignposted():
            if state.support_requested_on is None:
                raise _refuse(name, "the victim has not asked for further support (support_requested)")
            if state.support_signposted_on is not None and state.support_signposted_on >= state.support_requested_on:
                raise _refuse(name, f"the victim was already signposted on {state.support_signposted_on} after asking")
            return Decision(events=(ev.SupportSignposted(on=day),))
