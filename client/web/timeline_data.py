"""What a child's timeline page shows: the events (filtered), each told in its own sentence with its
deadline's bookkeeping folded under it and the stored record one click away, the victim steps at the
detail the viewer's role allows, and the check of every chain the child's events are in."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from activities import audit, victim_contacts
from activities.db import Pool
from activities.inspection import paper_notes
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
