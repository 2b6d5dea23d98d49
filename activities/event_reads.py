"""Reading the event store: one stream, one child's events, and the whole store in order for a reader
that follows it (`EventReader.read_all`).

Following the whole store. Appends take no global lock, so rows do not become visible in
`global_position` order: a position is taken when a row is written and the row is seen when its
transaction commits, and a transaction that took position 1 may commit after one that took 2. A reader
whose cursor is a position alone would read 2, move past 1, and never see it. Each row therefore records
the transaction that wrote it (`transaction_id`, `pg_current_xact_id()`, migration 006), and a reader reads
in (transaction_id, global_position) order and only the rows of transactions older than every transaction
still running (`pg_snapshot_xmin(pg_current_snapshot())`), in the same statement as the read, so with the
same snapshot. Every such transaction has ended, so no row can appear behind the cursor later. A
transaction held open anywhere in the cluster holds readers back (they wait for it; they never skip past
it). Rows stored before migration 006 carry transaction id 0 and come first, in position order, as they
committed under the table lock that was taken then; a cursor kept from then as a position `p` is
`Position(0, p)`.

Transaction ids belong to the cluster. A physical copy (a base backup, a promoted replica) keeps them; a
logical one (pg_dump and restore into a new cluster) does not: restored rows keep the ids they were written
with and new rows get the new cluster's, which may be smaller, so a reader would place them before rows it
has already passed. Before appending to a logically restored store, move its transaction ids past the
restored ones (`pg_resetwal --epoch`, the server stopped) and reset every kept cursor to `START`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from psycopg import AsyncConnection
from psycopg.rows import dict_row, tuple_row
from psycopg_pool import AsyncConnectionPool

from domain.chain import GENESIS_HASH
from domain.events import RecordedEvent

EVENT_COLUMNS = (
    "global_position, event_id, stream_id, stream_version, event_type, child_id, yjs, effective_at, "
    "recorded_at, actor, reason, payload, prev_hash, hash"
)


class Position(NamedTuple):
    """How far a reader following the whole store has read: the writing transaction and global position
    of the last event it has seen. Positions compare in the order the store is read."""

    transaction_id: int
    global_position: int


START = Position(0, 0)


@dataclass(frozen=True)
class Page:
    """Events in the store's order, and the position to read on from (where we were, if none)."""

    events: list[RecordedEvent]
    next: Position


# One statement, so the watermark and the rows come from one snapshot (two statements would each take their
# own, and a transaction committing between them would be skipped). xid8 travels as text: psycopg has no
# adapter for it, and ids stay far below 2**63.
_READ_ALL = f"""
SELECT {EVENT_COLUMNS}, transaction_id::text::bigint AS transaction_id
FROM events
WHERE (transaction_id, global_position) > (%s::text::xid8, %s)
  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY transaction_id, global_position
LIMIT %s
"""

_HEADS = """
SELECT s.stream_id, h.stream_version, h.hash
FROM unnest(%s::text[]) AS s(stream_id)
LEFT JOIN LATERAL (
    SELECT stream_version, hash FROM events e
    WHERE e.stream_id = s.stream_id ORDER BY stream_version DESC LIMIT 1
) h ON true
"""


class EventReader:
    """Reads events through a pool; every method takes its own connection."""

    def __init__(self, pool: AsyncConnectionPool[Any]) -> None:
        self._pool = pool

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

    async def read_all(self, after: Position = START, limit: int = 1000) -> Page:
        """Up to `limit` events after `after`, in the store's order. Safe to tail: pass the page's `next`
        to the next call; no event is ever skipped or given twice (see the module's docstring)."""
        async with self._pool.connection() as conn:
            events, position = await read_after(conn, after, limit)
        return Page(events, position)

    async def stream_head(self, stream_id: str) -> tuple[int, str]:
        """The stream's last version and hash; (0, GENESIS_HASH) for a stream with no events."""
        async with self._pool.connection() as conn:
            heads = await heads_of(conn, [stream_id])
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


async def read_after(conn: AsyncConnection[Any], after: Position, limit: int) -> tuple[list[RecordedEvent], Position]:
    """`EventReader.read_all` on a connection the caller holds: the events and the position after them."""
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(_READ_ALL, (str(after.transaction_id), after.global_position, limit))
    rows = await cur.fetchall()
    if not rows:
        return [], after
    last = rows[-1]
    position = Position(last["transaction_id"], last["global_position"])
    return [RecordedEvent.model_validate(row) for row in rows], position


async def heads_of(conn: AsyncConnection[Any], stream_ids: list[str]) -> dict[str, tuple[int, str]]:
    """Each stream's last version and hash ((0, GENESIS_HASH) for an empty one)."""
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(_HEADS, (stream_ids,))
    return {
        row["stream_id"]: (row["stream_version"], row["hash"]) if row["stream_version"] else (0, GENESIS_HASH)
        for row in await cur.fetchall()
    }
