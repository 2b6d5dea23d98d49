"""The API's token lookup (`authenticate_recent`): revoking or disabling in this process takes effect at
once; done by another process (plain SQL on another connection), within `TOKEN_CACHE_SECONDS`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest_asyncio
from psycopg_pool import AsyncConnectionPool

from activities.db import open_pool
from activities.users import (
    TOKEN_CACHE_SECONDS,
    add_user,
    authenticate_recent,
    issue_token,
    revoke_tokens,
    set_disabled,
)


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    p = await open_pool(database_url, max_size=2)
    yield p
    await p.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_revoking_or_disabling_here_takes_effect_at_once(pool: AsyncConnectionPool[Any]) -> None:
    name = unique("leaver")
    token = await add_user(pool, name, "case_worker")
    assert (await authenticate_recent(pool, token)) is not None  # now cached
    await revoke_tokens(pool, name)
    assert await authenticate_recent(pool, token) is None
    token = await issue_token(pool, name)
    assert (await authenticate_recent(pool, token)) is not None  # refusals are not cached
    await set_disabled(pool, name)
    assert await authenticate_recent(pool, token) is None
    await set_disabled(pool, name, False)
    assert (await authenticate_recent(pool, token)) is not None


async def test_revoking_elsewhere_takes_effect_within_the_cache_time(
    pool: AsyncConnectionPool[Any], database_url: str
) -> None:
    name = unique("leaver")
    token = await add_user(pool, name, "case_worker")
    assert (await authenticate_recent(pool, token)) is not None  # now cached
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as other:
        await other.execute("UPDATE api_tokens SET revoked_at = now() WHERE username = %s", (name,))
    loop = asyncio.get_running_loop()
    revoked_at = loop.time()
    while await authenticate_recent(pool, token) is not None:
        # Generous for a loaded machine; the bound it checks is TOKEN_CACHE_SECONDS.
        assert loop.time() - revoked_at < TOKEN_CACHE_SECONDS + 5, "a token revoked elsewhere kept working"
        await asyncio.sleep(0.1)
