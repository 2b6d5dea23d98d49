"""A refused court outcome whose child's record was erased, on intake's correction page in Chromium: the
page says the outcome was erased with the record and shows nothing of who it named."""

from __future__ import annotations

import uuid

from playwright.async_api import Page, expect

from activities.child_records import ChildRecordStore
from tests.client.conftest import Stack, outcome
from tests.client.pages.conftest import check_a11y, sign_in


async def test_an_erased_refusal_says_so_and_names_nobody(stack: Stack, page: Page) -> None:
    child = f"C-{uuid.uuid4().hex[:10]}"
    accepted = outcome(child_id=child)
    refused = outcome(child_id=child, months=99)
    refused["child"] = {**refused["child"], "given_name": "Ottoline", "family_name": "Farquharson"}
    async with stack.http("intake") as http:
        assert (await http.post("/court-outcomes", json=accepted)).status_code == 202
        rejection_id = (await http.post("/court-outcomes", json=refused)).json()["rejection_id"]
    await stack.wait_for_events(child, "ReferralOrderMade")
    records = ChildRecordStore(stack.pool, stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)

    await sign_in(page, stack, "intake")
    await page.goto(f"{stack.api_url}/app/intake/refused/{rejection_id}")
    await expect(page.locator("textarea")).to_contain_text("Ottoline")  # opened from its seal
    await expect(page.locator("[data-testid=erased]")).to_have_count(0)

    await records.erase(yjs="luton", child_id=child, actor="retention", policy="test policy")
    await page.goto(f"{stack.api_url}/app/intake/refused/{rejection_id}")
    await expect(page.locator("[data-testid=erased]")).to_contain_text("erased with the child's record")
    assert "Ottoline" not in await page.content() and "Farquharson" not in await page.content()
    await check_a11y(page, "intake-correct-erased")
