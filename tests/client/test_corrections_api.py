"""Correcting a step through the HTTP API (`POST /orders/{id}/corrections`), end to end on the shared stack:
the original stays in the timeline, superseded, with the reason and who corrected it; bad corrections
are refused naming the field or the rule, and record nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.client.conftest import Stack, cli_env, outcome, run_cli, today
from tests.client.test_api import accepted_and_running, of_type, step


async def correct(stack: Stack, wid: str, body: Any, *, role: str = "case_worker") -> Any:
    async with stack.http(role) as http:
        return await http.post(f"/orders/{wid}/corrections", json=body)


async def test_a_case_worker_corrects_a_wrong_date_and_the_timeline_keeps_both(stack: Stack) -> None:
    hearing = today() - timedelta(days=20)
    body = outcome(hearing=hearing)
    wid, _ = await accepted_and_running(stack, body)
    child = body["child"]["id"]
    r = await step(stack, wid, {"step": "first_contact_made", "effective_date": today().isoformat()})
    assert r.status_code == 200, r.text
    timeline = await stack.wait_for_events(child, "FirstContactMade")
    (contact,) = of_type(timeline, "FirstContactMade")
    right = (hearing + timedelta(days=1)).isoformat()

    # Bad bodies name the field; a correction the policy gives to a manager names the rule.
    r = await correct(stack, wid, {"supersedes": contact["stream_version"]})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "reason"
    r = await correct(stack, wid, {"supersedes": 0, "reason": "x"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "supersedes"
    wrong = {"supersedes": contact["stream_version"], "reason": "keyed today", "replacement": {"effective_date": right}}
    r = await correct(stack, wid, wrong)
    assert r.status_code == 409, r.text
    assert "corrections.manager_if_date_moves_more_than_days" in r.json()["detail"]
    r = await correct(stack, wid, {**wrong, "supersedes": 1})
    assert r.status_code == 409 and "not recorded by a person's step" in r.json()["detail"]

    r = await correct(stack, wid, wrong, role="manager")
    assert r.status_code == 200, r.text
    assert r.json()["order"]["first_contact_date"] == right
    timeline = await stack.wait_for_events(child, "StepCorrected")
    (corrected,) = of_type(timeline, "StepCorrected")
    assert corrected["actor"] == stack.usernames["manager"] and corrected["reason"] == "keyed today"
    assert contact["stream_version"] in corrected["payload"]["supersedes"]
    contacts = of_type(timeline, "FirstContactMade")
    assert [c["payload"]["contact_date"] for c in contacts] == sorted([right, today().isoformat()])
    superseded = {c["stream_version"]: c.get("superseded_by") for c in contacts}
    assert superseded[contact["stream_version"]] == {
        "stream_version": corrected["stream_version"],
        "actor": stack.usernames["manager"],
        "reason": "keyed today",
    }


async def test_a_step_is_voided_through_the_cli_and_the_timeline_says_superseded(stack: Stack, tmp_path: Path) -> None:
    body = outcome(hearing=today() - timedelta(days=3))
    wid, _ = await accepted_and_running(stack, body)
    child = body["child"]["id"]
    worker = cli_env(stack, stack.tokens["case_worker"], tmp_path)
    r = await step(stack, wid, {"step": "panel_adjourned", "effective_date": today().isoformat()})
    assert r.status_code == 200, r.text
    (adjourned,) = of_type(await stack.wait_for_events(child, "PanelAdjourned"), "PanelAdjourned")
    version = str(adjourned["stream_version"])
    ran = await run_cli(
        "correct", wid, version, "--reason", "x", "--void", "--on", "2026-01-01", env=worker, cwd=tmp_path
    )
    assert ran.code == 2 and "not both or neither" in ran.stderr, ran
    ran = await run_cli("correct", wid, version, "--reason", "panel met as planned", "--void", env=worker, cwd=tmp_path)
    assert ran.code == 0, ran
    assert f"voided the step of event #{version} on {wid}; the order is now order_made" in ran.stdout
    ran = await run_cli("timeline", child, env=worker, cwd=tmp_path)
    assert ran.code == 0, ran
    assert f"PanelAdjourned #{version}" in ran.stdout and "SUPERSEDED by #" in ran.stdout
