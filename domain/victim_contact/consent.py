"""Consent per option (voluntarism, §2.3) and what each option needs before anything is done under it.

Who may consent is checked when consent is recorded; a live consent, a risk assessment that allows the
work and, for meetings, preparation of both parties are checked before the work goes ahead.
"""

from __future__ import annotations

from domain import events as ev
from domain.decisions import Decision
from domain.events.victim_contact import RjOption
from domain.victim_contact.checks import _refuse
from domain.victim_contact.state import VictimContactState
from domain.victim_contact.steps import RecordConsent

# Options that carry something between victim and child need a risk assessment that lets them go ahead.
RISK_GATED = frozenset(
    {RjOption.LETTER_OF_EXPLANATION, RjOption.SHUTTLE_MEDIATION, RjOption.DIRECT_CONFERENCE, RjOption.DIRECT_REPARATION}
)
# Options for which victim and child are prepared in meetings before anything passes between them.
PREPARED = frozenset({RjOption.SHUTTLE_MEDIATION, RjOption.DIRECT_CONFERENCE, RjOption.DIRECT_REPARATION})
SAFE_TO_PROCEED = frozenset({"proceed", "proceed_with_safeguards"})


def granted(state: VictimContactState) -> frozenset[RjOption]:
    """The options the victim currently consents to."""
    return frozenset(o for o, c in state.consents.items() if c.granted)


def victim_views_for_panel(state: VictimContactState) -> bool:
    """Whether the victim's views can reach the referral-order panel (`ro.victim_views`).

    True once the victim consents to panel participation (to attend or send views) or has given their
    views (panel participation delivered, even if the consent was later revoked, or views given when
    sought: `views_sought` with views_given). The contact workflow
    is to send its order a `VictimViewsReceived` signal (domain/messages.py) the first time this turns
    True after a step; the order then records `victim_views_recorded` for this victim ref, which meets
    `ro.victim_views` once every victim named on the order is heard.
    """
    return (
        RjOption.PANEL_PARTICIPATION in granted(state)
        or RjOption.PANEL_PARTICIPATION in state.delivered
        or state.views_given
    )


def _consent(state: VictimContactState, step: RecordConsent, *, later_rules: bool = True) -> Decision:
    name = step.step
    ref = state.victim_ref
    if state.informed_choice_on is None:
        raise _refuse(
            name,
            "the victim has not been given an informed choice yet (informed_choice_given): each option is "
            "explained before consent to it is asked",
        )
    explained = state.options_explained
    if later_rules and step.consented and explained is not None and step.option not in explained:
        # A "no" is always honoured; a "yes" only to what the victim had explained to them.
        raise _refuse(
            name,
            f"option: {step.option} was not explained to the victim (explained: {', '.join(explained)}); "
            "record informed_choice_given naming it before asking consent to it",
        )
    if state.victim_kind == "organisation":
        if step.given_by != "named_contact":
            raise _refuse(
                name,
                f"{ref} is an organisation: it consents only through its named contact (named_contact)",
                "given_by",
            )
    elif step.given_by == "named_contact":
        raise _refuse(name, f"{ref} is a person: named_contact is only for an organisation", "given_by")
    elif not state.under_18 and step.given_by == "parent_or_guardian":
        raise _refuse(name, f"{ref} is an adult: consent is the victim's own, not a parent's or guardian's", "given_by")
    elif state.under_18 and step.consented and step.given_by != "parent_or_guardian":
        # A victim under 18 agrees with a parent or guardian involved; the record names the parent. Either
        # of them saying no is honoured at once, so only the giving of consent is checked.
        raise _refuse(
            name,
            f"{ref} is under 18: consent is given with a parent or guardian involved (given_by=parent_or_guardian)",
            "given_by",
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
