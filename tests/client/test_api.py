"""The HTTP API end to end: real PostgreSQL, a real Temporal dev server, the real worker and relay, and
the API served by uvicorn on a real port. Nothing of ours is mocked; every wait is bounded."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowExecutionStatus

from activities.db import open_pool
from activities.users import add_user, revoke_tokens
from client.relay import run_relay
from domain.calendar import WorkingCalendar
from tests.client.conftest import (
    LONDON,
    Stack,
    add_users,
    all_workflow_ids_of,
    background,
    eventually,
    outcome,
    serve_api,
    start_dev_server,
    temporal_converter,
    today,
    workflow_id_of,
)
from tests.workflows.conftest import test_settings as _settings_for

COURT_EVENTS = ("CourtOutcomeRecorded", "ReferralOrderMade", "DeadlineScheduled")


async def submit(stack: Stack, body: Any, *, role: str = "intake") -> Any:
    async with stack.http(role) as http:
        if isinstance(body, bytes | str):
            return await http.post("/court-outcomes", content=body, headers={"Content-Type": "application/json"})
        return await http.post("/court-outcomes", json=body)


async def accepted_and_running(stack: Stack, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Submit a valid outcome and wait until its order has scheduled its deadlines; (workflow id, timeline)."""
    r = await submit(stack, body)
    assert r.status_code == 202, r.text
    wid = r.json()["workflow_ids"][0]  # the order; victims' contacts follow
    timeline = await stack.wait_for_events(body["child"]["id"], *COURT_EVENTS)
    return wid, timeline


async def step(stack: Stack, wid: str, body: Any, *, role: str = "case_worker") -> Any:
    async with stack.http(role) as http:
        if isinstance(body, bytes | str):
            return await http.post(f"/orders/{wid}/steps", content=body)
        return await http.post(f"/orders/{wid}/steps", json=body)


def of_type(timeline: dict[str, Any], event_type: str, rule_id: str | None = None) -> list[dict[str, Any]]:
    return [
        e
        for e in timeline["events"]
        if e["event_type"] == event_type and (rule_id is None or e["payload"].get("rule_id") == rule_id)
    ]


# --- 1. auth ------------------------------------------------------------------------------------------


async def test_no_token_or_a_bad_token_is_401_with_a_message(stack: Stack) -> None:
    async with stack.http() as http:
        r = await http.get("/deadlines")
        assert r.status_code == 401
        assert "bearer token" in r.json()["detail"]
        assert r.headers["www-authenticate"] == "Bearer"
        for header in ("Bearer not-a-token", "Basic " + stack.tokens["admin"], "Bearer", stack.tokens["admin"]):
            r = await http.get("/deadlines", headers={"Authorization": header})
            assert r.status_code == 401, header
            assert r.json()["detail"]


async def test_a_revoked_token_stops_working(stack: Stack) -> None:
    name = f"leaver-{uuid.uuid4().hex[:6]}"
    token = await add_user(stack.pool, name, "case_worker")
    async with stack.http(token=token) as http:
        assert (await http.get("/deadlines", params={"child_id": "nobody"})).status_code == 200
        await revoke_tokens(stack.pool, name)
        r = await http.get("/deadlines", params={"child_id": "nobody"})
    assert r.status_code == 401
    assert "revoked" in r.json()["detail"]


async def test_a_role_not_allowed_is_403_naming_the_allowed_roles_and_nothing_is_kept(stack: Stack) -> None:
    body = outcome()
    r = await submit(stack, body, role="inspector")
    assert r.status_code == 403
    assert r.json()["detail"] == "role inspector may not submit_outcome: allowed roles are intake, admin"
    assert await stack.inbox(body["outcome_id"]) is None
    async with stack.http("intake") as http:
        r = await http.get(f"/children/{body['child']['id']}/timeline")
        assert r.status_code == 403
        assert r.json()["detail"] == (
            "role intake may not read_timeline: allowed roles are case_worker, victim_worker, manager, inspector, admin"
        )
        rejected = await http.get("/court-outcomes/rejected", params={"outcome_id": body["outcome_id"]})
        assert rejected.json() == []
    async with stack.http("victim_worker") as http:
        r = await http.get("/deadlines")
        assert r.status_code == 403
        assert "allowed roles are case_worker, manager, inspector, admin" in r.json()["detail"]


