"""What the relay does with an accepted court outcome, decided from its facts alone
(domain.intake_decision): start, deliver the order's step (once), wait for a remand's opening, or refuse."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from domain import referral_order as ro
from domain import remand as rm
from domain.calendar import WorkingCalendar
from domain.court_decisions import outcome_reason
from domain.court_outcome import CourtOutcome, validate_court_outcome
from domain.intake_decision import (
    DeliverStep,
    OutcomeFacts,
    RecordedOrder,
    Refuse,
    StartWorkflows,
    Wait,
    decide_delivery,
    stream_to_read,
    update_id,
)
from tests.domain.test_court_decisions import (
    BASE,
    REMAND_REF,
    RO_REF,
    TODAY,
    YRO_REF,
    acting,
    further_remand,
    running_remand,
)

CALENDAR = WorkingCalendar.england_and_wales()
OUTCOME_ID = "LUT-2026-000123-2"
YRO_SENTENCE = {
    "kind": "youth_rehabilitation_order",
    "end_date": "2027-03-01",
    "requirements": [{"kind": "supervision"}],
    "iss": False,
}


def new_referral_order() -> CourtOutcome:
    body = copy.deepcopy(BASE)
    body["disposal"] = {"kind": "referral_order", "months": 6}
    return validate_court_outcome(body, today=TODAY)


def referral_order(state: ro.OrderState) -> RecordedOrder:
    order = ro.ReferralOrderState(child_id="C-1001", yjs="luton", hearing_date=date(2026, 1, 5), months=6, state=state)
    return RecordedOrder(
        order_ref=RO_REF,
        kind="referral_order",
        child_id="C-1001",
        yjs="luton",
        state=order,
        opened_by="LUT-2026-000001-1",
    )


def remand(opened_by: str) -> RecordedOrder:
    state = running_remand("youth_detention_accommodation", (date(2026, 2, 20), 56))
    return RecordedOrder(
        order_ref=REMAND_REF, kind="remand", child_id="C-1001", yjs="luton", state=state, opened_by=opened_by
    )


def acting_on(outcome: CourtOutcome, order_ref: str) -> CourtOutcome:
    """The outcome as kept in the inbox under another order_ref (accepted under other rules)."""
    return outcome.model_copy(update={"disposal": outcome.disposal.model_copy(update={"order_ref": order_ref})})


def facts(
    outcome: CourtOutcome,
    order: RecordedOrder | None = None,
    *,
    court_reasons: frozenset[str] = frozenset(),
    remand_claimed: bool = False,
) -> OutcomeFacts:
    return OutcomeFacts(
        outcome=outcome,
        stream_ref=stream_to_read(outcome),
        stream_opened=order is not None,
        order=order,
        court_reasons=court_reasons,
        remand_claimed=remand_claimed,
    )


def test_an_outcome_opening_a_new_order_starts_it_without_reading_anything() -> None:
    outcome = new_referral_order()

    assert stream_to_read(outcome) is None
    assert decide_delivery(OutcomeFacts(outcome=outcome), calendar=CALENDAR) == StartWorkflows(outcome)


def test_an_acting_outcome_is_the_orders_step_under_the_outcomes_update_id() -> None:
    outcome = acting("order_revoked", RO_REF, grounds="further_offence")

    decision = decide_delivery(facts(outcome, referral_order(ro.OrderState.ORDER_MADE)), calendar=CALENDAR)

    assert isinstance(decision, DeliverStep)
    assert (decision.order_ref, decision.kind, decision.outcome_id) == (RO_REF, "referral_order", OUTCOME_ID)
    assert decision.update_id == update_id(OUTCOME_ID) == f"court-outcome:{OUTCOME_ID}"
    assert decision.already_recorded is False and decision.then_start is None
    # Decided on the order's state as the stream tells it: not referred back, so revoked by the court.
    assert isinstance(decision.step, ro.RecordRevokedByCourt)


def test_the_orders_state_picks_the_step_a_referral_order_referred_back_takes_the_courts_decision() -> None:
    outcome = acting("order_revoked", RO_REF, grounds="further_offence")

    decision = decide_delivery(facts(outcome, referral_order(ro.OrderState.REFERRED_BACK)), calendar=CALENDAR)

    assert isinstance(decision, DeliverStep)
    assert isinstance(decision.step, ro.RecordCourtDecision) and decision.step.decision == "revoke_and_resentence"


def test_a_step_the_orders_stream_already_holds_is_not_sent_again() -> None:
    outcome = acting("order_extended", YRO_REF, new_end_date="2027-06-01")
    recorded = facts(outcome, None, court_reasons=frozenset({outcome_reason(OUTCOME_ID)}))
    other = facts(outcome, None, court_reasons=frozenset({outcome_reason("LUT-2026-000999-1")}))

    first = decide_delivery(recorded, calendar=CALENDAR)
    second = decide_delivery(other, calendar=CALENDAR)

    assert isinstance(first, DeliverStep) and first.already_recorded is True
    assert isinstance(second, DeliverStep) and second.already_recorded is False


def test_an_order_ref_naming_no_kind_of_order_is_refused_at_delivery() -> None:
    outcome = acting_on(acting("order_revoked", RO_REF, grounds="breach"), "parenting-order:luton:41CJ1234526:C-1001")

    decision = decide_delivery(facts(outcome), calendar=CALENDAR)

    assert isinstance(decision, Refuse)
    assert [(e.field, e.rule) for e in decision.errors] == [("disposal", "disposal.refused_by_order_at_delivery")]
    assert "names no kind of order yjflow runs" in str(decision)


def test_an_outcome_that_no_longer_fits_its_order_is_refused_naming_the_field() -> None:
    # Accepted for a referral order; delivered to a remand (an order_ref corrected meanwhile) it does not fit.
    outcome = acting_on(acting("order_extended", RO_REF, extension_months=2), REMAND_REF)

    decision = decide_delivery(facts(outcome), calendar=CALENDAR)

    assert isinstance(decision, Refuse)
    assert [(e.field, e.rule) for e in decision.errors] == [("disposal.order_ref", "order_extended.order_kind")]


def test_a_remand_ended_in_a_sentence_starts_the_sentence_after_the_remand_takes_its_ending() -> None:
    outcome = acting("remand_ended", REMAND_REF, how="convicted_and_sentenced", sentence=YRO_SENTENCE)

    decision = decide_delivery(facts(outcome, remand("LUT-2026-000001-1")), calendar=CALENDAR)

    assert isinstance(decision, DeliverStep) and decision.kind == "remand"
    assert isinstance(decision.step, rm.RecordRemandEnded)
    assert decision.then_start is not None and decision.then_start.disposal.kind == "youth_rehabilitation_order"


FURTHER = {
    "type": "youth_detention_accommodation",
    "next_hearing_date": "2026-03-30",
    "ctl_start_date": "2026-02-20",
    "ctl_days": 182,
}


def test_a_remand_whose_stream_another_outcome_opened_renews_it() -> None:
    outcome = further_remand(**FURTHER)

    decision = decide_delivery(facts(outcome, remand("LUT-2026-000001-1")), calendar=CALENDAR)

    assert isinstance(decision, DeliverStep)
    assert (decision.order_ref, decision.kind) == (REMAND_REF, "remand")
    assert isinstance(decision.step, rm.RecordRemandRenewed)
    # A new limit: its expiry counted on the calendar given.
    assert decision.step.ctl_expiry == CALENDAR.ctl_expiry(date(2026, 2, 20), 182)


def test_a_remand_whose_stream_it_opened_itself_is_its_own_start_again() -> None:
    outcome = further_remand(**FURTHER)

    assert decide_delivery(facts(outcome, remand(OUTCOME_ID)), calendar=CALENDAR) == StartWorkflows(outcome)


@pytest.mark.parametrize("claimed", [True, False])
def test_a_remand_another_accepted_outcome_starts_waits_for_its_opening(claimed: bool) -> None:
    outcome = further_remand(**FURTHER)

    decision = decide_delivery(facts(outcome, None, remand_claimed=claimed), calendar=CALENDAR)

    if claimed:
        assert isinstance(decision, Wait) and "has not recorded its opening yet" in decision.why
    else:
        assert decision == StartWorkflows(outcome)


def test_a_claim_is_no_reason_to_wait_once_the_remands_stream_has_events() -> None:
    outcome = further_remand(**FURTHER)
    opened_without_its_opening = OutcomeFacts(
        outcome=outcome, stream_ref=REMAND_REF, stream_opened=True, order=None, remand_claimed=True
    )

    assert decide_delivery(opened_without_its_opening, calendar=CALENDAR) == StartWorkflows(outcome)


def test_the_stream_read_is_the_order_acted_on_or_the_remand_opened_or_renewed() -> None:
    assert stream_to_read(acting("order_revoked", YRO_REF, grounds="further_offence")) == YRO_REF
    assert stream_to_read(further_remand(**FURTHER)) == REMAND_REF
