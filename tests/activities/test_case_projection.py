"""The `cases` projection on a real PostgreSQL, fed through `EventStore.append`: kind, state, allocation,
closing, transfer, idempotence, and the backfill migration 004 runs for events stored before it."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from activities import case_projection
from activities.db import Pool, open_pool
from activities.event_store import EventStore
from activities.migrate import apply_migrations
from domain.events import (
    CaseWorkerAllocated,
    ContactClosed,
    ContractSigned,
    CourtOutcomeRecorded,
    DeadlineScheduled,
    EventPayload,
    NewEvent,
    OrderCompleted,
    OrderRevoked,
    OrderTransferred,
    ReferralOrderMade,
    VictimContactOpened,
    VictimWorkerAllocated,
    YouthRehabilitationOrderMade,
    new_event,
)

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
HEARING = date(2025, 3, 3)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await open_pool(database_url, max_size=4)
    yield pool
    await pool.close()


class Stream:
    """Builds a stream's events version by version, like a workflow proposing them."""

    def __init__(self, stream_id: str, *, child_id: str = "C-1", yjs: str = "luton") -> None:
        self.stream_id, self.child_id, self.yjs, self.version = stream_id, child_id, yjs, 0

    def next(self, payload: EventPayload, *, at: datetime = T0, yjs: str | None = None) -> NewEvent:
        self.version += 1
        return new_event(
            payload,
            event_id=uuid.uuid4(),
            stream_id=self.stream_id,
            stream_version=self.version,
            child_id=self.child_id,
            yjs=yjs or self.yjs,
            effective_at=at,
            actor="worker.a",
        )


def order_id(child: str) -> str:
    return f"referral-order:luton:41CJ{uuid.uuid4().hex[:6]}:{child}"


def opening(s: Stream) -> list[NewEvent]:
    return [
        s.next(
            CourtOutcomeRecorded(
                outcome_id=f"o-{uuid.uuid4().hex[:6]}",
                case_reference="41CJ1",
                court_kind="youth",
                hearing_date=HEARING,
                disposal_kind="referral_order",
            )
        ),
        s.next(ReferralOrderMade(months=6, hearing_date=HEARING)),
        s.next(_deadline("ro.first_contact", HEARING + timedelta(days=5))),
    ]


def _deadline(rule_id: str, due: date) -> DeadlineScheduled:
    due_at = datetime(due.year, due.month, due.day, 23, 59, tzinfo=UTC)
    return DeadlineScheduled(
        deadline_id=f"{rule_id}#1",
        rule_id=rule_id,
        rule_pack_version="test",
        calendar_version="test",
        rule_type="statutory",
        confidence="high",
        unconfirmed=False,
        source="test",
        description=f"{rule_id} description",
        clock_start=HEARING,
        due_date=due,
        due_at=due_at,
        escalate_at=due_at,
    )


async def case_row(pool: Pool, stream_id: str) -> dict[str, Any] | None:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT * FROM cases WHERE stream_id = %s", (stream_id,))
        return await cur.fetchone()


async def test_order_row_follows_allocation_state_and_closing(pool: Pool) -> None:
    store = EventStore(pool)
    s = Stream(order_id("C-1"))
    await store.append(opening(s))
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["kind"], row["child_id"], row["yjs"], row["state"]) == ("referral_order", "C-1", "luton", "order_made")
    assert (row["responsible"], row["opened_at"], row["closed_at"]) == (None, T0, None)
    assert row["fold"] is not None  # the next append evolves it without reading the stream

    await store.append([s.next(CaseWorkerAllocated(case_worker="amy"))])
    await store.append([s.next(CaseWorkerAllocated(case_worker="ben"))])
    signed = HEARING + timedelta(days=10)
    await store.append(
        [
            s.next(
                ContractSigned(signed_date=signed, compliance_start=signed, compliance_end=date(2025, 9, 13), months=6)
            )
        ]
    )
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["responsible"], row["state"], row["closed_at"]) == ("ben", "contract_agreed", None)

    closed_at = T0 + timedelta(days=200)
    last = await store.append([s.next(OrderCompleted(completed_date=closed_at.date()), at=closed_at)])
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["state"], row["closed_at"], row["last_position"]) == ("completed", closed_at, last[0].global_position)


