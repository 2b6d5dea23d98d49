"""The event store on a real PostgreSQL: chain, idempotency, append-only, tailing, deadline projection."""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from activities import deadline_projection
from activities.db import Pool, open_pool
from activities.event_errors import (
    AppendConflict,
    EventStoreError,
    InvalidEvent,
    WrongExpectedVersion,
)
from activities.event_reads import START, Page, Position
from activities.event_store import EventStore
from domain.chain import GENESIS_HASH, event_hash
from domain.events import (
    CaseWorkerAllocated,
    DeadlineCancelled,
    DeadlineEscalated,
    DeadlineMet,
    DeadlineMissed,
    DeadlineScheduled,
    EventPayload,
    FirstContactMade,
    NewEvent,
    RecordedEvent,
    new_event,
)

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


# --- fixtures and helpers -------------------------------------------------------------------------


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await open_pool(database_url, max_size=4)
    yield pool
    await pool.close()


@pytest.fixture
async def store(pool: Pool) -> EventStore:
    return EventStore(pool)


@pytest.fixture
async def fresh_store(fresh_database_url: str) -> AsyncIterator[EventStore]:
    pool = await open_pool(fresh_database_url, max_size=10)
    yield EventStore(pool)
    await pool.close()


def stream() -> str:
    return f"order-{uuid.uuid4().hex[:10]}"


def ev(
    stream_id: str,
    version: int,
    payload: EventPayload | None = None,
    *,
    event_id: uuid.UUID | None = None,
    child_id: str = "child-1",
    effective_at: datetime = T0,
    actor: str = "worker.a",
    reason: str | None = None,
) -> NewEvent:
    return new_event(
        payload or CaseWorkerAllocated(case_worker=f"worker-{version}"),
        event_id=event_id or uuid.uuid4(),
        stream_id=stream_id,
        stream_version=version,
        child_id=child_id,
        yjs="yjs-leeds",
        effective_at=effective_at,
        actor=actor,
        reason=reason,
    )


def rehash(e: RecordedEvent) -> str:
    return event_hash(
        prev_hash=e.prev_hash,
        event_id=str(e.event_id),
        stream_id=e.stream_id,
        stream_version=e.stream_version,
        event_type=e.event_type,
        child_id=e.child_id,
        yjs=e.yjs,
        effective_at=e.effective_at,
        recorded_at=e.recorded_at,
        actor=e.actor,
        reason=e.reason,
        payload=e.payload,
    )


async def count_rows(url: str, stream_id: str) -> int:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        cur = await conn.execute("SELECT count(*) FROM events WHERE stream_id = %s", (stream_id,))
        row = await cur.fetchone()
        assert row is not None
        return int(row[0])


