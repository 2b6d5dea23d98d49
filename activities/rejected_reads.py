"""Court outcomes refused for a child, as the people working the child's cases see them: when each came,
its id and the reasons; never its body, which carries the child's personal details. One corrected and
accepted since (its id now delivered from the inbox) is no longer shown as refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg.rows import dict_row

from activities.court_messages import SEALED_COLUMNS, MessageSeal, log_message_reads, open_rejected
from activities.db import Pool

# A one-service reader sees a refused outcome only when it names one of their services and was not refused
# for naming a service its sender does not hold (that names another service's child): the rule of
# `list_rejected`. An inbox row's service is its body's.
_REFUSED_HELD = """
  AND (%(services)s::text[] IS NULL OR (jsonb_typeof(r.body) = 'object'
       AND r.body->>'yjs' = ANY(%(services)s::text[]) AND NOT r.errors @> '[{"rule": "yjs.held"}]'::jsonb))
"""

_FOR_CHILD = """
SELECT r.id, r.outcome_id, r.received_at, r.errors
FROM rejected_outcomes r
WHERE r.body -> 'child' ->> 'id' = %(child)s{held}
  AND NOT EXISTS (
      SELECT 1 FROM inbox i WHERE i.outcome_id = r.outcome_id AND i.relay_status <> 'refused'
  )
ORDER BY r.id DESC
LIMIT %(limit)s
""".replace("{held}", _REFUSED_HELD)


async def rejected_for_child(
    pool: Pool, child_id: str, *, limit: int = 20, services: list[str] | None = None
) -> list[dict[str, Any]]:
    """The child's refused outcomes, newest first: id, outcome_id, received_at and errors; in `services`
    only (None: every service)."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_FOR_CHILD, {"child": child_id, "limit": limit, "services": services})
        return list(await cur.fetchall())


_ARRIVED = """
SELECT outcome_id, received_at, received_by, workflow_ids, relay_status, last_error
FROM inbox WHERE received_at >= %(since)s
  AND (%(services)s::text[] IS NULL OR body->>'yjs' = ANY(%(services)s::text[]))
ORDER BY received_at DESC LIMIT %(limit)s
"""
_REFUSED = """
SELECT r.id, r.outcome_id, r.received_at, r.received_by, r.errors,
       EXISTS (SELECT 1 FROM inbox i WHERE i.outcome_id = r.outcome_id AND i.relay_status <> 'refused')
           AS corrected
FROM rejected_outcomes r WHERE r.received_at >= %(since)s {held}
ORDER BY r.id DESC LIMIT %(limit)s
""".replace("{held}", _REFUSED_HELD)
_ONE_REFUSED = (
    "SELECT r.id, r.outcome_id, r.received_at, r.received_by, r.body, r.body_text, r.errors, r.sealed, "
    "r.sealed_key, r.sealed_key_id, r.erased_at FROM rejected_outcomes r "
    "WHERE r.id = %(id)s {held}"
).replace("{held}", _REFUSED_HELD)


async def arrived_since(
    pool: Pool, since: datetime, *, limit: int = 500, services: list[str] | None = None
) -> list[dict[str, Any]]:
    """Outcomes accepted into the inbox since an instant, newest first, with what the relay made of them;
    in `services` only (None: every service)."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_ARRIVED, {"since": since, "limit": limit, "services": services})
        return list(await cur.fetchall())


async def refused_since(
    pool: Pool, since: datetime, *, limit: int = 500, services: list[str] | None = None
) -> list[dict[str, Any]]:
    """Outcomes refused since an instant, newest first, each with its reasons and whether a corrected
    resubmission under its id has since been accepted."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_REFUSED, {"since": since, "limit": limit, "services": services})
        return list(await cur.fetchall())


async def refused_outcome(
    pool: Pool,
    rejection_id: int,
    *,
    services: list[str] | None = None,
    seal: MessageSeal | None = None,
    reader: str | None = None,
) -> dict[str, Any] | None:
    """One refused outcome as it was sent (its text, for correction, opened with `seal` and logged as
    `reader`'s read) with its reasons; None if unknown or not in `services` (None: every service). Once
    erased with its child's record, `body_text` is None and `erased` true."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_ONE_REFUSED, {"id": rejection_id, "services": services})
        row = await cur.fetchone()
    if row is None:
        return None
    kept, opened = open_rejected(row, seal)
    if reader is not None and opened:
        await log_message_reads(pool, reader, [kept])
    return kept


async def list_rejected(
    pool: Pool,
    *,
    limit: int = 100,
    outcome_id: str | None = None,
    services: Sequence[str] | None = None,
    seal: MessageSeal | None = None,
    reader: str | None = None,
) -> list[dict[str, Any]]:
    """Refused outcomes, newest first, each as it was sent (`body_text`, and `body` when it was JSON),
    opened with `seal`, each opening logged as `reader`'s read of the child's record; one erased with its
    child's record has only its clear part (`erased`: true). With `services`, only those naming one of them
    as `yjs`, and never one refused for naming a service its sender does not hold (rule `yjs.held`): that
    names another service's child, so only those holding every service see it."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT id, outcome_id, received_at, received_by, body, body_text, errors, "
            + ", ".join(SEALED_COLUMNS)
            + " FROM rejected_outcomes WHERE (%(oid)s::text IS NULL OR outcome_id = %(oid)s)"
            " AND (%(services)s::text[] IS NULL OR (jsonb_typeof(body) = 'object'"
            " AND body->>'yjs' = ANY(%(services)s::text[]) AND NOT errors @> %(held)s::jsonb))"
            " ORDER BY id DESC LIMIT %(limit)s",
            {
                "oid": outcome_id,
                "limit": limit,
                "services": None if services is None else list(services),
                "held": '[{"rule": "yjs.held"}]',
            },
        )
        rows = await cur.fetchall()
    kept = [open_rejected(row, seal) for row in rows]
    if reader is not None:
        await log_message_reads(pool, reader, [row for row, opened in kept if opened])
    return [row for row, _ in kept]
