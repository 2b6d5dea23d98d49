""" "Most likely next" from the domain's own rules: each step tried through the kind's `decide`, now and on
the days ahead (domain.acceptable_steps), ranked by the deadlines the case owes (worker_next_steps). No
stack: the states are built by the domain's own decide and evolve, as the workflows build them."""

from __future__ import annotations

from datetime import date, timedelta

from client.order_kinds import KINDS
from client.web import step_forms
from client.web.worker_next_steps import case_next_steps
from domain import referral_order as ro
from domain.acceptable_steps import acceptable_steps
from tests.domain import test_referral_order_state as ro_states
from tests.domain import test_victim_contact_state as vc_states

REFERRAL = next(k for k in KINDS if k.name == "referral_order")
CONTACT_STEPS = list(step_forms.step_models("victim-contact:luton:X:C-1:V-77").values())


def _agreed(months: int) -> ro.ReferralOrderState:
    """An order whose first contact (10 January 2027) and initial panel (20 January) are recorded."""
    contacted = ro_states.apply(ro_states.made(months), step="first_contact_made", effective_date="2027-01-10")
    return ro_states.apply(
        contacted, step="initial_panel_held", effective_date="2027-01-20", contract_signed_date="2027-01-20"
    )


def _decide(state: ro.ReferralOrderState, step: ro.ReferralOrderStep, day: date) -> object:
    return ro.decide(state, step, today=day)


def test_after_the_initial_panel_the_progress_panel_is_next_not_the_final_panel() -> None:
    state = _agreed(months=12)  # signed 20 January 2027
    today = date(2027, 1, 25)
    owed = [
        ("ro.progress_panel", date(2027, 4, 20)),
        ("ro.final_panel", date(2028, 1, 6)),
        ("ro.end", date(2028, 1, 20)),
    ]
    nxt = case_next_steps("referral_order", state, REFERRAL.step_models(), owed, allocated=True, today=today)
    assert nxt.likely[0] == "progress_panel_held"
    assert "final_panel_held" not in nxt.likely
    # Completion is owed, but needs a final panel first: not offered now, nor on any day ahead as things are.
    assert [(a.step, a.from_day) for a in nxt.later if a.step == "order_completed"] == []  # needs a final panel
    assert "order_completed" not in nxt.likely


def test_completion_is_offered_from_the_day_the_order_allows_it() -> None:
    state = ro_states.apply(_agreed(months=3), step="final_panel_held", effective_date="2027-04-15", discharged=True)
    today = date(2027, 4, 16)  # the compliance period ends 20 April 2027
    owed = [("ro.end", date(2027, 4, 20))]
    nxt = case_next_steps("referral_order", state, REFERRAL.step_models(), owed, allocated=True, today=today)
    assert "order_completed" not in nxt.likely
    assert [(a.step, a.from_day) for a in nxt.later] == [("order_completed", date(2027, 4, 20))]
    on_the_day = case_next_steps(
        "referral_order", state, REFERRAL.step_models(), owed, allocated=True, today=date(2027, 4, 20)
    )
    # The order's completion first; the end-of-order assessment (which starts closure oversight) may follow.
    assert on_the_day.likely[0] == "order_completed" and "victim_added" not in on_the_day.likely


def test_an_order_referred_back_offers_the_court_decision() -> None:
    agreed = _agreed(months=3)
    state = ro_states.apply(agreed, step="final_panel_held", effective_date="2027-04-15", discharged=False)
    assert state.state == ro.OrderState.REFERRED_BACK
    nxt = case_next_steps("referral_order", state, REFERRAL.step_models(), [], allocated=True, today=date(2027, 4, 16))
    assert "court_decision" in nxt.likely
    assert "progress_panel_held" not in nxt.likely


def test_an_unallocated_order_is_allocated_first() -> None:
    state = ro_states.made(victims=("V-1",))
    owed = [("ro.first_contact", date(2027, 1, 14)), ("ro.initial_panel", date(2027, 1, 25))]
    nxt = case_next_steps(
        "referral_order",
        state,
        REFERRAL.step_models(),
        owed,
        allocated=False,
        today=date(2027, 1, 5),
        known={"case_worker": ["alice"], "victim_ref": ["V-1"]},
    )
    assert nxt.likely[:3] == ["case_worker_allocated", "first_contact_made", "initial_panel_held"]


def test_no_intervention_is_offered_once_consent_is_withdrawn() -> None:
    prepared = vc_states.prepared("shuttle_mediation")
    relayed = vc_states.apply(
        prepared, step="shuttle_message_relayed", effective_date="2027-01-12", direction="victim_to_child"
    )
    today = date(2027, 1, 20)
    before = [a.step for a in acceptable_steps(vc_decide, relayed, CONTACT_STEPS, today=today)]
    assert {"intervention_delivered", "shuttle_message_relayed"} <= set(before)
    withdrawn = vc_states.consent(relayed, "shuttle_mediation", consented=False, on="2027-01-13")
    after = [a.step for a in acceptable_steps(vc_decide, withdrawn, CONTACT_STEPS, today=today)]
    assert "intervention_delivered" not in after and "shuttle_message_relayed" not in after
    assert "consent_recorded" in after  # the victim may consent again


def test_looking_ahead_finds_the_first_day_to_the_day() -> None:
    state = ro_states.apply(_agreed(months=6), step="final_panel_held", effective_date="2027-06-01", discharged=True)
    found = acceptable_steps(
        _decide, state, REFERRAL.step_models(), today=date(2027, 6, 2), look_ahead=["order_completed"]
    )
    later = {a.step: a.from_day for a in found if a.from_day > date(2027, 6, 2)}
    assert later == {"order_completed": state.compliance_end}
    assert state.compliance_end is not None and state.compliance_end - date(2027, 6, 2) > timedelta(days=14)


def vc_decide(state: object, step: object, day: date) -> object:
    from domain import victim_contact as vc

    return vc.decide(state, step, today=day)  # type: ignore[arg-type]