async def test_authentication_comes_before_the_body_is_read(stack: Stack) -> None:
    """A stranger's garbage is not stored in the rejected list under anyone's name."""
    async with stack.http("intake") as http:
        before = len((await http.get("/court-outcomes/rejected", params={"limit": 1000})).json())
    async with stack.http(token="stolen") as http:
        r = await http.post("/court-outcomes", content=b"{not json")
    assert r.status_code == 401
    async with stack.http("intake") as http:
        after = len((await http.get("/court-outcomes/rejected", params={"limit": 1000})).json())
    assert after == before


# --- 2. intake ----------------------------------------------------------------------------------------


async def test_a_referral_order_is_accepted_kept_relayed_and_on_the_timeline(stack: Stack) -> None:
    body = outcome()
    child = body["child"]["id"]
    r = await submit(stack, body)
    assert r.status_code == 202, r.text
    reply = r.json()
    wid = workflow_id_of(body)
    assert reply["status"] == "accepted"
    assert reply["outcome_id"] == body["outcome_id"]
    assert reply["workflow_ids"] == all_workflow_ids_of(body)
    row = await stack.inbox(body["outcome_id"])
    assert row is not None, "the accepted outcome must be in the inbox before the reply"
    assert row["body"] == body
    assert row["workflow_ids"] == all_workflow_ids_of(body)
    assert row["received_by"] == stack.usernames["intake"]

    timeline = await stack.wait_for_events(child, *COURT_EVENTS)
    types = [e["event_type"] for e in timeline["events"] if e["workflow_id"] == wid]
    assert types[:2] == ["CourtOutcomeRecorded", "ReferralOrderMade"]
    assert {e["payload"]["rule_id"] for e in of_type(timeline, "DeadlineScheduled")} == {
        "ro.first_contact",
        "ro.initial_panel",
        "ro.victim_views",
        "assessment.initial",  # the casework cycle's, on every order
        "oversight.allocation",
    }
    recorded = of_type(timeline, "CourtOutcomeRecorded")[0]
    assert recorded["workflow_id"] == wid
    assert recorded["actor"] == "court-intake"
    assert recorded["payload"]["outcome_id"] == body["outcome_id"]
    assert recorded["late_entry"] is False  # an outcome of today's hearing, recorded today
    assert {d["rule_id"] for d in timeline["deadlines"]} == {
        "ro.first_contact",
        "ro.initial_panel",
        "ro.victim_views",
        "assessment.initial",
        "oversight.allocation",
    }

    row = await stack.wait_for_inbox(body["outcome_id"], lambda r: r["relay_status"] == "started", what="relayed")
    assert row["last_error"] is None and row["relayed_at"] is not None
    description = await stack.temporal.get_workflow_handle(wid).describe()
    assert description.status == WorkflowExecutionStatus.RUNNING


async def test_a_redelivery_is_a_duplicate_with_the_same_ids_and_starts_nothing_new(stack: Stack) -> None:
    body = outcome()
    wid, _ = await accepted_and_running(stack, body)
    first = await stack.wait_for_inbox(body["outcome_id"], lambda r: r["relay_status"] == "started", what="relayed")
    run_id = (await stack.temporal.get_workflow_handle(wid).describe()).run_id

    r = await submit(stack, body)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "duplicate"
    assert r.json()["workflow_ids"] == all_workflow_ids_of(body)
    assert r.json()["note"] is None
    # The same outcome_id with a changed body is still the first one; the reply says so.
    changed = {**body, "disposal": {"kind": "referral_order", "months": 9}}
    r = await submit(stack, changed)
    assert r.status_code == 200
    assert r.json()["workflow_ids"] == all_workflow_ids_of(body)
    assert "the first is kept" in r.json()["note"]

    await asyncio.sleep(1.0)  # give a (wrongly) woken relay time to act
    row = await stack.inbox(body["outcome_id"])
    assert row is not None
    assert row["body"] == body
    assert row["relay_attempts"] == first["relay_attempts"]
    assert (await stack.temporal.get_workflow_handle(wid).describe()).run_id == run_id
    runs = [w async for w in stack.temporal.list_workflows(f"WorkflowId = '{wid}'")]
    assert len(runs) == 1
    timeline = await stack.timeline(body["child"]["id"])
    assert timeline is not None
    assert len(of_type(timeline, "CourtOutcomeRecorded")) == 1
    assert len(of_type(timeline, "ReferralOrderMade")) == 1


