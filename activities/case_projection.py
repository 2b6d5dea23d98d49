"""The `cases` table: one row per order or victim contact (its kind, state, responsible worker, open or
closed), a projection updated inside the event store's append transaction (`changes`).

What a row says, from the stream's events:
  kind         from the stream id's prefix (`domain.court_decisions.order_kind_of`, or `victim-contact:`);
               streams of any other prefix get no row
  state        the domain's own state name, folded through the kind's `evolve` exactly as the workflow
               does (the value the workflow sets as its `YjsCaseState` search attribute)
  closed_at    the effective time of the event that put the state in the kind's closed states
               (the workflow's `_closed`); NULL while open
  responsible  the latest `CaseWorkerAllocated.case_worker` (orders) or `VictimWorkerAllocated.victim_worker`
               (victim contacts); NULL while unallocated
  yjs          the service that opened the stream, changed by each `OrderTransferred` to another YJS
  opened_at    the effective time of the stream's first event

An append carries one or a few events, so the row keeps the folded domain state (`fold`, JSON) and an
append evolves it by the new events only; a row without a fold (a stream not yet opened, one whose
events could not be folded, or a row written in bulk) is folded from its whole stream instead. Like
`deadline_projection`, every row remembers the global position of the last event that changed it
(`last_position`); an event at or below it changes nothing, and an event that leaves the row as it was is
not written at all (the fold is the same state before and after it, so evolving on from it is exact).
Positions are compared within one stream only, where they rise with the version: appends to a stream
hold its guard (`activities.event_append`) from before they take positions until they commit, so no
global order is assumed.

`backfill` builds the rows of the events already stored; migration 004 runs it (`activities.migrate`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import psycopg
import structlog
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from activities import order_states, victim_contacts
from activities.event_reads import EVENT_COLUMNS
from domain import custody as cu
from domain import events as ev
from domain import referral_order as ro
from domain import remand as rm
from domain import victim_contact as vc
from domain import youth_rehabilitation_order as yro
from domain.court_decisions import order_kind_of
from domain.events import RecordedEvent

log = structlog.get_logger(__name__)

VICTIM_CONTACT = "victim_contact"
VICTIM_CONTACT_PREFIX = "victim-contact:"
# The state of a stream whose opening event is not stored yet, and of one whose events cannot be folded
# (a payload its type no longer reads); both are folded again from the stream at the next append.
OPENING = "opening"
UNREADABLE = "unreadable"

# Per kind: the domain's state model, its evolve, its closed states, and the event that opens the stream.
_STATE_TYPES: dict[str, type[BaseModel]] = {
    "referral_order": ro.ReferralOrderState,
    "youth_rehabilitation_order": yro.YroState,
    "remand": rm.RemandState,
    "detention_and_training_order": cu.CustodyState,
    VICTIM_CONTACT: vc.VictimContactState,
}
_EVOLVE: dict[str, Callable[[Any, ev.EventPayload], Any]] = {
    "referral_order": ro.evolve,
    "youth_rehabilitation_order": yro.evolve,
    "remand": rm.evolve,
    "detention_and_training_order": cu.evolve,
    VICTIM_CONTACT: vc.evolve,
}
_CLOSED: dict[str, frozenset[Any]] = {
    "referral_order": ro.CLOSED_STATES,
    "youth_rehabilitation_order": yro.CLOSED_STATES,
    "remand": rm.CLOSED_STATES,
    "detention_and_training_order": cu.CLOSED_STATES,
    VICTIM_CONTACT: frozenset({vc.ContactState.CLOSED}),
}
_OPENING_EVENT: dict[str, str] = {
    "referral_order": ev.ReferralOrderMade.event_type,
    "youth_rehabilitation_order": ev.YouthRehabilitationOrderMade.event_type,
    "remand": ev.RemandStarted.event_type,
    "detention_and_training_order": ev.CustodialSentenceMade.event_type,
    VICTIM_CONTACT: ev.VictimContactOpened.event_type,
}
_ALLOCATED = {
    ev.CaseWorkerAllocated.event_type: "case_worker",
    ev.VictimWorkerAllocated.event_type: "victim_worker",
}
_TRANSFERRED = ev.OrderTransferred.event_type


def case_kind(stream_id: str) -> str | None:
    """The kind of case a stream is (an order kind or `victim_contact`), None for any other stream."""
    if stream_id.startswith(VICTIM_CONTACT_PREFIX):
        return VICTIM_CONTACT
    return order_kind_of(stream_id)


@dataclass(frozen=True)
class CaseRow:
    """A row of `cases` (`fold` is the domain state as JSON, None when it must be folded from the stream)."""

    stream_id: str
    kind: str
    child_id: str
    yjs: str
    state: str
    responsible: str | None
    opened_at: datetime
    closed_at: datetime | None
    last_position: int
    fold: dict[str, Any] | None


# --- folding (pure) -------------------------------------------------------------------------------


def _state_name(state: Any) -> str:
    # Referral orders, YROs and victim contacts name it `state`; remands and custody `status`.
    value = getattr(state, "state", None) or state.status
    return str(value.value)


def _start(kind: str, stream_id: str, events: Sequence[RecordedEvent]) -> tuple[Any, int] | None:
    """The domain state just after the stream's opening event, and that event's index; None if not opened."""
    opening = next((i for i, e in enumerate(events) if e.event_type == _OPENING_EVENT[kind]), None)
    if opening is None:
        return None
    if kind == VICTIM_CONTACT:
        rows = [e.model_dump() for e in events[opening : opening + 1]]
        return victim_contacts.fold(rows), opening
    order = order_states.fold(stream_id, events[: opening + 1])
    return (order.state, opening) if order is not None else None


def _envelope_facts(row: CaseRow, events: Iterable[RecordedEvent]) -> CaseRow:
    """Responsible worker, service and child as the events leave them (no folding needed)."""
    for e in events:
        field = _ALLOCATED.get(e.event_type)
        if field is not None and isinstance(e.payload.get(field), str):
            row = replace(row, responsible=e.payload[field])
        elif e.event_type == _TRANSFERRED and e.payload.get("to") == "yjs" and e.payload.get("to_yjs"):
            row = replace(row, yjs=str(e.payload["to_yjs"]))
        row = replace(row, child_id=e.child_id, last_position=max(row.last_position, e.global_position))
    return row


def _evolve(row: CaseRow, state: Any, events: Iterable[RecordedEvent]) -> CaseRow:
    """Fold `events` into `state` one by one, noting when the case closes (or reopens)."""
    evolve, closed_states = _EVOLVE[row.kind], _CLOSED[row.kind]
    closed_at = row.closed_at
    for e in events:
        state = evolve(state, ev.parse_payload(e.event_type, e.payload))
        now_closed = _state_value(state) in closed_states
        if now_closed and closed_at is None:
            closed_at = e.effective_at
        elif not now_closed:
            closed_at = None
    return replace(row, state=_state_name(state), closed_at=closed_at, fold=state.model_dump(mode="json"))


def _state_value(state: Any) -> Any:
    return getattr(state, "state", None) or state.status


def fold_stream(stream_id: str, events: Sequence[RecordedEvent]) -> CaseRow | None:
    """The row of a stream from all its events (in stream order); None when the stream is no case's."""
    kind = case_kind(stream_id)
    if kind is None or not events:
        return None
    first = events[0]
    row = CaseRow(
        stream_id=stream_id,
        kind=kind,
        child_id=first.child_id,
        yjs=first.yjs,
        state=OPENING,
        responsible=None,
        opened_at=first.effective_at,
        closed_at=None,
        last_position=0,
        fold=None,
    )
    row = _envelope_facts(row, events)
    try:
        started = _start(kind, stream_id, events)
        if started is None:
            return row
        state, opening = started
        return _evolve(row, state, events[opening + 1 :])
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # Never fail the append over the read model: the event is stored, the row says it could not be
        # read, and the next append folds the stream again.
        log.warning("case projection could not fold stream", stream_id=stream_id, error=str(exc))
        return replace(row, state=UNREADABLE, closed_at=None, fold=None)