async def test_a_revoked_order_is_closed_when_the_revocation_took_effect(pool: Pool) -> None:
    store = EventStore(pool)
    s = Stream(order_id("C-2"))
    revoked_at = T0 + timedelta(days=30)
    # closed_at is when the revocation took effect (a month after the hearing), not when it was recorded.
    await store.append(
        [*opening(s), s.next(OrderRevoked(revoked_date=revoked_at.date(), grounds="resentenced"), at=revoked_at)]
    )
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["state"], row["closed_at"]) == ("revoked", revoked_at)


async def test_transfer_moves_the_case_to_the_receiving_service(pool: Pool) -> None:
    store = EventStore(pool)
    s = Stream(order_id("C-3"))
    await store.append(opening(s))
    await store.append(
        [
            s.next(
                OrderTransferred(
                    transfer_date=HEARING + timedelta(days=3), to="yjs", from_yjs="luton", to_yjs="bedford"
                )
            )
        ]
    )
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["yjs"], row["state"], row["closed_at"]) == ("bedford", "order_made", None)
    # The deadline projection moved its open deadline too: the service's lists agree.
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT yjs FROM deadlines WHERE stream_id = %s", (s.stream_id,))
        assert [r["yjs"] for r in await cur.fetchall()] == ["bedford"]


async def test_a_yro_transferred_to_probation_is_closed_and_stays_with_its_service(pool: Pool) -> None:
    store = EventStore(pool)
    s = Stream(f"youth-rehabilitation-order:luton:41CJ{uuid.uuid4().hex[:6]}:C-10", child_id="C-10")
    made = YouthRehabilitationOrderMade(hearing_date=HEARING, end_date=date(2026, 3, 3), iss=False, requirements=[])
    await store.append([s.next(made)])
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["kind"], row["state"], row["closed_at"]) == ("youth_rehabilitation_order", "order_made", None)
    moved_at = T0 + timedelta(days=90)
    await store.append(
        [s.next(OrderTransferred(transfer_date=moved_at.date(), to="probation", from_yjs="luton"), at=moved_at)]
    )
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["yjs"], row["state"], row["closed_at"]) == ("luton", "transferred_to_probation", moved_at)


async def test_victim_contact_row(pool: Pool) -> None:
    store = EventStore(pool)
    s = Stream(f"victim-contact:luton:41CJ1:C-4:V-{uuid.uuid4().hex[:6]}", child_id="C-4")
    opened = VictimContactOpened(
        victim_ref="V-1", victim_kind="person", under_18=False, enhanced_rights=False, on=HEARING
    )
    await store.append([s.next(opened)])
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["kind"], row["state"], row["responsible"]) == ("victim_contact", "identified", None)

    await store.append([s.next(VictimWorkerAllocated(victim_worker="vic", on=HEARING))])
    closed_at = T0 + timedelta(days=40)
    await store.append([s.next(ContactClosed(outcome="no_response", on=closed_at.date()), at=closed_at)])
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["responsible"], row["state"], row["closed_at"]) == ("vic", "closed", closed_at)


async def test_applying_events_again_changes_nothing(pool: Pool) -> None:
    store = EventStore(pool)
    s = Stream(order_id("C-5"))
    first = await store.append(opening(s))
    events = [s.next(CaseWorkerAllocated(case_worker="amy"))]
    second = await store.append(events)
    before = await case_row(pool, s.stream_id)
    # A retried append (same event ids) is returned as stored and projects nothing.
    await store.append(events)
    assert await case_row(pool, s.stream_id) == before
    # Replaying older events straight into the projection: at or below last_position, ignored.
    async with pool.connection() as conn, conn.transaction():
        await case_projection.apply(conn, [*first, *second])
        await case_projection.apply(conn, first)
    assert await case_row(pool, s.stream_id) == before


async def test_incremental_rows_equal_folding_the_whole_stream(pool: Pool) -> None:
    store = EventStore(pool)
    s = Stream(order_id("C-6"))
    await store.append(opening(s))
    for worker in ("amy", "ben"):
        await store.append([s.next(CaseWorkerAllocated(case_worker=worker))])
    await store.append([s.next(OrderRevoked(revoked_date=HEARING, grounds="good_progress"))])
    row = await case_row(pool, s.stream_id)
    whole = case_projection.fold_stream(s.stream_id, await store.read_stream(s.stream_id))
    assert whole is not None and row is not None
    assert {k: v for k, v in row.items()} == case_projection._params(whole) | {"fold": whole.fold}