async def behind_the_triggers_back(url: str, query: str, params: tuple[Any, ...]) -> None:
    """What a superuser could do: switch the append-only triggers off for one session and edit rows."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(query, params)
        await conn.execute("SET session_replication_role = DEFAULT")


# --- appending and reading ------------------------------------------------------------------------


async def test_append_then_read_back_with_a_linked_chain(store: EventStore) -> None:
    sid = stream()
    appended = []
    for version in (1, 2, 3):
        appended += await store.append([ev(sid, version, reason="allocation" if version == 2 else None)])

    events = await store.read_stream(sid)
    assert events == appended
    assert [e.stream_version for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash
        assert later.global_position > earlier.global_position
        assert later.recorded_at >= earlier.recorded_at
    assert all(rehash(e) == e.hash for e in events)
    assert events[1].reason == "allocation"
    assert await store.stream_head(sid) == (3, events[-1].hash)
    assert await store.stream_head(stream()) == (0, GENESIS_HASH)


async def test_one_call_may_append_to_several_streams(store: EventStore) -> None:
    a, b = stream(), stream()
    await store.append([ev(a, 1)])
    recorded = await store.append([ev(a, 2), ev(b, 1), ev(a, 3), ev(b, 2)])

    assert [(e.stream_id, e.stream_version) for e in recorded] == [(a, 2), (b, 1), (a, 3), (b, 2)]
    positions = [e.global_position for e in recorded]
    assert positions == sorted(positions)
    assert len({e.recorded_at for e in recorded}) == 1  # one transaction, one recording instant
    for sid in (a, b):
        events = await store.read_stream(sid)
        assert events[0].prev_hash == GENESIS_HASH
        assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))


async def test_an_activity_retry_of_the_same_event_stores_one_row(store: EventStore, database_url: str) -> None:
    sid = stream()
    event = ev(sid, 1)
    first = await store.append([event])
    again = await store.append([event])
    assert again == first  # same position, recorded_at and hash: the stored row, not a new one
    assert await count_rows(database_url, sid) == 1

    # A retried batch whose first event is already stored and whose second is new.
    second, third = ev(sid, 2), ev(sid, 3)
    await store.append([second])
    both = await store.append([second, third])
    assert [e.stream_version for e in both] == [2, 3]
    assert await count_rows(database_url, sid) == 3

    # The same event twice in one call is one event.
    fourth = ev(sid, 4)
    twice = await store.append([fourth, fourth])
    assert twice[0] == twice[1]
    assert await count_rows(database_url, sid) == 4


async def test_a_retry_with_an_equivalent_but_differently_zoned_instant_is_still_a_retry(
    store: EventStore,
) -> None:
    sid = stream()
    event = ev(sid, 1)
    first = await store.append([event])
    paris = event.model_copy(update={"effective_at": T0.astimezone(timezone(timedelta(hours=1)))})
    assert await store.append([paris]) == first


async def test_a_different_event_at_a_taken_version_is_a_conflict(store: EventStore, database_url: str) -> None:
    sid = stream()
    [stored] = await store.append([ev(sid, 1)])
    intruder = ev(sid, 1)
    with pytest.raises(AppendConflict) as raised:
        await store.append([intruder])
    message = str(raised.value)
    assert sid in message and "version 1" in message
    assert str(intruder.event_id) in message and str(stored.event_id) in message
    assert raised.value.non_retryable
    assert (raised.value.stream_id, raised.value.stream_version) == (sid, 1)
    assert await store.read_stream(sid) == [stored]


async def test_an_event_id_reused_with_different_content_is_a_conflict(store: EventStore) -> None:
    sid = stream()
    event = ev(sid, 1)
    await store.append([event])
    changes: list[dict[str, Any]] = [
        {"payload": {"case_worker": "someone-else"}},
        {"actor": "worker.b"},
        {"reason": "a new reason"},
        {"effective_at": T0 + timedelta(seconds=1)},
        {"stream_id": stream()},
        {"child_id": "child-2"},
    ]
    for change in changes:
        with pytest.raises(AppendConflict, match=str(event.event_id)):
            await store.append([event.model_copy(update=change)])
    # At the next version it is still the reuse of an id, not a new event.
    with pytest.raises(AppendConflict, match="already stored"):
        await store.append([event.model_copy(update={"stream_version": 2})])


async def test_versions_are_gap_free(store: EventStore) -> None:
    sid = stream()
    with pytest.raises(WrongExpectedVersion, match="next version is 1"):
        await store.append([ev(sid, 2)])
    await store.append([ev(sid, 1)])
    skipped = ev(sid, 3)
    with pytest.raises(WrongExpectedVersion) as raised:
        await store.append([skipped])
    assert sid in str(raised.value) and "version 3" in str(raised.value)
    assert str(skipped.event_id) in str(raised.value)
    assert isinstance(raised.value, EventStoreError) and raised.value.non_retryable
    assert await store.stream_head(sid) == (1, (await store.read_stream(sid))[0].hash)


async def test_a_refused_batch_stores_nothing(store: EventStore) -> None:
    a, b = stream(), stream()
    with pytest.raises(WrongExpectedVersion):
        await store.append([ev(a, 1), ev(a, 2), ev(b, 2)])
    assert await store.read_stream(a) == []
    assert await store.stream_head(a) == (0, GENESIS_HASH)


async def test_payloads_are_validated_before_anything_is_stored(store: EventStore) -> None:
    sid = stream()
    with pytest.raises(InvalidEvent, match="unknown event type"):
        await store.append([ev(sid, 1).model_copy(update={"event_type": "CaseWorkerAlocated"})])
    with pytest.raises(InvalidEvent, match="does not match CaseWorkerAllocated"):
        await store.append([ev(sid, 1).model_copy(update={"payload": {"case_worker": "w", "typo": 1}})])
    with pytest.raises(InvalidEvent, match="not plain JSON"):
        await store.append([ev(sid, 1).model_copy(update={"payload": {"case_worker": date(2025, 1, 1)}})])
    with pytest.raises(InvalidEvent, match="U\\+0000"):  # PostgreSQL text cannot hold it
        await store.append([ev(sid, 1).model_copy(update={"payload": {"case_worker": "a\x00b"}})])
    with pytest.raises(InvalidEvent, match="not plain JSON"):  # a lone surrogate has no UTF-8 form
        await store.append([ev(sid, 1).model_copy(update={"payload": {"case_worker": "a\ud800b"}})])
    assert await store.read_stream(sid) == []


async def test_the_hash_covers_the_payload_as_postgres_stores_it(pool: Pool) -> None:
    raw = EventStore(pool, validate_payloads=False)
    sid = stream()
    payload = {
        "ratio": 0.1,
        "tiny": 1.5e-7,
        "whole": 2.0,
        "n": 3,
        "flag": True,
        "nested": {"b": [1, None], "a": "é"},
    }
    [recorded] = await raw.append([ev(sid, 1).model_copy(update={"payload": payload})])
    assert recorded.payload == payload
    assert (await raw.verify(sid)).ok
    # jsonb reads 1e20 back as the integer 10**20, which has no RFC 8785 form: hashing the caller's float
    # would store a row that verify later calls tampered. It is refused up front instead.
    with pytest.raises(InvalidEvent, match="canonical JSON"):
        await raw.append([ev(sid, 2).model_copy(update={"payload": {"big": 1e20}})])
    assert await raw.stream_head(sid) == (1, recorded.hash)


async def test_read_child_orders_by_effective_time_and_lists_streams(store: EventStore) -> None:
    child = f"child-{uuid.uuid4().hex[:8]}"
    a, b = stream(), stream()
    await store.append([ev(a, 1, child_id=child, effective_at=T0)])
    await store.append([ev(b, 1, child_id=child, effective_at=T0 + timedelta(days=2))])
    # A worker back-dates a first contact that happened before the order was allocated.
    late = ev(
        a,
        2,
        FirstContactMade(contact_date=date(2025, 3, 1)),
        child_id=child,
        effective_at=T0 - timedelta(days=2),
    )
    await store.append([late])
    await store.append([ev(a, 3, child_id=child, effective_at=T0 + timedelta(days=1))])

    timeline = await store.read_child(child)
    assert [(e.stream_id, e.stream_version) for e in timeline] == [(a, 2), (a, 1), (a, 3), (b, 1)]
    assert timeline[0].recorded_at > timeline[1].recorded_at  # recorded later: a late entry, shown in place
    assert await store.streams_for_child(child) == [a, b]
    assert await store.streams_for_child("nobody") == []


async def readable(store: EventStore, after: Position, count: int, timeout: float = 30.0) -> Page:
    """The next `count` events after `after`, once the reader may see them all. A reader sees an event only
    when every transaction older than its own has ended, anywhere on the server (other test sessions
    share it), so it may have to wait a moment."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        page = await store.read_all(after, limit=count)
        if len(page.events) >= count:
            return page
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"the reader saw {len(page.events)} of {count} events: a transaction held open elsewhere?")
        await asyncio.sleep(0.01)


