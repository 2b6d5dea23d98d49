"""Signing in and out of the pages with an API token, and what protects a session: cookie flags, expiry
on sign-out, CSRF tokens on every form, security headers; in a real browser and over plain HTTP."""

from __future__ import annotations

import hashlib
import re
import uuid

import httpx
from playwright.async_api import Page

from tests.client.conftest import Stack
from tests.client.pages.conftest import check_a11y, shoot, sign_in


def _form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token field in the form"
    return match.group(1)


async def _signed_in_client(stack: Stack, role: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=stack.api_url, timeout=30)
    form = await http.get("/app/sign-in")
    r = await http.post(
        "/app/sign-in", data={"csrf_token": _form_token(form.text), "token": stack.tokens[role], "next": "/app"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/app", r.text
    return http


async def test_sign_in_with_a_good_token_then_sign_out(stack: Stack, page: Page) -> None:
    await page.goto(f"{stack.api_url}/app/children")
    assert "/app/sign-in?next=%2Fapp%2Fchildren" in page.url
    await check_a11y(page, "sign-in")
    await shoot(page, "sign-in")
    await page.fill("#token", stack.tokens["manager"])
    await page.click("button:has-text('Sign in')")
    await page.wait_for_url(f"{stack.api_url}/app/children")
    assert await page.text_content("[data-testid=signed-in-as]") == stack.usernames["manager"]
    nav = await page.inner_text("#navigation")
    assert "Dashboard" in nav and "Inspection sample" in nav

    await page.click("[data-testid=sign-out]")
    await page.wait_for_url(f"{stack.api_url}/app/signed-out")
    await check_a11y(page, "signed-out")
    await page.goto(f"{stack.api_url}/app/children")
    assert "/app/sign-in" in page.url


async def test_a_bad_token_gets_an_error_summary(stack: Stack, page: Page) -> None:
    await page.goto(f"{stack.api_url}/app/sign-in")
    await page.fill("#token", "not-a-real-token")
    await page.click("button:has-text('Sign in')")
    summary = page.locator(".govuk-error-summary")
    assert "The access token is not recognised" in await summary.inner_text()
    assert await page.title() == "Error: Sign in – Youth justice case records"
    await page.click(".govuk-error-summary a[href='#token']")
    assert await page.evaluate("document.activeElement.id") == "token"
    await check_a11y(page, "sign-in-error")
    await shoot(page, "sign-in-error")


async def test_navigation_follows_the_role(stack: Stack, page: Page) -> None:
    await sign_in(page, stack, "case_worker")
    await check_a11y(page, "start")
    await shoot(page, "start-case-worker")
    nav = await page.inner_text("#navigation")
    assert "Find a child" in nav and "Dashboard" not in nav and "Inspection sample" not in nav
    r = await page.goto(f"{stack.api_url}/app/dashboard")
    assert r is not None and r.status == 403
    assert "Role case_worker may not read_dashboard" in await page.inner_text("[data-testid=refusal-reason]")
    await check_a11y(page, "refused")


async def test_session_cookie_flags_and_page_headers(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        form = await http.get("/app/sign-in")
        assert form.headers["content-security-policy"].startswith("default-src 'self'")
        assert form.headers["x-frame-options"] == "DENY"
        r = await http.post(
            "/app/sign-in",
            data={"csrf_token": _form_token(form.text), "token": stack.tokens["inspector"], "next": "//evil.example/"},
        )
        assert r.status_code == 303
        assert r.headers["location"] == "/app"  # never an open redirect
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("yjflow_session="))
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert "httponly" in flags and "samesite=strict" in flags and "path=/app" in flags
        assert "secure" not in flags  # plain http here; https requests get Secure
        session_id = cookie.split(";")[0].split("=", 1)[1]
        async with stack.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT session_hash, username FROM web_sessions WHERE username = %s", (stack.usernames["inspector"],)
            )
            rows = await cur.fetchall()
        assert rows and all(row["session_hash"] != session_id for row in rows)  # stored hashed only
        start = await http.get("/app")
        assert start.status_code == 200 and stack.usernames["inspector"] in start.text


async def test_https_requests_get_a_secure_cookie(stack: Stack) -> None:
    from client.api import AppContext, create_app

    app = create_app(AppContext(stack.pool, lambda: stack.temporal))  # type: ignore[arg-type,return-value]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://yjflow.test") as http:
        form = await http.get("/app/sign-in")
        r = await http.post(
            "/app/sign-in",
            data={"csrf_token": _form_token(form.text), "token": stack.tokens["manager"], "next": "/app"},
        )
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("yjflow_session="))
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


