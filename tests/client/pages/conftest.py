"""Browser fixtures for the pages: a real Chromium (Debian's, driven by Playwright's async API) against
the live `stack`, signing in with each role's token, axe-core checks and kept screenshots."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("YJFLOW_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the session (Playwright cannot download its own browser here)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-chromium (or set YJFLOW_CHROMIUM)")
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000)
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh context (no cookies) and page per test; any request leaving 127.0.0.1 fails the test."""
    context = await browser.new_context(accept_downloads=True)
    context.set_default_timeout(15_000)
    outside: list[str] = []

    async def only_local(route: Any) -> None:
        url = route.request.url
        if re.match(r"^(https?://127\.0\.0\.1[:/]|data:|blob:|about:)", url):
            await route.continue_()
        else:
            outside.append(url)
            await route.abort()

    await context.route("**/*", only_local)
    new_page = await context.new_page()
    csp: list[str] = []
    new_page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        yield new_page
    finally:
        await context.close()
    assert not outside, f"the page fetched from outside: {outside}"
    assert not csp, f"the page broke its own Content-Security-Policy: {csp}"


async def sign_in(page: Page, stack: Any, role: str, *, next_path: str = "/app") -> None:
    """Sign in through the form with the role's API token, and land on `next_path`."""
    await page.goto(f"{stack.api_url}/app/sign-in?next={quote(next_path, safe='')}")
    await page.fill("#token", stack.tokens[role])
    await page.click("button:has-text('Sign in')")
    await page.wait_for_url(f"{stack.api_url}{next_path}*")
    assert await page.text_content("[data-testid=signed-in-as]") == stack.usernames[role]


async def check_a11y(page: Page, name: str) -> None:
    """Run axe-core (WCAG 2.0–2.2 A and AA) on the page as it is now; fail listing each violation."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, not added as a <script>: the page's CSP (rightly) refuses inline
        # scripts, and the test must not weaken it.
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = result["violations"]
    if violations:
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in violations
        ]
        (SCREENSHOTS.parent / "axe").mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS.parent / "axe" / f"{name}.json").write_text(json.dumps(violations, indent=2))
        pytest.fail(f"axe found {len(violations)} WCAG violation(s) on {name}:\n" + "\n".join(lines))


async def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot kept in test-artifacts/screenshots/<name>.png. A page grown past what
    Chromium can capture whole (a list holding a long session's rows) is kept as its first screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    try:
        await page.screenshot(path=str(path), full_page=True)
    except PlaywrightError as exc:
        if "Unable to capture screenshot" not in str(exc):
            raise
        await page.screenshot(path=str(path))
    return path
