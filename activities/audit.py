"""Audit reads: a child's timeline in effective order, and the deadlines projection with filters."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from psycopg.rows import dict_row
from pydantic import BaseModel

from activities.db import Pool
from activities.event_chain import VerifyReport, first_break
from activities.event_chain import verify as verify_chain
from activities.event_reads import EVENT_COLUMNS, EventReader
from activities.rule_source import load_calendar
from activities.service_scope import in_services
from domain.calendar import WorkingCalendar
from domain.corrections import SupersededBy, superseded
from domain.events import RecordedEvent

LONDON = ZoneInfo("Europe/London")
DeadlineStatus = Literal["open", "met", "missed", "cancelled"]
# Streams of victims' contacts (`victim-contact:<yjs>:<case>:<child>:<victim_ref>`).
VICTIM_CONTACT_PREFIX = "victim-contact:"


class TimelineEntry(BaseModel):
    global_position: int
    workflow_id: str
    stream_version: int
    event_type: str
    effective_at: datetime
    recorded_at: datetime
    actor: str
    reason: str | None
    late_entry: bool
    payload: dict[str, Any]
    # Set when a later correction (StepCorrected) superseded this event: the event itself never changes.
    superseded_by: SupersededBy | None = None


class DeadlineItem(BaseModel):
    workflow_id: str
    deadline_id: str
    child_id: str
    yjs: str
    rule_id: str
    description: str
    rule_type: str
    confidence: str
    unconfirmed: bool
    clock_start: date
    due_date: date
    period_end: date | None
    status: DeadlineStatus
    met_on: date | None
    days_late: int | None
    escalations: int
    rule_pack_version: str
    calendar_version: str
    # When the step that met it was recorded and the escalations by then (migration 012), so a page can
    # tell a deadline met on time only on paper (`domain.compliance.recording_note`).
    due_at: datetime | None = None
    met_recorded_at: datetime | None = None
    escalations_before_met: int = 0
    missed_before_met: bool = False


class ChildName(BaseModel):
    """Who the child is, for a reader allowed the child's record (every such read is logged)."""

    name: str
    date_of_birth: date
    age: int


class Timeline(BaseModel):
    child_id: str
    events: list[TimelineEntry]
    deadlines: list[DeadlineItem]
    child: ChildName | None = None


async def timeline(pool: Pool, child_id: str, *, services: Sequence[str] | None = None) -> Timeline:
    """Every event for the child, in effective order; late entries (recorded more than one working day
    after they took effect) are flagged, never hidden. Events of victims' contacts carry the victim
    reference and the event type only, for every role. With `services`, only the streams those services
    hold (a child id is a service's own: two services may each have a C-1001)."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        # EventReader.read_child's query, as plain rows: the entries are built from them directly.
        await cur.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE child_id = %(child)s AND {in_services('stream_id')}"
            " ORDER BY effective_at, global_position",
            {"child": child_id, "services": _array(services)},
        )
        rows = await cur.fetchall()
    entries = _entries(rows, await load_calendar(pool))
    held = await deadlines(pool, child_id=child_id, services=services)
    return Timeline(child_id=child_id, events=entries, deadlines=held)


def _array(services: Sequence[str] | None) -> list[str] | None:
    return None if services is None else list(services)


def _entries(rows: Sequence[Mapping[str, Any]], calendar: WorkingCalendar) -> list[TimelineEntry]:
    """Timeline entries of event rows (`events` columns), in the rows' order."""
    victim_refs = {
        r["stream_id"]: r["payload"].get("victim_ref")
        for r in rows
        if r["stream_id"].startswith(VICTIM_CONTACT_PREFIX) and r["event_type"] == "VictimContactOpened"
    }
    corrections = superseded(
        [
            (r["stream_id"], r["stream_version"], r["event_type"], r["payload"], r["actor"])
            for r in rows
            if r["event_type"] == "StepCorrected"
        ]
    )
    entries = []
    for r in rows:
        payload, reason = r["payload"], r["reason"]
        if r["stream_id"].startswith(VICTIM_CONTACT_PREFIX):
            # A victim's contact shows on the child's timeline as the victim reference and the step only:
            # what a victim worker typed (a reason) or recorded about the victim stays in the contact's
            # own history, for the roles that may read it.
            payload, reason = {"victim_ref": victim_refs.get(r["stream_id"])}, None
        effective_day = r["effective_at"].astimezone(LONDON).date()
        recorded_day = r["recorded_at"].astimezone(LONDON).date()
        # model_construct: every field comes from a typed column of a row the database already holds,
        # so validating 2,000 of them again per page read would only cost time.
        entries.append(
            TimelineEntry.model_construct(
                global_position=r["global_position"],
                workflow_id=r["stream_id"],
                stream_version=r["stream_version"],
                event_type=r["event_type"],
                effective_at=r["effective_at"],
                recorded_at=r["recorded_at"],
                actor=r["actor"],
                reason=reason,
                late_entry=recorded_day > calendar.add_working_days(effective_day, 1),
                payload=payload,
                superseded_by=corrections.get((r["stream_id"], r["stream_version"])),
            )
        )
    return entries


