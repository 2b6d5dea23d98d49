"""Order hand-over through the live API: a referral order transferred to another YJS is exported with
its whole timeline and hash chain, which the receiving service checks from the export alone; a referral
order not referred back is revoked by the court's further sentence."""

from __future__ import annotations

import asyncio
from datetime import datetime

from domain.chain import GENESIS_HASH, event_hash
from tests.client.conftest import Stack, outcome, today
from tests.client.test_api import of_type, step, submit
from tests.client.test_court_decisions_api import acting, started


async def test_an_order_transferred_to_another_yjs_is_exported_with_its_whole_chain(stack: Stack) -> None:
    order = outcome()
    wid = await started(stack, order, "ReferralOrderMade", "DeadlineScheduled", "VictimContactOpened")
    on = today().isoformat()
    for s in (
        {"step": "transferred", "effective_date": on, "to": "yjs", "to_yjs": "bedford"},
        {"step": "first_contact_made", "effective_date": on},
    ):
        r = await step(stack, wid, s)
        assert r.status_code == 200, r.text

    async with stack.http("intake") as http:
        assert (await http.get(f"/orders/{wid}/export")).status_code == 403
    async with stack.http("case_worker") as http:
        assert (await http.get("/orders/referral-order:luton:nope:nope/export")).status_code == 404
        r = await http.get(f"/orders/{wid}/export")
    assert r.status_code == 200, r.text
    export = r.json()

    assert (export["order_id"], export["yjs"], export["verify"]["ok"]) == (wid, "bedford", True)
    events = export["events"]
    assert [e["stream_version"] for e in events] == list(range(1, len(events) + 1))
    assert "OrderTransferred" in {e["event_type"] for e in events}
    # The receiving service recomputes the chain from the export alone.
    prev = GENESIS_HASH
    for e in events:
        assert e["prev_hash"] == prev
        recomputed = event_hash(
            prev_hash=prev,
            event_id=e["event_id"],
            stream_id=e["stream_id"],
            stream_version=e["stream_version"],
            event_type=e["event_type"],
            child_id=e["child_id"],
            yjs=e["yjs"],
            effective_at=datetime.fromisoformat(e["effective_at"]),
            recorded_at=datetime.fromisoformat(e["recorded_at"]),
            actor=e["actor"],
            reason=e["reason"],
            payload=e["payload"],
        )
        assert recomputed == e["hash"]
        prev = e["hash"]
    assert (export["head_version"], export["head_hash"]) == (events[-1]["stream_version"], prev)
    # The victim's contact travels as reference and type only, as the child's timeline shows it.
    contacts = export["victim_contacts"]
    assert contacts and {c["victim_ref"] for c in contacts} == {order["victims"][0]["ref"]}
    assert "VictimContactOpened" in {c["event_type"] for c in contacts}
    assert all("payload" not in c and "reason" not in c for c in contacts)


async def test_a_referral_order_not_referred_back_is_revoked_by_the_courts_further_sentence(stack: Stack) -> None:
    order = outcome(victims=[])
    wid = await started(stack, order, "ReferralOrderMade", "DeadlineScheduled")

    r = await submit(stack, acting(order, kind="order_revoked", order_ref=wid, grounds="further_offence"))

    assert r.status_code == 202, r.text
    handle = stack.temporal.get_workflow_handle(wid)
    assert await asyncio.wait_for(handle.result(), timeout=20) == "revoked"
    timeline = await stack.wait_for_events(order["child"]["id"], "OrderRevoked")
    assert not of_type(timeline, "CourtDecisionRecorded")
    (revoked,) = of_type(timeline, "OrderRevoked")
    assert (revoked["actor"], revoked["payload"]["grounds"]) == ("court-intake", "further_offence")
    assert "open" not in {d["status"] for d in timeline["deadlines"] if d["workflow_id"] == wid}
