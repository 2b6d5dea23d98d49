"""Retention carried out: what each personal record's facts are, what the next days will erase, the daily
sweep that erases it by destroying keys, and legal holds (`domain.retention` decides; migration 016).

Children's records come from `child_keys` with their cases; victims' details from `victim_keys` with
their victim contact's case (the victim ref is the last part of the contact's stream id). Each erasure
and each hold is an event on the record's own stream (`activities.record_streams`), and the hash chains
verify afterwards like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import structlog
from psycopg import errors
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

from activities.child_records import ChildRecordStore
from activities.record_streams import append_record_event, child_record_stream, victim_details_stream
from activities.users import User
from activities.victim_details import VictimDetailsStore
from domain import events as ev
from domain import retention as rt
from domain.access import Role

log = structlog.get_logger(__name__)

# Who the sweep acts as: erasure of victims' details is an admin's permission, and the log names it.
SWEEP_ACTOR = "retention-schedule"
_SWEEPER = User(username=SWEEP_ACTOR, role=Role.ADMIN)


class HoldError(ValueError):
    """A hold that cannot be placed or lifted as asked; the message says why."""


class Hold(BaseModel):
    id: int
    record_kind: str
    yjs: str
    subject: str
    child_id: str
    reason: str
    placed_by: str
    placed_at: Any
    lifted_by: str | None = None
    lifted_at: Any = None
    lift_reason: str | None = None


@dataclass(frozen=True)
class SweepResult:
    erased: list[rt.ErasureDue]
    failed: list[tuple[rt.ErasureDue, str]]


_CHILDREN = """
SELECT k.yjs, k.child_id,
       bool_or(c.closed_at IS NULL AND c.stream_id IS NOT NULL) AS open,
       max(c.closed_at) AS last_closed,
       EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at IS NULL AND h.record_kind = 'child_record'
               AND h.yjs = k.yjs AND h.subject = k.child_id) AS held
FROM child_keys k
LEFT JOIN cases c ON c.yjs = k.yjs AND c.child_id = k.child_id AND c.kind <> 'victim_contact'
WHERE k.wrapped_key IS NOT NULL
GROUP BY k.yjs, k.child_id
"""

_VICTIMS = """
SELECT c.yjs, c.child_id, v.victim_ref,
       bool_or(c.closed_at IS NULL) AS open, max(c.closed_at) AS last_closed,
       EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at IS NULL AND h.record_kind = 'victim_details'
               AND h.subject = v.victim_ref) AS held
