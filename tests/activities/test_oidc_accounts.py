"""Organisational sign-in's configuration and accounts against a real PostgreSQL: what a broken setting
says, who a provider account becomes, and what a sign-in may never do (take over an existing user, let a
disabled one in, use an attempt twice)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from activities import oidc_accounts
from activities.db import Pool, open_pool
from activities.oidc_accounts import Account, Attempt, OidcConfigError, SignInRefused, oidc_config
from activities.settings import Settings
from activities.users import add_user, get_user, set_disabled
from domain.access import Role
from domain.sign_in_mapping import Granted

ISSUER = "https://login.example.gov.uk/tenant"
MAPPING = {"groups": {"yjs-luton-caseworkers": {"role": "case_worker", "services": ["luton"]}}}


def settings(**values: object) -> Settings:
    base: dict[str, object] = {
        "oidc_issuer": ISSUER + "/",
        "oidc_client_id": "yjflow",
        "oidc_mapping": json.dumps(MAPPING),
    }
    return Settings.model_validate({**base, **values})


def test_no_issuer_is_token_sign_in_only() -> None:
    assert oidc_config(Settings.model_validate({})) is None


def test_a_configuration_reads_the_mapping_and_trims_the_issuer(tmp_path: Path) -> None:
    file = tmp_path / "mapping.json"
    file.write_text(json.dumps(MAPPING))
    config = oidc_config(settings(oidc_mapping=None, oidc_mapping_file=file))
    assert config is not None
    assert config.issuer == ISSUER
    assert config.mapping.claims["groups"]["yjs-luton-caseworkers"].services == ("luton",)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"oidc_client_id": None}, "YJFLOW_OIDC_CLIENT_ID is not"),
        ({"oidc_mapping": None}, "set YJFLOW_OIDC_MAPPING or YJFLOW_OIDC_MAPPING_FILE"),
        ({"oidc_mapping": "{groups: 1}"}, "YJFLOW_OIDC_MAPPING is not JSON: Expecting property name"),
        ({"oidc_mapping": '{"groups": {"g": {"role": "chief"}}}'}, "YJFLOW_OIDC_MAPPING: groups='g': role:"),
        ({"oidc_mapping_file": "/nonexistent/m.json"}, "not both"),
        ({"oidc_mapping": None, "oidc_mapping_file": "/nonexistent/m.json"}, "/nonexistent/m.json cannot be read"),
        ({"oidc_scopes": "profile email"}, "must include 'openid'"),
    ],
)
def test_a_broken_configuration_names_the_setting(values: dict[str, object], expected: str) -> None:
    with pytest.raises(OidcConfigError) as raised:
        oidc_config(settings(**values))
    assert expected in str(raised.value)


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await open_pool(database_url, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def account(username: str, role: Role = Role.CASE_WORKER, services: tuple[str, ...] = ("luton",)) -> Account:
    return Account(
        issuer=ISSUER,
        subject=f"sub-{uuid.uuid4().hex}",
        username=username,
        email=None,
        granted=Granted(role=role, services=services, matched=("groups=yjs-luton-caseworkers",)),
    )


async def test_a_first_sign_in_provisions_and_a_later_one_finds_the_same_user(pool: Pool) -> None:
    first = account(f"casey-{uuid.uuid4().hex[:6]}")
    user = await oidc_accounts.sign_in(pool, first)
    assert (user.username, user.role, user.services) == (first.username, Role.CASE_WORKER, frozenset({"luton"}))
    # The provider's username can change; the (issuer, subject) pair finds the same yjflow user.
    renamed = first.model_copy(
        update={"username": "someone-else", "granted": Granted(role=Role.MANAGER, services=(), matched=())}
    )
    again = await oidc_accounts.sign_in(pool, renamed)
    assert (again.username, again.role, again.services) == (first.username, Role.MANAGER, None)


async def test_an_existing_user_is_never_taken_over_by_a_provider_account_of_the_same_name(pool: Pool) -> None:
    name = f"admin-{uuid.uuid4().hex[:6]}"
    await add_user(pool, name, Role.ADMIN)
    with pytest.raises(SignInRefused, match=f"a yjflow user named '{name}' already exists"):
        await oidc_accounts.sign_in(pool, account(name))
    kept = await get_user(pool, name)
    assert kept is not None and kept.role is Role.ADMIN


async def test_a_disabled_user_cannot_sign_in_at_the_provider(pool: Pool) -> None:
    linked = account(f"robin-{uuid.uuid4().hex[:6]}")
    await oidc_accounts.sign_in(pool, linked)
    await set_disabled(pool, linked.username)
    with pytest.raises(SignInRefused, match="is disabled"):
        await oidc_accounts.sign_in(pool, linked)


async def test_a_provider_username_yjflow_cannot_hold_is_refused_saying_why(pool: Pool) -> None:
    with pytest.raises(SignInRefused, match="cannot become a yjflow user: invalid username 'Casey Example'"):
        await oidc_accounts.sign_in(pool, account("Casey Example"))


async def test_an_attempt_is_used_once(pool: Pool) -> None:
    state = uuid.uuid4().hex
    attempt = Attempt(issuer=ISSUER, code_verifier="v" * 48, nonce="n", next_path="/app/children")
    await oidc_accounts.save_attempt(pool, state, attempt)
    assert await oidc_accounts.take_attempt(pool, state) == attempt
    assert await oidc_accounts.take_attempt(pool, state) is None
    assert await oidc_accounts.take_attempt(pool, "never-saved") is None
