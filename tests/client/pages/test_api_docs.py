"""The API docs at /docs in a real browser: Swagger UI from this server's own files, under its CSP (the
`page` fixture fails on anything fetched from elsewhere and on any CSP violation)."""

from __future__ import annotations

from playwright.async_api import Page

from tests.client.conftest import Stack


async def test_the_api_docs_load_from_this_server_under_a_csp(stack: Stack, page: Page) -> None:
    answer = await page.goto(f"{stack.api_url}/docs")
    assert answer is not None and answer.status == 200
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    await page.wait_for_selector(".opblock-summary", timeout=10_000)
    operations = await page.locator(".opblock-summary").count()
    assert operations >= 20, f"Swagger UI shows {operations} operations"
    assert answer.headers["cache-control"] == "no-store"