async def test_read_all_pages_in_the_stores_order(fresh_store: EventStore) -> None:
    sid = stream()
    recorded = await fresh_store.append([ev(sid, v) for v in range(1, 6)])
    await readable(fresh_store, START, 5)
    page1 = await fresh_store.read_all(START, limit=2)
    page2 = await fresh_store.read_all(page1.next, limit=2)
    assert page1.events + page2.events == recorded[:4]
    assert page2.next > page1.next > START
    assert page2.next.global_position == recorded[3].global_position
    rest = await fresh_store.read_all(page2.next)
    assert rest.events == recorded[4:]
    empty = await fresh_store.read_all(rest.next)
    assert (empty.events, empty.next) == ([], rest.next)  # nothing new: the cursor stays where it was


# --- append-only and tamper evidence --------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET actor = 'someone-else'",
        "DELETE FROM events",
        "TRUNCATE events",
        "TRUNCATE events CASCADE",
    ],
)
async def test_the_database_refuses_to_change_or_remove_events(
    store: EventStore, database_url: str, statement: str
) -> None:
    await store.append([ev(stream(), 1)])
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            await conn.execute(statement)


async def test_verify_passes_an_intact_store(fresh_store: EventStore) -> None:
    a, b = stream(), stream()
    await fresh_store.append([ev(a, 1), ev(a, 2), ev(b, 1)])
    report = await fresh_store.verify()
    assert report.ok and report.first_break is None
    assert (report.streams_checked, report.events_checked) == (2, 3)
    assert "intact" in str(report) and "3 events in 2 streams" in str(report)
    one = await fresh_store.verify(b)
    assert (one.streams_checked, one.events_checked, one.ok) == (1, 1, True)


