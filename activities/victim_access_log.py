"""The access log of victims' details: append-only (the database refuses UPDATE, DELETE and TRUNCATE),
one row per read, write and erasure, and per refusal (`denied`, with what was refused as its outcome)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ConfigDict

from activities.users import User

Action = Literal["read", "write", "erase", "denied"]
Attempt = Literal["read", "write", "erase", "review_log"]
Outcome = Literal[
    "ok",
    "not_found",
    "erased",
    "already_erased",
    "key_error",
    "integrity_error",
    # for `denied` rows: what was refused
    "read",
    "write",
    "erase",
    "review_log",
]


class AccessLogEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    username: str
    role: str
    action: Action
    victim_ref: str | None
    purpose: str
    outcome: Outcome


async def log_access(
    conn: AsyncConnection[Any], user: User, action: Action, victim_ref: str | None, purpose: str, outcome: Outcome
) -> None:
    """One row of the log, in the caller's transaction (the same as the change it records)."""
    await conn.execute(
        "INSERT INTO access_log (username, role, action, victim_ref, purpose, outcome) VALUES (%s, %s, %s, %s, %s, %s)",
        (user.username, str(user.role), action, victim_ref, purpose, outcome),
    )


async def read_access_log(
    pool: AsyncConnectionPool[Any],
    *,
    victim_ref: str | None,
    since: datetime | None,
    limit: int,
    services: Sequence[str] | None = None,
) -> list[AccessLogEntry]:
    """The log newest first, optionally one victim's or since a time; the caller checks who may read it.
    With `services`, only accesses to victims with a contact those services hold."""
    clauses: list[str] = ["TRUE"]
    params: list[object] = []
    if services is not None:
        clauses.append(
            "victim_ref IN (SELECT e.payload->>'victim_ref' FROM events e JOIN cases c USING (stream_id)"
            " WHERE e.event_type = 'VictimContactOpened' AND c.yjs = ANY(%s::text[]))"
        )
        params.append(list(services))
    if victim_ref is not None:
        clauses.append("victim_ref = %s")
        params.append(victim_ref)
    if since is not None:
        clauses.append("at >= %s")
        params.append(since)
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT id, at, username, role, action, victim_ref, purpose, outcome FROM access_log"
            f" WHERE {' AND '.join(clauses)} ORDER BY id DESC LIMIT %s",
            (*params, limit),
        )
        rows = await cur.fetchall()
    return [AccessLogEntry.model_validate(row) for row in rows]
