"""One case through its hearings as Libra sends them, through the running API into real workflows: a first
remand to youth detention with its custody time limit, the next hearing's remand renewing it, the sentence
ending it and starting the order; the sentence resent unchanged is a duplicate, resent changed it is held
for a manager, who confirms one change (applied as a court decision on the order) and rejects another."""

from __future__ import annotations

from typing import Any

from tests.client.conftest import Stack, eventually
from tests.client.court_messages import new_case, spi_for

DOB = {"<DC:Birthdate>2011-03-01</DC:Birthdate>": "<DC:Birthdate>2009-08-30</DC:Birthdate>"}
SENTENCED = {"<DC:DateOfHearing>2026-11-16</DC:DateOfHearing>\n\t\t\t\t<DC:TimeOfHearing>": (
    "<DC:DateOfHearing>2026-12-01</DC:DateOfHearing>\n\t\t\t\t<DC:TimeOfHearing>"
)}  # fmt: skip


async def send(stack: Stack, text: str, role: str = "intake") -> Any:
    async with stack.http(role) as http:
        return await http.post("/court-results/spi", content=text.encode(), headers={"Content-Type": "application/xml"})


def only(reply: Any) -> dict[str, Any]:
    [answer] = reply.json()["defendants"]
    return dict(answer)


async def stream(stack: Stack, workflow_id: str, event_type: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        async with stack.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT payload, actor, reason FROM events WHERE stream_id = %s AND event_type = %s "
                "ORDER BY stream_version",
                (workflow_id, event_type),
            )
            return [dict(r) for r in await cur.fetchall()]

    return list(await eventually(read, lambda rows: bool(rows), what=f"{event_type} on {workflow_id}"))


async def test_a_remand_renewed_then_ended_by_sentence_and_the_sentence_amended(stack: Stack) -> None:
    case, asn = new_case()
    remand_id = f"remand:luton:{case}:{asn}"
    yro_id = f"youth-rehabilitation-order:luton:{case}:{asn}"

    first = only(await send(stack, spi_for("spi_remand_youth_detention.xml", case=case, asn=asn, replace=DOB)))
    assert first["status"] == "accepted" and first["workflow_ids"] == [remand_id], first
    [started] = await stream(stack, remand_id, "RemandStarted")
    assert (started["payload"]["ctl_days"], started["payload"]["ctl_start_date"]) == (56, "2026-11-16")

    renewed = only(
        await send(stack, spi_for("spi_remand_youth_detention_renewed.xml", case=case, asn=asn, replace=DOB))
    )
    assert renewed["status"] == "accepted" and renewed["workflow_ids"] == [remand_id], renewed
    [renewal] = await stream(stack, remand_id, "RemandRenewed")
    assert renewal["payload"]["next_hearing_date"] == "2026-12-21"
    assert renewal["payload"]["first_custodial_remand"] is False

    sentence_text = spi_for("spi_youth_rehabilitation_order.xml", case=case, asn=asn, replace=SENTENCED)
    sentence = only(await send(stack, sentence_text))
    assert sentence["status"] == "accepted" and sentence["workflow_ids"][:2] == [remand_id, yro_id], sentence
    [ended] = await stream(stack, remand_id, "RemandEnded")
    assert ended["payload"]["how"] == "convicted_and_sentenced" and ended["payload"]["sentence_order_id"] == yro_id
    await stream(stack, yro_id, "YouthRehabilitationOrderMade")

    # The same hearing resent unchanged: a duplicate, nothing new.
    again = only(await send(stack, sentence_text))
    assert again["status"] == "duplicate" and again["workflow_ids"][:2] == [remand_id, yro_id], again

    # Resent with the order's end date moved: held for a manager with the difference, not applied.
    moved = sentence_text.replace("2027-11-15", "2028-02-15")
    held = await send(stack, moved)
    assert held.status_code == 202, held.text
    amendment = only(held)
    assert amendment["status"] == "amendment", amendment
    assert amendment["difference"] == "disposal.end_date: 2027-11-15 → 2028-02-15"
    assert only(await send(stack, moved))["amendment_id"] == amendment["amendment_id"]  # held once

    async with stack.http("manager") as http:
        listed = (await http.get("/court-results/amendments")).json()
        mine = [a for a in listed if a["id"] == amendment["amendment_id"]]
        assert mine and mine[0]["difference"] == [
            {"field": "disposal.end_date", "before": "2027-11-15", "after": "2028-02-15"}
        ]
        assert mine[0]["defendant"]["child_id"] == asn and mine[0]["result_codes"][0] == "1141"
        confirmed = await http.post(f"/court-results/amendments/{amendment['amendment_id']}/confirm", json={})
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["workflow_ids"] == [yro_id]
        assert confirmed.json()["amendment"]["decided_by"] == stack.usernames["manager"]
        twice = await http.post(f"/court-results/amendments/{amendment['amendment_id']}/confirm", json={})
        assert twice.status_code == 409 and "already confirmed" in twice.text
    [amended] = await stream(stack, yro_id, "OrderAmended")
    assert amended["payload"]["new_end_date"] == "2028-02-15"
    applied = confirmed.json()["amendment"]["applied_outcome_id"]
    assert (await stack.inbox(applied))["received_by"] == stack.usernames["manager"]  # type: ignore[index]
    # The confirmed change sent once more: already decided, so nothing is held again.
    assert only(await send(stack, moved))["status"] == "duplicate"

    # A change no court decision carries (an earlier end date): the manager is told so, and rejects it.
    earlier = sentence_text.replace("2027-11-15", "2027-10-15")
    second = only(await send(stack, earlier))
    assert second["status"] == "amendment", second
    async with stack.http("manager") as http:
        refused = await http.post(f"/court-results/amendments/{second['amendment_id']}/confirm", json={})
        assert refused.status_code == 409, refused.text
        assert "court_results.amendment_not_applicable" in refused.text
        no_reason = await http.post(f"/court-results/amendments/{second['amendment_id']}/reject", json={})
        assert no_reason.status_code == 422 and "reason" in no_reason.text
        rejected = await http.post(
            f"/court-results/amendments/{second['amendment_id']}/reject", json={"reason": "the register says 15/11"}
        )
        assert rejected.status_code == 200, rejected.text
        assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "the register says 15/11"
        held_now = (await http.get("/court-results/amendments")).json()
        assert second["amendment_id"] not in {a["id"] for a in held_now}
    async with stack.http("case_worker") as http:
        assert (await http.get("/court-results/amendments")).status_code == 403


async def test_an_amendment_the_order_cannot_take_now_is_refused_with_its_reason_and_stays_held(stack: Stack) -> None:
    case, asn = new_case()
    sent = spi_for("spi_referral_order.xml", case=case, asn=asn)
    assert only(await send(stack, sent))["status"] == "accepted"
    await stack.wait_for_events(asn, "ReferralOrderMade")  # the order exists, so it is the order that refuses
    longer = only(await send(stack, sent.replace("<DC:DurationValue>9<", "<DC:DurationValue>12<")))
    assert longer["difference"] == "disposal.months: 9 → 12"
    async with stack.http("manager") as http:
        refused = await http.post(f"/court-results/amendments/{longer['amendment_id']}/confirm", json={})
        assert refused.status_code == 422, refused.text
        body = refused.json()
        assert body["rejection_id"] and "stays held" in body["detail"]
        # Before a contract is agreed, neither a referral back's extension nor a further court's can apply.
        assert any("contract_agreed" in e["message"] for e in body["errors"]), body
        held = (await http.get("/court-results/amendments")).json()
        assert longer["amendment_id"] in {a["id"] for a in held}
