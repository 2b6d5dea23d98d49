"""The start page ("what needs me today") for each role, intake's pages (what arrived, what was refused
and why, corrected and sent again from the page), a refused outcome on its child's case page, the
order's key facts, and a closed case still on the worker's list; in Chromium, axe on every page."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.async_api import Page, expect

from domain.events import wording
from tests.client.conftest import Stack, all_workflow_ids_of, eventually, outcome, today
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.client.pages.test_worker_pages import _case, _start_order


async def _send(stack: Stack, body: dict[str, Any]) -> dict[str, Any]:
    async with stack.http("intake") as http:
        r = await http.post("/court-outcomes", json=body)
    return {"status": r.status_code, **r.json()}


async def test_intake_sees_a_refusal_corrects_it_and_sends_it_again(stack: Stack, page: Page) -> None:
    body = outcome(months=2)  # a referral order is 3 to 12 months
    refused = await _send(stack, body)
    assert refused["status"] == 422, refused
    await sign_in(page, stack, "intake")
    needs = page.locator("[data-testid=needs]")
    await expect(needs).to_contain_text(re.compile(r"\d+ court outcomes? refused today, to correct"))
    await check_a11y(page, "start-intake")
    await shoot(page, "start-intake")

    await needs.get_by_role("link", name=re.compile("refused today")).click()
    row = page.locator(f"[data-testid=refused] tr[data-rejection-id='{refused['rejection_id']}']")
    await expect(row).to_contain_text(body["outcome_id"])
    await expect(row).to_contain_text("month")  # the reason, in the intake check's words
    await check_a11y(page, "intake")
    await shoot(page, "intake")

    await row.get_by_role("link", name=re.compile("Correct and send again")).click()
    summary = page.locator(".govuk-error-summary")
    await expect(summary.get_by_role("link").first).to_have_attribute("href", "#outcome")
    await expect(page.locator("#outcome-error")).to_be_visible()
    assert json.loads(await page.input_value("#outcome")) == body  # as it was sent, whole
    await check_a11y(page, "intake-correct")
    await shoot(page, "intake-correct")

    # Still wrong: refused again, in the same words, and what was typed is kept.
    await page.fill("#outcome", json.dumps({**body, "disposal": {"kind": "referral_order", "months": 13}}))
    await page.click("button:has-text('Send again')")
    await expect(summary).to_be_visible()
    assert '"months": 13' in await page.input_value("#outcome")
    # Corrected: accepted, and the order starts.
    await page.fill("#outcome", json.dumps({**body, "disposal": {"kind": "referral_order", "months": 6}}))
    await page.click("button:has-text('Send again')")
    await page.wait_for_url(re.compile(r".*/app/intake\?sent="))
    await expect(page.locator("[data-testid=sent-banner]")).to_contain_text(
        f"{body['outcome_id']} sent again and accepted"
    )
    await expect(row).to_contain_text("Corrected")
    arrived = page.locator(f"[data-testid=arrived] tr[data-outcome-id='{body['outcome_id']}']")
    order_id = all_workflow_ids_of(body)[0]
    await expect(arrived.get_by_role("link", name=order_id)).to_have_attribute("href", _case(order_id))
    await check_a11y(page, "intake-sent")


async def test_a_case_page_shows_the_orders_facts_and_the_childs_refused_outcomes(stack: Stack, page: Page) -> None:
    order_id, _, child_id = await _start_order(stack)
    refused = await _send(stack, outcome(child_id=child_id, months=20))
    assert refused["status"] == 422, refused
    await sign_in(page, stack, "case_worker", next_path=_case(order_id))
    facts = page.locator("[data-testid=case-fact]")
    await expect(facts.filter(has_text="Order made")).to_contain_text(wording.day(today()))
    await expect(facts.filter(has_text="Length")).to_contain_text("6 months")
    await expect(facts.filter(has_text="Contract signed")).to_contain_text("Not yet")
    await expect(facts.filter(has_text="Victims")).to_contain_text("V-")
    table = page.locator("[data-testid=refused-outcomes]")
    await expect(table).to_contain_text(refused["outcome_id"])
    await expect(table).to_contain_text("month")
    history = page.locator("[data-testid=case-history] tbody tr")
    await expect(history.first).to_contain_text("Court outcome")
    await check_a11y(page, "case-facts-refused")
    await shoot(page, "case-facts-refused")


async def test_a_closed_order_stays_on_the_workers_list(stack: Stack, page: Page) -> None:
    order_id, _, _ = await _start_order(stack)
    on = today().isoformat()
    async with stack.http("case_worker") as http:
        me = stack.usernames["case_worker"]
        for s in (
            {"step": "case_worker_allocated", "effective_date": on, "case_worker": me},
            {"step": "revoked_by_court", "effective_date": on},
        ):
            r = await http.post(f"/orders/{order_id}/steps", json=s)
            assert r.status_code == 200, r.text

    await sign_in(page, stack, "case_worker")
    await expect(page.locator("h1")).to_have_text("What needs you today")
    await check_a11y(page, "start-case-worker")
    await shoot(page, "start-case-worker")

    async def listed() -> int:
        await page.goto(f"{stack.api_url}/app/my-cases")
        return await page.locator(f"[data-testid=closed-list] tr[data-workflow-id='{order_id}']").count()

    await eventually(listed, lambda n: n == 1, what="the closed order on the list")
    row = page.locator(f"[data-testid=closed-list] tr[data-workflow-id='{order_id}']")
    await expect(row).to_contain_text("Revoked")
    await expect(row).to_contain_text(wording.day(today()))
    await check_a11y(page, "my-cases-closed")
    await row.get_by_role("link").click()
    await expect(page.locator("[data-testid=case-closed]")).to_have_text("Closed")
    await expect(page.get_by_text("Record a step")).to_have_count(0)
