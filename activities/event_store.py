"""The append-only, hash-chained event store on PostgreSQL.

Every fact yjflow records is a row in `events`. A workflow proposes each event at the version it expects
(head + 1), with an `event_id` it generated, so an activity retry of the same append is a no-op and a
different event at a taken version is a loud, non-retryable error. Each stream is a SHA-256 chain
(`domain.chain`): `verify` recomputes it and names the first link that does not hold.

Deadline* events update the `deadlines` projection in the same transaction as the append.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, ClassVar, Literal
from uuid import UUID

import rfc8785
from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row, tuple_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ConfigDict, ValidationError

from activities import case_projection, deadline_projection
from domain.chain import GENESIS_HASH, canonical_json, event_hash
from domain.events import PAYLOAD_TYPES, NewEvent, RecordedEvent

EVENT_COLUMNS = (
    "global_position, event_id, stream_id, stream_version, event_type, child_id, yjs, effective_at, "
    "recorded_at, actor, reason, payload, prev_hash, hash"
)

# Fields that must all match for a second append of a stored event_id to count as a retry of it.
_ENVELOPE_FIELDS = ("stream_id", "stream_version", "event_type", "child_id", "yjs", "actor", "reason")

_VERIFY_BATCH = 2000


# --- errors ---------------------------------------------------------------------------------------


class EventStoreError(Exception):
    """An append the store refuses. Retrying the same call gives the same answer, so never retry it:
    the caller's idea of the stream is wrong and must be re-read. (A lock timeout or a lost connection
    is not an EventStoreError: those are psycopg errors and are worth retrying.)"""

    non_retryable: ClassVar[bool] = True

    def __init__(
        self,
        message: str,
        *,
        stream_id: str | None = None,
        stream_version: int | None = None,
        event_id: UUID | None = None,
    ) -> None:
        super().__init__(message)
        self.stream_id = stream_id
        self.stream_version = stream_version
        self.event_id = event_id


class WrongExpectedVersion(EventStoreError):
    """The proposed version is not the stream's next one (a gap, or a new stream not starting at 1)."""


class AppendConflict(EventStoreError):
    """A different event already holds the proposed version, or an event_id was reused with new content."""


class InvalidEvent(EventStoreError):
    """The event cannot be stored faithfully: unknown type, or a payload its type or JSON does not allow."""


# --- verification report --------------------------------------------------------------------------

Problem = Literal["hash mismatch", "prev_hash does not link", "version gap"]


class BrokenLink(BaseModel):
    """The first row at which a stream's chain does not hold."""

    model_config = ConfigDict(frozen=True)

    stream_id: str
    stream_version: int
    global_position: int
    problem: Problem
    expected: str
    found: str

    def __str__(self) -> str:
        return (
            f"stream {self.stream_id!r} version {self.stream_version} (global position "
            f"{self.global_position}): {self.problem} (expected {_short(self.expected)}, "
            f"found {_short(self.found)})"
        )


class VerifyReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    streams_checked: int
    events_checked: int
    first_break: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.first_break is None

    def __str__(self) -> str:
        checked = f"{self.events_checked} events in {self.streams_checked} streams"
        if self.first_break is None:
            return f"hash chains intact: {checked} verified"
        return f"hash chain BROKEN at {self.first_break}; {checked} checked"


def _short(value: str) -> str:
    return value[:12] + "…" if len(value) > 16 else value


# --- the store ------------------------------------------------------------------------------------