def advance(row: CaseRow, events: Sequence[RecordedEvent]) -> CaseRow | None:
    """The row after the new events, evolving its stored fold; None when the row has no fold (or it
    cannot be evolved), so the caller must fold the whole stream. Events at or below `last_position`
    are ignored."""
    fresh = [e for e in events if e.global_position > row.last_position]
    if not fresh:
        return row
    if row.fold is None:
        return None
    try:
        state = _STATE_TYPES[row.kind].model_validate(row.fold)
        evolved = _evolve(row, state, fresh)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return _envelope_facts(evolved, fresh)


# --- storage --------------------------------------------------------------------------------------

_UPSERT = """
INSERT INTO cases (stream_id, kind, child_id, yjs, state, responsible, opened_at, closed_at, last_position, fold)
VALUES (%(stream_id)s, %(kind)s, %(child_id)s, %(yjs)s, %(state)s, %(responsible)s, %(opened_at)s,
        %(closed_at)s, %(last_position)s, %(fold)s)
ON CONFLICT (stream_id) DO UPDATE SET
    kind = EXCLUDED.kind, child_id = EXCLUDED.child_id, yjs = EXCLUDED.yjs, state = EXCLUDED.state,
    responsible = EXCLUDED.responsible, opened_at = EXCLUDED.opened_at, closed_at = EXCLUDED.closed_at,
    last_position = EXCLUDED.last_position, fold = EXCLUDED.fold
WHERE cases.last_position < EXCLUDED.last_position
"""

_ROW_COLUMNS = "stream_id, kind, child_id, yjs, state, responsible, opened_at, closed_at, last_position, fold"


def _params(row: CaseRow) -> dict[str, Any]:
    return {
        "stream_id": row.stream_id,
        "kind": row.kind,
        "child_id": row.child_id,
        "yjs": row.yjs,
        "state": row.state,
        "responsible": row.responsible,
        "opened_at": row.opened_at,
        "closed_at": row.closed_at,
        "last_position": row.last_position,
        "fold": Jsonb(row.fold) if row.fold is not None else None,
    }


