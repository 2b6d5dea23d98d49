"""Retention through the running API and the dev server's Schedules: the daily sweep's schedule is created
once (02:30 London), managers place and lift legal holds with a reason, and the preview lists only what is
due and not held."""

from __future__ import annotations

import uuid

from temporalio.client import ScheduleHandle

from tests.client.conftest import Stack, outcome
from workflows.retention import SCHEDULE_ID, ensure_retention_schedule


async def test_the_daily_sweep_is_a_schedule_made_once(stack: Stack) -> None:
    created = await ensure_retention_schedule(stack.temporal, stack.settings.task_queue)
    again = await ensure_retention_schedule(stack.temporal, stack.settings.task_queue)
    handle: ScheduleHandle = stack.temporal.get_schedule_handle(SCHEDULE_ID)
    try:
        assert (created, again) == (True, False)
        described = await handle.describe()
        spec = described.schedule.spec
        assert spec.time_zone_name == "Europe/London"
        (calendar,) = spec.calendars
        assert [r.start for r in calendar.hour] == [2] and [r.start for r in calendar.minute] == [30]
    finally:
        await handle.delete()


async def test_a_manager_holds_and_lifts_a_record_with_a_reason_and_others_may_not(stack: Stack) -> None:
    child = f"C-{uuid.uuid4().hex[:10]}"
    async with stack.http("intake") as http:
        assert (await http.post("/court-outcomes", json=outcome(child_id=child))).status_code == 202
    await stack.wait_for_events(child, "ReferralOrderMade")
    body = {"record_kind": "child_record", "yjs": "luton", "subject": child, "reason": "Subject access request"}
    async with stack.http("case_worker") as http:
        assert (await http.post("/retention/holds", json=body)).status_code == 403
    async with stack.http("manager") as http:
        r = await http.post("/retention/holds", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["placed_by"] == stack.usernames["manager"]
        assert (await http.post("/retention/holds", json=body)).status_code == 409
        assert child in [h["subject"] for h in (await http.get("/retention/holds")).json()]
        # An open case is never due, held or not; the preview answers in the API's shape.
        r = await http.get("/retention/preview", params={"days": 366})
        assert r.status_code == 200 and child not in [d["subject"] for d in r.json()]
        r = await http.post("/retention/holds/lift", json={**body, "reason": "Request answered"})
        assert r.status_code == 200 and r.json()["lift_reason"] == "Request answered"
        assert (await http.post("/retention/holds/lift", json=body)).status_code == 404
    timeline = await stack.wait_for_events(child, "LegalHoldPlaced", "LegalHoldLifted")
    assert [e["reason"] for e in timeline["events"] if e["event_type"].startswith("LegalHold")] == [
        "Subject access request",
        "Request answered",
    ]
