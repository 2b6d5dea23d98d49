"""Signing in to the pages with an organisation account, through a real OpenID provider (the certified
`oidc-provider` package, tests/oidc_provider/) and back: in Chromium, and over plain HTTP for the checks a
browser cannot make (a forged or replayed callback, a role the mapping changes, a broken configuration)."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.async_api import Page

from tests.client.conftest import Stack
from tests.client.pages.conftest import check_a11y, shoot
from tests.client.pages.oidc_fixtures import (
    ACCOUNTS,
    CASEWORKERS,
    MAPPING,
    configure,
    provider,  # noqa: F401 (a fixture)
    sign_in_over_http,
    submit_provider_login,
    to_provider_login,
)
from tests.client.pages.oidc_fixtures import oidc_settings as oidc_settings  # a fixture

# The discard port: nothing listens there, so a provider configured at it cannot be reached.
UNREACHABLE = "http://127.0.0.1:9"


async def _sign_in_at_provider(page: Page, stack: Stack, login: str, next_path: str = "/app") -> None:
    await page.goto(f"{stack.api_url}/app/sign-in?next={next_path}")
    await page.click("[data-testid=organisation-sign-in]")
    await page.wait_for_selector("text=Sign in to the test organisation")
    await page.fill("#login", login)
    await page.fill("#password", ACCOUNTS[login]["password"])
    await page.click("button:has-text('Continue')")


async def _account(stack: Stack, issuer: str, subject: str) -> dict[str, object] | None:
    async with stack.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT a.username, a.matched, u.role,"
            " array(SELECT s.yjs FROM user_services s WHERE s.username = a.username ORDER BY s.yjs) AS services"
            " FROM oidc_accounts a JOIN users u USING (username) WHERE a.issuer = %s AND a.subject = %s",
            (issuer, subject),
        )
        row = await cur.fetchone()
    return None if row is None else dict(row)


async def test_a_first_sign_in_provisions_the_mapped_role_and_lands_on_the_start_page(
    stack: Stack, page: Page, oidc_settings: str
) -> None:
    await page.goto(f"{stack.api_url}/app/children")
    assert "/app/sign-in?next=%2Fapp%2Fchildren" in page.url
    assert "Sign in with Luton Council" in await page.inner_text("[data-testid=organisation-sign-in]")
    assert await page.is_visible("#token"), "token sign-in stays beside the organisation's"
    await check_a11y(page, "sign-in-organisation")
    await shoot(page, "sign-in-organisation")

    await page.click("[data-testid=organisation-sign-in]")
    await page.wait_for_selector("text=Sign in to the test organisation")
    assert page.url.startswith(oidc_settings)
    await page.fill("#login", "casey")
    await page.fill("#password", ACCOUNTS["casey"]["password"])
    await page.click("button:has-text('Continue')")
    await page.wait_for_url(f"{stack.api_url}/app/children")

    username = ACCOUNTS["casey"]["claims"]["preferred_username"]
    assert await page.text_content("[data-testid=signed-in-as]") == username
    assert "(Case worker)" in await page.inner_text(".govuk-phase-banner__text")
    await page.goto(f"{stack.api_url}/app")
    assert "Find a child" in await page.inner_text("#navigation")

    linked = await _account(stack, oidc_settings, "casey")
    assert linked == {
        "username": username,
        "services": ["luton"],
        "matched": [f"groups={CASEWORKERS}"],
        "role": "case_worker",
    }
    async with stack.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) AS n FROM api_tokens WHERE username = %s AND revoked_at IS NULL", (username,)
        )
        assert (await cur.fetchone())["n"] == 0, "an organisation account signs in at its provider, not by token"


async def test_an_account_whose_groups_map_to_nothing_is_refused_saying_which(
    stack: Stack, page: Page, oidc_settings: str
) -> None:
    await _sign_in_at_provider(page, stack, "morgan")
    await page.wait_for_selector("[data-testid=refusal-reason]")
    assert await page.title() == "You cannot sign in with this organisation account – Youth justice case records"
    reason = await page.inner_text("[data-testid=refusal-reason]")
    assert "groups: all-staff, finance" in reason
    assert CASEWORKERS in reason and "yjs-luton-managers" in reason
    await check_a11y(page, "sign-in-organisation-refused")
    await shoot(page, "sign-in-organisation-refused")

    assert await _account(stack, oidc_settings, "morgan") is None
    async with stack.pool.connection() as conn:
        refused_name = ACCOUNTS["morgan"]["claims"]["preferred_username"]
        cur = await conn.execute("SELECT 1 FROM users WHERE username = %s", (refused_name,))
        assert await cur.fetchone() is None, "a refused account is never provisioned"
    await page.goto(f"{stack.api_url}/app")
    assert "/app/sign-in" in page.url


@pytest.mark.usefixtures("oidc_settings")
async def test_sign_out_ends_the_yjflow_session_and_the_providers(stack: Stack, page: Page) -> None:
    await _sign_in_at_provider(page, stack, "robin")
    await page.wait_for_url(f"{stack.api_url}/app")
    session = next(c["value"] for c in await page.context.cookies() if c["name"] == "yjflow_session")

    await page.click("[data-testid=sign-out]")
    await page.wait_for_selector("text=Sign out of the test organisation")
    await page.click("button:has-text('Yes, sign me out')")
    await page.wait_for_url(f"{stack.api_url}/app/signed-out")
    await check_a11y(page, "signed-out-organisation")

    async with httpx.AsyncClient(base_url=stack.api_url, cookies={"yjflow_session": session}) as http:
        r = await http.get("/app")
    assert r.status_code == 303 and r.headers["location"].startswith("/app/sign-in"), "the yjflow session ended"
    # The provider's session ended too: signing in again asks for the password again.
    await page.goto(f"{stack.api_url}/app/sign-in")
    await page.click("[data-testid=organisation-sign-in]")
    await page.wait_for_selector("#password")


async def test_a_later_sign_in_takes_the_role_the_mapping_gives_now(
    stack: Stack, oidc_settings: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with httpx.AsyncClient(follow_redirects=True, timeout=30) as http:
        first = await sign_in_over_http(http, stack, "robin")
    assert first.status_code == 200 and "You are signed in" in first.text, first.text[:2000]
    promoted = {"groups": {CASEWORKERS: {"role": "manager", "services": ["luton", "bedford"]}}}
    monkeypatch.setenv("YJFLOW_OIDC_MAPPING", json.dumps(promoted))
    async with httpx.AsyncClient(follow_redirects=True, timeout=30) as http:
        again = await sign_in_over_http(http, stack, "robin")
        assert again.status_code == 200, again.text[:2000]
        start = await http.get(f"{stack.api_url}/app")
    assert "(Manager)" in start.text
    linked = await _account(stack, oidc_settings, "robin")
    assert linked is not None and linked["role"] == "manager" and linked["services"] == ["bedford", "luton"]

    monkeypatch.setenv("YJFLOW_OIDC_MAPPING", json.dumps({"groups": {"yjs-other": MAPPING["groups"][CASEWORKERS]}}))
    async with httpx.AsyncClient(follow_redirects=True, timeout=30) as http:
        gone = await sign_in_over_http(http, stack, "robin")
    assert gone.status_code == 403 and "groups: yjs-luton-caseworkers" in gone.text


@pytest.mark.usefixtures("oidc_settings")
async def test_a_callback_not_begun_in_this_browser_or_used_twice_is_refused(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.get(f"{stack.api_url}/app/sign-in/organisation/callback", params={"code": "x", "state": "y"})
    assert r.status_code == 400 and "did not begin in this browser" in r.text
    assert "yjflow_session" not in r.cookies

    async with httpx.AsyncClient(follow_redirects=True, timeout=30) as http:
        form = await to_provider_login(http, stack)
        state = http.cookies.get("yjflow_oidc_state")
        assert state
        http.follow_redirects = False
        r = await submit_provider_login(http, form, "casey")
        # Through the provider's redirects, stopping before yjflow's callback to keep its URL.
        while r.next_request is not None and "/callback" not in str(r.next_request.url):
            r = await http.send(r.next_request)
        assert r.next_request is not None, r.text[:2000]
        callback = str(r.next_request.url)
    async with httpx.AsyncClient(timeout=30, cookies={"yjflow_oidc_state": state}) as http:
        used = await http.get(callback)
        assert used.status_code == 200 and "yjflow_session" in used.cookies
        replayed = await http.get(callback)
    assert replayed.status_code == 400 and "used already" in replayed.text


async def test_a_broken_configuration_leaves_token_sign_in_and_says_what_is_missing(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, UNREACHABLE)
    monkeypatch.delenv("YJFLOW_OIDC_MAPPING")
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        form = await http.get("/app/sign-in")
        start = await http.get("/app/sign-in/organisation")
    assert form.status_code == 200 and 'id="token"' in form.text and "organisation-sign-in" not in form.text
    assert start.status_code == 503 and "YJFLOW_OIDC_MAPPING" in start.text


async def test_an_unreachable_provider_is_named_and_token_sign_in_still_works(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, UNREACHABLE)
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        start = await http.get("/app/sign-in/organisation")
        form = await http.get("/app/sign-in")
    assert start.status_code == 502
    assert "discovery document at http://127.0.0.1:9 could not be read" in start.text
    assert "sign in with an access token" in start.text
    assert form.status_code == 200 and 'id="token"' in form.text
