"""Appending to the event store.

A workflow proposes each event at the version it expects (head + 1), with an `event_id` it generated, so
an activity retry of the same append is a no-op and a different event at a taken version is a loud,
non-retryable error. Each event's hash links it to the one before it in its stream (`activities.event_chain`).
The deadline and cases projections are brought up to date in the append's transaction.

No global lock. Each stream has a guard, a transaction-level advisory lock on the hash of its id, taken
before anything is read and held until commit: appends to one stream run one at a time, so its head
version and hash are read race-free, versions stay gap-free and the chain never forks; appends to other
streams run alongside. Readers that follow the whole store do not need commit order to equal position
order (`activities.event_reads`). Nothing here NOTIFYs: a NOTIFY takes a lock at commit that every
notifying transaction in the database queues for.

An append is two round trips: one script with the BEGIN, the guards and every read under them (one call
of `events_append_read`, migration 006), then, once the rows and their hashes are made here, one script
with the insert, the projections' changes and the COMMIT.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any
from uuid import UUID

import rfc8785
from psycopg import AsyncClientCursor, AsyncConnection, errors
from psycopg.rows import dict_row, tuple_row
from psycopg_pool import AsyncConnectionPool
from pydantic import ValidationError

from activities import case_projection, deadline_projection
from activities.event_chain import chain_hash
from activities.event_errors import AppendConflict, WrongExpectedVersion, invalid
from activities.event_reads import EVENT_COLUMNS
from activities.metrics import EVENTS_APPENDED, timed_append
from activities.sql_scripts import Statement, json_text, own_transaction, script
from domain.chain import GENESIS_HASH
from domain.events import PAYLOAD_TYPES, NewEvent, RecordedEvent

# Fields that must all match for a second append of a stored event_id to count as a retry of it.
_ENVELOPE_FIELDS = ("stream_id", "stream_version", "event_type", "child_id", "yjs", "actor", "reason")

# The guards of the streams and everything append reads under them, as one row: the clock, the payloads
# as jsonb returns them, the event ids already stored, each stream's head version and hash, and a new
# position for each event not yet stored (migration 006 explains each).
_READ_UNDER_GUARD = "SELECT * FROM events_append_read(%s, %s, %s, %s)"

# transaction_id is left to its default, pg_current_xact_id().
_INSERT_COLUMNS = (
    "global_position",
    "event_id",
    "stream_id",
    "stream_version",
    "event_type",
    "child_id",
    "yjs",
    "effective_at",
    "recorded_at",
    "actor",
    "reason",
    "payload",
    "prev_hash",
    "hash",
)
_INSERT = f"INSERT INTO events ({', '.join(_INSERT_COLUMNS)}) VALUES "
_INSERT_ROW = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
_EVENT_ID_UNIQUE = "events_event_id_key"


class Appender:
    """Appends events through a pool; each append takes its own connection and transaction."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        *,
        lock_timeout_seconds: float = 5.0,
        validate_payloads: bool = True,
    ) -> None:
        self._pool = pool
        # A stuck guard (or a projection rebuild) becomes a retryable error rather than a growing queue.
        self._lock_timeout = f"{max(1, round(lock_timeout_seconds * 1000))}ms"
        self._validate_payloads = validate_payloads

    async def append(self, events: Sequence[NewEvent]) -> list[RecordedEvent]:
        """Append events (to one or several streams, each in version order) atomically.

        Returns them as stored, in input order. An event whose event_id is already stored with identical
        content is returned as stored and not inserted again. Raises WrongExpectedVersion, AppendConflict
        or InvalidEvent, storing nothing.
        """
        if not events:
            return []
        texts = [self._check(event) for event in events]
        with timed_append():
            try:
                return await self._append(events, texts)
            except errors.UniqueViolation as exc:
                # Only an event id can collide: versions are taken under the stream's guard. The same id
                # appended at once to two streams (whose guards differ) gets here; once more, under the
                # guard, the id is found stored and the answer is the retry's or the conflict's.
                if exc.diag.constraint_name != _EVENT_ID_UNIQUE:
                    raise
                return await self._append(events, texts)

    async def _append(self, events: Sequence[NewEvent], texts: list[str | None]) -> list[RecordedEvent]:
        stream_ids = sorted({event.stream_id for event in events})
        # Two scripts, two round trips (`activities.sql_scripts`).
        async with self._pool.connection() as conn, own_transaction(conn):
            cur = AsyncClientCursor(conn, row_factory=tuple_row)
            # The payloads go through jsonb only if jsonb could change one of them (a float).
            normalise = None in texts
            reads: list[Statement] = [
                ("BEGIN", None),
                (
                    _READ_UNDER_GUARD,
                    (
                        self._lock_timeout,
                        json.dumps(stream_ids),
                        json.dumps([str(event.event_id) for event in events]),
                        _json_array([json_text(event.payload) for event in events]) if normalise else None,
                    ),
                ),
            ]
            cases_query = case_projection.rows_query(stream_ids)
            if cases_query is not None:
                reads.append(cases_query)
            await cur.execute(script(cur, reads))
            cur.nextset()  # past BEGIN
            read_row = await cur.fetchone()
            assert read_row is not None
            recorded_at, normalised, stored_ids, head_versions, head_hashes, positions = read_row
            case_rows: list[dict[str, Any]] = []
            if cases_query is not None:
                cur.row_factory = dict_row  # type: ignore[assignment]
                cur.nextset()
                case_rows = await cur.fetchall()  # type: ignore[assignment]
            payloads = normalised if normalise else [event.payload for event in events]

            stored = await _stored(conn, stored_ids) if stored_ids else {}
            heads = {
                stream_id: (version, head_hash or GENESIS_HASH) if version else (0, GENESIS_HASH)
                for stream_id, version, head_hash in zip(stream_ids, head_versions, head_hashes, strict=True)
            }

            outcome: list[RecordedEvent | int] = []  # stored event, or index into `rows`
            rows: list[dict[str, Any]] = []
            planned: dict[UUID, int] = {}
            for event, payload, text in zip(events, payloads, texts, strict=True):
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
                row["payload_text"] = text if text is not None else json_text(payload)
                heads[event.stream_id] = (event.stream_version, row["hash"])
                planned[event.event_id] = len(rows)
                rows.append(row)
                outcome.append(len(rows) - 1)

            # The read took a position for every event not yet stored; an event given twice in one call
            # takes one, so a few may go unused (a gap in global_position, as a rollback leaves).
            positions = sorted(positions)
            assert len(positions) >= len(rows), "fewer positions than rows: events changed under the guard"
            for row, position in zip(rows, positions, strict=False):
                row["global_position"] = position
            inserted = _recorded(rows, conn.info.timezone)
            writes: list[Statement] = [_insert(rows)] if rows else []
            for recorded in inserted:
                writes += deadline_projection.changes(recorded)
            if inserted:
                writes += await case_projection.changes(conn, inserted, case_rows)
            # An error in any write (a unique violation above all) stops the script there, and
            # `own_transaction` rolls back.
            await cur.execute(script(cur, [*writes, ("COMMIT", None)]))
        EVENTS_APPENDED.inc(len(inserted))
        return [inserted[o] if isinstance(o, int) else o for o in outcome]

    def _check(self, event: NewEvent) -> str | None:
        """Refuse an event that cannot be stored faithfully; return its payload as JSON text when jsonb
        would give it back unchanged, None when it must go through jsonb first."""
        try:
            kept = _kept_by_jsonb(event.payload)
            # allow_nan=False: NaN and Infinity are not JSON, and jsonb refuses them anyway. The encoding
            # refuses a lone surrogate, which has no UTF-8 form.
            text = json_text(event.payload)
            text.encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise invalid(event, f"payload is not plain JSON: {exc}") from None
        if self._validate_payloads:
            payload_type = PAYLOAD_TYPES.get(event.event_type)
            if payload_type is None:
                # Strict because the table is append-only: a mistyped event type could never be removed.
                raise invalid(
                    event,
                    f"unknown event type {event.event_type!r} (is the module defining its payload imported?)",
                )
            try:
                payload_type.model_validate(event.payload)
            except ValidationError as exc:
                raise invalid(event, f"payload does not match {event.event_type}: {exc}") from None
        return text if kept else None