def _by_stream(recorded: Sequence[RecordedEvent]) -> dict[str, list[RecordedEvent]]:
    streams: dict[str, list[RecordedEvent]] = {}
    for e in recorded:
        if case_kind(e.stream_id) is not None:
            streams.setdefault(e.stream_id, []).append(e)
    for events in streams.values():
        events.sort(key=lambda e: e.stream_version)
    return streams


# A change to the table: a statement and its parameters, for the event store to send with its other writes.
Change = tuple[str, dict[str, Any]]


def rows_query(stream_ids: Iterable[str]) -> tuple[str, tuple[str, ...]] | None:
    """The read of the stored rows of those of the streams that are cases' (None when none is): the event
    store sends it with its other reads and hands the rows to `changes`."""
    cases = tuple(s for s in stream_ids if case_kind(s) is not None)
    if not cases:
        return None
    return f"SELECT {_ROW_COLUMNS} FROM cases WHERE stream_id IN ({', '.join(['%s'] * len(cases))})", cases


async def changes(
    conn: AsyncConnection[Any], recorded: Sequence[RecordedEvent], rows: Iterable[Mapping[str, Any]]
) -> list[Change]:
    """The upserts that bring the rows of the streams in `recorded` up to date, given their stored `rows`
    (read with `rows_query` in the same transaction). A stream whose row has no fold to evolve is folded
    whole: its stored events are read on `conn`, and `recorded` added to them (written yet or not)."""
    streams = _by_stream(recorded)
    stored = {r["stream_id"]: CaseRow(**r) for r in rows}
    out: list[Change] = []
    for stream_id, events in streams.items():
        row = stored.get(stream_id)
        new_row = advance(row, events) if row is not None else None
        if new_row is None:
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = %s ORDER BY stream_version", (stream_id,)
            )
            whole = {r["stream_version"]: RecordedEvent.model_validate(r) for r in await cur.fetchall()}
            whole.update((e.stream_version, e) for e in events)
            new_row = fold_stream(stream_id, [whole[v] for v in sorted(whole)])
        if new_row is None or (row is not None and new_row.last_position <= row.last_position):
            continue
        if row is not None and replace(new_row, last_position=row.last_position) == row:
            # The events left the row as it was (most do: a deadline scheduled, met or escalated): nothing
            # to write. Its fold is still the stream's state, so the next append evolves it from there.
            continue
        out.append((_UPSERT, _params(new_row)))
    return out


async def apply(conn: AsyncConnection[Any], recorded: Sequence[RecordedEvent]) -> None:
    """Bring the rows of the streams in `recorded` up to date, on the caller's transaction."""
    query = rows_query({e.stream_id for e in recorded})
    if query is None:
        return
    cur = conn.cursor(row_factory=dict_row)
    await cur.execute(*query)
    for statement, params in await changes(conn, recorded, await cur.fetchall()):
        await conn.execute(statement, params)


# --- backfill -------------------------------------------------------------------------------------

_BACKFILL_BATCH = 500


def backfill(conn: psycopg.Connection[Any]) -> int:
    """Fold every stored case stream into `cases` (a row already there changes only if it is behind its
    stream); return the rows written.

    Runs on the caller's transaction (migration 004's). Streams are read in (stream, version) order
    through a server-side cursor, so memory holds one stream at a time however large the table."""
    # Appenders write `cases` in their append's transaction, so while we hold this lock every append that
    # projected an event has committed (our reads below see its events) and every other waits to project
    # its own until we commit. Plain reads of `cases`, and appends that write no case row, go on.
    # Every committed event is read, in stream order: no watermark, which an append blocked on this lock
    # would hold back for as long as we wait (it is for readers that follow the store as it grows).
    conn.execute("LOCK TABLE cases IN EXCLUSIVE MODE")
    written = 0
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal written
        if pending:
            with conn.cursor() as out:
                out.executemany(_UPSERT, pending)
            written += len(pending)
            pending.clear()

    def finish(stream_id: str | None, events: list[RecordedEvent]) -> None:
        if stream_id is None:
            return
        row = fold_stream(stream_id, events)
        if row is not None:
            pending.append(_params(row))
        if len(pending) >= _BACKFILL_BATCH:
            flush()

    prefixes = [VICTIM_CONTACT_PREFIX.replace("_", r"\_") + "%"] + [
        kind.replace("_", "-") + ":%" for kind in _STATE_TYPES if kind != VICTIM_CONTACT
    ]
    current: str | None = None
    events: list[RecordedEvent] = []
    with conn.cursor("yjflow_cases_backfill", row_factory=dict_row) as cur:
        cur.itersize = 2000
        cur.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id LIKE ANY(%s) ORDER BY stream_id, stream_version",
            (prefixes,),
        )
        for r in cur:
            if r["stream_id"] != current:
                finish(current, events)
                current, events = r["stream_id"], []
            events.append(RecordedEvent.model_validate(r))
        finish(current, events)
    flush()
    return written
