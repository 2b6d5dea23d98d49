"""The compliance dashboard in the browser: compliance per rule and month (table and SVG chart), the
overdue list with days overdue and the responsible worker, caseload per worker, and its filters."""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from playwright.async_api import Page

from activities import reports
from tests.client.conftest import Stack, outcome, today
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.client.pages.data import late_referral_order, submit


async def back_dated_first_contact(stack: Stack, *, days_ago: int) -> tuple[str, str]:
    """A referral order loaded `days_ago` days late (its first contact already missed and escalated),
    whose first contact is then entered dated the day after the hearing: met on time only on paper."""
    hearing = today() - timedelta(days=days_ago)
    body = outcome(hearing=hearing)
    order = await submit(stack, body)
    child = body["child"]["id"]
    await stack.wait_for_events(child, "DeadlineEscalated")
    async with stack.http("case_worker") as http:
        step = {"step": "first_contact_made", "effective_date": (hearing + timedelta(days=1)).isoformat()}
        r = await http.post(f"/orders/{order}/steps", json=step)
    assert r.status_code == 200, r.text
    await stack.wait_for_events(child, "DeadlineMet")
    return order, child


async def test_dashboard_counts_overdue_and_caseload(stack: Stack, page: Page) -> None:
    body = await late_referral_order(stack, days_ago=40)
    await back_dated_first_contact(stack, days_ago=40)
    child, yjs = body["child"]["id"], "luton"
    month = today().replace(day=1)
    start = f"{month - relativedelta(months=2):%Y-%m}"
    await sign_in(page, stack, "manager", next_path=f"/app/dashboard?yjs={yjs}&from={start}&to={month:%Y-%m}")

    # The table's figures are the report's figures (activities.reports), rule by rule.

    first = datetime.strptime(start, "%Y-%m").date()
    rows = await reports.compliance_report(stack.pool, start=first, end=month + relativedelta(months=1), yjs=yjs)
    table = page.locator("[data-testid=compliance] tbody tr")
    assert await table.count() == len(rows) > 0
    first_contact = [r for r in rows if r.rule_id == "ro.first_contact"]
    assert first_contact and sum(r.met_late for r in first_contact) >= 1
    cells = await page.locator("[data-testid=compliance] tbody tr[data-rule='ro.first_contact']").first.inner_text()
    r0 = first_contact[0]
    assert f"{r0.due}\t{r0.recorded_on_time}\t{r0.recorded_late}" in cells
    assert f"{r0.met_late}\t{r0.missed}\t{r0.still_open}" in cells
    # The back-dated first contact: met on time by its date, recorded weeks late, after escalation.
    assert sum(r.met_only_on_paper for r in first_contact) >= 1
    by_worker = page.locator("[data-testid=compliance-by-worker] tr[data-rule='ro.first_contact'][data-worker='']")
    worker_cells = await by_worker.inner_text()
    assert "Not allocated" in worker_cells and "after escalation" in worker_cells
    assert "First YJS appointment with the child" in worker_cells  # the rule's name, not its id alone

    chart = page.locator("svg#compliance-chart")
    assert await chart.get_attribute("role") == "img"
    assert "ro.first_contact" in await chart.locator("desc").text_content() or ""
    assert "Deadlines met and recorded on time" in await chart.locator("title").text_content() or ""
    assert "by the dates recorded, some entered late" in await chart.locator("desc").text_content() or ""
    assert await chart.locator("rect.app-chart__claimed").count() >= 1

    overdue = page.locator("[data-testid=overdue]")
    row = overdue.locator("tr", has_text=child).first
    assert await row.count() == 1
    assert "Not allocated" in await row.inner_text()
    # What is overdue, in words, with the rule it comes from beneath.
    name, rule = (await row.locator("td").nth(1).inner_text()).split("\n")
    assert rule.startswith("rule ") and name and "." not in name.split()[0], (name, rule)
    assert "Not allocated" in await page.inner_text("[data-testid=caseload]")
    await check_a11y(page, "dashboard")
    await shoot(page, "dashboard")

    # Another service's dashboard does not show this child; a bad month names the field.
    await page.goto(f"{stack.api_url}/app/dashboard?yjs=nowhere")
    assert child not in await page.inner_text("main")
    await page.goto(f"{stack.api_url}/app/dashboard?from=2026-13")
    assert "From month must be a real month" in await page.inner_text(".govuk-error-summary")
    await page.fill("#from-month", "4")
    await page.fill("#to-month", "")
    await page.click("button:has-text('Show')")
    assert "To month must include a month" in await page.inner_text(".govuk-error-summary")
    assert await page.get_attribute(".govuk-error-summary a", "href") == "#to-month"
    await check_a11y(page, "dashboard-error")
