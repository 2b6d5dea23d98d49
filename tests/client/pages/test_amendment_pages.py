"""Court result amendments in the browser, as a manager meets them: a changed resend held with the
difference, confirmed (applied to the order) or rejected with the reason; a change no court decision can
carry, or a rejection without a reason, answered in the error summary and nothing recorded."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from tests.client.conftest import Stack
from tests.client.court_messages import new_case, spi_for
from tests.client.pages.conftest import check_a11y, shoot, sign_in


async def send(stack: Stack, text: str) -> dict[str, Any]:
    async with stack.http("intake") as http:
        reply = await http.post(
            "/court-results/spi", content=text.encode(), headers={"Content-Type": "application/xml"}
        )
    [answer] = reply.json()["defendants"]
    return dict(answer)


async def test_a_manager_confirms_one_amendment_and_rejects_another(stack: Stack, page: Page) -> None:
    case, asn = new_case()
    original = spi_for("spi_youth_rehabilitation_order.xml", case=case, asn=asn)
    assert (await send(stack, original))["status"] == "accepted"
    await stack.wait_for_events(asn, "YouthRehabilitationOrderMade")  # the order an amendment applies to exists
    later = await send(stack, original.replace("2027-11-15", "2028-02-15"))
    earlier = await send(stack, original.replace("2027-11-15", "2027-10-15"))
    assert later["status"] == earlier["status"] == "amendment", (later, earlier)

    await sign_in(page, stack, "manager", next_path="/app/court-results/amendments")
    card = page.locator(f"[data-testid=amendment-{later['amendment_id']}]")
    assert asn in await card.locator("h2").inner_text()
    rows = await card.locator(f"[data-testid=difference-{later['amendment_id']}] tbody tr").all_inner_texts()
    assert rows == ["Disposal end date\tMonday 15 November 2027\tTuesday 15 February 2028"]  # in words
    await check_a11y(page, "amendments")
    await shoot(page, "amendments")

    await card.get_by_role("button", name=f"Confirm amendment {later['amendment_id']}").click()
    assert f"Amendment {later['amendment_id']} confirmed and applied to youth-rehabilitation-order:" in (
        await page.inner_text("[data-testid=done]")
    )
    assert await page.locator(f"[data-testid=amendment-{later['amendment_id']}]").count() == 0

    other = page.locator(f"[data-testid=amendment-{earlier['amendment_id']}]")
    await other.get_by_role("button", name=f"Confirm amendment {earlier['amendment_id']}").click()
    summary = await page.inner_text(".govuk-error-summary")
    assert "cannot be applied by a court decision" in summary and "moved later" in summary
    await check_a11y(page, "amendments-error")
    other = page.locator(f"[data-testid=amendment-{earlier['amendment_id']}]")
    await other.get_by_role("button", name=f"Reject amendment {earlier['amendment_id']}").click()
    assert "Say why you reject it" in await page.inner_text(".govuk-error-summary")
    other = page.locator(f"[data-testid=amendment-{earlier['amendment_id']}]")
    await other.locator("textarea").fill("The court register says 15 November 2027")
    await other.get_by_role("button", name=f"Reject amendment {earlier['amendment_id']}").click()
    assert f"Amendment {earlier['amendment_id']} rejected" in await page.inner_text("[data-testid=done]")
    decided = await page.inner_text("[data-testid=decided]")
    assert "The court register says 15 November 2027" in decided and stack.usernames["manager"] in decided

    # Only managers see the page.
    await sign_in(page, stack, "case_worker", next_path="/app/court-results/amendments")
    assert "Court result amendments" not in await page.inner_text("main")
