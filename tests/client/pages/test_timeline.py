"""A child's case timeline in the browser: find the child, every event in effective order with recorded
time and actor, late entries and deadline tags, filters, the verify badge, and victim steps shown in
detail only to the roles allowed it."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.client.conftest import Stack
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.client.pages.data import SECRET_REASON, late_referral_order, victim_not_invited


@pytest.fixture(scope="module")
async def child_case(stack: Stack) -> dict:  # type: ignore[type-arg]
    body = await late_referral_order(stack)
    await victim_not_invited(stack, body)
    return body


async def test_find_a_child_by_part_of_the_id(stack: Stack, page: Page, child_case: dict) -> None:  # type: ignore[type-arg]
    child = child_case["child"]["id"]
    await sign_in(page, stack, "case_worker", next_path="/app/children")
    await page.fill("#q", child[2:9])
    await page.click("button:has-text('Search')")
    results = page.locator("[data-testid=children-results]")
    assert child in await results.inner_text()
    await check_a11y(page, "find-a-child")
    await shoot(page, "find-a-child")
    await page.click(f"a:has-text('{child}')")
    await page.wait_for_url(f"**/app/children/{child}")

    await page.goto(f"{stack.api_url}/app/children")
    await page.fill("#q", "x")
    await page.click("button:has-text('Search')")
    assert "Enter at least 2 characters" in await page.inner_text(".govuk-error-summary")
    await check_a11y(page, "find-a-child-error")


async def test_timeline_shows_events_late_entries_deadlines_and_the_verify_badge(
    stack: Stack,
    page: Page,
    child_case: dict,  # type: ignore[type-arg]
) -> None:
    child, order = child_case["child"]["id"], child_case["_order"]
    await sign_in(page, stack, "inspector", next_path=f"/app/children/{child}")
    api = await stack.timeline(child, role="inspector")
    assert api is not None
    items = page.locator("[data-testid=timeline] > li")
    assert await items.count() == len(api["events"])
    # Effective order, as the API gives it.
    assert [await items.nth(i).get_attribute("data-event-type") for i in range(await items.count())] == [
        e["event_type"] for e in api["events"]
    ]
    assert "Verified" in await page.inner_text("[data-testid=verify-badge]")
    met = page.locator("li[data-event-type=FirstContactMade]")
    assert await met.locator("[data-testid=late-entry]").count() == 1
    assert stack.usernames["case_worker"] in await met.inner_text()
    deadline_met = page.locator("li[data-event-type=DeadlineMet]").first
    tag = await deadline_met.locator("[data-testid=deadline-tag]").inner_text()
    assert "ro.first_contact" in tag and "missed, met" in tag and "days late" in tag
    assert order in await page.inner_text("[data-testid=deadlines]")
    await check_a11y(page, "timeline")
    await shoot(page, "timeline")

    # Filters: one event type, then a date range that holds nothing, then a bad date.
    await page.select_option("#type", "FirstContactMade")
    await page.click("button:has-text('Apply filters')")
    assert await items.count() == 1
    assert "type=FirstContactMade" in page.url
    await page.goto(f"{stack.api_url}/app/children/{child}?from=2001-01-01&to=2001-12-31")
    assert await items.count() == 0
    assert (await page.inner_text("[data-testid=event-count]")).startswith("0 of ")
    await page.goto(f"{stack.api_url}/app/children/{child}?order={order}&from=2026-02-30")
    assert "From date must be a real date" in await page.inner_text(".govuk-error-summary")
    streams = {await items.nth(i).get_attribute("data-stream") for i in range(await items.count())}
    assert streams == {order}  # the order filter still applies beside the bad date
    await check_a11y(page, "timeline-filter-error")


@pytest.mark.parametrize(("role", "sees_details"), [("manager", True), ("inspector", False), ("case_worker", False)])
async def test_victim_steps_show_in_detail_only_to_victim_work(
    stack: Stack,
    page: Page,
    child_case: dict,  # type: ignore[type-arg]
    role: str,
    sees_details: bool,
) -> None:
    child, ref = child_case["child"]["id"], child_case["victims"][0]["ref"]
    await sign_in(page, stack, role, next_path=f"/app/children/{child}")
    decided = page.locator("li[data-event-type=SuitabilityDecided]")
    text = await decided.inner_text()
    assert f"Victim {ref}: Suitability decided" in text
    assert (SECRET_REASON in text) is sees_details
    assert (SECRET_REASON in await page.content()) is sees_details
    assert "Pat Example" not in await page.content()  # the victim's details never reach a timeline
    await shoot(page, f"timeline-victim-{role}")


async def test_an_unknown_child_is_a_404_page(stack: Stack, page: Page) -> None:
    await sign_in(page, stack, "manager")
    r = await page.goto(f"{stack.api_url}/app/children/C-no-such-child")
    assert r is not None and r.status == 404
    assert "Nothing is recorded for child C-no-such-child" in await page.inner_text("main")
    await check_a11y(page, "child-not-found")
