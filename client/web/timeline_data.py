"""What a child's timeline page shows: the events (filtered), each one's deadline tag, the victim steps
at the detail the viewer's role allows, and the check of every chain the child's events are in."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg.rows import dict_row

from activities import audit, victim_contacts
from activities.db import Pool
from activities.event_store import EventStore
from client.web.render import humanise

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class TimelineFilters:
    """The page's GET form: one order (or victim contact) stream, one event type, an effective-date range."""

    stream: str | None = None
    event_type: str | None = None
    start: date | None = None
    end: date | None = None

    def keeps(self, entry: audit.TimelineEntry) -> bool:
        day = entry.effective_at.astimezone(LONDON).date()
        return (
            (self.stream is None or entry.workflow_id == self.stream)
            and (self.event_type is None or entry.event_type == self.event_type)
            and (self.start is None or day >= self.start)
            and (self.end is None or day <= self.end)
        )


@dataclass(frozen=True)
class DeadlineTag:
    status: str  # open, met, missed, cancelled
    text: str  # e.g. "missed, met 3 days late"
    colour: str  # a govuk-tag modifier


@dataclass(frozen=True)
class ChainCheck:
    stream_id: str
    ok: bool
    summary: str


@dataclass(frozen=True)
class EventRow:
    """One event as the page prints it, formatted once in Python: a 2,000-event page spends its time in
    the template otherwise."""

    event_type: str
    stream: str
    version: int
    title: str
    late: bool
    tag: DeadlineTag | None
    tag_rule: str
    effective_iso: str
    effective_text: str
    recorded_iso: str
    recorded_text: str
    actor: str
    reason: str | None
    details: str
    victim: bool


def _london(value: datetime) -> str:
    return value.astimezone(LONDON).strftime("%-d %B %Y %H:%M")


def _details(payload: dict[str, Any]) -> str:
    return " · ".join(f"{humanise(k)}: {v}" for k, v in payload.items() if k != "victim_ref")


def event_rows(timeline: ChildTimeline, *, victim_step_details: bool) -> list[EventRow]:
    """The shown events as rows; a victim's step is its reference and name only unless the viewer's
    role may see victim step details."""
    rows = []
    for e in timeline.shown:
        ref = timeline.victim_refs.get(e.workflow_id)
        deadline_id = None if ref else e.payload.get("deadline_id")
        rows.append(
            EventRow(
                event_type=e.event_type,
                stream=e.workflow_id,
                version=e.stream_version,
                title=(f"Victim {ref}: " if ref else "") + humanise(e.event_type),
                late=e.late_entry,
                tag=timeline.tags.get(deadline_id) if isinstance(deadline_id, str) else None,
                tag_rule=str(e.payload.get("rule_id", "")),
                effective_iso=e.effective_at.isoformat(),
                effective_text=_london(e.effective_at),
                recorded_iso=e.recorded_at.isoformat(),
                recorded_text=_london(e.recorded_at),
                actor=e.actor,
                reason=e.reason,
                details=_details(e.payload) if not ref or victim_step_details else "",
                victim=ref is not None,
            )
        )
    return rows


@dataclass
class ChildTimeline:
    child_id: str
    entries: list[audit.TimelineEntry]
    shown: list[audit.TimelineEntry]
    deadlines: list[audit.DeadlineItem]
    tags: dict[str, DeadlineTag]  # by deadline id
    streams: list[str]
    event_types: list[str]
    victim_refs: dict[str, str]  # contact stream → victim reference
    chains: list[ChainCheck] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return all(c.ok for c in self.chains)


def deadline_tag(item: audit.DeadlineItem) -> DeadlineTag:
    if item.status == "met":
        return DeadlineTag("met", "met", "govuk-tag--green")
    if item.status == "missed":
        if item.met_on is not None:
            late = f", met {item.days_late} day{'s' if item.days_late != 1 else ''} late" if item.days_late else ""
            return DeadlineTag("missed", f"missed{late}", "govuk-tag--red")
        return DeadlineTag("missed", "missed, still open", "govuk-tag--red")
    if item.status == "cancelled":
        return DeadlineTag("cancelled", "cancelled", "govuk-tag--grey")
    return DeadlineTag("open", f"open, due {item.due_date:%-d %b %Y}", "govuk-tag--blue")


async def _with_victim_details(pool: Pool, entries: list[audit.TimelineEntry]) -> list[audit.TimelineEntry]:
    """The timeline's victim steps with what the victim worker recorded (for roles allowed to see it),
    taken from each contact's own history; the victim's personal details are never in events at all."""
    contacts = sorted({e.workflow_id for e in entries if victim_contacts.is_contact_id(e.workflow_id)})
    detail: dict[tuple[str, int], victim_contacts.ContactEvent] = {}
    histories = await asyncio.gather(*(victim_contacts.contact_history(pool, wid) for wid in contacts))
    for wid, history in zip(contacts, histories, strict=True):
        if history is not None:
            detail |= {(wid, ev.stream_version): ev for ev in history.events}
    out = []
    for e in entries:
        full = detail.get((e.workflow_id, e.stream_version))
        out.append(e if full is None else e.model_copy(update={"payload": full.payload, "reason": full.reason}))
    return out


async def child_timeline(
    pool: Pool, child_id: str, filters: TimelineFilters, *, victim_step_details: bool
) -> ChildTimeline | None:
    """The child's timeline as the page shows it, or None when nothing is recorded for the child."""
    store = EventStore(pool)

    async def check_chains() -> list[ChainCheck]:
        streams = await store.streams_for_child(child_id)
        # One connection per stream at once: a child has a handful of streams and the pool has room.
        reports = await asyncio.gather(*(store.verify(stream) for stream in streams))
        return [ChainCheck(s, r.ok, str(r)) for s, r in zip(streams, reports, strict=True)]

    # The chains are checked while the timeline is read: the badge costs no extra round trips in a row.
    full, chains = await asyncio.gather(audit.timeline(pool, child_id), check_chains())
    if not full.events:
        return None
    entries = await _with_victim_details(pool, full.events) if victim_step_details else full.events
    streams = list(dict.fromkeys(e.workflow_id for e in entries))
    refs = {
        e.workflow_id: str(e.payload.get("victim_ref"))
        for e in full.events
        if victim_contacts.is_contact_id(e.workflow_id) and e.payload.get("victim_ref")
    }
    return ChildTimeline(
        child_id=child_id,
        entries=entries,
        shown=[e for e in entries if filters.keeps(e)],
        deadlines=full.deadlines,
        tags={d.deadline_id: deadline_tag(d) for d in full.deadlines},
        streams=streams,
        event_types=sorted({e.event_type for e in entries}),
        victim_refs=refs,
        chains=chains,
    )


async def find_children(pool: Pool, query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Children whose id contains `query` (case-insensitive), from the cases projection."""
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            """
            SELECT child_id, string_agg(DISTINCT yjs, ', ') AS yjs,
                   string_agg(DISTINCT kind, ', ') AS kinds,
                   count(*) FILTER (WHERE closed_at IS NULL) AS open_cases,
                   max(opened_at) AS last_opened
            FROM cases WHERE child_id ILIKE %s
            GROUP BY child_id ORDER BY child_id LIMIT %s
            """,
            (pattern, limit),
        )
        return list(await cur.fetchall())