async def test_an_invalid_outcome_is_422_listing_every_field_and_kept_whole(stack: Stack) -> None:
    body = outcome(
        months=14,
        hearing_date=(today() + timedelta(days=3)).isoformat(),
        court={"name": "Luton Crown Court", "kind": "county"},
        offences=[],
    )
    r = await submit(stack, body)
    assert r.status_code == 422
    reply = r.json()
    assert reply["outcome_id"] == body["outcome_id"]
    assert isinstance(reply["rejection_id"], int)
    failing = {(e["field"], e["rule"]) for e in reply["errors"]}
    assert {
        ("court.kind", "one_of"),
        ("hearing_date", "hearing_date.not_in_future"),
        ("offences", "offences.at_least_one"),
        ("disposal.months", "referral_order.months_range"),
    } <= failing
    assert all(e["message"] for e in reply["errors"])
    assert await stack.inbox(body["outcome_id"]) is None

    async with stack.http("intake") as http:
        kept = (await http.get("/court-outcomes/rejected", params={"outcome_id": body["outcome_id"]})).json()
    (item,) = kept
    assert item["id"] == reply["rejection_id"]
    assert item["body"] == body  # kept whole, for correction and resubmission
    assert item["errors"] == reply["errors"]
    assert item["received_by"] == stack.usernames["intake"]
    # A manager may read the rejected list too; a case worker may not.
    async with stack.http("manager") as http:
        assert (await http.get("/court-outcomes/rejected", params={"outcome_id": body["outcome_id"]})).json()
    async with stack.http("case_worker") as http:
        assert (await http.get("/court-outcomes/rejected")).status_code == 403

    # Corrected and resubmitted under the same outcome_id, it is accepted.
    fixed = outcome(**{k: body[k] for k in ("outcome_id", "case_reference", "child")})
    r = await submit(stack, fixed)
    assert r.status_code == 202, r.text


@pytest.mark.parametrize(
    "raw",
    [
        b'{"outcome_id": "LUT-1", "yjs": ',
        b"outcome_id=LUT-1&yjs=luton",
        b"",
        b"\xff\xfe not utf-8",
        b"nul \x00 byte",
    ],
    ids=["truncated", "form", "empty", "not-utf8", "nul-byte"],
)
async def test_a_body_that_is_not_json_is_422_and_kept(stack: Stack, raw: bytes) -> None:
    r = await submit(stack, raw)
    assert r.status_code == 422, r.text
    reply = r.json()
    assert [(e["field"], e["rule"]) for e in reply["errors"]] == [("body", "json")]
    assert reply["outcome_id"] is None
    async with stack.http("intake") as http:
        kept = (await http.get("/court-outcomes/rejected", params={"limit": 1000})).json()
    (item,) = [k for k in kept if k["id"] == reply["rejection_id"]]
    assert item["body"] is None
    assert item["body_text"] == raw.decode("utf-8", "replace").replace("\x00", "\ufffd")
    assert item["errors"][0]["rule"] == "json"


async def test_a_nul_character_inside_a_json_string_is_refused_and_kept(stack: Stack) -> None:
    """PostgreSQL's jsonb cannot hold \\u0000; the outcome must be refused with a reason, not a 500."""
    body = outcome()
    body["child"]["given_name"] = "Sam\u0000"
    r = await submit(stack, body)
    assert r.status_code == 422, r.text
    assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("child.given_name", "text.no_nul_character")]
    async with stack.http("intake") as http:
        kept = (await http.get("/court-outcomes/rejected", params={"outcome_id": body["outcome_id"]})).json()
    (item,) = kept
    assert "\\u0000" in item["body_text"]
    assert await stack.inbox(body["outcome_id"]) is None


async def test_an_unknown_disposal_kind_is_refused_and_kept(stack: Stack) -> None:
    body = outcome(disposal={"kind": "order_suspended", "order_ref": "referral-order:luton:41CJ1:C-1", "months": 3})
    r = await submit(stack, body)
    assert r.status_code == 422
    assert [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("disposal.kind", "disposal.kind.unknown")]
    assert await stack.inbox(body["outcome_id"]) is None
    async with stack.http("intake") as http:
        kept = (await http.get("/court-outcomes/rejected", params={"outcome_id": body["outcome_id"]})).json()
    assert kept and kept[0]["body"] == body


async def test_a_youth_rehabilitation_order_starts_its_workflow_and_its_victims_contacts(stack: Stack) -> None:
    hearing = today()
    body = outcome(
        disposal={
            "kind": "youth_rehabilitation_order",
            "end_date": (hearing + timedelta(days=365)).isoformat(),
            "requirements": [{"kind": "supervision"}],
            "iss": False,
        }
    )
    r = await submit(stack, body)
    assert r.status_code == 202, r.text
    ids = r.json()["workflow_ids"]
    assert ids == all_workflow_ids_of(body) and ids[0].startswith("youth-rehabilitation-order:")
    timeline = await stack.wait_for_events(body["child"]["id"], "YouthRehabilitationOrderMade", "DeadlineScheduled")
    rules = {d["rule_id"] for d in timeline["deadlines"] if d["workflow_id"] == ids[0]}
    assert rules == {"yro.first_appointment", "yro.review", "yro.end", "assessment.initial", "oversight.allocation"}


