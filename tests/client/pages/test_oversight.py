"""The management oversight page in the browser: a manager's team's owed and overdue oversight, soonest
first, and the share of cases with timely oversight per manager and month (table and SVG chart)."""

from __future__ import annotations

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

    # Another manager's team does not hold this child; a bad month names the field.
    await page.goto(f"{stack.api_url}/app/oversight?team=nobody-{uuid.uuid4().hex[:4]}")
    assert child not in await page.inner_text("[data-testid=owed-oversight]")
    await page.goto(f"{stack.api_url}/app/oversight?from=2026-13")
    assert "From month must be a month in the form YYYY-MM" in await page.inner_text(".govuk-error-summary")