@dataclass(frozen=True)
class CheckedTimeline:
    """A child's timeline read together with the check of every chain the child's events are in."""

    timeline: Timeline
    chains: dict[str, VerifyReport]  # by stream, in the order the streams were opened
    # Each victim contact's step as stored (payload, reason), for the roles allowed to see it.
    victim_steps: dict[tuple[str, int], tuple[dict[str, Any], str | None]]


async def checked_timeline(
    pool: Pool, child_id: str, *, services: Sequence[str] | None = None
) -> CheckedTimeline | None:
    """The child's timeline and `event_chain.verify` of each of the child's streams, from one read of
    those streams' rows; None when nothing is recorded for the child.

    One query serves both: every row of every stream holding an event of the child, in (stream, version)
    order as `verify` reads them. The timeline is the rows whose child_id is the child's, as
    `EventReader.read_child` selects them; a row of such a stream whose child_id says otherwise is still
    checked (an edited child_id breaks that row's hash)."""
    # The deadlines and the calendar come on other connections while the rows are read.
    rows, calendar, child_deadlines = await asyncio.gather(
        _streams_of_child(pool, child_id, services),
        load_calendar(pool),
        deadlines(pool, child_id=child_id, services=services),
    )
    mine = [r for r in rows if r["child_id"] == child_id]
    if not mine:
        return None
    chains = {}
    first_seen: dict[str, int] = {}
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or rows[end]["stream_id"] != rows[start]["stream_id"]:
            stream = rows[start:end]
            chains[stream[0]["stream_id"]] = VerifyReport(
                streams_checked=1, events_checked=len(stream), first_break=first_break(stream)
            )
            first_seen[stream[0]["stream_id"]] = min(r["global_position"] for r in stream)
            start = end
    opened = sorted(chains, key=first_seen.__getitem__)
    mine.sort(key=lambda r: (r["effective_at"], r["global_position"]))
    return CheckedTimeline(
        timeline=Timeline(child_id=child_id, events=_entries(mine, calendar), deadlines=child_deadlines),
        chains={s: chains[s] for s in opened},
        victim_steps={
            (r["stream_id"], r["stream_version"]): (r["payload"], r["reason"])
            for r in mine
            if r["stream_id"].startswith(VICTIM_CONTACT_PREFIX)
        },
    )


# EVENT_COLUMNS with event_id as text: the hash wants the text anyway, and 2,000 UUID objects are 2,000
# more objects for the garbage collector to trace (they also make each row's dict one it must track).
_CHECKED_COLUMNS = (
    "global_position, event_id::text AS event_id, stream_id, stream_version, event_type, child_id, yjs, "
    "effective_at, recorded_at, actor, reason, payload, prev_hash, hash"
)


async def _streams_of_child(pool: Pool, child_id: str, services: Sequence[str] | None) -> list[dict[str, Any]]:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT {_CHECKED_COLUMNS} FROM events"
            " WHERE stream_id IN (SELECT stream_id FROM events WHERE child_id = %(child)s)"
            f" AND {in_services('stream_id')} ORDER BY stream_id, stream_version",
            {"child": child_id, "services": _array(services)},
        )
        return await cur.fetchall()