class EventStore:
    """Appends and reads events through a pool; every method takes its own connection."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        *,
        lock_timeout_seconds: float = 5.0,
        validate_payloads: bool = True,
    ) -> None:
        self._pool = pool
        self._set_lock_timeout = sql.SQL("SET LOCAL lock_timeout = {}").format(
            sql.Literal(f"{max(1, round(lock_timeout_seconds * 1000))}ms")
        )
        self._validate_payloads = validate_payloads

    # --- writing ----------------------------------------------------------------------------------

    async def append(self, events: Sequence[NewEvent]) -> list[RecordedEvent]:
        """Append events (to one or several streams, each in version order) atomically.

        Returns them as stored, in input order. An event whose event_id is already stored with identical
        content is returned as stored and not inserted again. Raises WrongExpectedVersion, AppendConflict
        or InvalidEvent, storing nothing.
        """
        if not events:
            return []
        for event in events:
            self._check(event)
        # Pipeline mode, and few statements: the whole append is two round trips to the server, one for the
        # lock and everything read under it, one for the inserts, the projections and the COMMIT. Every
        # round trip and every statement is time other appenders spend queued behind our lock.
        async with self._pool.connection() as conn, conn.pipeline(), conn.transaction():
            # Why a table lock (the design of eventsourcing's postgres.py, see its comment on
            # "readers don't pass over gaps that are filled in later"): global_position comes from a
            # sequence at INSERT time but a row becomes visible only at COMMIT. Two unlocked writers can
            # commit out of position order, so a reader tailing `global_position > last` would see 2,
            # move its checkpoint past 1, and never see 1 when it commits. EXCLUSIVE mode serialises
            # appenders (insert order = commit order) while still allowing plain SELECTs. It also makes
            # the head-of-stream and event_id checks below race-free. lock_timeout turns a stuck
            # appender into a retryable error rather than a queue that grows forever.
            await conn.execute(self._set_lock_timeout)
            await conn.execute("LOCK TABLE events IN EXCLUSIVE MODE")

            # One statement reads, under the lock: the clock, the payloads as jsonb returns them, which
            # event ids are already stored, each stream's head, and the global positions of the new rows.
            # recorded_at is clock_timestamp() read after the lock, not now(): now() is when the
            # transaction began, before it queued for the lock, so recorded_at could run backwards
            # against global order. PostgreSQL keeps microseconds, as Python does, so the instant
            # hashed is exactly the instant stored.
            # The payloads make a round trip through jsonb too, and we hash what comes back: jsonb
            # normalises numbers (1e20 reads back as an integer), so hashing the caller's dict could
            # store a hash that `verify` can never reproduce from the row.
            # Positions are taken from the sequence here, under the lock, rather than by the INSERT:
            # they still follow commit order, and knowing them lets the INSERT, the projections and the
            # COMMIT go in one round trip instead of waiting for RETURNING.
            stream_ids = sorted({event.stream_id for event in events})
            event_ids = [event.event_id for event in events]
            read = conn.cursor(row_factory=tuple_row)
            await read.execute(
                _READ_UNDER_LOCK,
                {"payloads": [Jsonb(event.payload) for event in events], "ids": event_ids, "streams": stream_ids},
            )
            read_row = await read.fetchone()
            assert read_row is not None
            recorded_at, payloads, stored_ids, head_versions, head_hashes, positions = read_row
            stored = await _stored(conn, stored_ids) if stored_ids else {}
            heads = {
                stream_id: (version, head_hash or GENESIS_HASH) if version else (0, GENESIS_HASH)
                for stream_id, version, head_hash in zip(stream_ids, head_versions, head_hashes, strict=True)
            }

            outcome: list[RecordedEvent | int] = []  # stored event, or index into `rows`
            rows: list[dict[str, Any]] = []
            planned: dict[UUID, int] = {}
            for event, payload in zip(events, payloads, strict=True):
                existing = stored.get(event.event_id)
                if existing is not None:
                    _same_or_conflict(existing, event, payload)
                    outcome.append(existing)
                    continue
                if event.event_id in planned:
                    # The same event twice in one call: harmless if identical.
                    index = planned[event.event_id]
                    _same_or_conflict(NewEvent.model_validate(rows[index]), event, payload)
                    outcome.append(index)
                    continue
                head_version, head_hash = heads[event.stream_id]
                if event.stream_version != head_version + 1:
                    await _refuse_version(conn, event, head_version, rows)
                row = _row(event, payload, recorded_at, head_hash)
                heads[event.stream_id] = (event.stream_version, row["hash"])
                planned[event.event_id] = len(rows)
                rows.append(row)
                outcome.append(len(rows) - 1)

            # The read allocated a position for every event not yet stored; an event given twice in one
            # call takes one, so a few may go unused (a gap in global_position, as a rollback leaves).
            positions = sorted(positions)
            assert len(positions) >= len(rows), "fewer positions than rows: events changed under the lock"
            for row, position in zip(rows, positions, strict=False):
                row["global_position"] = position
            inserted = _recorded(rows, conn.info.timezone)
            if rows:
                await _insert(conn, rows)
            for recorded in inserted:
                await deadline_projection.apply(conn, recorded)
            await case_projection.apply(conn, inserted)
        return [inserted[o] if isinstance(o, int) else o for o in outcome]

    def _check(self, event: NewEvent) -> None:
        try:
            # allow_nan=False: NaN and Infinity are not JSON, and jsonb refuses them anyway.
            json.dumps(event.payload, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise _invalid(event, f"payload is not plain JSON: {exc}") from None
        if not self._validate_payloads:
            return
        payload_type = PAYLOAD_TYPES.get(event.event_type)
        if payload_type is None:
            # Strict because the table is append-only: a mistyped event type could never be removed.
            raise _invalid(
                event,
                f"unknown event type {event.event_type!r} (is the module defining its payload imported?)",
            )
        try:
            payload_type.model_validate(event.payload)
        except ValidationError as exc:
            raise _invalid(event, f"payload does not match {event.event_type}: {exc}") from None

    # --- reading ----------------------------------------------------------------------------------

    async def read_stream(self, stream_id: str) -> list[RecordedEvent]:
        return await self._events(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = %s ORDER BY stream_version", (stream_id,)
        )

    async def read_child(self, child_id: str) -> list[RecordedEvent]:
        """A child's events across all streams, in the order they took effect (back-dated ones in place)."""
        return await self._events(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE child_id = %s ORDER BY effective_at, global_position",
            (child_id,),
        )

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Events after a global position, in global order. Safe to tail: no row commits behind a reader."""
        return await self._events(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE global_position > %s ORDER BY global_position LIMIT %s",
            (after_position, limit),
        )

    async def stream_head(self, stream_id: str) -> tuple[int, str]:
        """The stream's last version and hash; (0, GENESIS_HASH) for a stream with no events."""
        async with self._pool.connection() as conn:
            heads = await _heads(conn, [stream_id])
        return heads[stream_id]

    async def streams_for_child(self, child_id: str) -> list[str]:
        """The child's streams, in the order they were opened."""
        async with self._pool.connection() as conn:
            cur = conn.cursor(row_factory=tuple_row)
            await cur.execute(
                "SELECT stream_id FROM events WHERE child_id = %s GROUP BY stream_id ORDER BY min(global_position)",
                (child_id,),
            )
            return [stream_id for (stream_id,) in await cur.fetchall()]

    async def _events(self, query: str, params: tuple[Any, ...]) -> list[RecordedEvent]:
        async with self._pool.connection() as conn:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(query, params)
            return [RecordedEvent.model_validate(row) for row in await cur.fetchall()]

    # --- verifying --------------------------------------------------------------------------------

    async def verify(self, stream_id: str | None = None) -> VerifyReport:
        """Recompute every stream's chain (or one stream's) and report the first link that does not hold.

        Rows stream through a server-side cursor in (stream, version) order, so memory stays flat however
        large the table. What this cannot see: a whole stream tail rewritten with recomputed hashes, or
        the last events of a stream deleted; anchoring the heads outside the database covers those.
        """
        query = f"SELECT {EVENT_COLUMNS} FROM events"
        params: tuple[Any, ...] = ()
        if stream_id is not None:
            query += " WHERE stream_id = %s"
            params = (stream_id,)
        query += " ORDER BY stream_id, stream_version"

        streams = events = 0
        first_break: BrokenLink | None = None
        current: str | None = None
        expected_version, expected_prev = 1, GENESIS_HASH
        async with self._pool.connection() as conn, conn.transaction():
            cur = conn.cursor("yjflow_verify", row_factory=dict_row)
            cur.itersize = _VERIFY_BATCH
            await cur.execute(query, params)
            async for row in cur:
                if row["stream_id"] != current:
                    current = row["stream_id"]
                    streams += 1
                    expected_version, expected_prev = 1, GENESIS_HASH
                events += 1
                if first_break is None:
                    first_break = _check_link(row, expected_version, expected_prev)
                expected_version, expected_prev = row["stream_version"] + 1, row["hash"]
            await cur.close()
        return VerifyReport(streams_checked=streams, events_checked=events, first_break=first_break)


