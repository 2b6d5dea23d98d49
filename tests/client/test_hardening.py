"""Hardening found by probing the running API and pages: headers on every answer, the session cookie
and HSTS behind a TLS proxy, failed sign-ins and bad tokens logged and slowed, one live session per
browser, court outcomes' field and body limits, and a safe alphabet for ids."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
import structlog
from temporalio.client import Client

from client import throttle
from client.api import AppContext, create_app
from client.web import security
from domain.court_outcome.limits import MAX_BODY_BYTES
from tests.client.conftest import Stack, outcome

ADDRESSES: defaultdict[int, list[str]] = defaultdict(lambda: [f"10.9.0.{n}" for n in range(1, 250)])


def client_address(client: httpx.AsyncClient) -> str:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    return transport.client[0]


@pytest_asyncio.fixture
async def behind_tls_proxy(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The app as `yjflow api` sets it up with YJFLOW_SECURE_COOKIES and a throttle of 3 failures a
    minute, on the stack's database, reached in-process as plain http (the proxy ends TLS)."""

    async def connect() -> Client:
        return stack.temporal

    app = create_app(AppContext(stack.pool, connect))
    security.configure(app, secure_cookies=True)
    throttle.configure(app, allowed=3, window=60)
    # Each test its own client address, so their failures never add up.
    transport = httpx.ASGITransport(app=app, client=(ADDRESSES[id(stack)].pop(), 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://yjflow.example") as client:
        yield client


async def sign_in(client: httpx.AsyncClient, token: str, session: str | None = None) -> httpx.Response:
    """Sign in as a browser would. The cookies are `Secure`, which httpx keeps off plain http (the
    browser talks https to the proxy), so they are sent by hand."""
    form = await client.get("/app/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    cookies = f"yjflow_sign_in_csrf={form.cookies['yjflow_sign_in_csrf']}"
    if session is not None:
        cookies += f"; yjflow_session={session}"
    return await client.post(
        "/app/sign-in",
        data={"csrf_token": csrf.group(1), "token": token, "next": "/app"},
        headers={"Cookie": cookies},
    )


async def test_every_api_answer_is_no_store_and_nosniff(stack: Stack) -> None:
    async with stack.http("manager") as http:
        answers = [await http.get("/deadlines"), await http.get("/orders/nothing"), await http.get("/health")]
    for r in answers:
        assert r.headers["cache-control"] == "no-store", r.url
        assert r.headers["x-content-type-options"] == "nosniff", r.url
        assert "strict-transport-security" not in r.headers  # plain http, not configured as behind TLS


async def test_behind_a_tls_proxy_the_cookie_is_secure_and_hsts_is_sent(
    stack: Stack, behind_tls_proxy: httpx.AsyncClient
) -> None:
    r = await sign_in(behind_tls_proxy, stack.tokens["manager"])
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "yjflow_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")
    assert (await behind_tls_proxy.get("/health")).headers["strict-transport-security"]


async def test_bad_tokens_and_failed_sign_ins_are_logged_and_slowed_per_address(
    stack: Stack, behind_tls_proxy: httpx.AsyncClient
) -> None:
    stolen = f"stolen-{uuid.uuid4().hex}"
    with structlog.testing.capture_logs() as logs:
        for _ in range(2):
            r = await behind_tls_proxy.get("/deadlines", headers={"Authorization": f"Bearer {stolen}"})
            assert r.status_code == 401
        refused = await sign_in(behind_tls_proxy, stolen)
        assert refused.status_code == 401 and "not recognised" in refused.text
        # The address has used its 3 failures: even a good token waits, and is told how long.
        r = await behind_tls_proxy.get("/deadlines", headers={"Authorization": f"Bearer {stack.tokens['manager']}"})
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        assert "try again in" in r.json()["detail"]
        page = await sign_in(behind_tls_proxy, stack.tokens["manager"])
        assert page.status_code == 429 and "Too many failed sign-ins" in page.text
    failed = [e for e in logs if e["event"] == "auth.failed"]
    assert len(failed) == 3 and {e["address"] for e in failed} == {client_address(behind_tls_proxy)}
    assert any(e["event"] == "auth.throttled" for e in logs)
    assert stolen not in repr(logs), "a token is never logged"


async def test_a_revoked_tokens_owner_is_named_in_the_log(stack: Stack, behind_tls_proxy: httpx.AsyncClient) -> None:
    from activities.users import add_user, revoke_tokens

    name = f"gone-{uuid.uuid4().hex[:6]}"
    token = await add_user(stack.pool, name, "case_worker")
    await revoke_tokens(stack.pool, name)
    with structlog.testing.capture_logs() as logs:
        r = await behind_tls_proxy.get("/deadlines", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert [e["account"] for e in logs if e["event"] == "auth.failed"] == [name]


async def test_signing_in_again_in_the_same_browser_ends_the_previous_session(
    stack: Stack, behind_tls_proxy: httpx.AsyncClient
) -> None:
    first = await sign_in(behind_tls_proxy, stack.tokens["manager"])
    old = first.cookies["yjflow_session"]
    assert (await behind_tls_proxy.get("/app", headers={"Cookie": f"yjflow_session={old}"})).status_code == 200
    again = await sign_in(behind_tls_proxy, stack.tokens["case_worker"], session=old)
    assert again.status_code == 303 and again.cookies["yjflow_session"] != old
    r = await behind_tls_proxy.get("/app", headers={"Cookie": f"yjflow_session={old}"})
    assert r.status_code == 303 and r.headers["location"].startswith("/app/sign-in")
    new = again.cookies["yjflow_session"]
    assert (await behind_tls_proxy.get("/app", headers={"Cookie": f"yjflow_session={new}"})).status_code == 200


async def test_court_outcome_text_fields_have_limits_and_the_body_a_size(stack: Stack) -> None:
    long_name = outcome()
    long_name["child"]["given_name"] = "A" * 1_000_000
    async with stack.http("intake") as http:
        r = await http.post("/court-outcomes", json=long_name)
        assert r.status_code == 413, r.text  # a 1 MB name makes a body over the limit
        assert f"at most {MAX_BODY_BYTES} bytes" in r.json()["detail"]
        huge = (await http.get("/court-outcomes/rejected", params={"limit": 1})).json()[0]
        assert huge["body"] is None and len(huge["body_text"]) < 5000
        assert huge["errors"][0]["rule"] == "body.max_bytes"

        name = outcome()
        name["child"]["given_name"] = "B" * 101
        name["offences"][0]["description"] = "C" * 501
        r = await http.post("/court-outcomes", json=name)
    assert r.status_code == 422
    rules = {(e["field"], e["rule"]) for e in r.json()["errors"]}
    assert ("child.given_name", "child.given_name.max_length") in rules
    assert ("offences[0].description", "offences.description.max_length") in rules


async def test_ids_take_a_safe_alphabet_only(stack: Stack) -> None:
    for field, value in (("child", '<b>"x"</b>'), ("child", "C/1"), ("victim", "V/1"), ("victim", "V<1>")):
        body = outcome()
        if field == "child":
            body["child"]["id"] = value
        else:
            body["victims"][0]["ref"] = value
        async with stack.http("intake") as http:
            r = await http.post("/court-outcomes", json=body)
        assert r.status_code == 422, (value, r.text)
        [error] = [e for e in r.json()["errors"] if e["rule"].endswith("workflow_id_safe")]
        assert "letters, digits and . _ - only" in error["message"]
