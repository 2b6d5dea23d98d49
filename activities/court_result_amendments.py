"""What the courts' feeds need of PostgreSQL beyond intake: the outcome the inbox keeps under an id (to
tell an unchanged resend from a changed one), whether a remand still runs (a sentence ends it), and the
held amendments of changed resends, until a manager confirms or rejects each."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

from activities import court_messages
from activities.court_messages import SEALED_COLUMNS, MessageSeal
from activities.event_store import EventStore
from activities.order_states import fold
from domain.court_outcome.privacy import clear_difference, clear_part
from domain.remand import CLOSED_STATES, RemandState

Status = Literal["held", "confirmed", "rejected"]


class Amendment(BaseModel):
    id: int
    outcome_id: str
    received_at: datetime
    received_by: str
    defendant: dict[str, Any]
    result_codes: list[str]
    previous_body: dict[str, Any]
    new_body: dict[str, Any]
    difference: list[dict[str, Any]]
    status: Status
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    applied_outcome_id: str | None = None
    erased_at: datetime | None = None  # erased with the child's record: the outcomes' names-free parts only


_COLUMNS = (
    "id, outcome_id, received_at, received_by, defendant, result_codes, previous_body, new_body, difference, "
    "status, decided_by, decided_at, reason, applied_outcome_id, " + ", ".join(SEALED_COLUMNS)
)


def _opened(row: dict[str, Any], seal: MessageSeal | None) -> Amendment:
    """An amendment as its readers get it: both outcomes and the difference whole where the row can be
    opened here, else (erased with the child's record, or no master key) their names-free parts."""
    whole = court_messages.whole_body(row, seal) if court_messages.is_sealed(row) and seal is not None else None
    if isinstance(whole, dict):
        row = {**row, **whole}
    return Amendment.model_validate(row)


async def kept_body(
    pool: AsyncConnectionPool[Any], outcome_id: str, *, seal: MessageSeal | None = None
) -> dict[str, Any] | None:
    """The body the inbox keeps under this outcome id, unless its order refused it (a corrected resend
    may take a refused row's place): whole, opened with `seal`, where it can be; else its clear part."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT body, {', '.join(SEALED_COLUMNS)} FROM inbox WHERE outcome_id = %s AND relay_status <> 'refused'",
            (outcome_id,),
        )
        row = await cur.fetchone()
    if row is None:
        return None
    body = court_messages.kept_body(row, seal)
    return body if isinstance(body, dict) else None


async def remand_open(pool: AsyncConnectionPool[Any], remand_ref: str) -> bool:
    """Whether the remand's stream is open: started, and not ended."""
    order = fold(remand_ref, await EventStore(pool).read_stream(remand_ref))
    return order is not None and isinstance(order.state, RemandState) and order.state.status not in CLOSED_STATES


async def hold(
    pool: AsyncConnectionPool[Any],
    *,
    outcome_id: str,
    received_by: str,
    defendant: dict[str, Any],
    result_codes: list[str],
    previous_body: dict[str, Any],
    new_body: dict[str, Any],
    difference: list[dict[str, Any]],
    message_text: str,
    seal: MessageSeal | None = None,
) -> Amendment:
    """Keep the changed resend for a manager, sealed with `seal` (`activities.court_messages`); the same
    changed resend again is the amendment already held."""
    message_text = message_text.replace("\x00", "\ufffd")
    sealed = digest = None
    if seal is not None:
        whole = {"previous_body": previous_body, "new_body": new_body, "difference": difference}
        sealed, digest = seal.seal(whole, message_text), seal.digest(new_body)
        previous_body, new_body = clear_part(previous_body) or {}, clear_part(new_body) or {}
        difference = clear_difference(difference)
    async with pool.connection() as conn, conn.transaction():
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(
            "INSERT INTO court_result_amendments (outcome_id, received_by, defendant, result_codes, previous_body, "
            "new_body, difference, message_text, sealed, sealed_key, sealed_key_id, new_digest) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (outcome_id, (coalesce(new_digest, md5(new_body::text)))) "
            f"DO UPDATE SET outcome_id = EXCLUDED.outcome_id RETURNING {_COLUMNS}",
            (
                outcome_id,
                received_by,
                Jsonb(defendant),
                Jsonb(result_codes),
                Jsonb(previous_body),
                Jsonb(new_body),
                Jsonb(difference),
                None if sealed is not None else message_text,
                *court_messages.sealed_columns(sealed),
                digest,
            ),
        )
        row = await cur.fetchone()
    assert row is not None
    return _opened(row, seal)


async def amendments(
    pool: AsyncConnectionPool[Any],
    *,
    status: Status | None = "held",
    limit: int = 100,
    services: list[str] | None = None,
    seal: MessageSeal | None = None,
) -> list[Amendment]:
    """Amendments oldest first, opened with `seal`; with `services`, only those whose new outcome names one
    of them."""
    async with pool.connection() as conn:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(
            f"SELECT {_COLUMNS} FROM court_result_amendments WHERE (%(status)s::text IS NULL OR status = %(status)s) "
            "AND (%(services)s::text[] IS NULL OR new_body->>'yjs' = ANY(%(services)s::text[])) "
            "ORDER BY received_at, id LIMIT %(limit)s",
            {"status": status, "limit": limit, "services": services},
        )
        return [_opened(r, seal) for r in await cur.fetchall()]


async def amendment(
    pool: AsyncConnectionPool[Any], amendment_id: int, *, seal: MessageSeal | None = None
) -> Amendment | None:
    async with pool.connection() as conn:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(f"SELECT {_COLUMNS} FROM court_result_amendments WHERE id = %s", (amendment_id,))
        row = await cur.fetchone()
    return _opened(row, seal) if row is not None else None


async def decide(
    pool: AsyncConnectionPool[Any],
    amendment_id: int,
    *,
    status: Literal["confirmed", "rejected"],
    by: str,
    reason: str | None,
    applied_outcome_id: str | None = None,
    seal: MessageSeal | None = None,
) -> Amendment | None:
    """Record the manager's decision on a held amendment; None if it is no longer held (decided meanwhile)."""
    async with pool.connection() as conn, conn.transaction():
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(
            "UPDATE court_result_amendments SET status = %s, decided_by = %s, decided_at = now(), reason = %s, "
            f"applied_outcome_id = %s WHERE id = %s AND status = 'held' RETURNING {_COLUMNS}",
            (status, by, reason, applied_outcome_id, amendment_id),
        )
        row = await cur.fetchone()
    return _opened(row, seal) if row is not None else None