# --- helpers --------------------------------------------------------------------------------------


_HEADS = """
SELECT s.stream_id, h.stream_version, h.hash
FROM unnest(%s::text[]) AS s(stream_id)
LEFT JOIN LATERAL (
    SELECT stream_version, hash FROM events e
    WHERE e.stream_id = s.stream_id ORDER BY stream_version DESC LIMIT 1
) h ON true
"""


# Everything append needs to read under the lock, as one row. Heads come back in the order of
# %(streams)s (version 0 and a NULL hash for a new stream). A position is taken for each event id not yet
# stored; nextval under the table lock keeps positions in commit order.
_READ_UNDER_LOCK = """
WITH heads AS (
    SELECT s.ord, h.stream_version, h.hash
    FROM unnest(%(streams)s::text[]) WITH ORDINALITY AS s(stream_id, ord)
    LEFT JOIN LATERAL (
        SELECT stream_version, hash FROM events e
        WHERE e.stream_id = s.stream_id ORDER BY stream_version DESC LIMIT 1
    ) h ON true
)
SELECT clock_timestamp(),
       %(payloads)s::jsonb[],
       ARRAY(SELECT event_id FROM events WHERE event_id = ANY(%(ids)s::uuid[])),
       ARRAY(SELECT coalesce(stream_version, 0) FROM heads ORDER BY ord),
       ARRAY(SELECT hash FROM heads ORDER BY ord),
       ARRAY(
           SELECT nextval('events_global_position_seq')
           FROM unnest(%(ids)s::uuid[]) AS n(event_id)
           WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = n.event_id)
       )
"""


