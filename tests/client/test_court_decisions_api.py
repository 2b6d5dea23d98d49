"""Court outcomes acting on running orders, through the live API: intake checks the order and refuses
with a 422 (kept in the rejected list) what it cannot take; the relay delivers the rest to the order,
recorded as the court's."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from tests.client.conftest import Stack, outcome, today, workflow_id_of
from tests.client.test_api import of_type, step, submit


def acting(order: dict[str, Any], **disposal: Any) -> dict[str, Any]:
    """A later hearing's outcome for the order's case and child, acting on the order."""
    return {
        **order,
        "outcome_id": f"{order['outcome_id']}-{uuid.uuid4().hex[:4]}",
        "disposal": disposal,
        "victims": [],
    }


def yro_body() -> dict[str, Any]:
    return outcome(
        disposal={
            "kind": "youth_rehabilitation_order",
            "end_date": (today() + timedelta(days=365)).isoformat(),
            "requirements": [{"kind": "supervision"}],
            "iss": False,
        },
        victims=[],
    )


async def started(stack: Stack, body: dict[str, Any], *events: str) -> str:
    r = await submit(stack, body)
    assert r.status_code == 202, r.text
    await stack.wait_for_events(body["child"]["id"], *events)
    return str(r.json()["workflow_ids"][0])


async def kept_in_rejected(stack: Stack, outcome_id: str) -> list[dict[str, Any]]:
    async with stack.http("intake") as http:
        return list((await http.get("/court-outcomes/rejected", params={"outcome_id": outcome_id})).json())


async def test_a_yro_breach_outcome_acts_on_the_running_order_as_the_court(stack: Stack) -> None:
    order = yro_body()
    wid = await started(stack, order, "YouthRehabilitationOrderMade", "DeadlineScheduled")
    on = today().isoformat()
    for s in (
        {"step": "appointment_missed", "effective_date": on},
        {"step": "absence_explained", "effective_date": on, "acceptable": False},
        {"step": "breach_laid", "effective_date": on, "reason": "no contact for three weeks"},
    ):
        r = await step(stack, wid, s)
        assert r.status_code == 200, r.text
    assert r.json()["order"]["state"] == "breach_laid"

    body = acting(order, kind="breach_outcome", order_ref=wid, decision="fine")
    r = await submit(stack, body)

    assert r.status_code == 202, r.text
    assert r.json()["workflow_ids"] == [wid]
    timeline = await stack.wait_for_events(order["child"]["id"], "CourtBreachOutcome")
    (recorded,) = of_type(timeline, "CourtBreachOutcome")
    assert recorded["workflow_id"] == wid
    assert recorded["actor"] == "court-intake"
    assert recorded["reason"] == f"court outcome {body['outcome_id']}"
    assert recorded["payload"]["decision"] == "fine"
    row = await stack.wait_for_inbox(body["outcome_id"], lambda r: r["relay_status"] == "started", what="delivered")
    assert row["last_error"] is None
    async with stack.http("case_worker") as http:
        view = (await http.get(f"/orders/{wid}")).json()
    assert view["order"]["state"] == "order_made" and view["order"]["breach_laid_date"] is None


async def test_an_order_revoked_closes_a_referral_order(stack: Stack) -> None:
    order = outcome()
    wid = await started(stack, order, "ReferralOrderMade", "DeadlineScheduled")
    on = today().isoformat()
    for s in (
        {"step": "initial_panel_held", "effective_date": on, "contract_signed_date": on},
        {"step": "referred_back_to_court", "effective_date": on, "grounds": "breach", "reason": "further offence"},
    ):
        r = await step(stack, wid, s)
        assert r.status_code == 200, r.text

    r = await submit(stack, acting(order, kind="order_revoked", order_ref=wid, grounds="further_offence"))

    assert r.status_code == 202, r.text
    handle = stack.temporal.get_workflow_handle(wid)
    assert await asyncio.wait_for(handle.result(), timeout=20) == "revoked"
    timeline = await stack.wait_for_events(order["child"]["id"], "OrderRevoked")
    (decided,) = of_type(timeline, "CourtDecisionRecorded")
    (revoked,) = of_type(timeline, "OrderRevoked")
    assert decided["payload"]["decision"] == "revoke_and_resentence"
    assert (revoked["actor"], revoked["payload"]["grounds"]) == ("court-intake", "resentenced")
    assert "open" not in {d["status"] for d in timeline["deadlines"] if d["workflow_id"] == wid}


async def test_an_outcome_naming_an_unknown_order_is_422_and_kept(stack: Stack) -> None:
    order = outcome()
    unknown = workflow_id_of(order)  # never submitted
    body = acting(order, kind="order_extended", order_ref=unknown, extension_months=2)

    r = await submit(stack, body)

    assert r.status_code == 422, r.text
    (error,) = r.json()["errors"]
    assert (error["field"], error["rule"]) == ("disposal.order_ref", "disposal.order_ref.no_such_order")
    assert error["message"].startswith("no order has this order_ref")
    assert await stack.inbox(body["outcome_id"]) is None
    (kept,) = await kept_in_rejected(stack, body["outcome_id"])
    assert kept["body"] == body and kept["errors"] == r.json()["errors"]


async def test_a_breach_outcome_on_a_yro_with_no_breach_laid_is_422_with_the_orders_reason(stack: Stack) -> None:
    order = yro_body()
    wid = await started(stack, order, "YouthRehabilitationOrderMade", "DeadlineScheduled")
    body = acting(order, kind="breach_outcome", order_ref=wid, decision="continue")

    r = await submit(stack, body)

    assert r.status_code == 422, r.text
    (error,) = r.json()["errors"]
    assert (error["field"], error["rule"]) == ("disposal", "disposal.refused_by_order")
    assert error["message"] == (
        "the order cannot take it: court_breach_outcome refused: the order is order_made; "
        "this step needs it to be breach_laid"
    )
    assert await stack.inbox(body["outcome_id"]) is None
    (kept,) = await kept_in_rejected(stack, body["outcome_id"])
    assert kept["body"] == body
    timeline = await stack.timeline(order["child"]["id"])
    assert timeline is not None and not of_type(timeline, "CourtBreachOutcome")


async def test_a_remand_ended_by_conviction_closes_the_remand_and_starts_the_sentence(stack: Stack) -> None:
    order = outcome(
        disposal={
            "kind": "remand",
            "type": "bail_with_support",
            "next_hearing_date": (today() + timedelta(days=14)).isoformat(),
            "first_remand": True,
        },
        victims=[],
    )
    remand = await started(stack, order, "RemandStarted")
    sentence = {
        "kind": "youth_rehabilitation_order",
        "end_date": (today() + timedelta(days=365)).isoformat(),
        "requirements": [{"kind": "supervision"}],
        "iss": False,
    }
    body = acting(order, kind="remand_ended", order_ref=remand, how="convicted_and_sentenced", sentence=sentence)

    r = await submit(stack, body)

    assert r.status_code == 202, r.text
    sentence_id = remand.replace("remand:", "youth-rehabilitation-order:", 1)
    assert r.json()["workflow_ids"] == [remand, sentence_id]
    assert await asyncio.wait_for(stack.temporal.get_workflow_handle(remand).result(), timeout=20) == "ended"
    timeline = await stack.wait_for_events(order["child"]["id"], "RemandEnded", "YouthRehabilitationOrderMade")
    (ended,) = of_type(timeline, "RemandEnded")
    assert ended["actor"] == "court-intake"
    assert ended["payload"]["how"] == "convicted_and_sentenced"
    assert ended["payload"]["sentence_order_id"] == sentence_id
    (made,) = of_type(timeline, "YouthRehabilitationOrderMade")
    assert made["workflow_id"] == sentence_id
    async with stack.http("case_worker") as http:
        r = await http.get(f"/orders/{sentence_id}")
    assert r.status_code == 200, r.text
    assert (r.json()["kind"], r.json()["order"]["state"]) == ("youth_rehabilitation_order", "order_made")
