"""The tests' real OpenID provider beside the live `stack`, and the settings that point the pages at it.

The provider is started once per test module that asks for it; `oidc_settings` is applied per test through
the environment, which the pages read at each sign-in (as a deployment's settings would be)."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
import pytest_asyncio

from tests.client.conftest import Stack
from tests.oidc_provider.harness import install, missing_tools, running_provider

CLIENT_ID = "yjflow-pages"
CLIENT_SECRET = "a-test-client-secret-of-the-pages"
TAG = uuid.uuid4().hex[:6]
CASEWORKERS = "yjs-luton-caseworkers"
MAPPING: dict[str, Any] = {
    "groups": {
        CASEWORKERS: {"role": "case_worker", "services": ["luton"]},
        "yjs-luton-managers": {"role": "manager", "services": ["luton"]},
    }
}
# login → password and the claims the provider releases (groups through its `groups` scope).
ACCOUNTS: dict[str, dict[str, Any]] = {
    "casey": {
        "password": "casey-password",
        "claims": {
            "name": "Casey Example",
            "preferred_username": f"casey-{TAG}",
            "email": f"casey-{TAG}@luton.example.gov.uk",
            "email_verified": True,
            "groups": ["all-staff", CASEWORKERS],
        },
    },
    "morgan": {
        "password": "morgan-password",
        "claims": {"preferred_username": f"morgan-{TAG}", "groups": ["all-staff", "finance"]},
    },
    "robin": {
        "password": "robin-password",
        "claims": {"preferred_username": f"robin-{TAG}", "groups": [CASEWORKERS]},
    },
}


@pytest_asyncio.fixture(scope="module")
async def provider(stack: Stack) -> AsyncIterator[str]:
    """The certified oidc-provider on a free port, knowing the stack's callback; yields its issuer."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    await asyncio.to_thread(install)
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{stack.api_url}/app/sign-in/organisation/callback"],
        "post_logout_redirect_uris": [f"{stack.api_url}/app/signed-out"],
    }
    async with running_provider(client, ACCOUNTS) as issuer:
        yield issuer


def configure(monkeypatch: pytest.MonkeyPatch, issuer: str) -> None:
    """The pages' organisational sign-in pointed at `issuer`, with `MAPPING`, for one test."""
    monkeypatch.setenv("YJFLOW_OIDC_ISSUER", issuer)
    monkeypatch.setenv("YJFLOW_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("YJFLOW_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("YJFLOW_OIDC_SCOPES", "openid profile email groups")
    monkeypatch.setenv("YJFLOW_OIDC_MAPPING", json.dumps(MAPPING))
    monkeypatch.setenv("YJFLOW_OIDC_PROVIDER_NAME", "Luton Council")


@pytest.fixture
def oidc_settings(provider: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The pages configured for the test provider; returns its issuer."""
    configure(monkeypatch, provider)
    return provider


async def to_provider_login(http: httpx.AsyncClient, stack: Stack, next_path: str = "/app") -> httpx.Response:
    """Start an organisation sign-in over plain HTTP; the answer is the provider's login form."""
    r = await http.get(f"{stack.api_url}/app/sign-in/organisation", params={"next": next_path})
    assert r.status_code == 200 and "Sign in to the test organisation" in r.text, r.text[:2000]
    return r


async def submit_provider_login(http: httpx.AsyncClient, form: httpx.Response, login: str) -> httpx.Response:
    """Sign in at the provider's form and follow it back to yjflow's callback."""
    action = re.search(r'<form method="post" action="([^"]+)"', form.text)
    assert action, form.text[:2000]
    password = ACCOUNTS[login]["password"]
    return await http.post(urljoin(str(form.url), action.group(1)), data={"login": login, "password": password})


async def sign_in_over_http(http: httpx.AsyncClient, stack: Stack, login: str) -> httpx.Response:
    """The whole flow without a browser; the answer is yjflow's callback page (or its refusal)."""
    return await submit_provider_login(http, await to_provider_login(http, stack), login)