async def _heads(conn: AsyncConnection[Any], stream_ids: list[str]) -> dict[str, tuple[int, str]]:
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(_HEADS, (stream_ids,))
    return _heads_from(await cur.fetchall())


def _heads_from(rows: list[dict[str, Any]]) -> dict[str, tuple[int, str]]:
    return {
        row["stream_id"]: (row["stream_version"], row["hash"]) if row["stream_version"] else (0, GENESIS_HASH)
        for row in rows
    }


def _same_or_conflict(existing: NewEvent, event: NewEvent, payload: dict[str, Any]) -> None:
    differ = [name for name in _ENVELOPE_FIELDS if getattr(existing, name) != getattr(event, name)]
    if existing.effective_at != event.effective_at:
        differ.append("effective_at")
    if _canonical(existing.payload) != _canonical(payload):
        differ.append("payload")
    if differ:
        raise AppendConflict(
            f"event {event.event_id} is already stored as stream {existing.stream_id!r} version "
            f"{existing.stream_version}, with different {', '.join(differ)}; this append proposes stream "
            f"{event.stream_id!r} version {event.stream_version}. An event_id may only be reused by a "
            "retry of the identical event",
            stream_id=event.stream_id,
            stream_version=event.stream_version,
            event_id=event.event_id,
        )


