"""Which service holds a record, for the service boundaries (`client.auth.require_service`).

A stream's service is the one holding it now: `cases.yjs`, the service that opened it, changed by a
transfer to another YJS (`activities.case_projection`). Lists filter with `in_services`, which keeps
the rows of streams held by the given services; a services value of None means no limit.
"""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row

from activities.db import Pool


def in_services(column: str, param: str = "services") -> str:
    """An SQL condition: `column` (a stream id) belongs to a stream held by one of `%(param)s`
    (a text array), or `%(param)s` is NULL (no limit)."""
    return (
        f"(%({param})s::text[] IS NULL OR {column} IN"
        f" (SELECT sc.stream_id FROM cases sc WHERE sc.yjs = ANY(%({param})s::text[])))"
    )


async def stream_service(pool: Pool, stream_id: str) -> str | None:
    """The service holding the stream now, or None when no such stream is recorded."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT yjs FROM cases WHERE stream_id = %s", (stream_id,))
        row: dict[str, Any] | None = await cur.fetchone()
    return None if row is None else str(row["yjs"])


async def victim_services(pool: Pool, victim_ref: str) -> set[str]:
    """The services holding a contact of the victim `victim_ref` (none when the victim has no contact)."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT DISTINCT c.yjs FROM events e JOIN cases c ON c.stream_id = e.stream_id"
            " WHERE e.event_type = 'VictimContactOpened' AND e.payload->>'victim_ref' = %s",
            (victim_ref,),
        )
        return {str(r["yjs"]) for r in await cur.fetchall()}
