"""Two services on one deployment share nothing: a user holding luton meets bedford's records as if they
did not exist (the same 404 as an unknown id), lists and reports hold luton's only, a court account
submits for its own services only, and an inspector's grant ends on its last day."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from activities.users import inspector_reads
from tests.client.conftest import Stack, all_workflow_ids_of, cli_env, eventually, outcome, run_cli, today
from tests.client.two_services import OTHER, OWN, TwoServices, two_services, victim_details


def http(stack: Stack, two: TwoServices, who: str) -> httpx.AsyncClient:
    return stack.http(token=two.tokens[who])


def leaks(body: Any, two: TwoServices) -> list[str]:
    text = json.dumps(body)
    return [i for i in two.other.ids() if i in text]


async def test_another_services_records_answer_exactly_as_unknown_ones(stack: Stack) -> None:
    two = await two_services(stack)
    bedford, luton = two.other, two.own
    probes = [
        ("case_worker", "/children/{}/timeline", bedford.child_id, "C-NOBODY-1"),
        ("case_worker", "/orders/{}", bedford.order_id, "referral-order:luton:41CJNONE:C-NOBODY-1"),
        ("case_worker", "/orders/{}/export", bedford.order_id, "referral-order:luton:41CJNONE:C-NOBODY-1"),
        ("victim_worker", "/victim-contacts/{}", bedford.contact_id, "victim-contact:luton:41CJNONE:C-NOBODY-1:V-0"),
        ("manager", "/verify?stream_id={}", bedford.order_id, "referral-order:luton:41CJNONE:C-NOBODY-1"),
    ]
    for role, path, other_id, unknown_id in probes:
        async with http(stack, two, role) as client:
            theirs = await client.get(path.format(other_id))
            nothing = await client.get(path.format(unknown_id))
        assert theirs.status_code == 404, (path, theirs.text)
        assert theirs.json()["detail"].replace(other_id, "ID") == nothing.json()["detail"].replace(unknown_id, "ID")
    async with http(stack, two, "victim_worker") as client:
        r = await client.get(f"/victims/{bedford.victim_ref}", params={"purpose": "rj contact"})
        assert r.status_code == 404 and r.json()["detail"] == f"no details are recorded for victim {bedford.victim_ref}"
        r = await client.post(f"/victims/{bedford.victim_ref}", json=victim_details("Overwritten"))
        assert r.status_code == 404, r.text
        r = await client.post(f"/victim-contacts/{bedford.contact_id}/steps", json={"step": "contact_attempted"})
        assert r.status_code == 404, r.text
        assert (await client.get(f"/victims/{luton.victim_ref}", params={"purpose": "rj contact"})).status_code == 200
    async with http(stack, two, "case_worker") as client:
        r = await client.post(f"/orders/{bedford.order_id}/steps", json={"step": "first_contact_made"})
        assert r.status_code == 404 and r.json()["detail"] == f"no order workflow {bedford.order_id}"
        assert (await client.get(f"/orders/{luton.order_id}")).status_code == 200
    # Bedford's details were not touched by luton's attempt to overwrite them.
    async with stack.http("victim_worker") as client:
        r = await client.get(f"/victims/{bedford.victim_ref}", params={"purpose": "check"})
        assert r.json()["details"]["name"] == "Victim of bedford"


async def test_a_child_id_both_services_use_shows_each_only_its_own(stack: Stack) -> None:
    two = await two_services(stack)
    async with http(stack, two, "case_worker") as client:
        r = await client.get(f"/children/{two.own.shared_child_id}/timeline")
    assert r.status_code == 200
    streams = {e["workflow_id"] for e in r.json()["events"]} | {d["workflow_id"] for d in r.json()["deadlines"]}
    assert streams == {two.own.shared_order_id}
    async with stack.http("case_worker") as client:  # a user holding every service sees both
        r = await client.get(f"/children/{two.own.shared_child_id}/timeline")
    assert {e["workflow_id"] for e in r.json()["events"]} == {two.own.shared_order_id, two.other.shared_order_id}


async def test_lists_and_reports_hold_only_the_users_services(stack: Stack) -> None:
    two = await two_services(stack)
    lists = [
        ("case_worker", "/deadlines", {}),
        ("case_worker", "/deadlines", {"yjs": OTHER}),
        ("case_worker", "/deadlines", {"child_id": two.other.child_id}),
        ("victim_worker", "/victim-contacts", {}),
        ("manager", "/notifications", {}),
        ("manager", "/access-log", {}),
        ("manager", "/court-outcomes/rejected", {}),
        ("manager", "/inspection/sample", {"start": "2000-01-01", "end": today().isoformat(), "children": "91"}),
        ("inspector", "/inspection/sample", {"start": "2000-01-01", "end": today().isoformat(), "yjs": OTHER}),
    ]
    for role, path, params in lists:
        async with http(stack, two, role) as client:
            r = await client.get(path, params=params)
        assert r.status_code == 200, (path, r.text)
        assert leaks(r.json(), two) == [], (role, path, params)
    async with http(stack, two, "case_worker") as client:
        mine = (await client.get("/deadlines", params={"child_id": two.own.child_id})).json()
    assert mine and {d["yjs"] for d in mine} == {OWN}
    # The same lists for a user holding every service do name bedford's records: the check above can fail.
    async with stack.http("case_worker") as client:
        r = await client.get("/deadlines", params={"child_id": two.other.child_id})
    assert leaks(r.json(), two)
    async with http(stack, two, "manager") as client:
        report = (await client.get("/verify")).json()
    async with stack.http("manager") as client:
        everything = (await client.get("/verify")).json()
    assert 0 < report["streams_checked"] < everything["streams_checked"]


async def test_a_court_account_submits_only_for_its_services(stack: Stack) -> None:
    two = await two_services(stack)
    body = outcome(yjs=OTHER)
    async with http(stack, two, "intake") as client:
        refused = await client.post("/court-outcomes", json=body)
        assert refused.status_code == 403, refused.text
        assert "'bedford'" in refused.json()["detail"]
        assert refused.json()["errors"][0]["rule"] == "yjs.held"
        assert (await client.post("/court-outcomes", json=outcome(yjs=OWN))).status_code == 202
        own_list = (await client.get("/court-outcomes/rejected", params={"outcome_id": body["outcome_id"]})).json()
    assert own_list == [], "a refused outcome naming another service's child is not in a one-service list"
    async with http(stack, two, "bedford_intake") as client:
        theirs = (await client.get("/court-outcomes/rejected", params={"outcome_id": body["outcome_id"]})).json()
    assert theirs == [], "nor in the named service's: it was never that service's to receive"
    async with stack.http("manager") as client:
        kept = (await client.get("/court-outcomes/rejected", params={"outcome_id": body["outcome_id"]})).json()
    assert len(kept) == 1 and kept[0]["body"] == body
    assert await stack.inbox(body["outcome_id"]) is None


async def test_an_inspectors_grant_is_time_boxed_and_every_read_is_logged(stack: Stack) -> None:
    two = await two_services(stack)
    async with http(stack, two, "expired_inspector") as client:
        r = await client.get("/deadlines")
    assert r.status_code == 401
    assert r.json()["detail"].endswith(f"access ended on {(today() - timedelta(days=1)).isoformat()}")
    async with http(stack, two, "inspector") as client:
        assert (await client.get(f"/children/{two.own.child_id}/timeline")).status_code == 200
        assert (await client.get(f"/children/{two.other.child_id}/timeline")).status_code == 404
    logged = await inspector_reads(stack.pool, two.usernames["inspector"])
    assert [(r["path"], r["status"]) for r in logged[:2]] == [
        (f"/children/{two.other.child_id}/timeline", 404),
        (f"/children/{two.own.child_id}/timeline", 200),
    ]
    # Newest first; the session's other tests (the access matrix) may have called as this inspector before.
    ended = await inspector_reads(stack.pool, two.usernames["expired_inspector"])
    assert [(r["path"], r["status"]) for r in ended[:1]] == [("/deadlines", 401)]


async def test_users_add_with_services_and_an_inspectors_dates(stack: Stack, tmp_path: Path) -> None:
    env = cli_env(stack, None, tmp_path, DATABASE_URL=stack.database_url)
    name = f"insp-cli-{today():%Y%m%d}-{id(tmp_path) % 10000}"
    ran = await run_cli("users", "add", name, "--role", "inspector", "--service", OWN, env=env, cwd=tmp_path)
    assert ran.code == 2 and "--until" in ran.stderr
    until = today().isoformat()
    args = ("users", "add", name, "--role", "inspector", "--service", OWN, "--service", "luton-south", "--until", until)
    ran = await run_cli(*args, env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    async with stack.http(token=ran.stdout.strip()) as client:
        assert (await client.get(f"/children/{(await two_services(stack)).own.child_id}/timeline")).status_code == 200
    ran = await run_cli("users", "add", f"x-{name}", "--role", "manager", "--service", "Bedford", env=env, cwd=tmp_path)
    assert ran.code == 2 and "invalid service 'Bedford'" in ran.stderr
    ran = await run_cli("users", "add", f"y-{name}", "--role", "manager", "--until", "soon", env=env, cwd=tmp_path)
    assert ran.code == 2 and "--until must be a date" in ran.stderr


async def test_an_order_is_allocated_only_to_a_worker_holding_its_service(stack: Stack) -> None:
    from activities.users import add_user

    two = await two_services(stack)
    elsewhere = f"bedford-worker-{two.usernames['intake'][-6:]}"
    await add_user(stack.pool, elsewhere, "case_worker", services=[OTHER])
    step = {"step": "case_worker_allocated", "effective_date": today().isoformat(), "case_worker": elsewhere}
    async with stack.http("manager") as client:
        r = await client.post(f"/orders/{two.own.order_id}/steps", json=step)
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["rule"] == "case_worker.may_act" and f"does not hold service {OWN}" in error["message"]


async def test_an_ended_grant_cannot_sign_in_to_the_pages(stack: Stack) -> None:
    import re

    two = await two_services(stack)
    async with httpx.AsyncClient(base_url=stack.api_url) as client:
        form = await client.get("/app/sign-in")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf is not None
        data = {"csrf_token": csrf.group(1), "token": two.tokens["expired_inspector"], "next": "/app"}
        r = await client.post("/app/sign-in", data=data)
    assert r.status_code == 401
    assert "You cannot sign in: your access ended on" in r.text
    assert "yjflow_session" not in r.cookies


async def test_an_outcome_naming_another_services_order_is_told_no_such_order(stack: Stack) -> None:
    two = await two_services(stack)
    # A bedford order of this test's own: the refusals below are luton's records and quote its ids, so
    # they must not be the shared records the access matrix checks every luton list against.
    their_outcome = outcome(yjs=OTHER, victims=[])
    async with stack.http("intake") as client:
        r = await client.post("/court-outcomes", json=their_outcome)
        assert r.status_code == 202, r.text
    (their_order,) = all_workflow_ids_of(their_outcome)
    async with stack.http("manager") as client:
        await eventually(
            lambda: client.get(f"/orders/{their_order}"), lambda r: r.status_code == 200, what="bedford's order"
        )

    def revoking(order_ref: str) -> dict[str, Any]:
        return outcome(
            yjs=OWN,
            child_id=their_outcome["child"]["id"],
            victims=[],
            disposal={"kind": "order_revoked", "order_ref": order_ref, "grounds": "good_progress"},
        )

    async with http(stack, two, "intake") as client:
        theirs = await client.post("/court-outcomes", json=revoking(their_order))
        unknown = await client.post("/court-outcomes", json=revoking(their_order.replace("bedford", "luton")))
    assert theirs.status_code == unknown.status_code == 422
    assert [(e["field"], e["rule"]) for e in theirs.json()["errors"]] == [
        (e["field"], e["rule"]) for e in unknown.json()["errors"]
    ]
    assert "disposal.order_ref.no_such_order" in {e["rule"] for e in theirs.json()["errors"]}
