"""Every page reads as plain English, and a refusal sits on the field at fault. No raw instant (`…T…Z`),
no ISO date, no Python or JSON list, no
`True`/`False`/`None`, no step's or state's code name; each checked with axe. Pages visited as a manager
(who sees the most) and as intake, on a case with a refused step, a refused outcome and a victim."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote

from playwright.async_api import Page, expect

from domain.events import wording
from tests.client.conftest import Stack, outcome, today
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.client.pages.test_start_and_intake import _send
from tests.client.pages.test_worker_pages import _case, _start_order

CODE_WORDS = {
    "raw instant": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "ISO date": re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])"),
    "Python or JSON list": re.compile(r"\[\s*['\"{]|['\"}]\s*\]"),
    "Python value": re.compile(r"\b(True|False)\b|\bNone\b(?! (of|open|named|yet)\b)"),
    "code name": re.compile(
        r"\b(order_made|contract_agreed|first_contact_made|consent_recorded|informed_choice_given|date_of_birth|referral_order|victim_contact|asset_plus|pdat)\b"
    ),
}


async def _visible_text(page: Page) -> str:
    # What a reader sees: the stored record behind each timeline entry's "show" is a record, not prose.
    return await page.locator("main").inner_text()


def _faults(text: str) -> list[str]:
    text = re.sub(r"(?m)^None$", "", text)  # a choice labelled "None" (MAPPA level) is a word, not a value
    return [f"{name}: {m.group(0)!r}" for name, rx in CODE_WORDS.items() for m in [rx.search(text)] if m]


async def test_no_page_shows_the_codes_words(stack: Stack, page: Page) -> None:
    order_id, contact_id, child_id = await _start_order(stack)
    refused = await _send(stack, outcome(child_id=child_id, months=20))
    assert refused["status"] == 422
    # A refusal whose reason names a field by its code: the intake page and the child's case give it in words.
    born_later = outcome(child_id=child_id)
    born_later["child"]["date_of_birth"] = (
        date.fromisoformat(born_later["hearing_date"]) + timedelta(days=1)
    ).isoformat()
    assert (await _send(stack, born_later))["status"] == 422
    await sign_in(page, stack, "manager")
    paths = [
        "/app",
        "/app/my-cases",
        f"/app/children?q={quote(child_id)}",
        f"/app/children/{quote(child_id)}",
        _case(order_id),
        _case(contact_id),
        f"{_case(order_id)}/steps/initial_panel_held",
        f"{_case(order_id)}/steps/court_decision",
        f"{_case(order_id)}/steps/assessment_completed",
        "/app/dashboard",
        "/app/inspection",
        "/app/intake",
        f"/app/inspection/cases/{quote(order_id, safe=':')}/chronology",
    ]
    faults: dict[str, list[str]] = {}
    seen = 0
    for path in paths:
        response = await page.goto(f"{stack.api_url}{path}")
        assert response is not None
        if response.status == 403:
            continue
        assert response.status == 200, (path, response.status)
        seen += 1
        if found := _faults(await _visible_text(page)):
            faults[path] = found
        await check_a11y(page, "plain-" + re.sub(r"\W+", "-", path).strip("-")[:60])
    # A refused step, as the form shows it: in words, no code names or ISO dates.
    await page.goto(f"{stack.api_url}{_case(order_id)}/steps/progress_panel_held")
    await page.click("[data-testid=step-form] button[type=submit]")
    summary = await page.locator(".govuk-error-summary").inner_text()
    assert "The order is at “Order made”; this step needs it to be at “Contract agreed”" in summary, summary
    if found := _faults(await _visible_text(page)):
        faults["refused progress panel"] = found
    assert seen >= 10
    assert not faults, faults


async def _fill_date(page: Page, name: str, day: date) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        await page.fill(f"#{name}-{part}", str(value))


async def test_a_refusal_sits_on_the_field_at_fault(stack: Stack, page: Page) -> None:
    order_id, _, _ = await _start_order(stack)
    on = today().isoformat()
    async with stack.http("case_worker") as http:
        for s in (
            {"step": "initial_panel_held", "effective_date": on, "contract_signed_date": on},
            {"step": "referred_back_to_court", "effective_date": on, "grounds": "breach", "reason": "a report"},
        ):
            r = await http.post(f"/orders/{order_id}/steps", json=s)
            assert r.status_code == 200, r.text
    await sign_in(page, stack, "case_worker", next_path=_case(order_id))
    await expect(page.locator("[data-testid=next-steps]")).to_contain_text("Court decision")  # referred back

    # A date in the future: the date it happened is at fault, in words.
    await page.goto(f"{stack.api_url}{_case(order_id)}/steps/court_decision")
    await _fill_date(page, "effective_date", today() + timedelta(days=3))
    await page.check("input[name=decision][value=continue]")
    await page.click("[data-testid=step-form] button[type=submit]")
    error = page.locator("#effective_date-error")
    await expect(error).to_contain_text(
        f"The date it happened {wording.day(today() + timedelta(days=3))} is in the future"
    )
    await expect(page.locator(".govuk-error-summary a")).to_have_attribute("href", "#effective_date-day")
    await expect(page.locator(".govuk-error-message")).to_have_count(1)

    # An extension too long: the extension is at fault, not the date; what was chosen is kept.
    await _fill_date(page, "effective_date", today())
    await page.check("input[name=decision][value=extend]")
    await page.fill("#extension_months", "9")
    await page.click("[data-testid=step-form] button[type=submit]")
    await expect(page.locator("#extension_months-error")).to_contain_text("An extension must be 1–3 months")
    await expect(page.locator(".govuk-error-summary a")).to_have_attribute("href", "#extension_months")
    await expect(page.locator("#effective_date-error")).to_have_count(0)
    await expect(page.locator("input[name=decision][value=extend]")).to_be_checked()
    assert "extension_months" not in await page.locator("main").inner_text()
    await check_a11y(page, "refusal-on-the-extension")
    await shoot(page, "refusal-on-the-extension")
