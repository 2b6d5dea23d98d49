"""Victims through the API and the CLI, end to end on the live stack: the details store (encrypted, every
access logged), the contacts' steps as Temporal Updates, the victim worker's list, and what the child's
timeline may show of a victim (the reference and the step, nothing else)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload

from activities.codec import EncryptionCodec
from activities.users import add_user
from tests.client.conftest import Stack, all_workflow_ids_of, cli_env, eventually, outcome, run_cli, today

ROLES = ("intake", "case_worker", "victim_worker", "manager", "inspector", "admin")
# A name and a reason a worker might type: neither may appear anywhere but where they belong.
SECRET_NAME = "Philippa Quenby-Marsh"
SECRET_REASON = "Mrs Quenby-Marsh is frightened of the family and asked not to be approached"


def person(name: str = SECRET_NAME, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "person",
        "under_18": False,
        "enhanced_rights": False,
        "contact_route": "phone",
        "name": name,
        "phone": "07700 900123",
        "preferred_contact_times": "weekday evenings",
    }
    body.update(overrides)
    return body


def ref_of(contact_id: str, body: dict[str, Any]) -> str:
    return next(v["ref"] for v in body["victims"] if contact_id.endswith(f":{v['ref']}"))


async def contacts_open(stack: Stack, body: dict[str, Any]) -> list[str]:
    """Submit the outcome; the ids of its victims' contacts once each has recorded its opening."""
    async with stack.http("intake") as http:
        r = await http.post("/court-outcomes", json=body)
    assert r.status_code == 202, r.text
    ids = all_workflow_ids_of(body)[1:]
    async with stack.http("victim_worker") as http:

        async def opened() -> list[int]:
            return [(await http.get(f"/victim-contacts/{wid}")).status_code for wid in ids]

        await eventually(opened, lambda codes: set(codes) == {200}, what=f"contacts {ids} opened")
    return ids


async def post_details(stack: Stack, ref: str, details: Any, role: str = "victim_worker", **params: str) -> Any:
    async with stack.http(role) as http:
        return await http.post(f"/victims/{ref}", json=details, params=params)


async def get_details(stack: Stack, ref: str, role: str = "victim_worker", purpose: str | None = "rj contact") -> Any:
    async with stack.http(role) as http:
        return await http.get(f"/victims/{ref}", params={"purpose": purpose} if purpose is not None else {})


async def victim_step(stack: Stack, wid: str, body: dict[str, Any], role: str = "victim_worker") -> Any:
    async with stack.http(role) as http:
        return await http.post(f"/victim-contacts/{wid}/steps", json=body)


