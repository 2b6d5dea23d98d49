"""Held amendments of court results against a real PostgreSQL: a changed resend held once however often it
comes, however large the outcome; decided once, with who decided."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from psycopg_pool import AsyncConnectionPool

from activities import court_result_amendments as amendments
from activities.db import open_pool


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    pool = await open_pool(database_url, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()


def outcome(offences: int) -> dict[str, Any]:
    # Many offences with wording that does not compress: larger than a btree index row can hold.
    return {
        "outcome_id": f"cp:yro:{uuid.uuid4().hex[:12]}",
        "offences": [
            {"code": f"TH{n:05d}", "description": " ".join(uuid.uuid4().hex for _ in range(8))} for n in range(offences)
        ],
        "disposal": {"kind": "youth_rehabilitation_order", "end_date": "2027-11-15"},
    }


async def hold(pool: AsyncConnectionPool[Any], previous: dict[str, Any], new: dict[str, Any]) -> amendments.Amendment:
    return await amendments.hold(
        pool,
        outcome_id=previous["outcome_id"],
        received_by="intake-test",
        defendant={"child_id": "C-1", "id_source": "ASN", "case_reference": "41CJ1", "position": "case 1"},
        result_codes=["1141"],
        previous_body=previous,
        new_body=new,
        difference=[{"field": "disposal.end_date", "before": "2027-11-15", "after": "2028-02-15"}],
        message_text="<the court's message>",
    )


async def test_a_large_changed_resend_is_held_once_and_decided_once(pool: AsyncConnectionPool[Any]) -> None:
    previous = outcome(40)
    new = {**previous, "disposal": {**previous["disposal"], "end_date": "2028-02-15"}}
    first = await hold(pool, previous, new)
    again = await hold(pool, previous, dict(reversed(list(new.items()))))  # the same value, keys in another order
    assert again.id == first.id and again.status == "held"
    other = await hold(pool, previous, {**new, "disposal": {**new["disposal"], "end_date": "2028-03-15"}})
    assert other.id != first.id

    held = {a.id for a in await amendments.amendments(pool)}
    assert {first.id, other.id} <= held
    decided = await amendments.decide(pool, first.id, status="rejected", by="manager-1", reason="the register says")
    assert decided is not None and (decided.status, decided.decided_by) == ("rejected", "manager-1")
    assert await amendments.decide(pool, first.id, status="confirmed", by="manager-2", reason=None) is None
    assert first.id not in {a.id for a in await amendments.amendments(pool)}
    assert first.id in {a.id for a in await amendments.amendments(pool, status=None)}
