"""The referral order state machine alone: which steps the law and the order's state allow."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter

from domain import events as ev
from domain import referral_order as ro

STEP: TypeAdapter[ro.ReferralOrderStep] = TypeAdapter(ro.ReferralOrderStep)
TODAY = date(2027, 6, 30)


def made(months: int = 6, victims: tuple[str, ...] = ()) -> ro.ReferralOrderState:
    return ro.ReferralOrderState(
        child_id="C-1", yjs="luton", hearing_date=date(2027, 1, 4), months=months, victim_refs=victims
    )


def step(**body: Any) -> ro.ReferralOrderStep:
    return STEP.validate_python({"actor": "alice", **body})


def apply(state: ro.ReferralOrderState, **body: Any) -> ro.ReferralOrderState:
    decision = ro.decide(state, step(**body), today=TODAY)
    for payload in decision.events:
        state = ro.evolve(state, payload)
    return state


def agreed(months: int = 6) -> ro.ReferralOrderState:
    return apply(
        made(months), step="initial_panel_held", effective_date="2027-01-20", contract_signed_date="2027-01-20"
    )


def refused(state: ro.ReferralOrderState, **body: Any) -> str:
    with pytest.raises(ro.StepRefused) as e:
        ro.decide(state, step(**body), today=TODAY)
    return str(e.value)


def test_opening_schedules_first_contact_initial_panel_and_victim_views_when_there_are_victims() -> None:
    """The order opens the clocks that run from the order; victim views only when victims are named."""
    outcome = ev.CourtOutcomeRecorded(
        outcome_id="o", case_reference="c", court_kind="youth", hearing_date=date(2027, 1, 4), disposal_kind="ro"
    )
    rules = [d.rule_id for d in ro.open_order(made(victims=("V-1",)), outcome=outcome).deadlines]
    assert rules == ["ro.first_contact", "ro.initial_panel", "ro.victim_views"]
    assert "ro.victim_views" not in [d.rule_id for d in ro.open_order(made(), outcome=outcome).deadlines]


def test_initial_panel_starts_the_compliance_period_from_signing() -> None:
    """End date = signing date + the order's months, in calendar months."""
    state = agreed(months=6)
    assert state.state == ro.OrderState.CONTRACT_AGREED
    assert state.compliance_end == date(2027, 7, 20)
    decision = ro.decide(
        made(3),
        step(step="initial_panel_held", effective_date="2027-01-31", contract_signed_date="2027-01-31"),
        today=TODAY,
    )
    signed = next(e for e in decision.events if isinstance(e, ev.ContractSigned))
    assert signed.compliance_end == date(2027, 4, 30)


@pytest.mark.parametrize(
    ("state", "body", "reason"),
    [
        (made(), {"step": "progress_panel_held", "effective_date": "2027-02-01"}, "the order is order_made"),
        (made(), {"step": "first_contact_made", "effective_date": "2027-07-01"}, "in the future"),
        (made(), {"step": "first_contact_made", "effective_date": "2027-01-03"}, "before the order was made"),
        (
            made(),
            {"step": "final_panel_held", "effective_date": "2027-02-01", "discharged": True},
            "the order is order_made",
        ),
        (made(), {"step": "court_decision", "effective_date": "2027-02-01", "decision": "continue"}, "referred_back"),
        (
            made(),
            {"step": "victim_views_recorded", "effective_date": "2027-01-05", "victim_ref": "V-9"},
            "not a victim",
        ),
        (
            made(),
            {"step": "initial_panel_held", "effective_date": "2027-01-20", "contract_signed_date": "2027-01-19"},
            "before the panel",
        ),
        (
            agreed(),
            {"step": "referred_back_to_court", "effective_date": "2027-02-01", "grounds": "breach"},
            "needs a reason",
        ),
        (
            agreed(),
            {"step": "progress_panel_held", "effective_date": "2027-01-19"},
            "before contract_signed on 2027-01-20",
        ),
        (agreed(), {"step": "order_completed", "effective_date": "2027-06-01"}, "final_panel_held"),
        (agreed(), {"step": "revocation_refused", "effective_date": "2027-02-01"}, "the order is contract_agreed"),
    ],
)
def test_steps_out_of_order_or_out_of_law_are_refused_with_the_reason(
    state: ro.ReferralOrderState, body: dict[str, Any], reason: str
) -> None:
    """Each refusal names what is wrong."""
    assert reason in refused(state, **body)


