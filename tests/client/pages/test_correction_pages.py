"""The case page's correction form in a real browser: a worker voids a step recorded by mistake, a refusal
comes back next to the question, and the child's timeline shows the original struck through, superseded."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.client.conftest import Stack, today
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.client.pages.test_worker_pages import _case, _start_order, _submit, _url


async def test_a_worker_voids_a_step_and_the_timeline_shows_it_superseded(stack: Stack, page: Page) -> None:
    order_id, _, child_id = await _start_order(stack)
    async with stack.http("case_worker") as http:
        r = await http.post(
            f"/orders/{order_id}/steps", json={"step": "panel_adjourned", "effective_date": today().isoformat()}
        )
    assert r.status_code == 200, r.text
    await sign_in(page, stack, "case_worker", next_path=_case(order_id))
    await page.get_by_test_id("correct-a-step").click()
    await expect(page.locator("h1")).to_have_text("Correction")
    await check_a11y(page, "worker-correction-form")
    # Nothing chosen: the form says what is missing next to the question, and records nothing.
    await _submit(page)
    await expect(page.locator(".govuk-error-summary")).to_be_visible()
    await check_a11y(page, "worker-correction-errors")
    await page.get_by_label(re.compile("Panel adjourned")).check()
    await page.fill("textarea[name=reason]", "the panel went ahead as planned")
    await shoot(page, "worker-correction-form")
    await _submit(page)
    await page.wait_for_url(re.compile(r".*\?recorded=correction$"))
    await page.goto(_url(stack, f"/app/children/{child_id}"))
    item = page.locator("li[data-event-type=PanelAdjourned]")
    await expect(item.get_by_test_id("superseded")).to_have_text("Superseded")
    await expect(item.get_by_test_id("superseded-by")).to_contain_text("the panel went ahead as planned")
    await expect(item.locator("[data-testid=event-sentence] s")).to_be_visible()
    corrected = page.locator("li[data-event-type=StepCorrected]")
    await expect(corrected.get_by_test_id("event-sentence")).to_contain_text("was voided")
    await check_a11y(page, "timeline-superseded")
    await shoot(page, "timeline-superseded")
