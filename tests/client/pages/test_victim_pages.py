"""The victim work pages in a real browser: KPI 10 with a total opened to its contacts, a victim's details
recorded and read through their page (every access in the managers' access log), and the case page
saying whether details are held."""

from __future__ import annotations

import uuid

from playwright.async_api import Page, expect

from activities.event_store import EventStore
from domain import events as ev
from tests.client.conftest import Stack, all_workflow_ids_of, eventually, outcome, today
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.client.test_kpi10_api import contact, d, order


async def test_kpi10_page_opens_a_total_to_the_contacts_it_counts(stack: Stack, page: Page) -> None:
    yjs = f"kpi-{uuid.uuid4().hex[:6]}"
    store = EventStore(stack.pool)
    closing = await order(store, yjs, "C-P", d(11, 2))
    yes = await contact(store, closing, yjs, "C-P", "V-YES", ev.VictimContacted(channel="phone", on=d(3, 5)),
                        ev.ContactConsentRecorded(consented=True, on=d(3, 5)))  # fmt: skip
    await contact(store, closing, yjs, "C-P", "V-NOT", ev.VictimContacted(channel="phone", on=d(3, 5)))
    await sign_in(page, stack, "manager", next_path="/app/reports/yjb/kpi10")
    await page.fill("#yjs", yjs)
    await page.fill("#quarter", "2026Q5")
    await page.click("[data-testid=kpi10-form] button")
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the quarter as YYYYQn")
    await page.fill("#quarter", "2026Q4")
    await page.click("[data-testid=kpi10-form] button")
    await expect(page.locator("[data-testid=kpi10-total-2]")).to_contain_text("2")
    await expect(page.locator("[data-testid=kpi10-total-3]")).to_contain_text("1")
    await check_a11y(page, "kpi10")
    await page.click("[data-testid=kpi10-total-3]")
    drill = page.locator("[data-testid=kpi10-drill-down]")
    await expect(drill).to_contain_text("V-YES")
    await expect(drill).not_to_contain_text("V-NOT")
    assert await drill.locator("a").first.get_attribute("href") == f"/app/cases/{yes}"
    await shoot(page, "kpi10-drill-down")


async def test_a_victims_details_recorded_and_read_through_their_page(stack: Stack, page: Page) -> None:
    body = outcome(hearing=today())
    async with stack.http("intake") as http:
        assert (await http.post("/court-outcomes", json=body)).status_code == 202
    _, contact_id = all_workflow_ids_of(body)
    ref = body["victims"][0]["ref"]
    async with stack.http("victim_worker") as http:
        await eventually(lambda: http.get(f"/victim-contacts/{contact_id}"), lambda r: r.status_code == 200,
                         what="contact opened")  # fmt: skip
    await sign_in(page, stack, "victim_worker", next_path=f"/app/cases/{contact_id}")
    await expect(page.locator(".govuk-summary-list")).to_contain_text("Not recorded yet")
    await page.click("text=the victim's page")
    await expect(page.locator("[data-testid=details-held]")).to_contain_text("No details are held")
    form = page.locator("[data-testid=details-form]")
    await form.locator("input[name=kind][value=person]").check()
    await form.locator("input[name=under_18][value=no]").check()
    await form.locator("input[name=enhanced_rights][value=no]").check()
    await form.locator("input[name=contact_route][value=phone]").check()
    await form.locator("#name").fill("Marisol Pennyworth-Adeyemi")
    await form.locator("#phone").fill("12")
    await form.locator("button[type=submit]").click()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("phone")
    await expect(page.locator("#name")).to_have_value("Marisol Pennyworth-Adeyemi")  # nothing typed is lost
    await page.locator("#phone").fill("07700 900321")
    await page.locator("[data-testid=details-form] button[type=submit]").click()
    await expect(page.locator("[data-testid=details-recorded]")).to_contain_text("marked on 1 contact")
    await check_a11y(page, "victim-details-recorded")
    await page.click("[data-testid=read-form] button")
    await expect(page.locator("#read-purpose-error")).to_contain_text("Enter why you need")
    await page.fill("#read-purpose", "arrange the first call")
    await page.click("[data-testid=read-form] button")
    await expect(page.locator("[data-testid=victim-details]")).to_contain_text("Marisol Pennyworth-Adeyemi")
    await shoot(page, "victim-details-read")
    async with stack.http("victim_worker") as http:
        contact_now = (await http.get(f"/victim-contacts/{contact_id}")).json()["contact"]
    assert contact_now["details_received_on"] == today().isoformat()

    manager = await page.context.browser.new_page()  # type: ignore[union-attr]
    await sign_in(manager, stack, "manager", next_path=f"/app/victims/access-log?victim_ref={ref}")
    log = manager.locator("[data-testid=access-log]")
    await expect(log).to_contain_text("arrange the first call")
    await expect(log).to_contain_text(stack.usernames["victim_worker"])
    await check_a11y(manager, "victim-access-log")
    await manager.close()
    await page.goto(f"{stack.api_url}/app/victims/access-log")
    await expect(page.locator("h1")).to_contain_text("You cannot")