def _canonical(payload: Any) -> str:
    # Both sides have been through jsonb, so plain sorted JSON compares them exactly; Python's == would
    # call True equal to 1.
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


async def _refuse_version(
    conn: AsyncConnection[Any], event: NewEvent, head_version: int, planned: list[dict[str, Any]]
) -> None:
    where = f"stream {event.stream_id!r} version {event.stream_version} (event {event.event_id})"
    if event.stream_version > head_version + 1:
        raise WrongExpectedVersion(
            f"{where}: the stream's next version is {head_version + 1}; versions must be gap-free",
            stream_id=event.stream_id,
            stream_version=event.stream_version,
            event_id=event.event_id,
        )
    holder = next(
        (
            row["event_id"]
            for row in planned
            if row["stream_id"] == event.stream_id and row["stream_version"] == event.stream_version
        ),
        None,
    )
    if holder is None:
        cur = conn.cursor(row_factory=tuple_row)
        await cur.execute(
            "SELECT event_id FROM events WHERE stream_id = %s AND stream_version = %s",
            (event.stream_id, event.stream_version),
        )
        found = await cur.fetchone()
        holder = found[0] if found is not None else None
    raise AppendConflict(
        f"{where}: that version is already taken by event {holder} (stream head is version "
        f"{head_version}); re-read the stream and decide again",
        stream_id=event.stream_id,
        stream_version=event.stream_version,
        event_id=event.event_id,
    )