async def history(stack: Stack, wid: str, role: str = "victim_worker") -> dict[str, Any]:
    async with stack.http(role) as http:
        r = await http.get(f"/victim-contacts/{wid}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def access_log(stack: Stack, ref: str) -> list[dict[str, Any]]:
    async with stack.http("manager") as http:
        r = await http.get("/access-log", params={"victim_ref": ref, "limit": 1000})
    assert r.status_code == 200, r.text
    return list(r.json())


# --- access ------------------------------------------------------------------------------------------


async def test_access_rules_per_role_for_every_victim_endpoint(stack: Stack) -> None:
    body = outcome()
    (wid,) = await contacts_open(stack, body)
    ref = ref_of(wid, body)
    r = await post_details(stack, ref, person())
    assert r.status_code == 200, r.text

    async def call(role: str | None, method: str, path: str, **kw: Any) -> int:
        async with stack.http(role) as http:
            return (await http.request(method, path, **kw)).status_code

    refused_step = {"step": "informed_choice_given", "effective_date": today().isoformat()}  # allowed roles get 409
    expected = {
        ("POST", f"/victims/{ref}"): ({"victim_worker", "manager"}, {"json": person()}, 200),
        ("GET", f"/victims/{ref}"): ({"victim_worker", "manager"}, {"params": {"purpose": "check route"}}, 200),
        ("GET", "/access-log"): ({"manager"}, {"params": {"victim_ref": ref}}, 200),
        ("GET", "/victim-contacts"): ({"victim_worker", "manager", "inspector"}, {}, 200),
        ("GET", f"/victim-contacts/{wid}"): ({"victim_worker", "manager", "inspector"}, {}, 200),
        ("POST", f"/victim-contacts/{wid}/steps"): ({"victim_worker", "manager"}, {"json": refused_step}, 409),
        # Allowed erasure is tested below, on a victim of its own: here only the refusals.
        ("POST", f"/victims/{ref}/erase"): ({"manager", "admin"}, {"json": {"reason": "test"}}, None),
    }
    for (method, path), (allowed, kw, ok) in expected.items():
        assert await call(None, method, path, **kw) == 401, path
        for role in ROLES:
            if role in allowed:
                if ok is not None:
                    assert await call(role, method, path, **kw) == ok, (role, method, path)
            else:
                assert await call(role, method, path, **kw) == 403, (role, method, path)

    # Every refusal to touch the details is in the log, with who asked and what was refused.
    log = await access_log(stack, ref)
    denied = {(e["username"], e["outcome"]) for e in log if e["action"] == "denied"}
    for role in ("case_worker", "inspector", "intake", "admin"):
        assert (stack.usernames[role], "read") in denied, role
        assert (stack.usernames[role], "write") in denied, role
    for role in ("case_worker", "inspector", "intake", "victim_worker"):
        assert (stack.usernames[role], "erase") in denied, role
        assert access_log_has(log, stack.usernames[role], "test")  # the erasure's reason, as given
    async with stack.http("manager") as http:
        everyone = (await http.get("/access-log", params={"limit": 1000})).json()
    reviews = {e["username"] for e in everyone if e["action"] == "denied" and e["outcome"] == "review_log"}
    assert {stack.usernames[r] for r in ("case_worker", "victim_worker", "inspector", "intake", "admin")} <= reviews
    # The refused read's purpose is kept as given; a read without one says so.
    async with stack.http("case_worker") as http:
        r = await http.get(f"/victims/{ref}")
    assert r.status_code == 403
    assert (
        r.json()["detail"] == "role case_worker may not read_victim_details: allowed roles are victim_worker, manager"
    )
    assert access_log_has(await access_log(stack, ref), stack.usernames["case_worker"], "(no purpose given)")
    assert access_log_has(await access_log(stack, ref), stack.usernames["inspector"], "check route")
    # An allowed read is logged with its purpose, and the reply holds the details.
    r = await get_details(stack, ref, "manager", purpose="supervision of the case")
    assert r.status_code == 200 and r.json()["details"]["name"] == SECRET_NAME
    (latest, *_) = await access_log(stack, ref)
    assert (latest["username"], latest["action"], latest["outcome"], latest["purpose"]) == (
        stack.usernames["manager"],
        "read",
        "ok",
        "supervision of the case",
    )


def access_log_has(log: list[dict[str, Any]], username: str, purpose: str) -> bool:
    return any(e["username"] == username and e["action"] == "denied" and e["purpose"] == purpose for e in log)


# --- details -----------------------------------------------------------------------------------------


async def test_details_round_trip_start_the_rj_clock_and_are_never_echoed(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6]
    body = outcome(
        victims=[
            {"ref": f"V-A{tag}", "kind": "person", "under_18": False},
            {"ref": f"V-B{tag}", "kind": "person", "under_18": False},
        ]
    )
    adult, enhanced = await contacts_open(stack, body)
    ref_a, ref_b = ref_of(adult, body), ref_of(enhanced, body)

    # Invalid details: each failing field named, none of the values given sent back.
    bad = person(phone="12", email="not-an-email", contact_route="email", address={"lines": [], "postcode": "QQ"})
    r = await post_details(stack, ref_a, bad)
    assert r.status_code == 422, r.text
    fields = {e["field"] for e in r.json()["detail"]}
    assert {"phone", "email", "address.lines", "address.postcode"} <= fields
    for value in (SECRET_NAME, "not-an-email", "QQ", "07700"):
        assert value not in r.text
    assert (await post_details(stack, ref_a, [1, 2])).status_code == 422
    r = await post_details(stack, ref_a, person(nickname="Pip"))
    assert r.status_code == 422 and [e["field"] for e in r.json()["detail"]] == ["nickname"]
    assert "Pip" not in r.text
    r = await post_details(stack, "Jane Smith", person())
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "victim_ref"
    r = await post_details(stack, f"V-NOBODY-{tag}", person())
    assert r.status_code == 404 and "no victim contact" in r.json()["detail"]
    assert (await get_details(stack, f"V-NOBODY-{tag}")).status_code == 404  # nothing was stored for it

    # Recorded: the reply names the contacts, never the details.
    r = await post_details(stack, ref_a, person())
    assert r.status_code == 200, r.text
    assert r.json() == {"victim_ref": ref_a, "updated": [adult], "unchanged": []}
    assert SECRET_NAME not in r.text
    r = await post_details(stack, ref_b, person("Sam Other", enhanced_rights=True, phone="+44 (0)20 7946 0000"))
    assert r.status_code == 200 and r.json()["updated"] == [enhanced]

    # Round trip, as stored (normalised where the model normalises).
    r = await get_details(stack, ref_a)
    assert r.status_code == 200, r.text
    got = r.json()["details"]
    assert {k: got[k] for k in person()} == {**person(), "phone": "07700900123"}
    r = await get_details(stack, ref_a, purpose=None)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "purpose"
    r = await get_details(stack, ref_a, purpose="   ")
    assert r.status_code == 422

    # The RJ-information clock runs from today: 5 working days, 1 for enhanced rights.
    rj = await stack.wait_for_deadline(adult, "victim.rj_information")
    assert rj["status"] == "open" and rj["clock_start"] == today()
    rj_enhanced = await stack.wait_for_deadline(enhanced, "victim.rj_information_enhanced")
    assert rj_enhanced["due_date"] < rj["due_date"]
    events = (await history(stack, adult))["events"]
    (received,) = [e for e in events if e["event_type"] == "VictimDetailsReceived"]
    assert received["actor"] == stack.usernames["victim_worker"]
    assert received["payload"] == {"enhanced_rights": False, "on": today().isoformat()}

    # New details for a contact that already has them are kept; the contact is not touched again.
    r = await post_details(stack, ref_a, person(phone="07700 900999"), purpose="victim moved")
    assert r.status_code == 200, r.text
    assert r.json()["updated"] == []
    assert [u["workflow_id"] for u in r.json()["unchanged"]] == [adult]
    assert "already received" in r.json()["unchanged"][0]["why"]
    assert (await get_details(stack, ref_a)).json()["details"]["phone"] == "07700900999"
    assert len((await history(stack, adult))["events"]) == len(events)
    writes = [e for e in await access_log(stack, ref_a) if e["action"] == "write"]
    assert [w["purpose"] for w in writes][:1] == ["victim moved"]


async def test_erasure_makes_the_details_unreadable_and_the_events_still_verify(stack: Stack) -> None:
    body = outcome()
    (wid,) = await contacts_open(stack, body)
    ref = ref_of(wid, body)
    assert (await post_details(stack, ref, person())).status_code == 200
    await stack.wait_for_deadline(wid, "victim.rj_information")

    async with stack.http("admin") as http:
        assert (await http.post(f"/victims/{ref}/erase", json={})).status_code == 422
        r = await http.post(f"/victims/{ref}/erase", json={"reason": "end of retention"})
        assert r.status_code == 200, r.text
        assert r.json() == {"victim_ref": ref, "erased": True}
    r = await get_details(stack, ref)
    assert r.status_code == 410
    assert "erased" in r.json()["detail"]
    assert (await post_details(stack, ref, person())).status_code == 410
    async with stack.http("manager") as http:
        r = await http.post(f"/victims/{ref}/erase", json={"reason": "again"})
        assert r.status_code == 200  # a logged no-op
        r = await http.get("/verify", params={"stream_id": wid})
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is True
    # The contact's record stands: the events are there and still name only the reference.
    assert [e["event_type"] for e in (await history(stack, wid))["events"]][:1] == ["VictimContactOpened"]
    log = await access_log(stack, ref)
    assert [(e["action"], e["outcome"]) for e in log[:4]] == [
        ("erase", "already_erased"),
        ("write", "erased"),
        ("read", "erased"),
        ("erase", "ok"),
    ]


# --- steps -------------------------------------------------------------------------------------------


async def test_steps_are_recorded_with_the_actor_and_a_refusal_records_nothing(stack: Stack) -> None:
    body = outcome()
    (wid,) = await contacts_open(stack, body)
    ref = ref_of(wid, body)
    on = today().isoformat()
    assert (await post_details(stack, ref, person())).status_code == 200

    r = await victim_step(
        stack, wid, {"step": "suitability_decided", "effective_date": on, "invite": True, "actor": "x"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["contact"]["state"] == "suitability_decided"
    r = await victim_step(
        stack, wid, {"step": "contact_attempted", "effective_date": on, "channel": "phone", "result": "no_answer"}
    )
    assert r.status_code == 200, r.text
    before = (await history(stack, wid))["events"]
    attempted = [e for e in before if e["event_type"] == "ContactAttempted"]
    assert [e["actor"] for e in attempted] == [stack.usernames["victim_worker"]]
    assert before[-1]["event_type"] == "ContactAttempted"

    # Out of order: refused with the reason, nothing recorded.
    consent = {"step": "consent_recorded", "effective_date": on, "option": "shuttle_mediation"}
    r = await victim_step(stack, wid, {**consent, "given_by": "victim", "how": "phone", "consented": True})
    assert r.status_code == 409
    assert r.json()["detail"].startswith("consent_recorded refused: the victim has not been given an informed choice")
    r = await victim_step(stack, wid, {"step": "details_received", "effective_date": on}, role="manager")
    assert r.status_code == 409 and "already received" in r.json()["detail"]
    future = (today() + timedelta(days=3)).isoformat()
    r = await victim_step(stack, wid, {"step": "contacted", "effective_date": future, "channel": "phone"})
    assert r.status_code == 409 and "in the future" in r.json()["detail"]
    assert (await history(stack, wid))["events"] == before

    # Fields named; unknown contacts and an order's id are not victim contacts.
    r = await victim_step(stack, wid, {"step": "contact_attempted", "effective_date": on})
    assert r.status_code == 422
    assert sorted(e["field"] for e in r.json()["detail"]) == ["channel", "result"]
    r = await victim_step(stack, wid, {"step": "tea_break", "effective_date": on})
    assert r.status_code == 422 and "suitability_decided" in r.json()["detail"][0]["message"]
    r = await victim_step(
        stack, wid, {"step": "victim_worker_allocated", "effective_date": on, "victim_worker": "nobody"}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "victim_worker"
    cw = stack.usernames["case_worker"]
    r = await victim_step(stack, wid, {"step": "victim_worker_allocated", "effective_date": on, "victim_worker": cw})
    assert r.status_code == 422 and "has role case_worker" in r.json()["detail"][0]["message"]
    r = await victim_step(stack, f"{wid}-missing", {"step": "contacted", "effective_date": on, "channel": "phone"})
    assert r.status_code == 404
    r = await victim_step(
        stack, all_workflow_ids_of(body)[0], {"step": "contacted", "effective_date": on, "channel": "phone"}
    )
    assert r.status_code == 404
    async with stack.http("victim_worker") as http:
        assert (await http.get(f"/victim-contacts/{wid}-missing")).status_code == 404
    assert (await history(stack, wid))["events"] == before


async def test_the_childs_timeline_shows_a_victim_as_reference_and_step_only(stack: Stack) -> None:
    body = outcome()
    (wid,) = await contacts_open(stack, body)
    ref = ref_of(wid, body)
    child = body["child"]["id"]
    on = today().isoformat()
    assert (await post_details(stack, ref, person())).status_code == 200
    r = await victim_step(
        stack, wid, {"step": "suitability_decided", "effective_date": on, "invite": False, "reason": SECRET_REASON}
    )
    assert r.status_code == 200, r.text
    assert r.json()["contact"]["state"] == "closed"
    await stack.wait_for_events(child, "SuitabilityDecided", "ContactClosed")

    for role in ("case_worker", "manager", "inspector", "admin"):
        async with stack.http(role) as http:
            r = await http.get(f"/children/{child}/timeline")
        assert r.status_code == 200, (role, r.text)
        assert SECRET_REASON not in r.text and SECRET_NAME not in r.text and "07700" not in r.text
        victim_events = [e for e in r.json()["events"] if e["workflow_id"] == wid]
        assert {"VictimContactOpened", "VictimDetailsReceived", "SuitabilityDecided", "ContactClosed"} <= {
            e["event_type"] for e in victim_events
        }
        for e in victim_events:
            assert e["payload"] == {"victim_ref": ref}, e
            assert e["reason"] is None
        # The order's own events keep their detail.
        assert any(e["payload"].get("rule_id") for e in r.json()["events"] if e["workflow_id"] != wid)

    # The contact's own history opens the reason for victim work only; an inspector sees that one is held,
    # and what the pages show: the step, its dates and actor, never the step's fields.
    events = (await history(stack, wid, role="inspector"))["events"]
    (decided,) = [e for e in events if e["event_type"] == "SuitabilityDecided"]
    assert decided["reason"] is None and decided["note"] == "withheld"
    assert SECRET_REASON not in json.dumps(events) and SECRET_NAME not in json.dumps(events)
    assert all(e["payload"] == {"victim_ref": ref} for e in events)
    for role in ("victim_worker", "manager"):
        events = (await history(stack, wid, role=role))["events"]
        (decided,) = [e for e in events if e["event_type"] == "SuitabilityDecided"]
        assert decided["reason"] == SECRET_REASON and decided["note"] == "shown", role
    # A closed contact takes nothing more, and says so.
    r = await victim_step(stack, wid, {"step": "reopened", "effective_date": on})
    assert r.status_code == 409
    assert "closed (not_invited)" in r.json()["detail"]


# --- the victim worker's day ---------------------------------------------------------------------------


async def test_a_victim_worker_lists_their_contacts_with_next_step_and_deadline(stack: Stack, tmp_path: Path) -> None:
    worker = f"vw-{uuid.uuid4().hex[:6]}"
    token = await add_user(stack.pool, worker, "victim_worker")
    tag = uuid.uuid4().hex[:6]
    body = outcome(
        victims=[
            {"ref": f"V-M{tag}", "kind": "person", "under_18": False},
            {"ref": f"V-N{tag}", "kind": "person", "under_18": False},
        ]
    )
    mine, other = await contacts_open(stack, body)
    on = today().isoformat()
    async with stack.http(token=token) as http:
        r = await http.post(
            f"/victim-contacts/{mine}/steps",
            json={"step": "victim_worker_allocated", "effective_date": on, "victim_worker": worker},
        )
        assert r.status_code == 200, r.text
        r = await http.post(f"/victims/{ref_of(mine, body)}", json=person())
        assert r.status_code == 200, r.text
    rj = await stack.wait_for_deadline(mine, "victim.rj_information")

    async def listed(**params: Any) -> list[dict[str, Any]]:
        async with stack.http(token=token) as http:
            r = await http.get("/victim-contacts", params=params)
        assert r.status_code == 200, r.text
        return list(r.json())

    (item,) = await listed(worker=worker)
    assert item["workflow_id"] == mine and item["victim_ref"] == ref_of(mine, body)
    assert item["state"] == "details_received" and item["victim_worker"] == worker
    assert item["next_steps"] == ["suitability_decided"]
    assert item["next_deadline"]["rule_id"] == "victim.rj_information"
    assert item["next_deadline"]["due_date"] == rj["due_date"].isoformat()
    assert set(item) >= {"child_id", "linked_order_id", "yjs"} and "name" not in item
    assert await listed(worker=worker, due_before=on) == []
    assert [c["workflow_id"] for c in await listed(worker=worker, due_before=rj["due_date"] + timedelta(days=1))] == [
        mine
    ]
    unallocated = {c["workflow_id"]: c for c in await listed(yjs="luton")}
    assert unallocated[other]["victim_worker"] is None
    assert unallocated[other]["next_steps"] == ["victim_worker_allocated", "details_received"]
    assert unallocated[other]["next_deadline"] is None
    async with stack.http(token=token) as http:
        assert (await http.get("/victim-contacts", params={"due_before": "not-a-date"})).status_code == 422

    # The same day through the CLI.
    env = cli_env(stack, token, tmp_path)
    ran = await run_cli("victims", "--worker", worker, "--json", env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert [c["workflow_id"] for c in json.loads(ran.stdout)] == [mine]
    ran = await run_cli("victims", "--worker", worker, env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    for text in (mine, "details_received", "suitability_decided", "victim.rj_information", str(rj["due_date"])):
        assert text in ran.stdout, text

    ran = await run_cli(
        "victim-step", mine, "suitability_decided", "--on", on, "--set", "invite=true", env=env, cwd=tmp_path
    )
    assert ran.code == 0, ran
    assert ran.stdout.strip() == f"recorded suitability_decided on {mine}; the contact is now suitability_decided"
    ran = await run_cli(
        "victim-step", mine, "informed_choice_given", "--on", on, "--reason", "tried early", env=env, cwd=tmp_path
    )
    assert ran.code == 1, ran
    assert "HTTP 409" in ran.stderr and "has not been contacted yet" in ran.stderr
    ran = await run_cli(
        "victim-step",
        mine,
        "contact_attempted",
        "--on",
        on,
        "--set",
        "channel=phone",
        "--set",
        "result=reached",
        env=env,
        cwd=tmp_path,
    )
    assert ran.code == 0, ran
    assert ran.stdout.strip().endswith("the contact is now contacted")
    events = (await history(stack, mine))["events"]
    assert [e["actor"] for e in events if e["event_type"] in ("SuitabilityDecided", "VictimContacted")] == [worker] * 2
    assert not [e for e in events if e["event_type"] == "InformedChoiceGiven"]
    (item,) = await listed(worker=worker)
    assert item["next_steps"] == ["informed_choice_given"]


async def test_victim_details_through_the_cli(stack: Stack, tmp_path: Path) -> None:
    body = outcome(hearing=today() - timedelta(days=3))
    (wid,) = await contacts_open(stack, body)
    ref = ref_of(wid, body)
    path = tmp_path / "details.json"
    path.write_text(json.dumps(person()), encoding="utf-8")
    env = cli_env(stack, stack.tokens["victim_worker"], tmp_path)

    future = (today() + timedelta(days=1)).isoformat()
    ran = await run_cli("victim-details", ref, "--file", str(path), "--received-on", future, env=env, cwd=tmp_path)
    assert ran.code == 1 and "received_on" in ran.stderr and "in the future" in ran.stderr, ran
    received = (today() - timedelta(days=1)).isoformat()
    ran = await run_cli("victim-details", ref, "--file", str(path), "--received-on", received, env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert f"details_received on {wid}" in ran.stdout and SECRET_NAME not in ran.stdout + ran.stderr
    # details_received takes the day the details came in, not the day they were typed.
    assert (await history(stack, wid))["contact"]["details_received_on"] == received
    ran = await run_cli("victim-details", ref, "--show", env=env, cwd=tmp_path)
    assert ran.code == 2 and "--purpose" in ran.stderr
    ran = await run_cli("victim-details", ref, "--show", "--purpose", "arrange a call", env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert json.loads(ran.stdout)["name"] == SECRET_NAME
    (latest, *_) = await access_log(stack, ref)
    assert (latest["action"], latest["purpose"]) == ("read", "arrange a call")

    path.write_text(json.dumps(person(phone="12")), encoding="utf-8")
    ran = await run_cli("victim-details", ref, "--file", str(path), env=env, cwd=tmp_path)
    assert ran.code == 1 and "HTTP 422" in ran.stderr and "phone" in ran.stderr
    assert SECRET_NAME not in ran.stderr
    denied = cli_env(stack, stack.tokens["case_worker"], tmp_path)
    ran = await run_cli("victim-details", ref, "--show", "--purpose", "curious", env=denied, cwd=tmp_path)
    assert ran.code == 1 and "HTTP 403" in ran.stderr
    assert access_log_has(await access_log(stack, ref), stack.usernames["case_worker"], "curious")


# --- nowhere but their encrypted row -------------------------------------------------------------------


def _payload_nodes(node: object) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if "metadata" in node and "data" in node else []
        return found + [p for v in node.values() for p in _payload_nodes(v)]
    if isinstance(node, list):
        return [p for v in node for p in _payload_nodes(v)]
    return []


async def test_a_victims_details_are_nowhere_but_their_encrypted_row(
    stack: Stack, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """After recording, reading, stepping (with a note naming the victim) and refusing: the name and phone
    number are in no table but `victim_details` and `victim_step_notes` (as ciphertext), in no Temporal
    history (decrypted), and in no log line."""
    name, phone = f"Oriel Vantongeren {uuid.uuid4().hex[:6]}", "07700 900456"
    body = outcome()
    (wid,) = await contacts_open(stack, body)
    ref = ref_of(wid, body)
    assert (await post_details(stack, ref, person(name, phone=phone))).status_code == 200
    assert (await get_details(stack, ref)).json()["details"]["name"] == name
    assert (await get_details(stack, ref, "case_worker")).status_code == 403
    bad = await post_details(stack, ref, person(name, phone="12"))
    assert bad.status_code == 422
    on = today().isoformat()
    invite = {"step": "suitability_decided", "effective_date": on, "invite": True, "reason": f"{name}: call {phone}"}
    assert (await victim_step(stack, wid, invite)).is_success
    await stack.wait_for_deadline(wid, "victim.rj_information")
    needles = [name, "07700900456", phone]

    async with stack.pool.connection() as conn:
        tables = [
            r["table_name"]
            for r in await (
                await conn.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ).fetchall()
        ]
        assert {"events", "deadlines", "inbox", "access_log", "victim_details", "notifications"} <= set(tables)
        for table in tables:
            rows = await (await conn.execute(f"SELECT to_jsonb(t)::text AS row FROM {table} t")).fetchall()
            text = "\n".join(r["row"] for r in rows)
            for needle in needles:
                assert needle not in text, (table, needle)

    codec = EncryptionCodec(stack.settings.payload_key_bytes, stack.settings.payload_key_id)
    scanned = 0
    async for execution in stack.temporal.list_workflows():
        history = json.loads(
            (await stack.temporal.get_workflow_handle(execution.id, run_id=execution.run_id).fetch_history()).to_json()
        )
        for node in _payload_nodes(history):
            payload = Payload(
                metadata={k: base64.b64decode(v) for k, v in node["metadata"].items()},
                data=base64.b64decode(node["data"]),
            )
            (plain,) = await codec.decode([payload])
            for needle in needles:
                assert needle.encode() not in plain.data, (execution.id, needle)
        scanned += 1
    assert scanned >= 2  # this outcome's order and contact at least

    logged = capfd.readouterr()
    for needle in needles:
        assert needle not in logged.out and needle not in logged.err
        assert needle not in caplog.text


async def test_a_step_note_is_sealed_under_the_victims_key_and_erased_with_it(stack: Stack) -> None:
    """The event keeps a reference, the note is read back only by victim work (logged), and erasing the
    victim leaves the event chain whole and the note unreadable."""
    body = outcome()
    (wid,) = await contacts_open(stack, body)
    ref = ref_of(wid, body)
    on = today().isoformat()
    note = "victim (14), same school, mum"
    assert (await post_details(stack, ref, person())).status_code == 200
    step = {"step": "suitability_decided", "effective_date": on, "invite": True, "reason": note}
    r = await victim_step(stack, wid, step)
    assert r.status_code == 200, r.text
    async with stack.pool.connection() as conn:
        rows = await (
            await conn.execute(
                "SELECT reason FROM events WHERE stream_id = %s AND event_type = 'SuitabilityDecided'", (wid,)
            )
        ).fetchall()
        stored = await (
            await conn.execute("SELECT count(*) AS n FROM victim_step_notes WHERE victim_ref = %s", (ref,))
        ).fetchone()
    assert [r["reason"].startswith("victim-note:") for r in rows] == [True]
    assert stored is not None and stored["n"] == 1
    events = (await history(stack, wid))["events"]
    (decided,) = [e for e in events if e["event_type"] == "SuitabilityDecided"]
    assert (decided["reason"], decided["note"]) == (note, "shown")
    assert any(e["action"] == "read" and e["purpose"] == f"notes of {wid}" for e in await access_log(stack, ref))

    async with stack.http("manager") as http:
        assert (await http.post(f"/victims/{ref}/erase", json={"reason": "end of retention"})).status_code == 200
        verified = await http.get("/verify", params={"stream_id": wid})
    assert verified.status_code == 200 and verified.json()["ok"] is True, verified.text
    events = (await history(stack, wid, role="manager"))["events"]
    (decided,) = [e for e in events if e["event_type"] == "SuitabilityDecided"]
    assert (decided["reason"], decided["note"]) == (None, "erased")
    # An erased victim's contact takes no new note (there is no key to seal it under), and says why.
    attempt = {"step": "contact_attempted", "effective_date": on, "channel": "phone", "result": "no_answer"}
    r = await victim_step(stack, wid, {**attempt, "reason": "rang twice"})
    assert r.status_code == 409 and "erased" in r.json()["detail"], r.text
