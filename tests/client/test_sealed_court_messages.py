"""Court messages sealed at rest, through the running API, relay and worker: the inbox and the rejected
list keep no child's name or date of birth in clear, yet the relay starts the workflows, a redelivery is
still told apart from a changed one, a refused outcome still comes back whole for correction (its opening
logged as a read of the child's record), and erasing the child's record leaves its messages unreadable."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from activities.child_records import ChildRecordStore
from activities.court_messages import MessageSeal
from activities.relay_inbox import PendingOutcome, move_to_rejected
from domain.court_outcome import FieldError
from tests.client.conftest import Stack, outcome

GIVEN, FAMILY = "Wilhelmina", "Quixotely"


def named(child_id: str, **overrides: Any) -> dict[str, Any]:
    body = outcome(child_id=child_id, **overrides)
    body["child"] = {**body["child"], "given_name": GIVEN, "family_name": FAMILY, "address": "1 Secret Row"}
    return body


async def stored(stack: Stack, table: str, where: str, value: object) -> list[dict[str, Any]]:
    """The rows as PostgreSQL holds them: every column as text, as a reader of the database sees it."""
    async with stack.pool.connection() as conn:
        cur = await conn.execute(f"SELECT t::text AS whole, t.* FROM {table} t WHERE {where} = %s", (value,))
        return list(await cur.fetchall())


def no_names(rows: list[dict[str, Any]], dob: str) -> None:
    assert rows
    for row in rows:
        for secret in (GIVEN, FAMILY, "Secret Row", dob):
            assert secret not in row["whole"], f"{secret!r} is in clear in the row"


async def test_an_accepted_outcome_is_kept_sealed_and_still_starts_its_workflows(stack: Stack) -> None:
    child = f"C-{uuid.uuid4().hex[:10]}"
    body = named(child)
    dob = body["child"]["date_of_birth"]
    async with stack.http("intake") as http:
        r = await http.post("/court-outcomes", json=body)
        assert r.status_code == 202, r.text
    await stack.wait_for_events(child, "ReferralOrderMade")  # the relay opened it and started the order

    rows = await stored(stack, "inbox", "outcome_id", body["outcome_id"])
    no_names(rows, dob)
    (row,) = rows
    assert row["sealed"] is not None and row["erased_at"] is None
    # What stays in clear is what lists and filters need, and names nobody.
    assert row["body"]["child"] == {"id": child} and row["body"]["yjs"] == "luton"
    assert row["body"]["offences"] == body["offences"] and row["body"]["disposal"] == body["disposal"]
    kept = await stack.inbox(body["outcome_id"])
    assert kept is not None and kept["body"] == body  # whole, as the court sent it

    async with stack.http("intake") as http:
        again = await http.post("/court-outcomes", json=body)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
        assert again.json().get("note") is None
        respelt = {**body, "child": {**body["child"], "given_name": "Willa"}}
        changed = await http.post("/court-outcomes", json=respelt)
        assert changed.status_code == 200
        assert changed.json()["note"] == "a different body arrived under this outcome_id; the first is kept"


async def test_a_refused_outcome_is_kept_sealed_and_comes_back_whole_to_correct(stack: Stack) -> None:
    child = f"C-{uuid.uuid4().hex[:10]}"
    body = named(child, disposal={"kind": "referral_order", "months": 99})
    dob = body["child"]["date_of_birth"]
    async with stack.http("intake") as http:
        r = await http.post("/court-outcomes", json=body)
        assert r.status_code == 422, r.text
        rejection_id = r.json()["rejection_id"]
    rows = await stored(stack, "rejected_outcomes", "id", rejection_id)
    no_names(rows, dob)
    assert rows[0]["body_text"] is None and rows[0]["body"]["child"] == {"id": child}

    async with stack.http("manager") as http:
        r = await http.get("/court-outcomes/rejected", params={"outcome_id": body["outcome_id"]})
        assert r.status_code == 200, r.text
        (item,) = r.json()
    assert item["body"] == body and item["erased"] is False
    assert GIVEN in item["body_text"] and "99" in item["body_text"]
    async with stack.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT username, action FROM child_record_reads WHERE yjs = 'luton' AND child_id = %s", (child,)
        )
        reads = [(r["username"], r["action"]) for r in await cur.fetchall()]
    assert (stack.usernames["manager"], "read") in reads


async def test_an_outcome_its_order_refuses_at_delivery_moves_to_the_rejected_list_still_sealed(stack: Stack) -> None:
    seal = MessageSeal(stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    body = named(f"C-{uuid.uuid4().hex[:10]}")
    sealed = seal.seal(body, None)
    pending = PendingOutcome(
        body["outcome_id"],
        sealed.clear,
        "test",
        {
            "sealed": sealed.sealed,
            "sealed_key": sealed.sealed_key,
            "sealed_key_id": sealed.sealed_key_id,
            "erased_at": None,
        },
    )
    async with stack.pool.connection() as conn, conn.transaction():
        await move_to_rejected(conn, pending, [FieldError(field="disposal", rule="order.ended", message="it ended")])
    rows = await stored(stack, "rejected_outcomes", "outcome_id", body["outcome_id"])
    no_names(rows, body["child"]["date_of_birth"])
    kept = await stack.rejected(rows[0]["id"])
    assert kept is not None and kept["body"] == body and GIVEN in kept["body_text"]


async def test_erasing_the_childs_record_leaves_their_messages_unreadable(stack: Stack) -> None:
    child = f"C-{uuid.uuid4().hex[:10]}"
    body = named(child)
    refused = named(child, disposal={"kind": "referral_order", "months": 99}, outcome_id=f"TST-{uuid.uuid4().hex}")
    async with stack.http("intake") as http:
        assert (await http.post("/court-outcomes", json=body)).status_code == 202
        rejection_id = (await http.post("/court-outcomes", json=refused)).json()["rejection_id"]
    await stack.wait_for_events(child, "ReferralOrderMade")

    records = ChildRecordStore(stack.pool, stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    await records.erase(yjs="luton", child_id=child, actor="retention", policy="test policy")

    (inbox,) = await stored(stack, "inbox", "outcome_id", body["outcome_id"])
    assert inbox["sealed_key"] is None and inbox["erased_at"] is not None
    assert inbox["body"]["child"] == {"id": child} and inbox["relay_status"] == "started"
    kept = await stack.rejected(rejection_id)
    assert kept is not None and kept["erased"] is True and kept["body_text"] is None
    assert kept["body"]["child"] == {"id": child}  # the clear part: what it was about, not who
    # Once erased, a key is never put back.
    async with stack.pool.connection() as conn:
        try:
            await conn.execute(
                "UPDATE inbox SET sealed_key = '\\x00'::bytea, erased_at = NULL WHERE outcome_id = %s",
                (body["outcome_id"],),
            )
            raise AssertionError("an erased message's key was restored")
        except Exception as e:
            assert "cannot be restored" in str(e)
            await conn.rollback()
    # A court resending the same outcome is still a harmless duplicate, compared by what names nobody.
    async with stack.http("intake") as http:
        again = await http.post("/court-outcomes", json=body)
        assert again.status_code == 200 and again.json()["status"] == "duplicate", again.text


async def test_a_held_amendment_is_kept_sealed_opened_for_managers_and_erased_with_the_child(stack: Stack) -> None:
    from activities import court_result_amendments as amendments

    seal = MessageSeal(stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    child = f"C-{uuid.uuid4().hex[:10]}"
    previous = named(child)
    new = {**previous, "child": {**previous["child"], "given_name": "Wilma"}, "disposal": {**previous["disposal"]}}
    new["disposal"]["months"] = 9
    difference = [
        {"field": "child.given_name", "before": GIVEN, "after": "Wilma"},
        {"field": "disposal.months", "before": 6, "after": 9},
    ]
    held = await amendments.hold(
        stack.pool,
        outcome_id=previous["outcome_id"],
        received_by="test",
        defendant={"child_id": child, "id_source": "pnc", "case_reference": None, "position": "1"},
        result_codes=["1002"],
        previous_body=previous,
        new_body=new,
        difference=difference,
        message_text=f"<Defendant>{GIVEN} {FAMILY}</Defendant>",
        seal=seal,
    )
    assert held.new_body == new and held.difference == difference  # as the caller gets it back: whole
    again = await amendments.hold(
        stack.pool,
        outcome_id=previous["outcome_id"],
        received_by="test",
        defendant=held.defendant,
        result_codes=["1002"],
        previous_body=previous,
        new_body=new,
        difference=difference,
        message_text="the same resend again",
        seal=seal,
    )
    assert again.id == held.id  # the same changed resend is the amendment already held (by keyed digest)
    rows = await stored(stack, "court_result_amendments", "id", held.id)
    no_names(rows, previous["child"]["date_of_birth"])
    assert "Wilma" not in rows[0]["whole"]
    assert rows[0]["difference"] == [{"field": "child.given_name"}, difference[1]]

    async with stack.http("manager") as http:
        listed = (await http.get("/court-results/amendments")).json()
    (mine,) = [a for a in listed if a["id"] == held.id]
    assert mine["previous_body"] == previous and mine["difference"] == difference
    async with stack.pool.connection() as conn:
        cur = await conn.execute("SELECT username FROM child_record_reads WHERE child_id = %s", (child,))
        assert stack.usernames["manager"] in [r["username"] for r in await cur.fetchall()]

    records = ChildRecordStore(stack.pool, stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    born = date.fromisoformat(previous["child"]["date_of_birth"])
    await records.fill_from_court(
        yjs="luton", child_id=child, given_name=GIVEN, family_name=FAMILY, date_of_birth=born, actor="test"
    )
    await records.erase(yjs="luton", child_id=child, actor="retention", policy="test policy")
    async with stack.http("manager") as http:
        listed = (await http.get("/court-results/amendments")).json()
    (mine,) = [a for a in listed if a["id"] == held.id]
    assert mine["erased_at"] is not None and mine["new_body"]["child"] == {"id": child}
    assert mine["difference"] == [{"field": "child.given_name"}, difference[1]]


async def test_messages_kept_in_clear_before_sealing_are_sealed_once_the_key_is_there(stack: Stack) -> None:
    from activities import court_result_amendments as amendments
    from activities import intake
    from activities.court_messages import seal_kept_in_clear

    seal = MessageSeal(stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    child = f"C-{uuid.uuid4().hex[:10]}"
    accepted, refused = named(child), named(child, disposal={"kind": "referral_order", "months": 99})
    refused["outcome_id"] = f"TST-{uuid.uuid4().hex}"
    # As an API without the master key keeps them: in clear.
    today = date.fromisoformat(accepted["hearing_date"])
    assert (await intake.receive_value(stack.pool, accepted, received_by="old", today=today)).status == "accepted"
    rejection = await intake.receive_value(stack.pool, refused, received_by="old", today=today)
    held = await amendments.hold(
        stack.pool,
        outcome_id=accepted["outcome_id"],
        received_by="old",
        defendant={
            "child_id": child,
            "id_source": "pnc",
            "case_reference": accepted["case_reference"],
            "position": "1",
        },
        result_codes=[],
        previous_body=accepted,
        new_body={**accepted, "case_reference": "changed"},
        difference=[{"field": "case_reference", "before": accepted["case_reference"], "after": "changed"}],
        message_text=f"{GIVEN} {FAMILY}",
    )
    assert GIVEN in (await stored(stack, "inbox", "outcome_id", accepted["outcome_id"]))[0]["whole"]
    await stack.wait_for_events(child, "ReferralOrderMade")  # the relay is done with the row (it skips locked ones)

    assert await seal_kept_in_clear(stack.pool, seal) >= 3
    dob = accepted["child"]["date_of_birth"]
    no_names(await stored(stack, "inbox", "outcome_id", accepted["outcome_id"]), dob)
    no_names(await stored(stack, "rejected_outcomes", "id", rejection.rejection_id), dob)
    no_names(await stored(stack, "court_result_amendments", "id", held.id), dob)
    kept = await stack.inbox(accepted["outcome_id"])
    assert kept is not None and kept["body"] == accepted
    again = await stack.rejected(rejection.rejection_id or 0)
    assert again is not None and again["body"] == refused and again["body_text"] is not None
    opened = await amendments.amendment(stack.pool, held.id, seal=seal)
    assert opened is not None and opened.previous_body == accepted and opened.difference == held.difference
    # A redelivery of the sealed outcome is still a duplicate.
    assert (await intake.receive_value(stack.pool, accepted, received_by="old", today=today)).status == "duplicate"


def test_a_worker_without_the_master_key_is_told_which_key_opens_a_sealed_outcome() -> None:
    import os

    import pytest
    from cryptography.exceptions import InvalidTag

    from activities.court_messages import MessageSealed

    seal = MessageSeal(os.urandom(32), "k-1")
    body = named("C-1")
    sealed = seal.seal(body, None)
    columns = {"sealed": sealed.sealed, "sealed_key": sealed.sealed_key, "sealed_key_id": "k-1", "erased_at": None}
    pending = PendingOutcome("O-1", sealed.clear, "test", columns)
    assert pending.whole(seal) == body
    with pytest.raises(MessageSealed, match="YJFLOW_VICTIM_MASTER_KEY"):
        pending.whole(None)
    # Another deployment's key cannot open it, nor pass it off as opened.
    with pytest.raises(InvalidTag):
        pending.whole(MessageSeal(os.urandom(32), "k-1"))