# --- 3. the relay while Temporal is down --------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest_asyncio.fixture
async def outage_pool(fresh_database_url: str) -> AsyncIterator[Any]:
    pool = await open_pool(fresh_database_url)
    try:
        yield pool
    finally:
        await pool.close()


async def test_the_relay_keeps_accepted_outcomes_while_temporal_is_down(
    fresh_database_url: str, outage_pool: Any
) -> None:
    """Intake accepts while nothing listens at the Temporal address; the relay keeps the outcomes pending
    with the reason, and starts their workflows once a server answers there."""
    from worker import connect, create_worker

    port = _free_port()
    settings = _settings_for(fresh_database_url, temporal_address=f"127.0.0.1:{port}", relay_interval_seconds=0.2)
    pool = outage_pool
    tokens, _ = await add_users(pool)
    # Lazy: the relay has a client for the address but no connection, as after Temporal went away.
    lazy = await Client.connect(settings.temporal_address, lazy=True, data_converter=temporal_converter(settings))
    bodies = [outcome(), outcome(victims=[])]
    async with (
        serve_api(pool, lambda: connect(settings)) as api_url,
        background(run_relay(pool, lazy, settings), "relay"),
    ):
        stack = Stack(api_url, fresh_database_url, pool, lazy, settings, tokens, {})
        for body in bodies:
            r = await submit(stack, body)
            assert r.status_code == 202, r.text  # intake does not need Temporal
        for body in bodies:
            row = await stack.wait_for_inbox(
                body["outcome_id"],
                lambda r: r["relay_attempts"] >= 2 and r["last_error"],
                timeout=15,
                what="relay attempts recorded",
            )
            assert row["relay_status"] == "pending"
            assert "connect" in row["last_error"].lower()
        # An outcome acting on an order is checked against the order's stream in PostgreSQL, not Temporal.
        acting = outcome(
            disposal={"kind": "order_revoked", "order_ref": workflow_id_of(bodies[0]), "grounds": "breach"}
        )
        r = await submit(stack, acting)
        assert r.status_code == 422, r.text
        assert [e["rule"] for e in r.json()["errors"]] == ["disposal.order_ref.no_such_order"]  # not started yet
        # Reads that need Temporal say so; reads from PostgreSQL still work.
        async with stack.http("case_worker") as http:
            r = await http.get(f"/orders/{workflow_id_of(bodies[0])}")
            assert r.status_code == 503
            assert "Temporal is not reachable" in r.json()["detail"]
            assert (await http.get("/deadlines")).json() == []

        env = await start_dev_server(settings, port=port)
        async with env, create_worker(env.client, pool, settings):
            for body in bodies:
                row = await stack.wait_for_inbox(
                    body["outcome_id"],
                    lambda r: r["relay_status"] == "started",
                    timeout=20,
                    what="started once Temporal answers",
                )
                assert row["last_error"] is None
                handle = env.client.get_workflow_handle(workflow_id_of(body))
                assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
                await stack.wait_for_events(body["child"]["id"], *COURT_EVENTS)
            async with stack.http("case_worker") as http:
                r = await http.get(f"/orders/{workflow_id_of(bodies[0])}")
                assert r.status_code == 200, r.text
                assert r.json()["order"]["state"] == "order_made"


