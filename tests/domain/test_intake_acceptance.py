"""Whether intake accepts a court outcome, decided from its facts alone (domain.intake_acceptance):
a re-delivery answered from the inbox, an acting outcome checked against its order's stream, a further
remand named by the running remand only."""

from __future__ import annotations

from datetime import date

import pytest

from domain import referral_order as ro
from domain.court_decisions import outcome_workflow_ids
from domain.court_outcome import CourtOutcome
from domain.intake_acceptance import Accept, Redelivery, decide_acceptance
from domain.intake_decision import KeptOutcome, OutcomeFacts, RecordedOrder, Refuse, stream_to_read
from tests.domain.test_court_decisions import (
    REMAND_REF,
    RO_REF,
    TODAY,
    YRO_REF,
    acting,
    further_remand,
    running_remand,
)
from tests.domain.test_intake_decision import FURTHER, YRO_SENTENCE, new_referral_order, referral_order, remand

OUTCOME_ID = "LUT-2026-000123-2"


def facts(
    outcome: CourtOutcome,
    order: RecordedOrder | None = None,
    *,
    kept: KeptOutcome | None = None,
    remand_claimed: bool = False,
    sentence_opened: bool = False,
) -> OutcomeFacts:
    return OutcomeFacts(
        outcome=outcome,
        stream_ref=stream_to_read(outcome),
        stream_opened=order is not None,
        order=order,
        kept=kept,
        remand_claimed=remand_claimed,
        sentence_opened=sentence_opened,
    )


def rules(decision: object) -> list[tuple[str, str]]:
    assert isinstance(decision, Refuse), decision
    return [(e.field, e.rule) for e in decision.errors]


def test_a_new_order_is_accepted_naming_the_workflows_it_starts() -> None:
    outcome = new_referral_order()

    decision = decide_acceptance(OutcomeFacts(outcome=outcome), today=TODAY)

    assert decision == Accept(outcome_workflow_ids(outcome))


def test_an_acting_outcome_the_order_can_take_is_accepted_naming_the_order() -> None:
    outcome = acting("order_revoked", RO_REF, grounds="further_offence")

    decision = decide_acceptance(facts(outcome, referral_order(ro.OrderState.ORDER_MADE)), today=TODAY)

    assert decision == Accept([RO_REF])


@pytest.mark.parametrize("status", ["pending", "started"])
def test_a_re_delivery_is_answered_from_the_inbox_before_the_order_is_checked_again(status: str) -> None:
    outcome = acting("order_revoked", RO_REF, grounds="breach")
    kept = KeptOutcome(body={}, workflow_ids=(RO_REF,), relay_status=status)
    # The order has moved on since, because of it: revoked, it would refuse the outcome now.
    revoked = referral_order(ro.OrderState.REVOKED)

    assert decide_acceptance(facts(outcome, revoked, kept=kept), today=TODAY) == Redelivery()


def test_an_outcome_refused_at_delivery_may_come_back_and_is_checked_again() -> None:
    outcome = acting("order_revoked", RO_REF, grounds="further_offence")
    kept = KeptOutcome(body={}, workflow_ids=(RO_REF,), relay_status="refused")

    decision = decide_acceptance(facts(outcome, referral_order(ro.OrderState.ORDER_MADE), kept=kept), today=TODAY)

    assert decision == Accept([RO_REF])


def test_an_outcome_on_no_order_is_refused_naming_the_order_ref() -> None:
    decision = decide_acceptance(facts(acting("order_extended", YRO_REF, new_end_date="2027-06-01")), today=TODAY)

    assert rules(decision) == [("disposal.order_ref", "disposal.order_ref.no_such_order")]


def test_an_order_of_another_child_or_service_is_refused_naming_both() -> None:
    order = referral_order(ro.OrderState.ORDER_MADE)
    elsewhere = RecordedOrder(
        order_ref=order.order_ref, kind=order.kind, child_id="C-2002", yjs="bedford", state=order.state
    )

    decision = decide_acceptance(facts(acting("order_revoked", RO_REF, grounds="breach"), elsewhere), today=TODAY)

    assert rules(decision) == [
        ("child.id", "disposal.order_ref.same_child"),
        ("yjs", "disposal.order_ref.same_service"),
    ]


def test_an_order_that_cannot_take_the_decision_now_is_refused_with_its_reason() -> None:
    decision = decide_acceptance(
        facts(acting("order_revoked", RO_REF, grounds="breach"), referral_order(ro.OrderState.REVOKED)), today=TODAY
    )

    assert rules(decision) == [("disposal", "disposal.refused_by_order")]
    assert isinstance(decision, Refuse) and "the order cannot take it:" in decision.errors[0].message


def test_a_remand_ended_in_a_sentence_whose_order_exists_is_refused() -> None:
    outcome = acting("remand_ended", REMAND_REF, how="convicted_and_sentenced", sentence=YRO_SENTENCE)
    running = remand("LUT-2026-000001-1")

    fresh = decide_acceptance(facts(outcome, running), today=TODAY)
    again = decide_acceptance(facts(outcome, running, sentence_opened=True), today=TODAY)

    assert fresh == Accept([REMAND_REF, YRO_REF])
    assert rules(again) == [("disposal.sentence", "remand_ended.sentence_order_exists")]


def test_a_further_remand_names_the_running_remand_alone() -> None:
    decision = decide_acceptance(facts(further_remand(**FURTHER), remand("LUT-2026-000001-1")), today=TODAY)

    assert decision == Accept([REMAND_REF])


def test_a_further_remand_of_an_ended_remand_is_refused() -> None:
    running = remand("LUT-2026-000001-1")
    ended = RecordedOrder(
        order_ref=running.order_ref,
        kind="remand",
        child_id=running.child_id,
        yjs=running.yjs,
        state=running_remand("youth_detention_accommodation", (date(2026, 2, 20), 56)).model_copy(
            update={"ended_how": "acquitted", "ended_on": date(2026, 2, 27)}
        ),
        opened_by=running.opened_by,
    )

    decision = decide_acceptance(facts(further_remand(**FURTHER), ended), today=TODAY)

    assert rules(decision) == [("disposal", "disposal.refused_by_order")]
    assert isinstance(decision, Refuse) and f"running remand {REMAND_REF}" in decision.errors[0].message


def test_a_remand_another_accepted_outcome_starts_is_kept_as_its_renewal() -> None:
    outcome = further_remand(**FURTHER)

    claimed = decide_acceptance(facts(outcome, remand_claimed=True), today=TODAY)
    unclaimed = decide_acceptance(facts(outcome), today=TODAY)
    own = decide_acceptance(facts(outcome, remand(OUTCOME_ID)), today=TODAY)

    assert claimed == Accept([REMAND_REF])
    assert unclaimed == own == Accept(outcome_workflow_ids(outcome))
