"""What a child's timeline page shows: the events (filtered), each told in its own sentence with its
deadline's bookkeeping folded under it and the stored record one click away, the victim steps at the
detail the viewer's role allows, and the check of every chain the child's events are in."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from activities import audit, victim_contacts
from activities.db import Pool
from activities.inspection import paper_note, paper_notes
from activities.rule_source import default_rule_pack
from activities.users import User
from activities.victim_notes import VictimNotes
from domain.compliance import DeadlineRecord, recording_note
from domain.events import sentences, wording
from domain.events.folding import Folded, fold_deadlines
from domain.victim_details import NOTE_HELD, note_id_of

LONDON = ZoneInfo("Europe/London")
# A JSON string literal (quotes and escapes; non-ASCII kept as it is), as json.dumps writes one.
_json_text = json.encoder.encode_basestring


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


DEADLINE_RECORD_FIELDS = set(DeadlineRecord.model_fields)


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
    events: int = 0  # how many of the stream's events were checked
    broken: str = ""  # what a reader is told when the chain does not hold


# What each way a chain can break means for the record, in a reader's words.
_BROKEN = {
    "hash mismatch": "has been changed since it was recorded",
    "prev_hash does not link": "does not follow on from the entry before it, so an entry was removed or replaced",
    "version gap": "is missing, so an entry was removed",
}


def chain_check(stream_id: str, report: audit.VerifyReport) -> ChainCheck:
    broken = ""
    if report.first_break is not None:
        b = report.first_break
        said = _BROKEN.get(b.problem, "does not match what was stored")
        broken = f"{stream_id}: entry {b.stream_version} {said} (version {b.stream_version}: {b.problem})"
    return ChainCheck(stream_id, report.ok, str(report), report.events_checked, broken)


_LATE = '\n      <strong class="govuk-tag govuk-tag--orange" data-testid="late-entry">Late entry</strong>'


def timeline_items(
    timeline: ChildTimeline, *, victim_step_details: bool, may_open_case: Callable[[str], bool] = lambda _: False
) -> Markup:
    """The shown events as the timeline's `<li>` items, each deadline's bookkeeping folded under the event
    that set it; a victim's step is its reference and name only unless the viewer's role may see victim
    step details.

    Written here rather than in the template: a 2,000-event page spent most of its time in Jinja2,
    escaping a dozen values a row one call at a time. Every value from the store goes through
    `markupsafe.escape` (quotes included, so attributes are safe too); the rest is our own text and numbers."""
    times = _Times(may_open_case)
    return Markup(
        "".join(
            _item(timeline, f.event, f.under, times, victim_step_details=victim_step_details) for f in timeline.folded
        )
    )


class _Times:
    """Instants in words, each minute worked out once a page: a case's steps share their London midnights
    and a batch of events its recorded minute."""

    def __init__(self, may_open_case: Callable[[str], bool]) -> None:
        self._said: dict[tuple[bool, int], str] = {}
        self.may_open_case = may_open_case  # whether the viewer may open a stream's case page (a link)

    def when(self, instant: datetime) -> str:
        return self._say(instant, took_effect=True)

    def at(self, instant: datetime) -> str:
        return self._say(instant, took_effect=False)

    def _say(self, instant: datetime, *, took_effect: bool) -> str:
        key = (took_effect, int(instant.timestamp()) // 60)
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = wording.when(instant) if took_effect else wording.at(instant)
        return said


def _item(
    timeline: ChildTimeline,
    e: audit.TimelineEntry,
    under: list[audit.TimelineEntry],
    times: _Times,
    *,
    victim_step_details: bool,
    folded: bool = False,
) -> str:
    ref = timeline.victim_refs.get(e.workflow_id)
    title = (f"Victim {ref}: " if ref else "") + sentences.title(e.event_type)
    tag = None if ref else event_tag(e, timeline.tags, folded=folded)
    tag_html = (
        f'\n      <strong class="govuk-tag {tag.colour}" data-testid="deadline-tag">{escape(tag.text)}</strong>'
        if tag
        else ""
    )
    stored = json.dumps(e.payload, ensure_ascii=False)
    said = _sentence(e.event_type, e.payload, stored, timeline.rule_names) if not ref or victim_step_details else None
    note = paper_note(timeline.paper_notes, e) if timeline.paper_notes else None
    if said and note:
        said = f"{said} {note}."
    said_html = (
        f'\n    <p class="govuk-body app-timeline__details" data-testid="event-sentence">{escape(said)}</p>'
        if said
        else ""
    )
    reason = f'\n    <p class="govuk-body app-timeline__details">Reason: {escape(e.reason)}</p>' if e.reason else ""
    superseded = _superseded(e)
    if superseded:
        # The event stays as recorded; struck through, with what superseded it, who and why.
        said_html = (
            f'\n    <p class="govuk-body app-timeline__details" data-testid="event-sentence"><s>{escape(said)}</s></p>'
            if said
            else ""
        )
        reason += superseded
    stream = escape(e.workflow_id)
    case = (
        f'<a class="govuk-link" href="/app/cases/{escape(quote(e.workflow_id, safe=":"))}">{stream}</a>'
        if times.may_open_case(e.workflow_id)
        else stream
    )
    more = ""
    if under:
        inner = "".join(
            _item(timeline, u, [], times, victim_step_details=victim_step_details, folded=True) for u in under
        )
        more = (
            '\n    <details class="govuk-details app-timeline__folded" data-testid="deadline-folded">'
            '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
            f"What followed: {escape(followed(under))}</span></summary>"
            '\n    <div class="govuk-details__text"><ol class="app-timeline govuk-list">'
            f"\n{inner}    </ol></div></details>"
        )
    effective, recorded = e.effective_at.isoformat(), e.recorded_at.isoformat()
    return (
        f'  <li class="app-timeline__item{" app-timeline__item--victim" if ref else ""}"'
        f' data-event-type="{escape(e.event_type)}" data-stream="{stream}">\n'
        f'    <h3 class="govuk-heading-s app-timeline__title">{escape(title)}{_LATE if e.late_entry else ""}'
        f"{_SUPERSEDED if superseded else ''}{tag_html}\n    </h3>{said_html}\n"
        f'    <p class="govuk-body-s app-timeline__byline">Took effect'
        f' <time datetime="{effective}">{times.when(e.effective_at)}</time>,'
        f' recorded <time datetime="{recorded}">'
        f"{times.at(e.recorded_at)}</time> by {escape(e.actor)} · {case} entry {e.stream_version}</p>"
        f"{reason}{_stored_record(e, title, effective, recorded, stored)}{more}\n  </li>\n"
    )


_SUPERSEDED = '\n      <strong class="govuk-tag govuk-tag--grey" data-testid="superseded">Superseded</strong>'


def _superseded(e: audit.TimelineEntry) -> str:
    by = e.superseded_by
    if by is None:
        return ""
    return (
        '\n    <p class="govuk-body app-timeline__details" data-testid="superseded-by">'
        f"Superseded by entry {by.stream_version}, corrected by {escape(by.actor)}: {escape(by.reason)}</p>"
    )


# Sentences by event type and payload as stored: the same payload always reads the same, so a timeline
# read again (a filter, a reload) does not validate and word its events again. Keyed by the payload's
# own text, so a payload edited behind the store's back is worded afresh. Bounded: cleared when full.
_SAID: dict[tuple[str, str], str | None] = {}
_SAID_MAX = 50_000


def _sentence(event_type: str, payload: dict[str, Any], stored: str, names: wording.RuleNames) -> str | None:
    key = (event_type, stored)
    if key in _SAID:
        return _SAID[key]
    if len(_SAID) >= _SAID_MAX:
        _SAID.clear()
    said = _SAID[key] = sentences.sentence(event_type, payload, names)
    return said


def _stored_record(e: audit.TimelineEntry, title: str, effective: str, recorded: str, payload: str) -> str:
    """The event exactly as stored (envelope and payload, as JSON), one click away for an auditor."""
    text = _json_text
    reason = "null" if e.reason is None else text(e.reason)
    record = (
        f'{{"global_position": {e.global_position}, "stream_id": {text(e.workflow_id)},'
        f' "stream_version": {e.stream_version}, "event_type": {text(e.event_type)},'
        f' "effective_at": "{effective}", "recorded_at": "{recorded}", "actor": {text(e.actor)},'
        f' "reason": {reason}, "payload": {payload}}}'
    )
    return (
        '\n    <details class="govuk-details app-timeline__record" data-testid="stored-record">'
        '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">Stored record'
        f'<span class="govuk-visually-hidden"> of {escape(title)}</span></span></summary>'
        '<div class="govuk-details__text"><code class="app-key-value govuk-body-s" data-testid="stored-json">'
        f"{escape(record)}</code></div></details>"
    )


def event_tag(e: audit.TimelineEntry, tags: dict[str, DeadlineTag], *, folded: bool = False) -> DeadlineTag | None:
    """The tag a deadline's event wears: the deadline's standing now on the event that set it, and on each
    later event what that event itself says, so a "Deadline missed" row reads "missed" even when the
    deadline was met in the end."""
    deadline_id = e.payload.get("deadline_id")
    if not isinstance(deadline_id, str):
        return None
    match e.event_type:
        case "DeadlineScheduled":
            return None if folded else tags.get(deadline_id)
        case "DeadlineMissed":
            return DeadlineTag("missed", "missed", "govuk-tag--red")
        case "DeadlineEscalated":
            return DeadlineTag("missed", "escalated", "govuk-tag--red")
        case "DeadlineCancelled":
            return DeadlineTag("cancelled", "cancelled", "govuk-tag--grey")
        case "DeadlineMet":
            days = e.payload.get("days_late") or 0
            if e.payload.get("late"):
                late = f"met {days} day{'s' if days != 1 else ''} late" if days else "met late"
                return DeadlineTag("met", late, "govuk-tag--orange")
            return DeadlineTag("met", "met", "govuk-tag--green")
    return None


_FOLLOWED = {
    "DeadlineReminderSent": ("reminder", "reminders"),
    "DeadlineMissed": ("missed", "missed"),
    "DeadlineEscalated": ("escalated", "escalated"),
    "DeadlineMet": ("met", "met"),
    "DeadlineCancelled": ("no longer needed", "no longer needed"),
    "DeadlineScheduled": ("date moved", "date moved"),
}


def followed(under: list[audit.TimelineEntry]) -> str:
    """'3 reminders, missed, escalated twice and met': what a deadline's folded events say, in order."""
    counts: dict[str, int] = {}
    for u in under:
        counts[u.event_type] = counts.get(u.event_type, 0) + 1
    said = []
    for event_type, n in counts.items():
        one, many = _FOLLOWED.get(event_type, (sentences.title(event_type).lower(),) * 2)
        if event_type == "DeadlineReminderSent":
            said.append(wording.count(n, one, many))
        else:
            said.append(one if n == 1 else f"{many} {'twice' if n == 2 else f'{n} times'}")
    return wording.and_list(said)