async def test_verify_catches_a_payload_changed_behind_the_triggers_back(
    fresh_store: EventStore, fresh_database_url: str
) -> None:
    a, b = stream(), stream()
    await fresh_store.append([ev(a, 1), ev(b, 1), ev(b, 2), ev(b, 3), ev(a, 2)])
    target = (await fresh_store.read_stream(b))[1]
    await behind_the_triggers_back(
        fresh_database_url,
        "UPDATE events SET payload = %s WHERE stream_id = %s AND stream_version = 2",
        (Jsonb({"case_worker": "a-different-worker"}), b),
    )

    report = await fresh_store.verify()
    assert not report.ok and report.first_break is not None
    broken = report.first_break
    assert (broken.stream_id, broken.stream_version, broken.problem) == (b, 2, "hash mismatch")
    assert broken.global_position == target.global_position
    assert broken.found == target.hash and broken.expected != target.hash
    assert f"stream {b!r} version 2" in str(report) and "hash mismatch" in str(report)
    assert "\n" not in str(report)
    assert report.events_checked == 5  # the walk goes on to the end
    assert (await fresh_store.verify(a)).ok


async def test_verify_catches_a_forged_row_whose_successor_no_longer_links(
    fresh_store: EventStore, fresh_database_url: str
) -> None:
    sid = stream()
    await fresh_store.append([ev(sid, v) for v in (1, 2, 3)])
    original = (await fresh_store.read_stream(sid))[1]
    forged = original.model_copy(update={"payload": {"case_worker": "a-forger"}})
    forged = forged.model_copy(update={"hash": rehash(forged)})
    await behind_the_triggers_back(
        fresh_database_url,
        "UPDATE events SET payload = %s, hash = %s WHERE event_id = %s",
        (Jsonb(forged.payload), forged.hash, forged.event_id),
    )

    broken = (await fresh_store.verify(sid)).first_break
    assert broken is not None
    assert (broken.stream_id, broken.stream_version, broken.problem) == (sid, 3, "prev_hash does not link")
    assert (broken.expected, broken.found) == (forged.hash, original.hash)


async def test_verify_catches_a_deleted_event(fresh_store: EventStore, fresh_database_url: str) -> None:
    sid = stream()
    await fresh_store.append([ev(sid, v) for v in (1, 2, 3)])
    await behind_the_triggers_back(
        fresh_database_url, "DELETE FROM events WHERE stream_id = %s AND stream_version = 2", (sid,)
    )
    broken = (await fresh_store.verify()).first_break
    assert broken is not None
    assert (broken.stream_id, broken.stream_version, broken.problem) == (sid, 3, "version gap")
    assert (broken.expected, broken.found) == ("2", "3")


# --- tailing while writers race -------------------------------------------------------------------