FROM victim_keys v
JOIN cases c ON c.kind = 'victim_contact' AND c.stream_id LIKE 'victim-contact:%%:' || v.victim_ref
WHERE v.wrapped_key IS NOT NULL
GROUP BY c.yjs, c.child_id, v.victim_ref
"""


async def gather(pool: AsyncConnectionPool[Any], children: ChildRecordStore) -> list[rt.RecordFacts]:
    """The facts of every live personal record (children's dates of birth read, and logged, as the sweep)."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_CHILDREN)
        child_rows = await cur.fetchall()
        await cur.execute(_VICTIMS)
        victim_rows = await cur.fetchall()
    records = await children.read_many(keys=[(r["yjs"], r["child_id"]) for r in child_rows], actor=SWEEP_ACTOR)
    facts = [
        rt.RecordFacts(
            kind="child_record",
            yjs=r["yjs"],
            subject=r["child_id"],
            child_id=r["child_id"],
            open=bool(r["open"]),
            last_closed=r["last_closed"].date() if r["last_closed"] else None,
            date_of_birth=rec.date_of_birth if (rec := records.get((r["yjs"], r["child_id"]))) else None,
            held=r["held"],
        )
        for r in child_rows
    ]
    facts += [
        rt.RecordFacts(
            kind="victim_details",
            yjs=r["yjs"],
            subject=r["victim_ref"],
            child_id=r["child_id"],
            open=bool(r["open"]),
            last_closed=r["last_closed"].date() if r["last_closed"] else None,
            held=r["held"],
        )
        for r in victim_rows
    ]
    return facts


async def preview(
    pool: AsyncConnectionPool[Any],
    children: ChildRecordStore,
    policy: rt.RetentionPolicy,
    *,
    today: date,
    days: int = 30,
    services: frozenset[str] | None = None,
) -> list[rt.ErasureDue]:
    """What the sweeps of the next `days` days will erase, soonest first (held records are not listed)."""
    facts = await gather(pool, children)
    if services is not None:
        facts = [f for f in facts if f.yjs in services]
    return rt.due_within(policy, facts, today=today, days=days)


async def sweep(
    pool: AsyncConnectionPool[Any],
    children: ChildRecordStore,
    victims: VictimDetailsStore,
    policy: rt.RetentionPolicy,
    *,
    today: date,
) -> SweepResult:
    """Erase every record due today: destroy its key and record the erasure on its stream. One record
    that fails is reported and the rest go on; the next day's sweep tries it again."""
    erased: list[rt.ErasureDue] = []
    failed: list[tuple[rt.ErasureDue, str]] = []
    for due in rt.due_within(policy, await gather(pool, children), today=today):
        f = due.facts
        try:
            if f.kind == "child_record":
                await children.erase(yjs=f.yjs, child_id=f.subject, actor=SWEEP_ACTOR, policy=due.rule)
            else:
                await victims.erase(f.subject, user=_SWEEPER, reason=f"retention: {due.rule}")
                await append_record_event(
                    pool,
                    ev.VictimDetailsErased(victim_ref=f.subject, policy=due.rule),
                    stream_id=victim_details_stream(f.yjs, f.subject),
                    child_id=f.child_id,
                    yjs=f.yjs,
                    actor=SWEEP_ACTOR,
                )
            erased.append(due)
        except Exception as e:
            failed.append((due, f"{type(e).__name__}: {e}"))
            log.warning("retention.erase_failed", kind=f.kind, yjs=f.yjs, subject=f.subject, error=type(e).__name__)
    log.info("retention.sweep", erased=len(erased), failed=len(failed), day=today.isoformat())
    return SweepResult(erased=erased, failed=failed)


# --- legal holds -------------------------------------------------------------------------------------


def _stream(kind: rt.RecordKind, yjs: str, subject: str) -> str:
    return child_record_stream(yjs, subject) if kind == "child_record" else victim_details_stream(yjs, subject)


async def _child_of(pool: AsyncConnectionPool[Any], kind: rt.RecordKind, yjs: str, subject: str) -> str:
    """The child a record belongs to (a victim's, through their contact); HoldError if no such record."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        if kind == "child_record":
            await cur.execute("SELECT child_id FROM child_keys WHERE yjs = %s AND child_id = %s", (yjs, subject))
        else:
            await cur.execute(
                "SELECT c.child_id FROM victim_keys v JOIN cases c ON c.kind = 'victim_contact' "
                "AND c.stream_id LIKE 'victim-contact:%%:' || v.victim_ref WHERE v.victim_ref = %s AND c.yjs = %s "
                "LIMIT 1",
                (subject, yjs),
            )
        row = await cur.fetchone()
    if row is None:
        raise HoldError(f"no {kind.replace('_', ' ')} {subject} in {yjs}")
    return str(row["child_id"])


async def place_hold(
    pool: AsyncConnectionPool[Any], *, kind: rt.RecordKind, yjs: str, subject: str, reason: str, by: str
) -> Hold:
    reason = reason.strip()
    if not reason:
        raise HoldError("reason: say why the record must be kept (a court order, a complaint, an inquiry)")
    child_id = await _child_of(pool, kind, yjs, subject)
    try:
        async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(
                "INSERT INTO legal_holds (record_kind, yjs, subject, child_id, reason, placed_by) "
                "VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
                (kind, yjs, subject, child_id, reason, by),
            )
            row = await cur.fetchone()
    except errors.UniqueViolation:
        raise HoldError(f"{subject} is already under a legal hold: lift it first to change it") from None
    assert row is not None
    await append_record_event(
        pool,
        ev.LegalHoldPlaced(record_kind=kind, subject=subject),
        stream_id=_stream(kind, yjs, subject),
        child_id=child_id,
        yjs=yjs,
        actor=by,
        reason=reason,
    )
    return Hold.model_validate(row)


async def lift_hold(
    pool: AsyncConnectionPool[Any], *, kind: rt.RecordKind, yjs: str, subject: str, reason: str, by: str
) -> Hold:
    reason = reason.strip()
    if not reason:
        raise HoldError("reason: say why the hold may end")
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "UPDATE legal_holds SET lifted_at = now(), lifted_by = %s, lift_reason = %s "
            "WHERE record_kind = %s AND yjs = %s AND subject = %s AND lifted_at IS NULL RETURNING *",
            (by, reason, kind, yjs, subject),
        )
        row = await cur.fetchone()
    if row is None:
        raise HoldError(f"{subject} is not under a legal hold")
    await append_record_event(
        pool,
        ev.LegalHoldLifted(record_kind=kind, subject=subject),
        stream_id=_stream(kind, yjs, subject),
        child_id=row["child_id"],
        yjs=yjs,
        actor=by,
        reason=reason,
    )
    return Hold.model_validate(row)


async def holds(pool: AsyncConnectionPool[Any], *, services: frozenset[str] | None = None) -> list[Hold]:
    """Holds in force, newest first."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT * FROM legal_holds WHERE lifted_at IS NULL AND (%s::text[] IS NULL OR yjs = ANY(%s::text[])) "
            "ORDER BY placed_at DESC",
            (None if services is None else sorted(services),) * 2,
        )
        return [Hold.model_validate(r) for r in await cur.fetchall()]