def test_first_contact_only_once() -> None:
    """A second first contact is refused, naming the date already recorded."""
    state = apply(made(), step="first_contact_made", effective_date="2027-01-05")
    assert "already recorded on 2027-01-05" in refused(state, step="first_contact_made", effective_date="2027-01-06")


def test_extension_limited_to_three_months_and_twelve_in_total() -> None:
    """The court may extend by at most 3 months, to at most 12 in all (CJCA 2015)."""
    state = apply(agreed(10), step="referred_back_to_court", effective_date="2027-02-01", grounds="breach", reason="r")
    body = {"step": "court_decision", "effective_date": "2027-02-02", "decision": "extend"}
    assert "1–3 months" in refused(state, **body, extension_months=4)
    assert "may not exceed 12 months" in refused(state, **body, extension_months=3)
    extended = apply(state, **body, extension_months=2)
    assert extended.compliance_end == date(2027, 1, 20).replace(year=2028)
    assert extended.state == ro.OrderState.CONTRACT_AGREED
    decision = ro.decide(state, step(**body, extension_months=2), today=TODAY)
    assert [type(d).__name__ for d in decision.deadlines] == [
        "CancelDeadline",
        "CancelDeadline",
        "ScheduleDeadline",
        "ScheduleDeadline",
    ]


def test_refused_revocation_bars_a_new_revocation_referral_for_three_months() -> None:
    """s.102(4): after the court refuses revocation, no new revocation referral for 3 months."""
    state = apply(
        agreed(),
        step="referred_back_to_court",
        effective_date="2027-02-01",
        grounds="revocation_good_progress",
        reason="good progress",
    )
    state = apply(state, step="revocation_refused", effective_date="2027-02-05")
    assert state.revocation_bar_until == date(2027, 5, 5)
    body = {"step": "referred_back_to_court", "grounds": "revocation_good_progress", "reason": "again"}
    assert "s.102(4)" in refused(state, **body, effective_date="2027-05-04")
    assert apply(state, **body, effective_date="2027-05-05").state == ro.OrderState.REFERRED_BACK
    # The bar is only on revocation referrals: a breach referral is still allowed.
    assert (
        apply(state, step="referred_back_to_court", effective_date="2027-02-06", grounds="breach", reason="r").state
        == ro.OrderState.REFERRED_BACK
    )


def test_revocation_closes_the_order_and_cancels_every_open_deadline() -> None:
    """Revoke and resentence ends the order; nothing more can be recorded."""
    state = apply(agreed(), step="referred_back_to_court", effective_date="2027-02-01", grounds="breach", reason="r")
    decision = ro.decide(
        state, step(step="court_decision", effective_date="2027-02-03", decision="revoke_and_resentence"), today=TODAY
    )
    assert any(isinstance(d, ro.CancelDeadline) and d.rule_id == "*" for d in decision.deadlines)
    for payload in decision.events:
        state = ro.evolve(state, payload)
    assert state.state == ro.OrderState.REVOKED
    assert "nothing more can be recorded" in refused(state, step="first_contact_made", effective_date="2027-02-04")


def test_final_panel_before_the_end_then_completion_on_or_after_it() -> None:
    """The final panel must precede the compliance end date; completion meets ro.end on the end date."""
    state = agreed(months=3)  # ends 2027-04-20
    assert "before the compliance period ends" in refused(
        state, step="final_panel_held", effective_date="2027-04-20", discharged=True
    )
    state = apply(state, step="final_panel_held", effective_date="2027-04-15", discharged=True)
    assert "runs until 2027-04-20" in refused(state, step="order_completed", effective_date="2027-04-19")
    decision = ro.decide(state, step(step="order_completed", effective_date="2027-04-26"), today=TODAY)
    assert decision.deadlines == (ro.MeetDeadline(rule_id="ro.end", met_on=date(2027, 4, 20)),)


def test_final_panel_not_discharging_refers_the_order_back() -> None:
    """s.101(5): a panel that does not discharge the child refers the order back to court."""
    state = apply(agreed(months=3), step="final_panel_held", effective_date="2027-04-15", discharged=False)
    assert state.state == ro.OrderState.REFERRED_BACK


