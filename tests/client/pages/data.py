"""Cases for the page tests, made the way a court and a worker make them: through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.client.conftest import Stack, all_workflow_ids_of, eventually, outcome, today, workflow_id_of

# What a victim worker might type: it must show only to roles allowed victim step details.
SECRET_REASON = "Victim asked not to be approached before the hearing in March"


async def submit(stack: Stack, body: dict[str, Any]) -> str:
    async with stack.http("intake") as http:
        r = await http.post("/court-outcomes", json=body)
    assert r.status_code == 202, r.text
    return workflow_id_of(body)


async def late_referral_order(stack: Stack, *, days_ago: int = 25) -> dict[str, Any]:
    """A referral order from `days_ago` days back (its first deadlines already missed), whose first
    contact is recorded today though it took effect 14 days after the hearing (after `ro.first_contact`,
    5 working days): a late entry that meets the deadline late. Returns the outcome, with `_order` and
    `_contacts` (workflow ids)."""
    hearing = today() - timedelta(days=days_ago)
    body = outcome(hearing=hearing)
    order = await submit(stack, body)
    child = body["child"]["id"]
    await stack.wait_for_deadline(order, "ro.first_contact")
    async with stack.http("case_worker") as http:
        step = {"step": "first_contact_made", "effective_date": (hearing + timedelta(days=14)).isoformat()}
        r = await http.post(f"/orders/{order}/steps", json=step)
    assert r.status_code == 200, r.text
    await stack.wait_for_events(child, "DeadlineMet")
    body["_order"] = order
    body["_contacts"] = all_workflow_ids_of(body)[1:]
    return body


async def victim_not_invited(stack: Stack, body: dict[str, Any]) -> str:
    """The outcome's (first) victim's contact decided not suitable, with a reason the worker typed."""
    (wid,) = body["_contacts"]
    ref = body["victims"][0]["ref"]
    async with stack.http("victim_worker") as http:

        async def opened() -> int:
            return (await http.get(f"/victim-contacts/{wid}")).status_code

        await eventually(opened, lambda code: code == 200, what=f"contact {wid} opened")
        details = {
            "kind": "person",
            "under_18": False,
            "enhanced_rights": False,
            "contact_route": "phone",
            "name": "Pat Example",
            "phone": "07700 900456",
        }
        r = await http.post(f"/victims/{ref}", json=details)
        assert r.status_code == 200, r.text
        decided = {
            "step": "suitability_decided",
            "effective_date": today().isoformat(),
            "invite": False,
            "reason": SECRET_REASON,
        }
        r = await http.post(f"/victim-contacts/{wid}/steps", json=decided)
        assert r.status_code == 200, r.text
    await stack.wait_for_events(body["child"]["id"], "SuitabilityDecided")
    return wid
