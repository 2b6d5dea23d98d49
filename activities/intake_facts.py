"""The facts a court outcome is decided on, at intake (`domain.intake_acceptance`) and when the relay
delivers it (`domain.intake_decision`), read in one statement so they are one moment's view: the stream
of the order the outcome acts on (or of the remand it opens or renews), folded to the order's state, the
court's reasons recorded in it, whether another accepted outcome already starts that remand, whether
the sentence a remand ends in has an order already, and the inbox's row under the outcome's id.

Read from PostgreSQL, never asked of Temporal: the order's workflow decides again when the step is
delivered, and refuses it if the order moved on meanwhile.
"""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from activities.court_messages import SEALED_COLUMNS, MessageSeal, kept_body
from activities.order_states import fold
from domain import events as ev
from domain.court_outcome import CourtOutcome, RemandDisposal
from domain.intake_decision import KeptOutcome, OutcomeFacts, RecordedOrder, sentence_stream, stream_to_read

# One row per event of the stream (one row of NULLs when it has none), each carrying the one-row
# facts about the inbox: a LEFT JOIN from that row keeps the read to one statement and one snapshot. The
# claim is the inbox's other outcomes, not refused and received no later than this one, naming the remand
# first; `kept` is this outcome id's own row (repeated on each event row: only a re-delivery has one).
_FACTS = (
    "SELECT one.claimed, one.sentence_opened, one.kept_body, one.kept_ids, one.kept_status, one.sealed, "
    "one.sealed_key, one.sealed_key_id, one.erased_at, "
    "e.global_position, e.event_id, e.stream_id, e.stream_version, e.event_type, "
    "e.child_id, e.yjs, e.effective_at, e.recorded_at, e.actor, e.reason, e.payload, e.prev_hash, e.hash "
    "FROM (SELECT %(remand)s::text IS NOT NULL AND EXISTS (SELECT 1 FROM inbox WHERE workflow_ids[1] = %(remand)s "
    "AND outcome_id <> %(oid)s AND relay_status IN ('pending', 'started') AND received_at <= coalesce("
    "(SELECT received_at FROM inbox WHERE outcome_id = %(oid)s), clock_timestamp())) AS claimed, "
    "%(sentence)s::text IS NOT NULL AND EXISTS (SELECT 1 FROM events WHERE stream_id = %(sentence)s) "
    "AS sentence_opened, k.body AS kept_body, k.workflow_ids AS kept_ids, k.relay_status AS kept_status, "
    "k.sealed, k.sealed_key, k.sealed_key_id, k.erased_at "
    "FROM (SELECT 1) AS dual LEFT JOIN inbox k ON %(with_kept)s AND k.outcome_id = %(oid)s) AS one "
    "LEFT JOIN events e ON e.stream_id = %(stream)s ORDER BY e.stream_version"
)
_FACT_COLUMNS = ("claimed", "sentence_opened", "kept_body", "kept_ids", "kept_status", *SEALED_COLUMNS)


async def gather_outcome_facts(
    pool: AsyncConnectionPool[Any], outcome: CourtOutcome, *, with_kept: bool = False, seal: MessageSeal | None = None
) -> OutcomeFacts:
    """The facts `domain.intake_decision` and `domain.intake_acceptance` decide `outcome` on; nothing is
    read for an outcome that starts a new order other than a remand. `with_kept`: also the inbox's row
    under this outcome id (intake answers a re-delivery from it), its message opened with `seal`."""
    stream = stream_to_read(outcome)
    if stream is None:
        return OutcomeFacts(outcome=outcome)
    remand = stream if isinstance(outcome.disposal, RemandDisposal) else None
    params = {
        "remand": remand,
        "oid": outcome.outcome_id,
        "stream": stream,
        "sentence": sentence_stream(outcome),
        "with_kept": with_kept,
    }
    async with pool.connection() as conn:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(_FACTS, params)
        rows = await cur.fetchall()
    one = rows[0]  # the LEFT JOINs always give at least the one row
    events = [
        ev.RecordedEvent.model_validate({k: v for k, v in row.items() if k not in _FACT_COLUMNS})
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
        else RecordedOrder(
            order_ref=order.order_ref,
            kind=order.kind,
            child_id=order.child_id,
            yjs=order.yjs,
            state=order.state,
            opened_by=order.opened_by,
        ),
        court_reasons=frozenset(e.reason for e in events if e.actor == ev.COURT_INTAKE and e.reason is not None),
        remand_claimed=bool(one["claimed"]),
        kept=None
        if one["kept_status"] is None
        else KeptOutcome(
            body=kept_body({**one, "body": one["kept_body"]}, seal),
            workflow_ids=tuple(one["kept_ids"]),
            relay_status=one["kept_status"],
        ),
        sentence_opened=bool(one["sentence_opened"]),
    )