def test_victim_views_met_only_when_every_victim_is_heard() -> None:
    """ro.victim_views is met by the last victim's views, not the first."""
    state = made(victims=("V-1", "V-2"))
    first = ro.decide(
        state, step(step="victim_views_recorded", effective_date="2027-01-06", victim_ref="V-1"), today=TODAY
    )
    assert first.deadlines == ()
    state = apply(state, step="victim_views_recorded", effective_date="2027-01-06", victim_ref="V-1")
    second = ro.decide(
        state, step(step="victim_views_recorded", effective_date="2027-01-07", victim_ref="V-2"), today=TODAY
    )
    assert second.deadlines == (ro.MeetDeadline(rule_id="ro.victim_views", met_on=date(2027, 1, 7)),)


def test_no_progress_panel_is_owed_after_the_compliance_period_ends() -> None:
    """A progress panel that would fall due on or after the end is not owed: the final panel meets first.
    The domain names the limit; the recorder cancels a deadline the rule pack puts past it, saying why."""
    three = agreed(months=3)  # signed 2027-01-20, ends 2027-04-20
    opened = ro.decide(
        made(3),
        step(step="initial_panel_held", effective_date="2027-01-20", contract_signed_date="2027-01-20"),
        today=TODAY,
    )
    progress = next(
        d for d in opened.deadlines if isinstance(d, ro.ScheduleDeadline) and d.rule_id == "ro.progress_panel"
    )
    assert progress.due_before == date(2027, 4, 20)
    assert progress.why_not_owed is not None and "2027-04-20" in progress.why_not_owed
    late = ro.decide(three, step(step="progress_panel_held", effective_date="2027-02-10"), today=TODAY)
    held = late.events[0]
    assert isinstance(held, ev.ProgressPanelHeld) and held.next_panel_due_by is None
    assert "No further progress panel is due" in held.describe({})
    early = ro.decide(agreed(months=12), step(step="progress_panel_held", effective_date="2027-02-10"), today=TODAY)
    assert isinstance(early.events[0], ev.ProgressPanelHeld)
    assert early.events[0].next_panel_due_by == date(2027, 5, 10)
    # An order opened before this rule keeps scheduling as it did, so its history replays.
    legacy = three.model_copy(update={"progress_panels_within_order": False})
    again = ro.decide(legacy, step(step="progress_panel_held", effective_date="2027-02-10"), today=TODAY)
    assert next(d for d in again.deadlines if isinstance(d, ro.ScheduleDeadline)).due_before is None


def test_a_final_panel_must_say_whether_the_child_was_discharged() -> None:
    """Nothing assumes a discharge: a final panel without `discharged` is invalid, naming the field."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="discharged"):
        step(step="final_panel_held", effective_date="2027-04-15")


def test_steps_dated_before_the_step_they_follow_are_refused_naming_both() -> None:
    """A progress panel before the last one, a court decision before the referral back: refused with both."""
    state = apply(agreed(12), step="progress_panel_held", effective_date="2027-03-01")
    why = refused(state, step="progress_panel_held", effective_date="2027-02-28")
    assert "progress_panel_held refused: it is dated 2027-02-28, before progress_panel_held on 2027-03-01" in why
    back = apply(state, step="referred_back_to_court", effective_date="2027-03-10", grounds="breach", reason="r")
    why = refused(back, step="court_decision", effective_date="2027-03-09", decision="continue")
    assert "court_decision refused" in why and "before referred_back_to_court on 2027-03-10" in why
    # On the same day is in order.
    assert ro.decide(back, step(step="court_decision", effective_date="2027-03-10", decision="continue"), today=TODAY)
    # A state opened before the check existed keeps no dates and refuses nothing for order.
    legacy = state.model_copy(update={"step_dates": None})
    assert ro.decide(legacy, step(step="progress_panel_held", effective_date="2027-02-28"), today=TODAY)


def test_a_step_that_merely_happened_earlier_can_still_be_entered_late() -> None:
    """Date order is the law's and the order's, not the keyboard's: a variation agreed before a court's
    further-conviction extension, entered after it, is recorded."""
    state = apply(agreed(6), step="extended_by_court", effective_date="2027-03-10", extension_months=2)
    assert ro.decide(
        state, step(step="contract_varied", effective_date="2027-03-01", summary="reparation moved"), today=TODAY
    ).events