# --- helpers --------------------------------------------------------------------------------------


def _kept_by_jsonb(value: Any) -> bool:
    """Whether jsonb gives `value` back exactly (strings, booleans, null, integers, and lists and objects of
    them); False when it may not (a float: jsonb keeps numbers as numeric, so 1e20 reads back as an
    integer). Raises ValueError for what jsonb refuses: U+0000 in a string."""
    kind = type(value)
    if kind is str:
        if "\x00" in value:
            raise ValueError("a string holds U+0000, which PostgreSQL text cannot store")
        return True
    if kind is dict:
        kept = True
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError(f"keys must be strings, not {type(key).__name__}")
            kept = _kept_by_jsonb(key) and _kept_by_jsonb(item) and kept
        return kept
    if kind is list:
        return all([_kept_by_jsonb(item) for item in value])  # a list, not a generator: check every item
    return kind is bool or kind is int or value is None


def _json_array(texts: list[str]) -> str:
    return "[" + ",".join(texts) + "]"


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
    # Both sides are as jsonb gives them back (the new one unchanged by it, or through it), so plain sorted
    # JSON compares them exactly; Python's == would call True equal to 1.
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
        fields["hash"] = chain_hash(fields)
    except rfc8785.CanonicalizationError as exc:
        raise invalid(event, f"payload has no canonical JSON form (RFC 8785): {exc}") from None
    return fields


def _insert(rows: list[dict[str, Any]]) -> Statement:
    params = [row["payload_text"] if column == "payload" else row[column] for row in rows for column in _INSERT_COLUMNS]
    return _INSERT + ", ".join([_INSERT_ROW] * len(rows)), params


def _recorded(rows: list[dict[str, Any]], timezone: tzinfo) -> list[RecordedEvent]:
    # The events exactly as a read of the rows would return them: psycopg gives timestamptz values in
    # the connection's time zone, so effective_at is expressed in it too (the same instant). Every field
    # has been validated already (the NewEvent, the payload, or the database's own values).
    return [
        RecordedEvent.model_construct(
            **{name: row[name] for name in _RECORDED_FIELDS}, effective_at=row["effective_at"].astimezone(timezone)
        )
        for row in rows
    ]


_RECORDED_FIELDS = tuple(name for name in RecordedEvent.model_fields if name != "effective_at")


async def _stored(conn: AsyncConnection[Any], event_ids: list[UUID]) -> dict[UUID, RecordedEvent]:
    """Events already stored under these ids (an activity retrying an append that committed)."""
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE event_id = ANY(%s)", (event_ids,))
    return {row["event_id"]: RecordedEvent.model_validate(row) for row in await cur.fetchall()}
