"""What a child's timeline page shows: the events (filtered), each one's deadline tag, the victim steps
at the detail the viewer's role allows, and the check of every chain the child's events are in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from psycopg.rows import dict_row

from activities import audit, victim_contacts
from activities.db import Pool
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
        if (self.stream is not None and entry.workflow_id != self.stream) or (
            self.event_type is not None and entry.event_type != self.event_type
        ):
            return False
        if self.start is None and self.end is None:
            return True
        day = entry.effective_at.astimezone(LONDON).date()
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


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


_MONTHS = ("", *(date(2000, m, 1).strftime("%B") for m in range(1, 13)))


def _london(value: datetime) -> str:
    """'5 March 2026 14:07' in London time: what `%-d %B %Y %H:%M` prints, without strftime's cost."""
    t = value.astimezone(LONDON)
    return f"{t.day} {_MONTHS[t.month]} {t.year} {t.hour:02d}:{t.minute:02d}"


def _details(payload: dict[str, Any]) -> str:
    return " · ".join(f"{humanise(k)}: {v}" for k, v in payload.items() if k != "victim_ref")


_LATE = '\n      <strong class="govuk-tag govuk-tag--orange" data-testid="late-entry">Late entry</strong>'


def timeline_items(timeline: ChildTimeline, *, victim_step_details: bool) -> Markup:
    """The shown events as the timeline's `<li>` items; a victim's step is its reference and name only
    unless the viewer's role may see victim step details.

    Written here rather than in the template: a 2,000-event page spent most of its time in Jinja2,
    escaping a dozen values a row one call at a time. Every value from the store goes through
    `html.escape` (quotes included, so attributes are safe too); the rest is our own text and numbers."""
    items = []
    for e in timeline.shown:
        ref = timeline.victim_refs.get(e.workflow_id)
        title = (f"Victim {ref}: " if ref else "") + humanise(e.event_type)
        deadline_id = None if ref else e.payload.get("deadline_id")
        tag = timeline.tags.get(deadline_id) if isinstance(deadline_id, str) else None
        tag_html = (
            f'\n      <strong class="govuk-tag {tag.colour}" data-testid="deadline-tag">'
            f"{escape(str(e.payload.get('rule_id', '')))} {escape(tag.text)}</strong>"
            if tag
            else ""
        )
        reason = f'\n    <p class="govuk-body app-timeline__details">Reason: {escape(e.reason)}</p>' if e.reason else ""
        details = _details(e.payload) if not ref or victim_step_details else ""
        details_html = (
            f'\n    <p class="govuk-body-s app-timeline__details app-key-value" data-testid="event-details">'
            f"{escape(details)}</p>"
            if details
            else ""
        )
        stream = escape(e.workflow_id)
        items.append(
            f'  <li class="app-timeline__item{" app-timeline__item--victim" if ref else ""}"'
            f' data-event-type="{escape(e.event_type)}" data-stream="{stream}">\n'
            f'    <h3 class="govuk-heading-s app-timeline__title">{escape(title)}{_LATE if e.late_entry else ""}'
            f"{tag_html}\n    </h3>\n"
            f'    <p class="govuk-body-s app-timeline__byline">Took effect'
            f' <time datetime="{e.effective_at.isoformat()}">{_london(e.effective_at)}</time>,'
            f' recorded <time datetime="{e.recorded_at.isoformat()}">'
            f"{_london(e.recorded_at)}</time> by {escape(e.actor)} · {stream} #{e.stream_version}</p>"
            f"{reason}{details_html}\n  </li>\n"
        )
    return Markup("".join(items))


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


def _with_victim_details(
    entries: list[audit.TimelineEntry], steps: dict[tuple[str, int], tuple[dict[str, Any], str | None]]
) -> list[audit.TimelineEntry]:
    """The timeline's victim steps with what the victim worker recorded (for roles allowed to see it), as
    the contact's own history holds it; the victim's personal details are never in events at all."""
    out = []
    for e in entries:
        full = steps.get((e.workflow_id, e.stream_version))
        out.append(e if full is None else e.model_copy(update={"payload": full[0], "reason": full[1]}))
    return out


async def child_timeline(
    pool: Pool, child_id: str, filters: TimelineFilters, *, victim_step_details: bool
) -> ChildTimeline | None:
    """The child's timeline as the page shows it, or None when nothing is recorded for the child.

    The verify badge is no cache: every row of every stream the child's events are in is read and its
    chain recomputed on each load, in the same read that gives the timeline."""
    checked = await audit.checked_timeline(pool, child_id)
    if checked is None:
        return None
    full = checked.timeline
    entries = _with_victim_details(full.events, checked.victim_steps) if victim_step_details else full.events
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
        chains=[ChainCheck(s, r.ok, str(r)) for s, r in checked.chains.items()],
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
