"""The board's quarterly report page in the browser: orders by kind with a chart, compliance by rule with
late recording apart, remands and how they ended, the cohort against the population (items not held
said so), the CSV download, and a bad quarter named in the error summary."""

from __future__ import annotations

import uuid
from datetime import date

from playwright.async_api import Page

from activities.child_records import ChildRecordStore
from activities.event_store import EventStore
from domain import child_record as cr
from domain.events import OrderCompleted
from tests.activities.test_board_report_queries import referral, remand
from tests.client.conftest import Stack
from tests.client.pages.conftest import check_a11y, shoot, sign_in

YJS = "milton-keynes"  # the shipped population file's service; a year no other test uses keeps the counts apart


async def test_board_report_page(stack: Stack, page: Page) -> None:
    child = f"C-{uuid.uuid4().hex[:6]}"
    store = EventStore(stack.pool)
    # Completed in February 2020, so no later quarter (another test's) counts this child in its cohort.
    completed = (date(2020, 2, 5), OrderCompleted(completed_date=date(2020, 2, 5)))
    await store.append(referral(YJS, child, date(2019, 8, 5), completed))
    dto = f"detention-and-training-order:{YJS}:41CJ9:{child}-R"
    ended = (date(2019, 9, 2), "convicted_and_sentenced", dto)
    await store.append(remand(YJS, f"{child}-R", "youth_detention_accommodation", date(2019, 7, 8), ended))

    await sign_in(page, stack, "manager", next_path=f"/app/reports/board?quarter=2019-20-Q2&yjs={YJS}")
    assert "Q2 2019-20 (July to September 2019)" in await page.inner_text("h1")
    orders = await page.inner_text("[data-testid=orders] tr[data-kind=referral_order]")
    assert orders.split("\t")[1:3] == ["1", "0"]
    assert await page.locator("svg#orders-chart").get_attribute("role") == "img"
    assert "referral order: started 1, ended 0" in (await page.locator("svg#orders-chart desc").text_content() or "")
    secure = await page.inner_text("[data-testid=remands] tr[data-remand=youth_detention_accommodation]")
    assert "(secure)" in secure and "custodial sentence: 1" in secure and "100%" in secure
    assert "Not held" in await page.inner_text("[data-testid=ethnicity]")
    assert "9.7%" in await page.inner_text("[data-testid=ethnicity]")
    assert "not held" in await page.inner_text("[data-testid=girls]")
    assert "sex of 1 of the 1 children" in await page.inner_text("[data-testid=not-held]")
    assert "2021 Census" in await page.inner_text("[data-testid=population-source]")
    assert "1 child was on a sentence" in await page.inner_text("[data-testid=cohort-size]")
    await check_a11y(page, "board-report")
    await shoot(page, "board-report")

    # The child's record holds their sex and ethnicity: the cohort's lines count them, nothing is not held.
    records = ChildRecordStore(stack.pool, stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    await records.fill_from_court(
        yjs=YJS, child_id=child, given_name="Ama", family_name="Test", date_of_birth=date(2008, 6, 1), actor="intake"
    )
    change = {"sex": "female", "ethnicity": "black_african"}
    await records.correct(
        yjs=YJS, child_id=child, correction=cr.RecordCorrection(changes=change, reason="told"), actor="m"
    )
    await page.reload()
    assert "100.0%" in await page.inner_text("[data-testid=girls]")
    black = await page.inner_text("[data-testid=ethnicity] tbody tr:first-child")
    assert black.split("\t") == ["Black", "9.7%", "1", "100.0%"]
    assert await page.locator("[data-testid=not-held]").count() == 0
    await check_a11y(page, "board-report-cohort")

    async with page.expect_download() as download:
        await page.click("[data-testid=csv]")
    path = await (await download.value).path()
    text = path.read_text(encoding="utf-8")
    assert "orders,referral_order,started,1" in text and "remand,youth_detention_accommodation,ended,1" in text

    await page.goto(f"{stack.api_url}/app/reports/board?quarter=2024-Q2")
    assert "Quarter must be a financial year's quarter" in await page.inner_text(".govuk-error-summary")
    await check_a11y(page, "board-report-error")