async def test_a_forged_post_without_the_sessions_csrf_token_is_refused(stack: Stack) -> None:
    http = await _signed_in_client(stack, "manager")
    try:
        start = await http.get("/app")
        good = _form_token(start.text)
        forged = await http.post("/app/sign-out", data={"csrf_token": "forged"})
        assert forged.status_code == 403 and "security token" in forged.text
        missing = await http.post("/app/sign-out", data={})
        assert missing.status_code == 403
        assert (await http.get("/app")).status_code == 200  # still signed in
        out = await http.post("/app/sign-out", data={"csrf_token": good})
        assert out.status_code == 303
        after = await http.get("/app")
        assert after.status_code == 303 and after.headers["location"].startswith("/app/sign-in")
    finally:
        await http.aclose()


async def test_sign_in_itself_needs_the_forms_token(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        r = await http.post("/app/sign-in", data={"token": stack.tokens["manager"], "csrf_token": "x"})
        assert r.status_code == 403
        assert "yjflow_session" not in r.headers.get("set-cookie", "")


async def test_static_assets_are_local_and_cached(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        css = await http.get("/app/static/govuk-frontend.min.css")
        assert css.status_code == 200 and "govuk-header" in css.text
        assert "max-age=31536000" in css.headers["cache-control"]
        font_urls = re.findall(r"url\((/assets/fonts/[^)]+)\)", css.text)
        assert font_urls
        font = await http.get(font_urls[0].strip("\"'"))
        assert font.status_code == 200 and len(font.content) > 1000
        assert (await http.get("/assets/images/favicon.ico")).status_code == 200


async def _session_hash(http: httpx.AsyncClient) -> str:
    session_id = http.cookies.get("yjflow_session")
    assert session_id
    return hashlib.sha256(session_id.encode()).hexdigest()


async def test_a_session_ends_when_idle_too_long_or_past_its_absolute_limit(stack: Stack) -> None:
    # The clocks are moved back in the table (30 minutes idle, 8 hours absolute are too long to wait).
    for column, age in (("last_seen_at", "31 minutes"), ("expires_at", "1 second")):
        http = await _signed_in_client(stack, "case_worker")
        try:
            assert (await http.get("/app")).status_code == 200
            async with stack.pool.connection() as conn:
                await conn.execute(
                    f"UPDATE web_sessions SET {column} = now() - %s::interval WHERE session_hash = %s",
                    (age, await _session_hash(http)),
                )
            r = await http.get("/app/children")
            assert r.status_code == 303 and r.headers["location"] == "/app/sign-in?next=%2Fapp%2Fchildren", column
        finally:
            await http.aclose()


async def test_a_disabled_users_session_stops_at_once(stack: Stack) -> None:
    from activities.users import add_user, set_disabled

    name = f"leaver-{uuid.uuid4().hex[:6]}"
    token = await add_user(stack.pool, name, "manager")
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        form = await http.get("/app/sign-in")
        r = await http.post("/app/sign-in", data={"csrf_token": _form_token(form.text), "token": token})
        assert r.status_code == 303
        assert (await http.get("/app")).status_code == 200
        await set_disabled(stack.pool, name)
        assert (await http.get("/app")).status_code == 303
