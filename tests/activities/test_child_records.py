"""The child's record on a real PostgreSQL: made from the court's names once, encrypted under a key of the
child's own, found by name or date of birth through keyed hashes, corrected with an event that names the
fields and never the values, every read logged, and erased by destroying the key."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import psycopg
import pytest
import pytest_asyncio
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import ValidationError

from activities.child_records import ChildRecordError, ChildRecordStore, RecordErased, record_stream_id
from activities.db import open_pool
from activities.event_store import EventStore
from domain import child_record as cr

MASTER_KEY = os.urandom(32)
KEY_ID = "personal-test-1"


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    pool = await open_pool(database_url, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def store(pool: AsyncConnectionPool[Any]) -> ChildRecordStore:
    return ChildRecordStore(pool, MASTER_KEY, KEY_ID)


def child() -> str:
    return f"C-{uuid.uuid4().hex[:10]}"


async def make(store: ChildRecordStore, child_id: str, given: str = "Zoë", family: str = "O'Neil-Smith") -> None:
    made = await store.fill_from_court(
        yjs="luton",
        child_id=child_id,
        given_name=given,
        family_name=family,
        date_of_birth=date(2011, 3, 4),
        actor="court-intake",
    )
    assert made


async def test_made_once_from_the_court_and_never_overwritten_by_a_later_court(store: ChildRecordStore) -> None:
    c = child()
    await make(store, c)
    again = await store.fill_from_court(
        yjs="luton", child_id=c, given_name="Zoe", family_name="Oneil", date_of_birth=date(2011, 3, 5), actor="court"
    )
    assert again is False
    held = await store.read(yjs="luton", child_id=c, actor="sam")
    assert held.record.name == "Zoë O'Neil-Smith" and held.record.date_of_birth == date(2011, 3, 4)
    assert held.record.age_on(date(2026, 12, 2)) == 15


async def test_nothing_readable_is_stored(store: ChildRecordStore, pool: AsyncConnectionPool[Any]) -> None:
    c = child()
    await make(store, c, given="Marigold", family="Featherstonehaugh")
    async with pool.connection() as conn:
        for table in ("child_keys", "child_records", "child_search"):
            cur = await conn.execute(f"SELECT * FROM {table} WHERE child_id = %s", (c,))
            for row in await cur.fetchall():
                blob = repr(row).casefold()
                assert "marigold" not in blob and "featherstone" not in blob and "2011-03-04" not in blob


async def test_found_by_the_start_of_a_name_or_a_date_of_birth_in_the_services_asked(store: ChildRecordStore) -> None:
    c = child()
    await make(store, c, given="Zoë", family="Quillfeather")
    for q in ("quill", "zoe quillf", "ZOË", "4/3/2011 quill", "2011-03-04 Zo"):
        found = await store.search(query=cr.parse_search(q), services=["luton"], actor="sam")
        assert c in [f.child_id for f in found], q
    assert c not in [
        f.child_id for f in await store.search(query=cr.parse_search("quill"), services=["bedford"], actor="sam")
    ]
    assert c not in [
        f.child_id for f in await store.search(query=cr.parse_search("quillz"), services=None, actor="sam")
    ]
    assert c not in [
        f.child_id for f in await store.search(query=cr.parse_search("5/3/2011 quill"), services=None, actor="sam")
    ]


async def test_a_correction_is_an_event_naming_the_fields_and_the_reason_never_the_values(
    store: ChildRecordStore, pool: AsyncConnectionPool[Any]
) -> None:
    c = child()
    await make(store, c)
    held, changed = await store.correct(
        yjs="luton",
        child_id=c,
        correction=cr.RecordCorrection(
            changes={"date_of_birth": "2011-04-03", "ethnicity": "mixed_white_and_black_caribbean", "sex": "not_known"},
            reason="The court's list had the day and month swapped; ethnicity as the child describes it.",
        ),
        actor="sam",
    )
    assert changed == ["date_of_birth", "ethnicity"]  # sex was already not known
    assert held.record.date_of_birth == date(2011, 4, 3) and held.version == 2
    (event,) = await EventStore(pool).read_stream(record_stream_id("luton", c))
    assert event.event_type == "ChildRecordCorrected" and event.payload == {"fields": ["date_of_birth", "ethnicity"]}
    assert event.actor == "sam" and "swapped" in (event.reason or "")
    assert "2011-04-03" not in repr(event.payload)
    # The search follows the correction: the old date no longer finds the child, the new one does.
    assert c not in [
        f.child_id for f in await store.search(query=cr.parse_search("4/3/2011"), services=None, actor="s")
    ]
    assert c in [f.child_id for f in await store.search(query=cr.parse_search("3/4/2011"), services=None, actor="s")]


async def test_a_bad_correction_names_the_field_and_changes_nothing(store: ChildRecordStore) -> None:
    c = child()
    await make(store, c)
    with pytest.raises(ValidationError) as bad:
        await store.correct(
            yjs="luton", child_id=c, correction=cr.RecordCorrection(changes={"pnc": "12345"}, reason="x"), actor="sam"
        )
    assert bad.value.errors()[0]["loc"] == ("pnc",)
    with pytest.raises(ValidationError, match="not a field"):
        cr.RecordCorrection(changes={"address": "1 Street"}, reason="x")
    assert (await store.read(yjs="luton", child_id=c, actor="sam")).version == 1


async def test_every_read_and_search_is_logged_and_the_log_cannot_be_edited(
    store: ChildRecordStore, pool: AsyncConnectionPool[Any]
) -> None:
    c = child()
    await make(store, c, family="Loggington")
    await store.read(yjs="luton", child_id=c, actor="sam")
    await store.search(query=cr.parse_search("loggington"), services=None, actor="alex")
    async with pool.connection() as conn:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute("SELECT username, action FROM child_record_reads WHERE child_id = %s ORDER BY id", (c,))
        assert [(r["username"], r["action"]) for r in await cur.fetchall()] == [
            ("court-intake", "create"),
            ("sam", "read"),
            ("alex", "search"),
            ("alex", "read"),
        ]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute("DELETE FROM child_record_reads WHERE child_id = %s", (c,))


async def test_erasure_destroys_the_key_for_good(store: ChildRecordStore, pool: AsyncConnectionPool[Any]) -> None:
    c = child()
    await make(store, c, family="Erasmus")
    await store.erase(yjs="luton", child_id=c, actor="retention", policy="six years after the last order closed")
    with pytest.raises(RecordErased):
        await store.read(yjs="luton", child_id=c, actor="sam")
    assert await store.search(query=cr.parse_search("erasmus"), services=None, actor="sam") == []
    events = await EventStore(pool).read_stream(record_stream_id("luton", c))
    assert [e.event_type for e in events] == ["ChildRecordErased"]
    async with pool.connection() as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await conn.execute(
                "UPDATE child_keys SET wrapped_key = 'x'::bytea, destroyed_at = NULL, destroyed_by = NULL "
                "WHERE child_id = %s",
                (c,),
            )
    # A later court outcome for the same child cannot bring the record back.
    assert not await store.fill_from_court(
        yjs="luton", child_id=c, given_name="A", family_name="B", date_of_birth=date(2011, 1, 1), actor="court"
    )


async def test_another_master_key_reads_nothing(pool: AsyncConnectionPool[Any], store: ChildRecordStore) -> None:
    c = child()
    await make(store, c)
    other = ChildRecordStore(pool, os.urandom(32), KEY_ID)
    with pytest.raises(ChildRecordError, match="does not unwrap"):
        await other.read(yjs="luton", child_id=c, actor="sam")
    # A list leaves out what it cannot open instead of failing for every other child (a sweep, a page).
    assert await other.read_many(keys=[("luton", c)], actor="sam") == {}


def test_queries_say_what_they_may_hold() -> None:
    with pytest.raises(ValueError, match="at least 2 letters"):
        cr.parse_search("a")
    with pytest.raises(ValueError, match="type part of a name"):
        cr.parse_search("   ")
    assert cr.parse_search("31/12/2010").tokens == {"dob:2010-12-31"}
    assert cr.age_on(date(2012, 2, 29), date(2026, 2, 28)) == 13
    assert cr.age_on(date(2012, 2, 29), date(2026, 3, 1)) == 14