async def tail(store: EventStore, done: asyncio.Event, limit: int = 7) -> list[RecordedEvent]:
    """Follow the store from the start until `done` is set and a read after it finds nothing new."""
    seen: list[RecordedEvent] = []
    position = START
    while True:
        finished = done.is_set()  # read once more after the writers finish, then stop
        page = await store.read_all(position, limit=limit)
        assert page.next >= position
        seen += page.events
        position = page.next
        if not page.events:
            if finished:
                return seen
            await asyncio.sleep(0.002)


async def settled(url: str, timeout: float = 30.0) -> None:
    """Return once every transaction begun so far has ended, here and anywhere on the server: from then on
    a reader sees every event committed before the call. (Other test sessions share the server, and a
    transaction held open in any of them holds every reader back.)"""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        cur = await conn.execute("SELECT pg_current_xact_id()::text::bigint")  # newer than every writer's
        row = await cur.fetchone()
        assert row is not None
        newest = row[0]
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            cur = await conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            row = await cur.fetchone()
            assert row is not None
            if row[0] > newest:
                return
            if asyncio.get_running_loop().time() > deadline:
                pytest.fail("a transaction held open elsewhere on the server kept the readers back")
            await asyncio.sleep(0.01)


def assert_each_once_in_stream_order(seen: list[RecordedEvent], appended: list[RecordedEvent]) -> None:
    ids = [e.event_id for e in seen]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    assert set(ids) == {e.event_id for e in appended}, "the reader skipped an event"
    by_stream: dict[str, list[int]] = {}
    for e in seen:
        by_stream.setdefault(e.stream_id, []).append(e.stream_version)
    assert all(versions == sorted(versions) for versions in by_stream.values()), "a stream was read out of order"


async def test_a_tailing_reader_sees_every_event_once_while_writers_commit_late_at_random(
    fresh_store: EventStore, fresh_database_url: str
) -> None:
    # A slow deadline projection holds a writer's transaction open for a random while after its event row
    # has taken a global position, so writers commit out of position order: a reader whose cursor is the
    # position alone would read a later position, move past an earlier one, and never see it.
    async with await psycopg.AsyncConnection.connect(fresh_database_url, autocommit=True) as conn:
        await conn.execute(
            """
            CREATE FUNCTION slow_projection() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.deadline_id LIKE 'slow-%' THEN PERFORM pg_sleep(random() * 0.05); END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER slow_projection BEFORE INSERT ON deadlines
                FOR EACH ROW EXECUTE FUNCTION slow_projection();
            """
        )

    appended: list[RecordedEvent] = []
    done = asyncio.Event()

    async def fast_writer(sid: str) -> None:
        for version in range(1, 21):
            appended.extend(await fresh_store.append([ev(sid, version)]))
            await asyncio.sleep(0)

    async def slow_writer(sid: str) -> None:
        version = 1
        while version <= 12:
            # Now and then two events in one append, one of them slow.
            batch = [ev(sid, version, scheduled(f"slow-{version}"))]
            if version % 3 == 0:
                batch.append(ev(sid, version + 1))
            appended.extend(await fresh_store.append(batch))
            version += len(batch)
            await asyncio.sleep(random.random() * 0.01)

    reading = asyncio.create_task(tail(fresh_store, done))
    await asyncio.gather(*(fast_writer(stream()) for _ in range(3)), *(slow_writer(stream()) for _ in range(4)))
    await settled(fresh_database_url)  # then the reader's last read may see all, and must
    done.set()
    seen = await reading

    assert len(appended) == 3 * 20 + 4 * 13  # a slow writer ends on a pair, 12 and 13
    assert_each_once_in_stream_order(seen, appended)
    assert (await fresh_store.verify()).ok