@dataclass
class ChildTimeline:
    child_id: str
    entries: list[audit.TimelineEntry]
    shown: list[audit.TimelineEntry]
    deadlines: list[audit.DeadlineItem]
    tags: dict[str, DeadlineTag]  # by deadline id
    streams: list[str]
    event_types: list[str]  # by title, as the filter lists them
    victim_refs: dict[str, str]  # contact stream → victim reference
    chains: list[ChainCheck] = field(default_factory=list)
    folded: list[Folded[audit.TimelineEntry]] = field(default_factory=list)  # the shown events, as read
    rule_names: wording.RuleNames = field(default_factory=dict)
    # Deadlines met on time only on paper: what their DeadlineMet and DeadlineEscalated entries add.
    paper_notes: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        return all(c.ok for c in self.chains)

    @property
    def events_checked(self) -> int:
        return sum(c.events for c in self.chains)

    def title(self, event_type: str) -> str:
        return sentences.title(event_type)

    def deadline_name(self, deadline: audit.DeadlineItem) -> str:
        """The deadline's rule by name, as the rule stood when the deadline was set."""
        return wording.rule_name_of(deadline.description)


@functools.cache
def shipped_rule_names() -> dict[str, str]:
    """The shipped rule pack's names for its rules (a deadline's own record names it as it was set)."""
    return sentences.rule_names(default_rule_pack())