async def test_an_outcome_that_cannot_be_started_does_not_hold_up_the_ones_behind_it(
    stack: Stack, fresh_database_url: str, outage_pool: Any
) -> None:
    """A pending row the relay can never start (kept from an older contract version, say) is retried,
    but the outcomes accepted after it must still start: one bad batch must not block the inbox."""
    from psycopg.types.json import Jsonb

    from client.relay import relay_pending

    pool = outage_pool
    task_queue = f"yjflow-test-unpolled-{uuid.uuid4().hex[:6]}"  # started, never run: only starting matters
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO inbox (outcome_id, received_at, received_by, body, workflow_ids) "
            "VALUES ('OLD-1', now() - interval '1 day', 'legacy', %s, %s)",
            (Jsonb({"outcome_id": "OLD-1", "disposal": {"kind": "custody_v0"}}), ["legacy:OLD-1"]),
        )
    good = outcome()
    settings = _settings_for(fresh_database_url)
    tokens, names = await add_users(pool)
    async with serve_api(pool, lambda: asyncio.sleep(0, stack.temporal)) as url:
        local = Stack(url, fresh_database_url, pool, stack.temporal, settings, tokens, names)
        r = await submit(local, good)
    assert r.status_code == 202, r.text

    started = 0
    for _ in range(3):  # batch=1 stands for a full batch of such rows
        started += await relay_pending(pool, stack.temporal, task_queue, batch=1)
    assert started == 1
    row = await local.inbox(good["outcome_id"])
    assert row is not None and row["relay_status"] == "started"
    handle = stack.temporal.get_workflow_handle(workflow_id_of(good))
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    await handle.terminate("test: nobody polls this task queue")
    async with pool.connection() as conn:
        old = await (await conn.execute("SELECT * FROM inbox WHERE outcome_id = 'OLD-1'")).fetchone()
    assert old["relay_status"] == "pending" and old["relay_attempts"] >= 1 and old["last_error"]


# --- 4. deadlines -------------------------------------------------------------------------------------


async def test_deadlines_are_filtered_by_child_status_and_rule(stack: Stack) -> None:
    with_victim, without = outcome(), outcome(victims=[])
    wid_a, timeline_a = await accepted_and_running(stack, with_victim)
    wid_b, _ = await accepted_and_running(stack, without)
    child_a, child_b = with_victim["child"]["id"], without["child"]["id"]

    async def deadlines(role: str = "case_worker", **params: Any) -> Any:
        async with stack.http(role) as http:
            return await http.get("/deadlines", params=params)

    items = (await deadlines(child_id=child_a)).json()
    # The order's own clocks, and the casework cycle's that every order runs.
    assert {d["rule_id"] for d in items} == {
        "ro.first_contact",
        "ro.initial_panel",
        "ro.victim_views",
        "assessment.initial",
        "oversight.allocation",
    }
    scheduled = {e["payload"]["rule_id"]: e["payload"]["due_date"] for e in of_type(timeline_a, "DeadlineScheduled")}
    for d in items:
        assert {"rule_id", "due_date", "status", "child_id", "workflow_id"} <= d.keys()
        assert d["child_id"] == child_a and d["workflow_id"] == wid_a and d["status"] == "open"
        assert d["due_date"] == scheduled[d["rule_id"]]
    assert [d["due_date"] for d in items] == sorted(d["due_date"] for d in items)

    (first,) = (await deadlines(child_id=child_a, rule_id="ro.first_contact")).json()
    assert first["rule_id"] == "ro.first_contact"
    assert (await deadlines(child_id=child_b, rule_id="ro.victim_views")).json() == []
    assert {d["child_id"] for d in (await deadlines(rule_id="ro.victim_views")).json()} >= {child_a}
    assert child_b not in {d["child_id"] for d in (await deadlines(rule_id="ro.victim_views")).json()}
    assert {d["workflow_id"] for d in (await deadlines(workflow_id=wid_b)).json()} == {wid_b}

    r = await step(stack, wid_a, {"step": "first_contact_made", "effective_date": today().isoformat()})
    assert r.status_code == 200, r.text
    met = await eventually(
        lambda: deadlines(child_id=child_a, status="met"), lambda r: len(r.json()) == 1, what="met in projection"
    )
    assert met.json()[0]["rule_id"] == "ro.first_contact"
    assert met.json()[0]["met_on"] == today().isoformat()
    assert {d["rule_id"] for d in (await deadlines(child_id=child_a, status="open")).json()} == {
        "ro.initial_panel",
        "ro.victim_views",
        "assessment.initial",
        "oversight.allocation",
    }
    assert (await deadlines(child_id=child_a, status="missed")).json() == []
    assert len((await deadlines(child_id=child_b, status="open")).json()) == 4
    # Inspectors and managers read deadlines too.
    assert (await deadlines("inspector", child_id=child_a)).status_code == 200
    assert (await deadlines("manager", child_id=child_a)).status_code == 200

    r = await deadlines(status="overdue")
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "status"]
    assert (await deadlines(due_before="not-a-date")).status_code == 422


# --- 5. steps ----------------------------------------------------------------------------------------


