"""The relay's side of the inbox: take a batch of pending outcomes, and mark each one started, failed
(kept pending, with why) or refused by its order (copied whole to the rejected list with the reason); and
the listener intake's NOTIFY wakes it with.

All on the one connection whose transaction holds the batch's rows (FOR UPDATE SKIP LOCKED, so several
relays can run), so a row's mark commits with the batch or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from activities.court_messages import SEALED_COLUMNS, MessageSeal, is_sealed, whole_body
from activities.intake import INBOX_CHANNEL
from domain.court_outcome import FieldError


@dataclass(frozen=True)
class PendingOutcome:
    outcome_id: str
    body: Any  # the clear part where the row is sealed (`activities.court_messages`)
    received_by: str
    sealed: Mapping[str, Any] = field(default_factory=dict)  # the row's sealing columns

    def whole(self, seal: MessageSeal | None) -> Any:
        """The outcome as received; raises MessageSealed where it is sealed and no master key is here."""
        return whole_body({**self.sealed, "body": self.body}, seal)


async def take_pending(conn: AsyncConnection[Any], batch: int) -> list[PendingOutcome]:
    """Up to `batch` pending outcomes, locked for this relay until its transaction ends."""
    cur = conn.cursor(row_factory=dict_row)
    # Least-tried first, then oldest: rows that keep failing must not fill every batch and starve
    # the outcomes accepted after them.
    await cur.execute(
        f"SELECT outcome_id, body, received_by, {', '.join(SEALED_COLUMNS)} FROM inbox WHERE relay_status = 'pending' "
        "ORDER BY relay_attempts, received_at LIMIT %s FOR UPDATE SKIP LOCKED",
        (batch,),
    )
    return [
        PendingOutcome(r["outcome_id"], r["body"], r["received_by"], {c: r[c] for c in SEALED_COLUMNS})
        for r in await cur.fetchall()
    ]


async def mark_started(conn: AsyncConnection[Any], outcome_id: str) -> None:
    await conn.execute(
        "UPDATE inbox SET relay_status = 'started', relayed_at = now(), "
        "relay_attempts = relay_attempts + 1, last_error = NULL WHERE outcome_id = %s",
        (outcome_id,),
    )


async def mark_failed(conn: AsyncConnection[Any], outcome_id: str, error: str) -> None:
    """Keep it pending for the next round, and say why it did not go (Temporal down or refusing)."""
    await conn.execute(
        "UPDATE inbox SET relay_attempts = relay_attempts + 1, last_error = %s WHERE outcome_id = %s",
        (error[:2000], outcome_id),
    )


async def move_to_rejected(conn: AsyncConnection[Any], pending: PendingOutcome, errors: list[FieldError]) -> None:
    """Keep an outcome the order refused at delivery: the inbox row says `refused` and why, and the
    outcome goes whole to the rejected list with the reason, both in the relay's transaction: sealed as
    the inbox keeps it (the same clear part and sealed message, the sealed text being its JSON)."""
    reason = "; ".join(e.message for e in errors)
    await conn.execute(
        "UPDATE inbox SET relay_status = 'refused', relay_attempts = relay_attempts + 1, last_error = %s "
        "WHERE outcome_id = %s",
        (reason[:2000], pending.outcome_id),
    )
    body = pending.body
    sealed = is_sealed(pending.sealed)
    await conn.execute(
        "INSERT INTO rejected_outcomes (outcome_id, received_by, body, body_text, errors, sealed, sealed_key, "
        "sealed_key_id, erased_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            pending.outcome_id,
            pending.received_by,
            Jsonb(body),
            None if sealed else json.dumps(body),
            Jsonb([e.model_dump() for e in errors]),
            *(pending.sealed.get(c) for c in SEALED_COLUMNS),
        ),
    )


class InboxListener:
    """A connection of the relay's own, LISTENing for intake's NOTIFY of a new outcome (the fast path;
    the relay also looks every interval, so a lost notification only delays)."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._conn: AsyncConnection[Any] | None = None

    async def listen(self) -> None:
        """Listen, reconnecting if the connection was lost: before the relay drains the inbox, so an
        outcome arriving while it drains wakes the next `wait`."""
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
            await self._conn.execute(f"LISTEN {INBOX_CHANNEL}")

    async def wait(self, timeout: float) -> None:
        """Until a notification arrives or `timeout` seconds pass."""
        await self.listen()
        assert self._conn is not None
        async for _ in self._conn.notifies(timeout=timeout, stop_after=1):
            pass

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
