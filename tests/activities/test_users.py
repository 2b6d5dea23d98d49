"""Users and API tokens against a real PostgreSQL: tokens shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from psycopg import sql
from psycopg.rows import tuple_row
from psycopg_pool import AsyncConnectionPool

from activities.db import open_pool
from activities.users import (
    DuplicateUserError,
    UnknownUserError,
    User,
    UserError,
    add_user,
    authenticate,
    get_user,
    issue_token,
    list_users,
    manager_of,
    revoke_tokens,
    set_disabled,
)
from domain.access import Role


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    # The worker's own pool (dict rows), so these tests exercise what production runs.
    pool = await open_pool(database_url, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def unique(prefix: str) -> str:
    # The session database is shared by every test, so each test makes its own people.
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def every_stored_text(pool: AsyncConnectionPool[Any]) -> str:
    """Every row of every table in the database, as text: where a leaked secret would show up."""
    async with pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
        await cur.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in await cur.fetchall()]
        dumped = []
        for table in tables:
            await cur.execute(sql.SQL("SELECT t::text FROM {} t").format(sql.Identifier(table)))
            dumped += [row[0] for row in await cur.fetchall()]
    assert "api_tokens" in tables and "users" in tables
    return "\n".join(dumped)


async def test_token_is_returned_once_and_stored_only_as_its_hash(pool: AsyncConnectionPool[Any]) -> None:
    username = unique("cw")
    token = await add_user(pool, username, Role.CASE_WORKER, email=f"{username}@yjs.example.org")

    assert len(token) >= 43  # 32 random bytes, url-safe base64
    stored = await every_stored_text(pool)
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    async with pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
        await cur.execute("SELECT token_hash FROM api_tokens WHERE username = %s", (username,))
        assert await cur.fetchall() == [(hashlib.sha256(token.encode()).hexdigest(),)]


async def test_authenticate_returns_the_user(pool: AsyncConnectionPool[Any]) -> None:
    boss = unique("mgr")
    await add_user(pool, boss, "manager", email=f"{boss}@yjs.example.org")
    worker = unique("cw")
    token = await add_user(pool, worker, "case_worker", manager=boss)

    user = await authenticate(pool, token)
    assert user == User(username=worker, role=Role.CASE_WORKER, email=None, manager=boss)
    assert await authenticate(pool, token + "x") is None
    assert await authenticate(pool, "") is None
    assert await authenticate(pool, None) is None


async def test_revoked_tokens_no_longer_authenticate(pool: AsyncConnectionPool[Any]) -> None:
    username = unique("insp")
    first = await add_user(pool, username, Role.INSPECTOR)
    second = await issue_token(pool, username)
    assert first != second
    assert (await authenticate(pool, first)) is not None
    assert (await authenticate(pool, second)) is not None

    assert await revoke_tokens(pool, username) == 2
    assert await authenticate(pool, first) is None
    assert await authenticate(pool, second) is None
    assert await revoke_tokens(pool, username) == 0

    third = await issue_token(pool, username)
    assert (await authenticate(pool, third)) is not None
    assert third not in await every_stored_text(pool)


async def test_disabled_user_does_not_authenticate(pool: AsyncConnectionPool[Any]) -> None:
    username = unique("cw")
    token = await add_user(pool, username, Role.CASE_WORKER)
    await set_disabled(pool, username)
    assert await authenticate(pool, token) is None
    with pytest.raises(UserError, match="disabled"):
        await issue_token(pool, username)
    user = await get_user(pool, username)
    assert user is not None and user.disabled

    await set_disabled(pool, username, False)
    assert await authenticate(pool, token) is not None


async def test_duplicate_username_is_refused(pool: AsyncConnectionPool[Any]) -> None:
    username = unique("intake")
    token = await add_user(pool, username, Role.INTAKE)
    with pytest.raises(DuplicateUserError, match="already exists"):
        await add_user(pool, username, Role.ADMIN)
    # The refused attempt changed nothing: same role, still one token, the first token still works.
    user = await authenticate(pool, token)
    assert user is not None and user.role is Role.INTAKE
    async with pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
        await cur.execute("SELECT count(*) FROM api_tokens WHERE username = %s", (username,))
        assert await cur.fetchone() == (1,)


async def test_bad_role_bad_manager_and_bad_name_are_refused(pool: AsyncConnectionPool[Any]) -> None:
    username = unique("x")
    with pytest.raises(UserError, match="unknown role 'superuser': roles are intake, case_worker"):
        await add_user(pool, username, "superuser")
    with pytest.raises(UnknownUserError, match="manager 'nobody-here' is not a user"):
        await add_user(pool, username, Role.CASE_WORKER, manager="nobody-here")
    with pytest.raises(UserError, match="invalid username"):
        await add_user(pool, "two words", Role.CASE_WORKER)
    with pytest.raises(UserError, match="invalid email"):
        await add_user(pool, username, Role.CASE_WORKER, email="not-an-address")
    assert await get_user(pool, username) is None


async def test_unknown_user_is_refused_for_tokens(pool: AsyncConnectionPool[Any]) -> None:
    with pytest.raises(UnknownUserError):
        await issue_token(pool, unique("ghost"))
    with pytest.raises(UnknownUserError):
        await revoke_tokens(pool, unique("ghost"))


async def test_get_list_and_manager_of(pool: AsyncConnectionPool[Any]) -> None:
    boss = unique("mgr")
    await add_user(pool, boss, Role.MANAGER, email=f"{boss}@yjs.example.org")
    worker = unique("cw")
    await add_user(pool, worker, Role.CASE_WORKER, email=f"{worker}@yjs.example.org", manager=boss)

    assert await get_user(pool, worker) == User(
        username=worker, role=Role.CASE_WORKER, email=f"{worker}@yjs.example.org", manager=boss
    )
    assert await get_user(pool, unique("ghost")) is None
    everyone = await list_users(pool)
    assert [u.username for u in everyone] == sorted(u.username for u in everyone)
    assert {boss, worker} <= {u.username for u in everyone}

    manager = await manager_of(pool, worker)
    assert manager is not None and manager.username == boss and manager.role is Role.MANAGER
    assert await manager_of(pool, boss) is None
    assert await manager_of(pool, unique("ghost")) is None


async def test_works_with_a_pool_of_plain_tuple_rows(database_url: str) -> None:
    """Callers outside the worker (CLI, scripts) may open a default pool; nothing may depend on dict rows."""
    async with AsyncConnectionPool(database_url, min_size=1, max_size=2, open=False) as plain:
        username = unique("admin")
        token = await add_user(plain, username, Role.ADMIN, email=f"{username}@yjs.example.org")
        second = await issue_token(plain, username)
        user = await authenticate(plain, second)
        assert user is not None and user.role is Role.ADMIN
        assert await get_user(plain, username) == user
        assert await revoke_tokens(plain, username) == 2
        assert await authenticate(plain, token) is None
