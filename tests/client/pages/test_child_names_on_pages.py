"""Children by name and age on the pages, in Chromium against the live stack: a case worker sees
"Name (age N)" on the timeline, the case page and their list, and corrects the record through its form;
an admin (who may not read children's records) sees ids only. Axe on every page."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.async_api import Page, expect

from domain.child_record import age_on
from domain.events import wording
from tests.client.conftest import Stack, today
from tests.client.pages.conftest import check_a11y, sign_in
from tests.client.pages.test_worker_pages import _start_order


async def test_case_worker_sees_names_and_corrects_the_record_and_admin_sees_ids(stack: Stack, page: Page) -> None:
    order_id, _, child_id = await _start_order(stack)
    born = today().replace(year=today().year - 15, day=1)
    shown = f"Sam Example (age {age_on(born, today())})"

    await sign_in(page, stack, "case_worker", next_path="/app/my-cases")
    row = page.locator(f"tr[data-workflow-id='{order_id}']")
    await expect(row.locator("[data-testid=child-name]")).to_have_text(shown)
    await expect(row.locator("[data-testid=child-id]")).to_have_text(child_id)
    await check_a11y(page, "names-my-cases")

    await page.goto(f"{stack.api_url}/app/cases/{quote(order_id, safe=':')}")
    await expect(page.locator("h1 [data-testid=child-name]")).to_have_text(shown)
    await expect(page.locator("[data-testid=child-id]")).to_contain_text(child_id)
    await check_a11y(page, "names-case")

    await page.goto(f"{stack.api_url}/app/children/{child_id}")
    await expect(page.locator("h1[data-testid=child-name]")).to_have_text(shown)
    record = page.locator("[data-testid=child-record]")
    await expect(record).to_contain_text(f"Date of birth{wording.day(born)}")
    await expect(record).to_contain_text("EthnicityNot known")
    await expect(record).to_contain_text("PNC idNot recorded")
    await check_a11y(page, "names-timeline")

    # A bad PNC is refused on that field, the typed values kept; nothing changes.
    await page.get_by_test_id("correct-record").click()
    await expect(page.locator("h1")).to_have_text("Correct the child's record")
    await check_a11y(page, "names-record-form")
    await page.fill("#family_name", "Exampel")
    await page.fill("#pnc", "not-a-pnc")
    await page.fill("#reason", "The court misspelt the family name")
    await page.click("button:has-text('Save the correction')")
    await expect(page.locator("#pnc-error")).to_contain_text("PNC id: a PNC id is the year")
    await expect(page.locator(".govuk-error-summary a[href='#pnc']")).to_be_visible()
    await expect(page.locator("#family_name")).to_have_value("Exampel")
    await check_a11y(page, "names-record-form-error")

    # The reason is required.
    await page.fill("#pnc", "2004/0046583U")
    await page.fill("#reason", "")
    await page.click("button:has-text('Save the correction')")
    await expect(page.locator("#reason-error")).to_contain_text("Enter why you are correcting the record")

    await page.fill("#reason", "The court misspelt the family name")
    await page.select_option("#sex", "female")
    await page.select_option("#ethnicity", "black_caribbean")
    await page.click("button:has-text('Save the correction')")
    await page.wait_for_url(re.compile(r".*\?record=corrected$"))
    await expect(page.get_by_test_id("record-corrected")).to_be_visible()
    await expect(page.locator("h1[data-testid=child-name]")).to_have_text(shown.replace("Example", "Exampel"))
    await expect(record).to_contain_text("PNC id2004/0046583U")
    await expect(record).to_contain_text("SexFemale")
    await expect(record).to_contain_text("Caribbean")
    await check_a11y(page, "names-timeline-corrected")

    # An admin may read the timeline and the case, never the child's name.
    await page.context.clear_cookies()
    await sign_in(page, stack, "admin", next_path=f"/app/children/{child_id}")
    await expect(page.locator("h1")).to_have_text(child_id)
    await expect(page.get_by_test_id("child-record")).to_have_count(0)
    await expect(page.get_by_text("Exampel")).to_have_count(0)
    await check_a11y(page, "names-timeline-admin")
    await page.goto(f"{stack.api_url}/app/cases/{quote(order_id, safe=':')}")
    await expect(page.locator("h1")).to_contain_text(child_id)
    await expect(page.get_by_test_id("child-name")).to_have_count(0)
    await check_a11y(page, "names-case-admin")
    response = await page.goto(f"{stack.api_url}/app/children/{child_id}/record")
    assert response is not None and response.status == 403


async def test_manager_sees_names_on_oversight_the_inspection_sample_and_the_chronology(
    stack: Stack, page: Page
) -> None:
    order_id, _, child_id = await _start_order(stack)
    born = today().replace(year=today().year - 15, day=1)
    shown = f"Sam Example (age {age_on(born, today())})"
    row_of_child = f"tr:has(a[href='/app/children/{child_id}'])"

    # The order's opening oversight (allocation) is owed, on the oversight page with the child's name.
    await sign_in(page, stack, "manager", next_path="/app/oversight?team=all")
    owed = page.locator(row_of_child).first
    await expect(owed.locator("[data-testid=child-name]")).to_have_text(shown)
    await expect(owed.locator("[data-testid=child-id]")).to_have_text(child_id)
    await check_a11y(page, "names-oversight")

    # The printable chronology names the child beside the id.
    await page.goto(f"{stack.api_url}/app/inspection/cases/{quote(order_id, safe='')}/chronology")
    child = page.get_by_test_id("chronology-child")
    await expect(child.locator("[data-testid=child-name]")).to_have_text(shown)
    await expect(child.locator("[data-testid=child-id]")).to_have_text(child_id)

    # The inspection sample names the children it draws (today's cases are in a period ending today).
    day = today()
    await page.goto(
        f"{stack.api_url}/app/inspection?from-day=1&from-month=1&from-year={day.year - 1}"
        f"&to-day={day.day}&to-month={day.month}&to-year={day.year}&seed=3"
    )
    await expect(page.get_by_test_id("sample-children")).to_be_visible()
    named = page.locator("[data-testid=sample-children] [data-testid=child-name]")
    assert await named.count() >= 1
    drawn = page.locator(f"[data-testid=sample-children] {row_of_child}")
    if await drawn.count():
        await expect(drawn.first.locator("[data-testid=child-name]")).to_have_text(shown)
    await check_a11y(page, "names-inspection-sample")

    # An admin reads the oversight page with ids only.
    await page.context.clear_cookies()
    await sign_in(page, stack, "admin", next_path="/app/oversight?team=all")
    await expect(page.locator(row_of_child).first).to_be_visible()
    await expect(page.get_by_test_id("child-name")).to_have_count(0)
