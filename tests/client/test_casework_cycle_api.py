"""The casework cycle through the API, as a case worker and their manager meet it: each step recorded,
refused out of order or out of role, and the clocks it meets."""

from __future__ import annotations

from typing import Any

from activities.users import add_user
from tests.client.conftest import Stack, outcome, today
from tests.client.test_api import accepted_and_running, of_type, step


def assessment(on: str, **changes: Any) -> dict[str, Any]:
    return {
        "step": "assessment_completed",
        "effective_date": on,
        "tool": "asset_plus",
        "stage": "start",
        "likelihood_of_reoffending": "medium",
        "risk_of_serious_harm": "high",
        "safety_and_wellbeing": "low",
        **changes,
    }


def statuses(view: dict[str, Any]) -> dict[str, str]:
    return {d["rule_id"]: d["status"] for d in view["deadlines"]}


async def test_a_worker_records_the_cycle_and_a_manager_the_oversight_each_refused_out_of_role(stack: Stack) -> None:
    body = outcome()
    wid, _ = await accepted_and_running(stack, body)
    child = body["child"]["id"]
    on = today().isoformat()
    for rule_id in ("assessment.initial", "oversight.allocation"):
        assert (await stack.wait_for_deadline(wid, rule_id))["status"] == "open"

    r = await step(stack, wid, {"step": "plan_agreed", "effective_date": on})
    assert r.status_code == 409
    assert r.json()["detail"] == "plan_agreed refused: a plan follows an assessment: record assessment_completed first"

    r = await step(stack, wid, assessment(on, risk_of_serious_harm="very_bad"))
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["detail"]] == ["risk_of_serious_harm"]
    # The body cannot claim a role: it comes from the token's user.
    r = await step(stack, wid, {**assessment(on), "actor_role": "manager"})
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["order"]["cycle"]["current"]["risk_of_serious_harm"] == "high"
    assert statuses(view)["assessment.initial"] == "met"
    assert statuses(view)["oversight.risk_rise"] == "open"  # a rise to high starts it at once

    countersign = {"step": "assessment_countersigned", "effective_date": on, "direction": "Weekly visits"}
    r = await step(stack, wid, countersign)
    assert r.status_code == 409
    assert "for managers only" in r.json()["detail"] and "case_worker" in r.json()["detail"]
    r = await step(stack, wid, countersign, role="manager")
    assert r.status_code == 200, r.text
    assert statuses(r.json())["oversight.countersign"] == "met"

    # A manager who assesses cannot countersign their own assessment.
    r = await step(stack, wid, assessment(on, stage="review"), role="manager")
    assert r.status_code == 200, r.text
    r = await step(stack, wid, countersign, role="manager")
    assert r.status_code == 409
    assert f"{stack.usernames['manager']} completed this assessment" in r.json()["detail"]

    oversight = {
        "step": "oversight_recorded",
        "effective_date": on,
        "covers": ["allocation", "risk"],
        "summary": "Read the assessment",
        "direction": "Safety plan by Friday",
    }
    r = await step(stack, wid, oversight)
    assert r.status_code == 409 and "for managers only" in r.json()["detail"]
    r = await step(stack, wid, {**oversight, "direction": ""}, role="manager")
    assert r.status_code == 422 and [e["field"] for e in r.json()["detail"]] == ["direction"]
    r = await step(stack, wid, oversight, role="manager")
    assert r.status_code == 200, r.text
    assert statuses(r.json())["oversight.allocation"] == "met"
    assert statuses(r.json())["oversight.risk_rise"] == "met"

    r = await step(stack, wid, {"step": "plan_agreed", "effective_date": on, "parent_participated": False})
    assert r.status_code == 200, r.text
    assert statuses(r.json())["plan.initial"] == "met"
    timeline = await stack.wait_for_events(child, "OversightRecorded", "PlanAgreed", "AssessmentCountersigned")
    (recorded,) = of_type(timeline, "OversightRecorded")
    assert recorded["actor"] == stack.usernames["manager"]
    assert recorded["payload"]["direction"] == "Safety plan by Friday"


async def test_a_user_the_directory_does_not_know_cannot_act_as_a_manager(stack: Stack) -> None:
    """The role is the user's in the directory: a manager demoted mid-case is refused at once."""
    body = outcome()
    wid, _ = await accepted_and_running(stack, body)
    token = await add_user(stack.pool, f"acting-{body['child']['id']}", "case_worker")
    async with stack.http(token=token) as http:
        r = await http.post(
            f"/orders/{wid}/steps",
            json={
                "step": "oversight_recorded",
                "effective_date": today().isoformat(),
                "covers": ["allocation"],
                "summary": "s",
                "direction": "d",
                "actor_role": "manager",
            },
        )
    assert r.status_code == 409
    assert "has the role case_worker" in r.json()["detail"]
