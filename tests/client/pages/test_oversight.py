"""The management oversight page in the browser: a manager's team's owed and overdue oversight, soonest
first, and the share of cases with timely oversight per manager and month (table and SVG chart)."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import Page

from activities.users import add_user
from tests.client.conftest import Stack, today
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.client.pages.data import late_referral_order


async def test_a_manager_sees_their_teams_owed_and_late_oversight_and_the_timely_share(
    stack: Stack, page: Page
) -> None:
    body = await late_referral_order(stack, days_ago=40)
    order, child = body["_order"], body["child"]["id"]
    manager = stack.usernames["manager"]
    worker = f"cw-team-{uuid.uuid4().hex[:6]}"
    await add_user(stack.pool, worker, "case_worker", manager=manager)
    async with stack.http("case_worker") as http:
        step = {"step": "case_worker_allocated", "effective_date": today().isoformat(), "case_worker": worker}
        r = await http.post(f"/orders/{order}/steps", json=step)
    assert r.status_code == 200, r.text
    await stack.wait_for_deadline(order, "oversight.allocation")

    await sign_in(page, stack, "manager", next_path="/app/oversight")
    row = page.locator("[data-testid=owed-oversight] tr[data-rule='oversight.allocation']", has_text=child)
    assert await row.count() == 1
    said = await row.inner_text()
    assert "Overdue" in said and worker in said and manager in said and "[U] unconfirmed" in said
    assert await row.get_attribute("data-overdue") == "yes"
    await check_a11y(page, "oversight")
    await shoot(page, "oversight")

    # The manager records it (late): it leaves the owed list, and this month's share counts it as not timely.
    async with stack.http("manager") as http:
        step = {
            "step": "oversight_recorded",
            "effective_date": today().isoformat(),
            "covers": ["allocation"],
            "summary": "Read the file and the first contact",
            "direction": "Home visit this week",
        }
        r = await http.post(f"/orders/{order}/steps", json=step)
    assert r.status_code == 200, r.text
    await page.goto(f"{stack.api_url}/app/oversight?from=2000-01")
    assert (
        await page.locator("[data-testid=owed-oversight] tr[data-rule='oversight.allocation']", has_text=child).count()
        == 0
    )
    share = page.locator(f"[data-testid=timely-share] tr[data-manager='{manager}']")
    assert await share.count() >= 1
    cells = await share.first.inner_text()
    assert "\t1\t0\t0%" in cells
    chart = page.locator("svg#oversight-chart")
    assert manager in (await chart.locator("desc").text_content() or "")

    # The compliance dashboard counts the cycle's rules like any other: this one met late.
    await page.goto(f"{stack.api_url}/app/dashboard?from=2000-01")
    counted = page.locator("[data-testid=compliance] tbody tr[data-rule='oversight.allocation']")
    assert await counted.count() >= 1

    # Another manager's team does not hold this child; a bad month names the field.
    await page.goto(f"{stack.api_url}/app/oversight?team=nobody-{uuid.uuid4().hex[:4]}")
    assert child not in await page.inner_text("[data-testid=owed-oversight]")
    await page.goto(f"{stack.api_url}/app/oversight?from=2026-13")
    assert "From month must be a real month" in await page.inner_text(".govuk-error-summary")


async def test_a_worker_assesses_through_the_form_and_the_case_shows_classifications_and_owed_oversight(
    stack: Stack, page: Page
) -> None:
    from playwright.async_api import expect

    from tests.client.pages.test_worker_pages import _case, _start_order, _submit, _url

    order_id, _, _ = await _start_order(stack)
    await stack.wait_for_deadline(order_id, "oversight.allocation")
    await sign_in(page, stack, "case_worker", next_path=_case(order_id))
    await expect(page.locator("[data-testid=classifications]")).to_contain_text("No assessment is recorded yet")
    await expect(page.locator("[data-testid=oversight-owed]")).to_contain_text("oversight.allocation")

    await page.goto(_url(stack, f"{_case(order_id)}/steps/assessment_completed"))
    await expect(page.locator("#actor_role")).to_have_count(0)  # the role is the signed-in user's, never typed
    await page.check("input[name=tool][value=asset_plus]")
    await page.check("input[name=stage][value=start]")
    await page.check("input[name=likelihood_of_reoffending][value=medium]")
    await page.check("input[name=risk_of_serious_harm][value=very_high]")
    await page.check("input[name=safety_and_wellbeing][value=low]")
    await check_a11y(page, "cycle-step-assessment")
    await _submit(page)
    await page.wait_for_url(re.compile(r".*\?recorded=assessment_completed$"))
    classes = page.locator("[data-testid=classifications]")
    await expect(classes).to_contain_text("Very high")
    await expect(classes).to_contain_text("Not countersigned")
    await expect(page.locator("[data-testid=classification-history] tbody tr")).to_have_count(1)
    await expect(page.locator("[data-testid=oversight-owed]")).to_contain_text("oversight.risk_rise")
    await expect(page.locator("[data-testid=oversight-owed]")).to_contain_text("oversight.countersign")
    await check_a11y(page, "cycle-case")
    await shoot(page, "cycle-case")

    # The case worker's countersignature is refused naming the role, as the API refuses it.
    await page.goto(_url(stack, f"{_case(order_id)}/steps/assessment_countersigned"))
    await _submit(page)
    await expect(page.locator(".govuk-error-summary")).to_contain_text("for managers only")


async def test_an_inspector_reads_a_case_by_the_four_questions_with_its_gaps_and_samples_the_gaps(
    stack: Stack, page: Page
) -> None:
    from tests.client.pages.test_worker_pages import _start_order

    gappy, _, gappy_child = await _start_order(stack)
    good, _, _ = await _start_order(stack)
    on = today().isoformat()
    async with stack.http("case_worker") as http:
        r = await http.post(
            f"/orders/{gappy}/steps",
            json={
                "step": "assessment_completed",
                "effective_date": on,
                "tool": "asset_plus",
                "stage": "start",
                "likelihood_of_reoffending": "low",
                "risk_of_serious_harm": "high",
                "safety_and_wellbeing": "low",
            },
        )
        assert r.status_code == 200, r.text
    async with stack.http("manager") as http:
        oversight = {"step": "oversight_recorded", "effective_date": on, "covers": ["allocation", "plan"]}
        r = await http.post(
            f"/orders/{good}/steps", json={**oversight, "summary": "Read the file", "direction": "Plan by Friday"}
        )
        assert r.status_code == 200, r.text
    await stack.wait_for_events(gappy_child, "AssessmentCompleted")

    await sign_in(page, stack, "inspector", next_path=f"/app/inspection/cases/{gappy}/chronology")
    flags = page.locator("[data-testid=chronology-flags]")
    for code in ("no_oversight", "not_countersigned", "raised_without_review"):
        assert await flags.locator(f"[data-flag={code}]").count() == 1, code
    assert "AssessmentCompleted" in (
        await page.locator("[data-testid=question-assessment] li").first.get_attribute("data-event-type") or ""
    )
    await check_a11y(page, "chronology-questions")
    await shoot(page, "chronology-questions")

    await page.goto(f"{stack.api_url}/app/inspection/cases/{good}/chronology")
    assert await page.locator("[data-testid=chronology-flags] [data-flag=no_oversight]").count() == 0
    planning = await page.inner_text("[data-testid=question-planning]")
    assert f"by manager {stack.usernames['manager']}" in planning and "Direction: Plan by Friday" in planning

    # A sample drawn from cases with gaps may hold the first and never holds the second. Other tests' cases
    # share the day, so one draw of 91 may not reach either: draw with seeds until the first is drawn,
    # and the second must be in none of those draws (in all of them together, when they cover every case).
    drawn: set[str] = set()
    eligible = 0
    async with stack.http("inspector") as http:
        for seed in range(100):
            params = {"start": on, "end": on, "gaps_only": "true", "children": 91, "seed": seed}
            r = await http.get("/inspection/sample", params=params)
            assert r.status_code == 200, r.text
            eligible = r.json()["children"]["eligible"]
            drawn |= {c["workflow_id"] for c in r.json()["children"]["cases"]}
            if gappy in drawn and (len(drawn) >= eligible or seed >= 20):
                break
    assert gappy in drawn and good not in drawn, (eligible, len(drawn))