async def test_a_transaction_held_open_holds_the_reader_back_and_it_catches_up_after_the_commit(
    fresh_store: EventStore, fresh_database_url: str
) -> None:
    # An append whose transaction stays open, deterministically: its deadline projection waits for an
    # advisory lock this test holds. Meanwhile another append takes a later position and commits.
    held_key = 0x686F6C64
    async with await psycopg.AsyncConnection.connect(fresh_database_url, autocommit=True) as conn:
        await conn.execute(
            f"""
            CREATE FUNCTION held_projection() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.deadline_id LIKE 'held-%' THEN PERFORM pg_advisory_xact_lock({held_key}); END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER held_projection BEFORE INSERT ON deadlines
                FOR EACH ROW EXECUTE FUNCTION held_projection();
            """
        )
    before = await fresh_store.append([ev(stream(), 1)])
    first = await readable(fresh_store, START, 1)
    assert first.events == before

    async with await psycopg.AsyncConnection.connect(fresh_database_url, autocommit=True) as holder:
        await holder.execute("SELECT pg_advisory_lock(%s)", (held_key,))
        slow_stream = stream()
        held = asyncio.create_task(fresh_store.append([ev(slow_stream, 1, scheduled("held-1"))]))
        # Wait until the held append has written its event row (it has a position) and sits on the lock.
        for _ in range(500):
            cur = await holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s",
                (held_key,),
            )
            if (await cur.fetchone())[0]:  # type: ignore[index]
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the held append never reached its projection")
        # Nothing global: an append to another stream commits while this one is open (the table lock
        # made it wait), and one to the same stream waits for the stream's guard.
        later = await fresh_store.append([ev(stream(), 1)])
        next_in_stream = asyncio.create_task(fresh_store.append([ev(slow_stream, 2)]))

        # The later event is committed, and a cursor on position alone would take it now and so pass
        # over the held event's smaller position for good.
        cur = await holder.execute(
            "SELECT global_position FROM events WHERE global_position > %s ORDER BY global_position",
            (before[0].global_position,),
        )
        assert [p for (p,) in await cur.fetchall()] == [later[0].global_position]
        # The reader waits instead: nothing past the open transaction, however often it asks.
        for _ in range(20):
            waiting = await fresh_store.read_all(first.next)
            assert (waiting.events, waiting.next) == ([], first.next)
            await asyncio.sleep(0.01)
        assert not held.done() and not next_in_stream.done()

        await holder.execute("SELECT pg_advisory_unlock(%s)", (held_key,))
        held_events = await held
        [second] = await next_in_stream
    assert (second.stream_version, second.prev_hash) == (2, held_events[0].hash)  # the chain did not fork

    caught_up = await readable(fresh_store, first.next, 3)
    assert [e.event_id for e in caught_up.events] == [held_events[0].event_id, later[0].event_id, second.event_id]
    assert held_events[0].global_position < later[0].global_position < second.global_position
    assert (await fresh_store.read_all(caught_up.next)).events == []


async def test_an_event_id_appended_to_two_streams_at_once_is_one_event_and_one_conflict(
    fresh_store: EventStore,
) -> None:
    # Different streams have different guards, so both appends read "not stored"; the unique event id
    # stops the second at commit, and it answers as a conflict, not a database error.
    for _ in range(10):
        event = ev(stream(), 1)
        elsewhere = event.model_copy(update={"stream_id": stream()})
        results = await asyncio.gather(
            fresh_store.append([event]), fresh_store.append([elsewhere]), return_exceptions=True
        )
        stored = [r for r in results if isinstance(r, list)]
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(stored) == 1 and len(refused) == 1, results
        assert isinstance(refused[0], AppendConflict)


# --- the deadline projection ----------------------------------------------------------------------


def scheduled(deadline_id: str, due: date = date(2025, 3, 10)) -> DeadlineScheduled:
    due_at = datetime.combine(due, datetime.min.time(), UTC) + timedelta(hours=17)
    return DeadlineScheduled(
        deadline_id=deadline_id,
        rule_id="ro.first_contact",
        rule_pack_version="2025.1",
        calendar_version="eng-2025-01",
        rule_type="working_days",
        confidence="statute",
        unconfirmed=False,
        source="default-rules.md",
        description="First contact within 5 working days",
        clock_start=date(2025, 3, 3),
        due_date=due,
        due_at=due_at,
        reminders=[due_at - timedelta(days=2)],
        escalate_at=due_at + timedelta(days=1),
    )


