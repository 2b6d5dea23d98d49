"""A deadline met on time only on paper (its step entered weeks later, dated in time, after escalations)
is flagged on the child's timeline and in the inspection export, and each escalation that fired stays,
explained as fired before the step was recorded."""

from __future__ import annotations

import csv
import io

from playwright.async_api import Page

from activities import inspection
from tests.client.conftest import Stack
from tests.client.pages.conftest import check_a11y, sign_in
from tests.client.pages.test_dashboard import back_dated_first_contact

FIRED_BEFORE = "Fired before the step that met this deadline was recorded"


async def test_met_only_on_paper_is_flagged_on_the_timeline_and_in_the_export(stack: Stack, page: Page) -> None:
    order, child = await back_dated_first_contact(stack, days_ago=30)
    await sign_in(page, stack, "manager", next_path=f"/app/children/{child}")
    row = page.locator("[data-testid=deadlines] tr", has_text="ro.first_contact")
    tag = await row.locator(".govuk-tag").inner_text()
    assert tag.lower().startswith("met on time only on paper: recorded ") and "escalation" in tag.lower()
    assert "govuk-tag--orange" in (await row.locator(".govuk-tag").get_attribute("class") or "")
    assert FIRED_BEFORE in (await page.text_content("main") or "")
    await check_a11y(page, "timeline-met-on-paper")

    chron = await inspection.chronology(stack.pool, order)
    assert chron is not None
    rows = list(csv.DictReader(io.StringIO(inspection.chronology_csv(chron).removeprefix(inspection.BOM))))
    met = [r for r in rows if r["Event type"] == "DeadlineMet"]
    assert any("[Met on time only on paper: recorded " in r["What happened"] for r in met)
    escalated = [r for r in rows if r["Event type"] == "DeadlineEscalated" and "first" in r["What happened"].lower()]
    assert escalated and all(FIRED_BEFORE in r["What happened"] for r in escalated)
