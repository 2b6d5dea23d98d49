"""The facts the relay decides an accepted court outcome on (`domain.intake_decision`), read in one
statement so they are one moment's view: the stream of the order the outcome acts on (or of the remand it
opens or renews), folded to the order's state, the court's reasons recorded in it, and whether another
accepted outcome already starts that remand.

Read from PostgreSQL, never asked of Temporal: the order's workflow decides again when the step is
delivered, and refuses it if the order moved on meanwhile.
"""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from activities.order_states import fold
from domain import events as ev
from domain.court_outcome import CourtOutcome, RemandDisposal
from domain.intake_decision import OutcomeFacts, RecordedOrder, stream_to_read

# One row per event of the stream (one row of NULLs when it has none), each carrying the claim: a
# LEFT JOIN from the one-row claim keeps the read to one statement and one snapshot. The claim is the
# inbox's other outcomes, not refused and received no later than this one, naming the remand first.
_FACTS = (
    "SELECT claim.claimed, e.global_position, e.event_id, e.stream_id, e.stream_version, e.event_type, "
    "e.child_id, e.yjs, e.effective_at, e.recorded_at, e.actor, e.reason, e.payload, e.prev_hash, e.hash "
    "FROM (SELECT %(remand)s::text IS NOT NULL AND EXISTS (SELECT 1 FROM inbox WHERE workflow_ids[1] = %(remand)s "
    "AND outcome_id <> %(oid)s AND relay_status IN ('pending', 'started') AND received_at <= coalesce("
    "(SELECT received_at FROM inbox WHERE outcome_id = %(oid)s), clock_timestamp())) AS claimed) AS claim "
    "LEFT JOIN events e ON e.stream_id = %(stream)s ORDER BY e.stream_version"
)


async def gather_outcome_facts(pool: AsyncConnectionPool[Any], outcome: CourtOutcome) -> OutcomeFacts:
    """The facts `domain.intake_decision.decide_delivery` needs for `outcome`; nothing is read for an
    outcome that starts a new order other than a remand."""
    stream = stream_to_read(outcome)
    if stream is None:
        return OutcomeFacts(outcome=outcome)
    remand = stream if isinstance(outcome.disposal, RemandDisposal) else None
    async with pool.connection() as conn:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(_FACTS, {"remand": remand, "oid": outcome.outcome_id, "stream": stream})
        rows = await cur.fetchall()
    claimed = bool(rows[0]["claimed"]) if rows else False
    events = [
        ev.RecordedEvent.model_validate({k: v for k, v in row.items() if k != "claimed"})
        for row in rows
        if row["stream_id"] is not None
    ]
    order = fold(stream, events)
    return OutcomeFacts(
        outcome=outcome,
        stream_ref=stream,
        stream_opened=bool(events),
        order=None
        if order is None
        else RecordedOrder(order_ref=order.order_ref, kind=order.kind, state=order.state, opened_by=order.opened_by),
        court_reasons=frozenset(e.reason for e in events if e.actor == ev.COURT_INTAKE and e.reason is not None),
        remand_claimed=claimed,
    )