async def deadline_row(pool: Pool, stream_id: str, deadline_id: str) -> dict[str, Any]:
    async with pool.connection() as conn:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute("SELECT * FROM deadlines WHERE stream_id = %s AND deadline_id = %s", (stream_id, deadline_id))
        row = await cur.fetchone()
        assert row is not None
        return row


async def all_deadlines(pool: Pool) -> list[dict[str, Any]]:
    async with pool.connection() as conn:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute("SELECT * FROM deadlines ORDER BY deadline_id, stream_id")
        return await cur.fetchall()


async def test_a_deadline_met_after_it_was_missed_stays_missed(store: EventStore, pool: Pool) -> None:
    sid = stream()
    await store.append([ev(sid, 1, scheduled("first-contact"))])
    row = await deadline_row(pool, sid, "first-contact")
    assert (row["status"], row["due_date"], row["child_id"], row["escalations"]) == (
        "open",
        date(2025, 3, 10),
        "child-1",
        0,
    )

    await store.append(
        [
            ev(
                sid,
                2,
                DeadlineMissed(deadline_id="first-contact", rule_id="ro.first_contact", due_date=date(2025, 3, 10)),
            )
        ]
    )
    assert (await deadline_row(pool, sid, "first-contact"))["status"] == "missed"

    met = DeadlineMet(
        deadline_id="first-contact",
        rule_id="ro.first_contact",
        due_date=date(2025, 3, 10),
        met_on=date(2025, 3, 12),
        late=True,
        days_late=2,
        met_by="worker.a",
    )
    [met_event] = await store.append([ev(sid, 3, met)])
    row = await deadline_row(pool, sid, "first-contact")
    assert (row["status"], row["met_on"], row["days_late"]) == ("missed", date(2025, 3, 12), 2)
    assert row["last_position"] == met_event.global_position


async def test_met_escalated_and_cancelled_deadlines(store: EventStore, pool: Pool) -> None:
    sid = stream()
    await store.append([ev(sid, 1, scheduled("a")), ev(sid, 2, scheduled("b")), ev(sid, 3, scheduled("c"))])
    await store.append(
        [
            ev(
                sid,
                4,
                DeadlineMet(
                    deadline_id="a",
                    rule_id="r",
                    due_date=date(2025, 3, 10),
                    met_on=date(2025, 3, 7),
                    late=False,
                    met_by="w",
                ),
            ),
            ev(
                sid,
                5,
                DeadlineEscalated(
                    deadline_id="b",
                    rule_id="r",
                    due_date=date(2025, 3, 10),
                    recipient="m",
                    escalation_number=1,
                ),
            ),
            ev(
                sid,
                6,
                DeadlineEscalated(
                    deadline_id="b",
                    rule_id="r",
                    due_date=date(2025, 3, 10),
                    recipient="m",
                    escalation_number=2,
                ),
            ),
            ev(sid, 7, DeadlineCancelled(deadline_id="c", rule_id="r", why="order revoked")),
        ]
    )
    a, b, c = [await deadline_row(pool, sid, d) for d in ("a", "b", "c")]
    assert (a["status"], a["met_on"], a["days_late"]) == ("met", date(2025, 3, 7), 0)
    assert (b["status"], b["escalations"]) == ("open", 2)
    assert c["status"] == "cancelled"


async def test_applying_the_same_event_twice_changes_nothing(store: EventStore, pool: Pool) -> None:
    sid = stream()
    await store.append([ev(sid, 1, scheduled("d"))])
    recorded = await store.append(
        [
            ev(
                sid,
                2,
                DeadlineEscalated(
                    deadline_id="d",
                    rule_id="r",
                    due_date=date(2025, 3, 10),
                    recipient="m",
                    escalation_number=1,
                ),
            ),
            ev(sid, 3, DeadlineMissed(deadline_id="d", rule_id="r", due_date=date(2025, 3, 10))),
        ]
    )
    before = await deadline_row(pool, sid, "d")
    async with pool.connection() as conn, conn.transaction():
        for event in [*(await store.read_stream(sid)), *recorded]:
            await deadline_projection.apply(conn, event)
    assert await deadline_row(pool, sid, "d") == before
    assert before["escalations"] == 1

    # An activity retry of the whole append must not count the escalation twice either.
    await store.append(
        [
            ev(
                sid,
                2,
                DeadlineEscalated(
                    deadline_id="d",
                    rule_id="r",
                    due_date=date(2025, 3, 10),
                    recipient="m",
                    escalation_number=1,
                ),
                event_id=recorded[0].event_id,
            )
        ]
    )
    assert await deadline_row(pool, sid, "d") == before