def deadline_record(item: audit.DeadlineItem) -> DeadlineRecord | None:
    """The deadline as the compliance figures read it; None for a row without its due instant."""
    if item.due_at is None:
        return None
    return DeadlineRecord.model_validate(item.model_dump(include=DEADLINE_RECORD_FIELDS))


def deadline_tag(item: audit.DeadlineItem) -> DeadlineTag:
    if item.status == "met":
        record = deadline_record(item)
        note = recording_note(record) if record is not None else None
        if note is not None:
            # Met by its date, entered after it fell due: on time in the record, not in the work.
            return DeadlineTag("met", note[0].lower() + note[1:], "govuk-tag--orange")
        return DeadlineTag("met", "met", "govuk-tag--green")
    if item.status == "missed":
        if item.met_on is not None:
            late = f", met {item.days_late} day{'s' if item.days_late != 1 else ''} late" if item.days_late else ""
            return DeadlineTag("missed", f"missed{late}", "govuk-tag--red")
        return DeadlineTag("missed", "missed, still open", "govuk-tag--red")
    if item.status == "cancelled":
        return DeadlineTag("cancelled", "no longer needed", "govuk-tag--grey")
    return DeadlineTag("open", f"open, due {wording.day(item.due_date)}", "govuk-tag--blue")


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