async def test_events_that_leave_the_case_as_it_was_write_no_row(pool: Pool) -> None:
    """A deadline scheduled (most of an order's events) changes nothing a case row says, so the append
    writes no case row; the row the next change writes equals folding the whole stream."""
    store = EventStore(pool)
    s = Stream(order_id("C-8"))
    await store.append(opening(s))
    before = await case_row(pool, s.stream_id)
    scheduled = await store.append([s.next(_deadline("ro.initial_panel", date(2025, 3, 14)))])
    assert await case_row(pool, s.stream_id) == before  # not rewritten: last_position stays where it was
    assert before is not None and before["last_position"] < scheduled[0].global_position

    await store.append([s.next(CaseWorkerAllocated(case_worker="amy"))])
    row = await case_row(pool, s.stream_id)
    whole = case_projection.fold_stream(s.stream_id, await store.read_stream(s.stream_id))
    assert whole is not None and row is not None
    assert row == case_projection._params(whole) | {"fold": whole.fold}
    assert row["responsible"] == "amy"


async def test_a_stream_before_its_opening_event_and_other_streams(pool: Pool) -> None:
    store = EventStore(pool)
    s = Stream(order_id("C-7"))
    events = opening(s)
    await store.append(events[:1])  # the court outcome alone: the order's own opening is not stored yet
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["state"], row["fold"]) == (case_projection.OPENING, None)
    await store.append(events[1:])
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert row["state"] == "order_made"

    other = Stream(f"order-{uuid.uuid4().hex[:8]}")
    await store.append([other.next(CaseWorkerAllocated(case_worker="amy"))])
    assert await case_row(pool, other.stream_id) is None  # not an order or victim contact: no case


async def test_a_row_without_its_fold_is_folded_again_from_the_stream(pool: Pool) -> None:
    # Rows written in bulk (the benchmark's synthetic data) or left unreadable carry no fold.
    store = EventStore(pool)
    s = Stream(order_id("C-9"))
    await store.append([*opening(s), s.next(CaseWorkerAllocated(case_worker="amy"))])
    async with pool.connection() as conn:
        await conn.execute("UPDATE cases SET fold = NULL, state = 'stale' WHERE stream_id = %s", (s.stream_id,))
    await store.append([s.next(OrderCompleted(completed_date=HEARING))])
    row = await case_row(pool, s.stream_id)
    assert row is not None
    assert (row["state"], row["responsible"], row["closed_at"]) == ("completed", "amy", T0)
    assert row["fold"] is not None


def _migration_004_indexes() -> list[str]:
    text = (resources.files("activities") / "migrations" / "004_cases_and_reports.sql").read_text()
    return re.findall(r"CREATE INDEX (\w+)", text)


async def test_migration_004_backfills_events_stored_before_it(fresh_database_url: str) -> None:
    pool = await open_pool(fresh_database_url, max_size=2)
    try:
        store = EventStore(pool)
        a, b = Stream(order_id("C-8")), Stream(f"victim-contact:luton:41CJ1:C-8:V-{uuid.uuid4().hex[:6]}")
        await store.append(opening(a))
        await store.append(
            [
                a.next(CaseWorkerAllocated(case_worker="amy")),
                a.next(OrderTransferred(transfer_date=HEARING, to="yjs", from_yjs="luton", to_yjs="bedford")),
                a.next(OrderCompleted(completed_date=HEARING), at=T0 + timedelta(days=9)),
                b.next(
                    VictimContactOpened(
                        victim_ref="V-2", victim_kind="organisation", under_18=False, enhanced_rights=False, on=HEARING
                    )
                ),
            ]
        )
        async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute("SELECT * FROM cases ORDER BY stream_id")
            projected = await cur.fetchall()
    finally:
        await pool.close()
    assert len(projected) == 2

    # Back to a database as it was before migration 004, with the events already stored.
    with psycopg.connect(fresh_database_url, autocommit=True) as admin:
        admin.execute("DROP TABLE cases")
        for index in _migration_004_indexes():
            admin.execute(f"DROP INDEX IF EXISTS {index}")
        admin.execute("DELETE FROM schema_migrations WHERE version = '004'")

    assert apply_migrations(fresh_database_url) == ["004"]
    with psycopg.connect(fresh_database_url, row_factory=dict_row) as reader:
        backfilled = reader.execute("SELECT * FROM cases ORDER BY stream_id").fetchall()
    assert backfilled == projected
    by_kind = {r["kind"]: r for r in backfilled}
    assert (by_kind["referral_order"]["yjs"], by_kind["referral_order"]["state"]) == ("bedford", "completed")
    assert by_kind["referral_order"]["responsible"] == "amy"
    assert by_kind["referral_order"]["closed_at"] == T0 + timedelta(days=9)
    assert by_kind["victim_contact"]["state"] == "identified"