async def test_a_case_worker_records_steps_and_refusals_carry_the_reason(stack: Stack) -> None:
    body = outcome()
    wid, before = await accepted_and_running(stack, body)
    child = body["child"]["id"]
    worker_name = stack.usernames["case_worker"]
    on = today().isoformat()

    # The token names the actor; an `actor` in the body is not believed.
    r = await step(stack, wid, {"step": "first_contact_made", "effective_date": on, "actor": "mallory"})
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["workflow_id"] == wid
    assert view["order"]["state"] == "order_made"
    assert view["order"]["first_contact_date"] == on
    assert {d["rule_id"]: d["status"] for d in view["deadlines"]}["ro.first_contact"] == "met"

    timeline = await stack.wait_for_events(child, "FirstContactMade", "DeadlineMet")
    (met,) = of_type(timeline, "DeadlineMet", "ro.first_contact")
    assert met["actor"] == worker_name
    assert met["payload"]["late"] is False
    (contact,) = of_type(timeline, "FirstContactMade")
    assert contact["actor"] == worker_name and contact["late_entry"] is False
    count = len(timeline["events"])

    r = await step(stack, wid, {"step": "progress_panel_held", "effective_date": on})
    assert r.status_code == 409
    assert r.json()["detail"] == (
        "progress_panel_held refused: the order is order_made; this step needs it to be contract_agreed"
    )
    r = await step(stack, wid, {"step": "first_contact_made", "effective_date": on})
    assert r.status_code == 409
    assert "already recorded" in r.json()["detail"]
    future = (today() + timedelta(days=2)).isoformat()
    r = await step(stack, wid, {"step": "initial_panel_held", "effective_date": future, "contract_signed_date": future})
    assert r.status_code == 409
    assert "in the future" in r.json()["detail"]
    after = await stack.timeline(child)
    assert after is not None and len(after["events"]) == count  # refusals record nothing

    r = await step(
        stack,
        f"referral-order:luton:41CJ-none:{uuid.uuid4().hex[:6]}",
        {"step": "first_contact_made", "effective_date": on},
    )
    assert r.status_code == 404
    assert "no order workflow" in r.json()["detail"]

    r = await step(stack, wid, {"step": "initial_panel_held", "effective_date": on})
    assert r.status_code == 422
    assert [(e["field"], e["rule"]) for e in r.json()["detail"]] == [("contract_signed_date", "missing")]
    r = await step(stack, wid, {"step": "first_contact_made"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["detail"]] == ["effective_date"]
    r = await step(stack, wid, {"effective_date": on})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["detail"]] == ["step"]
    r = await step(stack, wid, {"step": "tea_break", "effective_date": on})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["detail"]] == ["step"]
    r = await step(stack, wid, "{not json")
    assert r.status_code == 422
    r = await step(stack, wid, ["first_contact_made"])
    assert r.status_code == 422

    r = await step(stack, wid, {"step": "first_contact_made", "effective_date": on}, role="inspector")
    assert r.status_code == 403
    assert "allowed roles are case_worker, manager" in r.json()["detail"]

    # A manager may act too, and is the actor of what they record.
    r = await step(
        stack, wid, {"step": "initial_panel_held", "effective_date": on, "contract_signed_date": on}, role="manager"
    )
    assert r.status_code == 200, r.text
    assert r.json()["order"]["state"] == "contract_agreed"
    timeline = await stack.wait_for_events(child, "ContractSigned")
    assert of_type(timeline, "ContractSigned")[0]["actor"] == stack.usernames["manager"]
    async with stack.http("inspector") as http:
        r = await http.get(f"/orders/{wid}")
    assert r.status_code == 200
    assert r.json()["order"]["state"] == "contract_agreed"
    assert len(before["events"]) < len(timeline["events"])


# --- 6. the timeline ----------------------------------------------------------------------------------