async def deadlines(
    pool: Pool,
    *,
    child_id: str | None = None,
    status: str | None = None,
    rule_id: str | None = None,
    yjs: str | None = None,
    workflow_id: str | None = None,
    due_before: date | None = None,
    limit: int = 1000,
    services: Sequence[str] | None = None,
) -> list[DeadlineItem]:
    """Deadlines from the projection, filtered; with `services`, only those of streams they hold."""
    # Its own row factory: any pool will do, whatever rows it hands out by default.
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"""
            SELECT stream_id AS workflow_id, deadline_id, child_id, yjs, rule_id, description, rule_type,
                   confidence, unconfirmed, clock_start, due_date, period_end, status, met_on, days_late,
                   escalations, rule_pack_version, calendar_version, due_at, met_recorded_at,
                   coalesce(escalations_before_met, 0) AS escalations_before_met,
                   coalesce(missed_before_met, false) AS missed_before_met
            FROM deadlines
            WHERE (%(child)s::text IS NULL OR child_id = %(child)s)
              AND (%(status)s::text IS NULL OR status = %(status)s)
              AND (%(rule)s::text IS NULL OR rule_id = %(rule)s)
              AND (%(yjs)s::text IS NULL OR yjs = %(yjs)s)
              AND (%(wf)s::text IS NULL OR stream_id = %(wf)s)
              AND (%(before)s::date IS NULL OR due_date < %(before)s)
              AND {in_services("stream_id")}
            ORDER BY due_date, stream_id, deadline_id
            LIMIT %(limit)s
            """,
            {
                "child": child_id,
                "status": status,
                "rule": rule_id,
                "yjs": yjs,
                "wf": workflow_id,
                "before": due_before,
                "limit": limit,
                "services": _array(services),
            },
        )
        rows = await cur.fetchall()
    return [DeadlineItem.model_validate(r) for r in rows]


class VictimContactEntry(BaseModel):
    """A victim's contact event as the child's timeline shows it: the victim reference and the step only."""

    workflow_id: str
    stream_version: int
    victim_ref: str | None
    event_type: str
    effective_at: datetime
    recorded_at: datetime


class OrderExport(BaseModel):
    """An order's whole record, for the service receiving it on transfer: every event of the order's
    stream with its envelope, payload and chain link (`prev_hash`, `hash`), so the receiver can recompute
    the chain with `domain.chain.event_hash` from this alone; the events of the victims' contacts linked to
    the order, reduced to reference and type; and this store's own check of the order's chain."""

    order_id: str
    child_id: str
    yjs: str  # the service holding the order now (its latest event's)
    head_version: int
    head_hash: str
    events: list[RecordedEvent]
    victim_contacts: list[VictimContactEntry]
    verify: dict[str, Any]


async def order_export(pool: Pool, order_id: str) -> OrderExport | None:
    """The order's export, or None when its stream holds no events."""
    store = EventReader(pool)
    events = await store.read_stream(order_id)
    if not events:
        return None
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT DISTINCT stream_id FROM events"
            " WHERE event_type = 'VictimContactOpened' AND payload->>'linked_order_id' = %s ORDER BY stream_id",
            (order_id,),
        )
        contact_ids = [str(row["stream_id"]) for row in await cur.fetchall()]
    contacts: list[VictimContactEntry] = []
    for cid in contact_ids:
        stream = await store.read_stream(cid)
        ref = next((e.payload.get("victim_ref") for e in stream if e.event_type == "VictimContactOpened"), None)
        contacts += [
            VictimContactEntry(
                workflow_id=cid,
                stream_version=e.stream_version,
                victim_ref=ref,
                event_type=e.event_type,
                effective_at=e.effective_at,
                recorded_at=e.recorded_at,
            )
            for e in stream
        ]
    report = await verify_chain(pool, order_id)
    last = events[-1]
    return OrderExport(
        order_id=order_id,
        child_id=last.child_id,
        yjs=last.yjs,
        head_version=last.stream_version,
        head_hash=last.hash,
        events=events,
        victim_contacts=contacts,
        verify={"ok": report.ok, "summary": str(report), **report.model_dump(mode="json")},
    )