def _row(event: NewEvent, payload: dict[str, Any], recorded_at: datetime, prev_hash: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "event_id": event.event_id,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "event_type": event.event_type,
        "child_id": event.child_id,
        "yjs": event.yjs,
        "effective_at": event.effective_at,
        "recorded_at": recorded_at,
        "actor": event.actor,
        "reason": event.reason,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    try:
        fields["hash"] = _hash(fields)
    except rfc8785.CanonicalizationError as exc:
        raise _invalid(event, f"payload has no canonical JSON form (RFC 8785): {exc}") from None
    return fields


def _hash(row: Mapping[str, Any], canonical: Callable[[Any], bytes] = canonical_json) -> str:
    return event_hash(
        prev_hash=row["prev_hash"],
        event_id=str(row["event_id"]),
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        event_type=row["event_type"],
        child_id=row["child_id"],
        yjs=row["yjs"],
        effective_at=row["effective_at"],
        recorded_at=row["recorded_at"],
        actor=row["actor"],
        reason=row["reason"],
        payload=row["payload"],
        canonical=canonical,
    )


def row_hash(row: Mapping[str, Any]) -> str:
    """The chain hash of a stored row, or 'a canonical payload (…)' when its payload has no canonical form.
    A mismatch is looked at again with the reference serialiser (`rfc8785`), so a slip of the fast
    canonical path could only ever raise a false alarm that this clears, never hide a broken link."""
    try:
        fast = _hash(row)
        if fast == row["hash"]:
            return fast
        return _hash(row, lambda value: bytes(rfc8785.dumps(value)))
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:
        # UnicodeEncodeError: rfc8785 sorts keys by encoding them, and a key with a lone surrogate (which
        # jsonb itself refuses, so only a hand-made row can hold one) fails there instead.
        return f"a canonical payload ({exc})"


def first_break(stream: Sequence[Mapping[str, Any]]) -> BrokenLink | None:
    """The first link of one stream's rows (in version order) that does not hold: versions gap-free from 1,
    each prev_hash the hash before it, each hash recomputed (what `EventStore.verify` checks)."""
    expected_version, expected_prev = 1, GENESIS_HASH
    for row in stream:
        broken = _check_link(row, expected_version, expected_prev)
        if broken is not None:
            return broken
        expected_version, expected_prev = row["stream_version"] + 1, row["hash"]
    return None


_INSERT_ONE = """
INSERT INTO events (
    global_position, event_id, stream_id, stream_version, event_type, child_id, yjs, effective_at,
    recorded_at, actor, reason, payload, prev_hash, hash
) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
"""
_INSERT_MANY = """
INSERT INTO events (
    global_position, event_id, stream_id, stream_version, event_type, child_id, yjs, effective_at,
    recorded_at, actor, reason, payload, prev_hash, hash
)
SELECT global_position, event_id, stream_id, stream_version, event_type, child_id, yjs, effective_at, %s,
       actor, reason, payload, prev_hash, hash
FROM unnest(
    %s::bigint[], %s::uuid[], %s::text[], %s::integer[], %s::text[], %s::text[], %s::text[],
    %s::timestamptz[], %s::text[], %s::text[], %s::jsonb[], %s::text[], %s::text[]
) AS t(
    global_position, event_id, stream_id, stream_version, event_type, child_id, yjs, effective_at,
    actor, reason, payload, prev_hash, hash
)
"""
_INSERT_ARRAYS = (
    "global_position",
    "event_id",
    "stream_id",
    "stream_version",
    "event_type",
    "child_id",
    "yjs",
    "effective_at",
    "actor",
    "reason",
    "payload",
    "prev_hash",
    "hash",
)


async def _insert(conn: AsyncConnection[Any], rows: list[dict[str, Any]]) -> None:
    # Positions are already assigned, so nothing needs to come back: in pipeline mode the INSERT is
    # sent without waiting, and an error in it surfaces at COMMIT, rolling everything back.
    if len(rows) == 1:
        row = rows[0]
        await conn.execute(
            _INSERT_ONE,
            [Jsonb(row[column]) if column == "payload" else row[column] for column in _ROW_COLUMNS],
        )
        return
    params: list[Any] = [rows[0]["recorded_at"]]
    for column in _INSERT_ARRAYS:
        values = [row[column] for row in rows]
        params.append([Jsonb(v) for v in values] if column == "payload" else values)
    await conn.execute(_INSERT_MANY, params)


_ROW_COLUMNS = tuple(column.strip() for column in EVENT_COLUMNS.split(","))


def _recorded(rows: list[dict[str, Any]], timezone: tzinfo) -> list[RecordedEvent]:
    # The events exactly as a read of the rows would return them: psycopg gives timestamptz values in
    # the connection's time zone, so effective_at is expressed in it too (the same instant).
    return [
        RecordedEvent.model_validate({**row, "effective_at": row["effective_at"].astimezone(timezone)}) for row in rows
    ]


async def _stored(conn: AsyncConnection[Any], event_ids: list[UUID]) -> dict[UUID, RecordedEvent]:
    """Events already stored under these ids (an activity retrying an append that committed)."""
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE event_id = ANY(%s)", (event_ids,))
    return {row["event_id"]: RecordedEvent.model_validate(row) for row in await cur.fetchall()}


def _check_link(row: Mapping[str, Any], expected_version: int, expected_prev: str) -> BrokenLink | None:
    def broken(problem: Problem, expected: str, found: str) -> BrokenLink:
        return BrokenLink(
            stream_id=row["stream_id"],
            stream_version=row["stream_version"],
            global_position=row["global_position"],
            problem=problem,
            expected=expected,
            found=found,
        )

    if row["stream_version"] != expected_version:
        return broken("version gap", str(expected_version), str(row["stream_version"]))
    if row["prev_hash"] != expected_prev:
        return broken("prev_hash does not link", expected_prev, row["prev_hash"])
    recomputed = row_hash(row)
    if recomputed != row["hash"]:
        return broken("hash mismatch", recomputed, row["hash"])
    return None


def _invalid(event: NewEvent, why: str) -> InvalidEvent:
    return InvalidEvent(
        f"stream {event.stream_id!r} version {event.stream_version} (event {event.event_id}, "
        f"{event.event_type}): {why}",
        stream_id=event.stream_id,
        stream_version=event.stream_version,
        event_id=event.event_id,
    )