async def _open_notes(
    entries: list[audit.TimelineEntry], refs: dict[str, str], notes: VictimNotes | None, user: User | None
) -> list[audit.TimelineEntry]:
    """Victim steps' sealed notes opened for the reader (each contact's opening logged), or said to be held."""
    opened: dict[str, str | None] = {}
    for wid in dict.fromkeys(e.workflow_id for e in entries if note_id_of(e.reason)):
        if notes is not None and user is not None and wid in refs:
            got = await notes.open_notes(refs[wid], wid, [e.reason for e in entries if e.workflow_id == wid], user=user)
            opened.update({r: n.text for r, n in got.items()})
    return [
        e.model_copy(update={"reason": opened.get(e.reason or "") or NOTE_HELD}) if note_id_of(e.reason) else e
        for e in entries
    ]


async def child_timeline(
    pool: Pool,
    child_id: str,
    filters: TimelineFilters,
    *,
    victim_step_details: bool,
    services: Sequence[str] | None = None,
    notes: VictimNotes | None = None,
    user: User | None = None,
) -> ChildTimeline | None:
    """The child's timeline as the page shows it, or None when nothing is recorded for the child (in
    `services`, when given: the streams those services hold).

    The verify badge is no cache: every row of every stream the child's events are in is read and its
    chain recomputed on each load, in the same read that gives the timeline."""
    checked = await audit.checked_timeline(pool, child_id, services=services)
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
    if victim_step_details:
        entries = await _open_notes(entries, refs, notes, user)
    shown = [e for e in entries if filters.keeps(e)]
    return ChildTimeline(
        child_id=child_id,
        entries=entries,
        shown=shown,
        deadlines=full.deadlines,
        tags={d.deadline_id: deadline_tag(d) for d in full.deadlines},
        paper_notes=paper_notes(full.deadlines),
        streams=streams,
        event_types=sorted({e.event_type for e in entries}, key=sentences.title),
        victim_refs=refs,
        chains=[chain_check(s, r) for s, r in checked.chains.items()],
        folded=fold_deadlines(shown, stream=lambda e: e.workflow_id),
        rule_names=shipped_rule_names(),
    )
