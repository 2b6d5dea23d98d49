"""The `yjflow` command line end to end: a real subprocess against the API on its real port (uvicorn),
with the worker and relay behind it, configured only through its environment."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from tests.client.conftest import Stack, cli_env, outcome, run_cli, today, workflow_id_of


def jsonl(*items: Any) -> str:
    return "".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in items)


async def test_ingest_json_lines_summarises_exits_1_on_rejections_and_keeps_them(stack: Stack, tmp_path: Path) -> None:
    good = [outcome(), outcome(victims=[])]
    bad = outcome(months=14)
    bad["outcome_id"] = f"[/]BAD-{uuid.uuid4().hex[:6]}"  # rich markup in a sender's id must print as sent
    path = tmp_path / "outcomes.jsonl"
    path.write_text(jsonl(good[0], "", bad, "{not json", good[1]) + "\n\n", encoding="utf-8")
    env = cli_env(stack, stack.tokens["intake"], tmp_path)

    ran = await run_cli("ingest", str(path), env=env, cwd=tmp_path)
    assert ran.code == 1, ran
    assert "accepted 2, duplicate 0, rejected 2" in ran.stdout
    assert "Traceback" not in ran.stderr
    assert "disposal.months" in ran.stderr  # each rejected item says why
    assert bad["outcome_id"] in ran.stderr
    assert "line 4 (no outcome_id): body:" in ran.stderr  # line numbers count blank lines
    for body in good:
        row = await stack.inbox(body["outcome_id"])
        assert row is not None and row["received_by"] == stack.usernames["intake"]
    async with stack.http("intake") as http:
        kept = (await http.get("/court-outcomes/rejected", params={"outcome_id": bad["outcome_id"]})).json()
    assert kept and kept[0]["body"] == bad

    again = await run_cli("ingest", str(path), env=env, cwd=tmp_path)
    assert again.code == 1
    assert "accepted 0, duplicate 2, rejected 2" in again.stdout

    # The rejected list, as the intake team reads it.
    ran = await run_cli("rejected", "--json", env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert bad["outcome_id"] in {r["outcome_id"] for r in json.loads(ran.stdout)}
    ran = await run_cli("rejected", env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert bad["outcome_id"] in ran.stdout


async def test_ingest_a_json_array_twice_is_all_duplicates_the_second_time(stack: Stack, tmp_path: Path) -> None:
    bodies = [outcome(), outcome(), outcome(victims=[])]
    path = tmp_path / "outcomes.json"
    path.write_text(json.dumps(bodies, indent=2), encoding="utf-8")
    env = cli_env(stack, stack.tokens["intake"], tmp_path)

    first = await run_cli("ingest", str(path), env=env, cwd=tmp_path)
    assert first.code == 0, first
    assert first.stdout.strip() == "accepted 3, duplicate 0, rejected 0"
    second = await run_cli("ingest", str(path), env=env, cwd=tmp_path)
    assert second.code == 0, second
    assert second.stdout.strip() == "accepted 0, duplicate 3, rejected 0"
    for body in bodies:
        await stack.wait_for_inbox(body["outcome_id"], lambda r: r["relay_status"] == "started", what="relayed")


async def test_ingest_one_pretty_printed_outcome_a_bom_and_stdin(stack: Stack, tmp_path: Path) -> None:
    env = cli_env(stack, stack.tokens["admin"], tmp_path)
    single, with_bom = outcome(), outcome()
    (tmp_path / "one.json").write_text(json.dumps(single, indent=2), encoding="utf-8")
    (tmp_path / "bom.jsonl").write_text(jsonl(with_bom), encoding="utf-8-sig")  # as Windows tools write it
    ran = await run_cli("ingest", str(tmp_path / "one.json"), env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert "accepted 1, duplicate 0, rejected 0" in ran.stdout
    ran = await run_cli("ingest", str(tmp_path / "bom.jsonl"), env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert "accepted 1, duplicate 0, rejected 0" in ran.stdout
    assert (await stack.inbox(with_bom["outcome_id"])) is not None
    array_with_bom = [outcome(), outcome()]
    (tmp_path / "bom.json").write_text(json.dumps(array_with_bom, indent=2), encoding="utf-8-sig")
    ran = await run_cli("ingest", str(tmp_path / "bom.json"), env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert "accepted 2, duplicate 0, rejected 0" in ran.stdout
    piped = [outcome(), outcome()]
    ran = await run_cli("ingest", "-", env=env, cwd=tmp_path, stdin=jsonl(*piped).encode())
    assert ran.code == 0, ran
    assert "accepted 2, duplicate 0, rejected 0" in ran.stdout


async def test_ingest_says_why_when_it_cannot_submit(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    body = outcome()
    path.write_text(jsonl(body), encoding="utf-8")

    for token, expected in (("not-a-token", "HTTP 401"), (stack.tokens["inspector"], "HTTP 403")):
        ran = await run_cli("ingest", str(path), env=cli_env(stack, token, tmp_path), cwd=tmp_path)
        assert ran.code == 1, ran
        assert expected in ran.stderr
        assert "Traceback" not in ran.stderr
    ran = await run_cli(
        "ingest", str(path), env=cli_env("http://127.0.0.1:9", stack.tokens["intake"], tmp_path), cwd=tmp_path
    )
    assert ran.code == 1, ran
    assert "cannot reach the API" in ran.stderr
    assert "stopped at item 1: 1 of 1 not sent" in ran.stderr
    assert "Traceback" not in ran.stderr
    ran = await run_cli("ingest", str(path), env=cli_env(stack, None, tmp_path), cwd=tmp_path)
    assert ran.code == 2
    assert "No token" in ran.stderr
    ran = await run_cli("ingest", str(tmp_path / "missing.jsonl"), env=cli_env(stack, "x", tmp_path), cwd=tmp_path)
    assert ran.code == 2
    assert "No such file" in ran.stderr
    assert await stack.inbox(body["outcome_id"]) is None


async def test_timeline_deadlines_and_step_through_the_cli(stack: Stack, tmp_path: Path) -> None:
    body = outcome()
    child, wid = body["child"]["id"], workflow_id_of(body)
    path = tmp_path / "one.jsonl"
    path.write_text(jsonl(body), encoding="utf-8")
    ran = await run_cli("ingest", str(path), env=cli_env(stack, stack.tokens["intake"], tmp_path), cwd=tmp_path)
    assert ran.code == 0, ran
    await stack.wait_for_events(child, "CourtOutcomeRecorded", "ReferralOrderMade", "DeadlineScheduled")
    worker = cli_env(stack, stack.tokens["case_worker"], tmp_path)

    ran = await run_cli("timeline", child, "--json", env=worker, cwd=tmp_path)
    assert ran.code == 0, ran
    data = json.loads(ran.stdout)
    assert data["child_id"] == child
    types = [e["event_type"] for e in data["events"] if e["workflow_id"] == wid]
    assert types[:2] == ["CourtOutcomeRecorded", "ReferralOrderMade"]
    assert "DeadlineScheduled" in types
    assert {d["rule_id"] for d in data["deadlines"]} == {
        "ro.first_contact",
        "ro.initial_panel",
        "ro.victim_views",
        "assessment.initial",
        "oversight.allocation",
    }

    ran = await run_cli(
        "step",
        wid,
        "first_contact_made",
        "--on",
        today().isoformat(),
        "--reason",
        "[/]home visit",
        env=worker,
        cwd=tmp_path,
    )
    assert ran.code == 0, ran
    assert f"recorded first_contact_made on {wid}; the order is now order_made" in ran.stdout
    on = today().isoformat()
    ran = await run_cli(
        "step", wid, "case_worker_allocated", "--on", on, "--set", "case_worker=007", env=worker, cwd=tmp_path
    )
    assert ran.code != 0 and "007" in ran.stderr, ran  # not a user: refused, naming the field's value
    allocated = stack.usernames["case_worker"]
    ran = await run_cli(
        "step", wid, "case_worker_allocated", "--on", on, "--set", f"case_worker={allocated}", env=worker, cwd=tmp_path
    )
    assert ran.code == 0, ran
    ran = await run_cli("order", wid, env=worker, cwd=tmp_path)
    assert ran.code == 0, ran
    assert json.loads(ran.stdout)["order"]["case_worker"] == allocated
    ran = await run_cli(
        "step",
        wid,
        "panel_adjourned",
        "--on",
        on,
        "--set",
        f"adjourned_to={on}",
        "--set",
        "bogus",
        env=worker,
        cwd=tmp_path,
    )
    assert ran.code == 2 and "--set takes key=value" in ran.stderr
    ran = await run_cli("step", wid, "progress_panel_held", "--on", today().isoformat(), env=worker, cwd=tmp_path)
    assert ran.code == 1
    assert "HTTP 409" in ran.stderr and "contract_agreed" in ran.stderr

    ran = await run_cli("deadlines", "--child-id", child, "--status", "met", "--json", env=worker, cwd=tmp_path)
    assert ran.code == 0, ran
    assert [d["rule_id"] for d in json.loads(ran.stdout)] == ["ro.first_contact"]
    ran = await run_cli("deadlines", "--status", "late", env=worker, cwd=tmp_path)
    assert ran.code == 2
    # The tables print whatever people typed, markup-like or not.
    ran = await run_cli("timeline", child, env=worker, cwd=tmp_path)
    assert ran.code == 0, ran
    assert "FirstContactMade" in ran.stdout and "[/]home visit" in ran.stdout
    ran = await run_cli("deadlines", "--child-id", child, env=worker, cwd=tmp_path)
    assert ran.code == 0, ran
    assert "ro.initial_panel" in ran.stdout

    ran = await run_cli("timeline", child, env=cli_env(stack, stack.tokens["intake"], tmp_path), cwd=tmp_path)
    assert ran.code == 1
    assert "HTTP 403" in ran.stderr and "allowed roles are" in ran.stderr


async def test_users_add_prints_only_the_token_and_the_token_works(stack: Stack, tmp_path: Path) -> None:
    name = f"cw-{uuid.uuid4().hex[:6]}"
    env = cli_env(None, None, tmp_path, DATABASE_URL=stack.database_url)
    ran = await run_cli("users", "add", name, "--role", "case_worker", env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    token = ran.stdout.strip()
    assert ran.stdout == token + "\n", "stdout must hold the token alone, so `$(yjflow users add …)` works"
    assert len(token) >= 40 and " " not in token
    async with stack.http(token=token) as http:
        assert (await http.get("/deadlines", params={"child_id": "nobody"})).status_code == 200
        r = await http.post("/court-outcomes", json=outcome())
        assert r.status_code == 403  # a case worker does not submit outcomes

    ran = await run_cli("users", "add", name, "--role", "case_worker", env=env, cwd=tmp_path)
    assert ran.code == 2
    assert ran.stdout == ""
    assert "already exists" in ran.stderr
    ran = await run_cli("users", "add", f"x-{name}", "--role", "judge", env=env, cwd=tmp_path)
    assert ran.code == 2
    assert "unknown role" in ran.stderr
    ran = await run_cli(
        "users", "add", f"y-{name}", "--role", "case_worker", env=cli_env(None, None, tmp_path), cwd=tmp_path
    )
    assert ran.code == 2
    assert "DATABASE_URL is not set" in ran.stderr