async def test_the_timeline_is_in_effective_order_and_marks_late_entries(stack: Stack) -> None:
    calendar = WorkingCalendar.england_and_wales([])
    now = today()
    hearing = now - timedelta(days=20)
    body = outcome(hearing=hearing)
    child = body["child"]["id"]
    wid, _ = await accepted_and_running(stack, body)
    # First contact was due five working days after the order: long gone, so it is recorded as missed.
    timeline = await stack.wait_for_events(child, "DeadlineMissed")
    (missed,) = of_type(timeline, "DeadlineMissed", "ro.first_contact")

    # A step back-dated well over a working day, and one dated the latest day that is not late.
    back_dated = hearing + timedelta(days=1)
    not_late = next(
        d for d in (now - timedelta(days=n) for n in range(5, -1, -1)) if calendar.add_working_days(d, 1) >= now
    )
    r = await step(stack, wid, {"step": "first_contact_made", "effective_date": back_dated.isoformat()})
    assert r.status_code == 200, r.text
    r = await step(
        stack,
        wid,
        {
            "step": "case_worker_allocated",
            "effective_date": not_late.isoformat(),
            "case_worker": stack.usernames["case_worker"],
        },
    )
    assert r.status_code == 200, r.text

    timeline = await stack.wait_for_events(child, "FirstContactMade", "CaseWorkerAllocated", "DeadlineMet")
    events = timeline["events"]
    effective = [datetime.fromisoformat(e["effective_at"]) for e in events]
    assert effective == sorted(effective)
    (contact,) = of_type(timeline, "FirstContactMade")
    assert contact["late_entry"] is True
    assert datetime.fromisoformat(contact["effective_at"]).astimezone(LONDON).date() == back_dated
    assert datetime.fromisoformat(contact["recorded_at"]).astimezone(LONDON).date() == now
    (allocated,) = of_type(timeline, "CaseWorkerAllocated")
    assert allocated["late_entry"] is False
    # The back-dated entry sits where it took effect, before the miss that was recorded earlier.
    positions = [e["global_position"] for e in events]
    assert positions.index(contact["global_position"]) < positions.index(missed["global_position"])
    assert contact["global_position"] > missed["global_position"]
    (met,) = of_type(timeline, "DeadlineMet", "ro.first_contact")
    assert met["payload"]["met_on"] == back_dated.isoformat()

    async with stack.http("case_worker") as http:
        r = await http.get(f"/children/C-unknown-{uuid.uuid4().hex[:6]}/timeline")
    assert r.status_code == 404


async def test_a_step_with_a_nul_character_is_refused_before_it_reaches_the_order(stack: Stack) -> None:
    """PostgreSQL cannot store U+0000: such a step must be a 422, not an update that can never be recorded
    (and would hold the order's lock, blocking every later step and deadline, while it retried)."""
    body = outcome()
    wid, _ = await accepted_and_running(stack, body)
    on = today().isoformat()
    async with stack.http("case_worker") as http:
        r = await http.post(
            f"/orders/{wid}/steps",
            json={"step": "case_worker_allocated", "effective_date": on, "case_worker": "a\u0000b"},
            timeout=10,
        )
    assert r.status_code == 422
    assert [(e["field"], e["rule"]) for e in r.json()["detail"]] == [("case_worker", "text.no_nul_character")]
    r = await step(stack, wid, {"step": "first_contact_made", "effective_date": on})
    assert r.status_code == 200, r.text


async def test_a_step_on_an_ended_order_is_409_not_404(stack: Stack) -> None:
    """Temporal answers "not found" for an update to a closed workflow; the order exists (GET /orders
    shows it), so the refusal must say it has ended rather than that there is no such order."""
    body = outcome()
    wid, _ = await accepted_and_running(stack, body)
    on = today().isoformat()
    for s in (
        {"step": "initial_panel_held", "effective_date": on, "contract_signed_date": on},
        {"step": "referred_back_to_court", "effective_date": on, "grounds": "breach", "reason": "further offence"},
        {"step": "court_decision", "effective_date": on, "decision": "revoke_and_resentence"},
    ):
        r = await step(stack, wid, s)
        assert r.status_code == 200, r.text
    assert r.json()["order"]["state"] == "revoked"
    handle = stack.temporal.get_workflow_handle(wid)
    assert await asyncio.wait_for(handle.result(), timeout=20) == "revoked"

    r = await step(stack, wid, {"step": "first_contact_made", "effective_date": on})
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == "first_contact_made refused: the order is revoked; nothing more can be recorded on it"
    async with stack.http("case_worker") as http:
        r = await http.get(f"/orders/{wid}")
    assert r.status_code == 200
    assert r.json()["order"]["state"] == "revoked"
    timeline = await stack.wait_for_events(body["child"]["id"], "OrderRevoked")
    # Revocation cancels what the order had open …
    assert "open" not in {d["status"] for d in timeline["deadlines"] if d["workflow_id"] == wid}
    # … and each victim's contact, told the order ended, now owes the victim the conclusion.
    for victim_contact in all_workflow_ids_of(body)[1:]:
        deadlines = await stack.wait_for_deadline(victim_contact, "victim.conclusion")
        assert deadlines["status"] == "open"


