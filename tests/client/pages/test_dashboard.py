"""The compliance dashboard in the browser: compliance per rule and month (table and SVG chart), the
overdue list with days overdue and the responsible worker, caseload per worker, and its filters."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from playwright.async_api import Page

from activities import reports
from tests.client.conftest import Stack, today
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.client.pages.data import late_referral_order


async def test_dashboard_counts_overdue_and_caseload(stack: Stack, page: Page) -> None:
    body = await late_referral_order(stack, days_ago=40)
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
    assert f"{r0.due}\t{r0.met_on_time}\t{r0.met_late}\t{r0.missed}\t{r0.still_open}" in cells

    chart = page.locator("svg#compliance-chart")
    assert await chart.get_attribute("role") == "img"
    assert "ro.first_contact" in await chart.locator("desc").text_content() or ""
    assert "Deadlines met on time" in await chart.locator("title").text_content() or ""

    overdue = page.locator("[data-testid=overdue]")
    row = overdue.locator("tr", has_text=child).first
    assert await row.count() == 1
    assert "Not allocated" in await row.inner_text()
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