async def test_rebuild_equals_the_incremental_projection(fresh_store: EventStore, fresh_database_url: str) -> None:
    s1, s2 = stream(), stream()
    await fresh_store.append([ev(s1, 1, scheduled("x")), ev(s2, 1, scheduled("y", date(2025, 4, 1)))])
    await fresh_store.append([ev(s1, 2, DeadlineMissed(deadline_id="x", rule_id="r", due_date=date(2025, 3, 10)))])
    await fresh_store.append(
        [
            ev(
                s2,
                2,
                DeadlineEscalated(
                    deadline_id="y",
                    rule_id="r",
                    due_date=date(2025, 4, 1),
                    recipient="m",
                    escalation_number=1,
                ),
            )
        ]
    )
    await fresh_store.append([ev(s1, 3)])  # not a deadline event: ignored by the projection
    await fresh_store.append(
        [
            ev(
                s1,
                4,
                DeadlineMet(
                    deadline_id="x",
                    rule_id="r",
                    due_date=date(2025, 3, 10),
                    met_on=date(2025, 3, 14),
                    late=True,
                    days_late=4,
                    met_by="w",
                ),
            )
        ]
    )
    # A reschedule of y: new dates, open again, escalations kept.
    await fresh_store.append([ev(s2, 3, scheduled("y", date(2025, 4, 8)))])

    pool = await open_pool(fresh_database_url)
    try:
        incremental = await all_deadlines(pool)
        assert [(r["deadline_id"], r["status"], r["due_date"], r["escalations"]) for r in incremental] == [
            ("x", "missed", date(2025, 3, 10), 0),
            ("y", "open", date(2025, 4, 8), 1),
        ]
        async with pool.connection() as conn:
            # Damage the projection first: rebuild must not depend on what is there.
            await conn.execute("UPDATE deadlines SET status = 'cancelled', escalations = 9")
            await conn.execute(
                "INSERT INTO deadlines SELECT 'ghost', deadline_id, child_id, yjs, rule_id,"
                " rule_pack_version,"
                " calendar_version, rule_type, confidence, unconfirmed, description, clock_start, due_date,"
                " period_end, due_at, status, met_on, days_late, escalations, last_position"
                " FROM deadlines LIMIT 1"
            )
            await conn.commit()
            assert await deadline_projection.rebuild(conn) == 6
        assert await all_deadlines(pool) == incremental
    finally:
        await pool.close()


async def test_a_deadline_met_on_time_but_recorded_after_its_miss_is_met(store: EventStore, pool: Pool) -> None:
    """A back-dated step that kept the deadline turns the recorded miss into met (the late entry shows
    on the timeline); a deadline met late stays missed, as the test above shows."""
    sid = stream()
    await store.append([ev(sid, 1, scheduled("first-contact"))])
    missed = DeadlineMissed(deadline_id="first-contact", rule_id="ro.first_contact", due_date=date(2025, 3, 10))
    await store.append([ev(sid, 2, missed)])
    met = DeadlineMet(
        deadline_id="first-contact",
        rule_id="ro.first_contact",
        due_date=date(2025, 3, 10),
        met_on=date(2025, 3, 7),
        late=False,
        days_late=0,
        met_by="worker.a",
    )
    await store.append([ev(sid, 3, met)])
    row = await deadline_row(pool, sid, "first-contact")
    assert (row["status"], row["met_on"], row["days_late"]) == ("met", date(2025, 3, 7), 0)