async def test_the_api_reads_through_a_pool_of_plain_tuple_rows(stack: Stack) -> None:
    """`create_app` takes any psycopg pool (intake and the event store say so); reads must not depend on
    the dict rows of `activities.db.open_pool`."""
    from psycopg_pool import AsyncConnectionPool

    from worker import connect

    body = outcome()
    await accepted_and_running(stack, body)
    plain: AsyncConnectionPool[Any] = AsyncConnectionPool(stack.database_url, min_size=1, max_size=2, open=False)
    await plain.open(wait=True)
    try:
        async with serve_api(plain, lambda: connect(stack.settings)) as url:
            tuple_stack = Stack(url, stack.database_url, plain, stack.temporal, stack.settings, stack.tokens, {})
            async with tuple_stack.http("manager") as http:
                r = await http.get("/deadlines", params={"child_id": body["child"]["id"]})
                assert r.status_code == 200, r.text
                assert len(r.json()) == 5  # three of the referral order's, two of the casework cycle's
                r = await http.get(f"/children/{body['child']['id']}/timeline")
                assert r.status_code == 200, r.text
                assert r.json()["deadlines"]
                assert (await http.get("/court-outcomes/rejected")).status_code == 200
            r = await submit(tuple_stack, body)
            assert r.status_code == 200 and r.json()["status"] == "duplicate"
    finally:
        await plain.close()


async def test_the_python_client_against_the_live_api(stack: Stack) -> None:
    """`client.python_client` is what the CLI and scripts use: the calls its docstring shows work as shown.
    (It is synchronous, so it runs in a thread while this loop serves the API.)"""
    from client.python_client import ApiError, YjflowClient

    good, bad = outcome(), outcome(months=2)

    def as_intake() -> tuple[Any, ...]:
        with YjflowClient(stack.api_url, stack.tokens["intake"]) as yj:
            return (
                yj.submit_outcome(good),
                yj.submit_outcome(good),
                yj.submit_outcome(bad),
                yj.rejected(outcome_id=bad["outcome_id"]),
            )

    accepted, duplicate, rejected, kept = await asyncio.to_thread(as_intake)
    assert accepted[0] == 202 and accepted[1]["workflow_ids"] == all_workflow_ids_of(good)
    assert duplicate[0] == 200 and duplicate[1]["status"] == "duplicate"
    assert rejected[0] == 422 and rejected[1]["errors"][0]["rule"] == "referral_order.months_range"
    assert [k["body"] for k in kept] == [bad]
    await stack.wait_for_events(good["child"]["id"], *COURT_EVENTS)

    def as_case_worker() -> tuple[Any, ...]:
        with YjflowClient(stack.api_url, stack.tokens["case_worker"]) as yj:
            timeline = yj.timeline(good["child"]["id"])
            deadlines = yj.deadlines(child_id=good["child"]["id"], status="open", rule_id=None)
            view = yj.record_step(workflow_id_of(good), {"step": "first_contact_made", "effective_date": str(today())})
            try:
                yj.record_step(workflow_id_of(good), {"step": "progress_panel_held", "effective_date": str(today())})
            except ApiError as e:
                refused = e
            return timeline, deadlines, view, refused

    timeline, deadlines, view, refused = await asyncio.to_thread(as_case_worker)
    assert timeline["child_id"] == good["child"]["id"]
    assert len(deadlines) == 5  # three of the referral order's, two of the casework cycle's
    assert view["order"]["first_contact_date"] == str(today())
    assert refused.status == 409 and "contract_agreed" in refused.detail


async def test_steps_on_a_remand_go_through_the_same_orders_route(stack: Stack) -> None:
    """`/orders/{id}` and its steps serve every order kind; each answer names the kind and the state
    (a CLI session once crashed because a remand's view has no `order`)."""
    hearing = today()
    remand = outcome(
        victims=[],
        disposal={
            "kind": "remand",
            "type": "youth_detention_accommodation",
            "next_hearing_date": (hearing + timedelta(days=7)).isoformat(),
            "first_remand": True,
            "ctl_start_date": hearing.isoformat(),
            "ctl_days": 56,
        },
    )
    r = await submit(stack, remand)
    assert r.status_code == 202, r.text
    rid = r.json()["workflow_ids"][0]
    await stack.wait_for_events(remand["child"]["id"], "RemandStarted", "DeadlineScheduled")
    r = await step(stack, rid, {"step": "social_worker_visit_made", "effective_date": hearing.isoformat()})
    assert r.status_code == 200, r.text
    assert (r.json()["kind"], r.json()["state"]) == ("remand", "youth_detention_accommodation")
    async with stack.http("case_worker") as http:
        r = await http.get(f"/orders/{rid}")
    assert r.status_code == 200 and r.json()["state"] == "youth_detention_accommodation"
