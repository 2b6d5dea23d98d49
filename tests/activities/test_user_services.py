"""The services a user holds and a time-boxed grant, stored and read back against a real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
import pytest_asyncio
from psycopg_pool import AsyncConnectionPool

from activities.db import open_pool
from activities.users import UserError, add_user, authenticate, get_user, inspector_reads, log_inspector_read


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    pool = await open_pool(database_url, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_a_user_added_without_services_holds_every_service(pool: AsyncConnectionPool[Any]) -> None:
    name = unique("ops")
    token = await add_user(pool, name, "manager")
    user = await authenticate(pool, token)
    assert user is not None and user.services is None
    assert user.valid_from is None and user.valid_until is None


async def test_services_and_dates_are_stored_and_come_back_with_the_token(pool: AsyncConnectionPool[Any]) -> None:
    name = unique("insp")
    token = await add_user(
        pool,
        name,
        "inspector",
        services=["luton", "bedford", "luton"],
        valid_from=date(2026, 12, 1),
        valid_until=date(2026, 12, 19),
    )
    user = await authenticate(pool, token)
    assert user is not None
    assert user.services == frozenset({"luton", "bedford"})
    assert (user.valid_from, user.valid_until) == (date(2026, 12, 1), date(2026, 12, 19))
    assert await get_user(pool, name) == user


@pytest.mark.parametrize(
    ("services", "valid_from", "valid_until", "says"),
    [
        (["Luton"], None, None, "invalid service 'Luton'"),
        (["lu ton"], None, None, "invalid service"),
        ([], None, None, "services is empty"),
        ("luton", None, None, "not one string"),
        (None, date(2026, 12, 2), date(2026, 12, 1), "before valid_from"),
    ],
)
async def test_bad_services_or_dates_are_refused_and_nothing_is_stored(
    pool: AsyncConnectionPool[Any],
    services: Any,
    valid_from: date | None,
    valid_until: date | None,
    says: str,
) -> None:
    name = unique("bad")
    with pytest.raises(UserError, match=says):
        await add_user(pool, name, "case_worker", services=services, valid_from=valid_from, valid_until=valid_until)
    assert await get_user(pool, name) is None


async def test_inspectors_reads_are_logged(pool: AsyncConnectionPool[Any]) -> None:
    name = unique("insp")
    await add_user(pool, name, "inspector", services=["luton"], valid_until=date(2026, 12, 19))
    await log_inspector_read(pool, name, "GET", "/deadlines?yjs=luton", 200)
    [row] = await inspector_reads(pool, name)
    assert (row["method"], row["path"], row["status"]) == ("GET", "/deadlines?yjs=luton", 200)
