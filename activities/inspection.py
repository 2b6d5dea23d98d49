"""Inspection reads and records: the cases eligible for a sample, a sampled case's chronology, and the
export log (who exported which chronology, how and when)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime

from psycopg.rows import dict_row
from pydantic import BaseModel

from activities import audit
from activities.db import Pool
from activities.rule_source import default_rule_pack, inspection_policy
from activities.service_scope import in_services
from activities.users import User
from domain.calendar import LONDON
from domain.casework_cycle import questions
from domain.compliance import DeadlineRecord, escalation_note, recording_note
from domain.events import sentences
from domain.inspection import VICTIM_KIND, Candidate, Sample, SamplePolicy, SampleRequest, choose_sample

# Every date and time in Europe/London, the day it happened for the child: a summer hearing at London
# midnight is 23:00 UTC the day before, which a UTC export would give as the wrong day.
CHRONOLOGY_COLUMNS = [
    "Date",  # the London day it took effect, YYYY-MM-DD, for sorting and filtering in a spreadsheet
    "Took effect",  # London time with its offset, e.g. 2026-09-07T00:00:00+01:00
    "Recorded",
    "Late entry",
    "Child",
    "Event",
    "What happened",
    "HMIP question",  # assessment, planning, implementation and delivery, reviewing (oversight under each it covers)
    "By",
    "Reason",
    "Order or contact",
    "Entry",
    "Global position",
    "Event type",
    "Stored record",  # the payload as stored (JSON), for an auditor
]
# A UTF-8 byte order mark, so a spreadsheet opening the file reads it as UTF-8 (é, –, ’ intact).
BOM = "\ufeff"


class ExportRecord(BaseModel):
    id: int
    exported_at: datetime
    username: str
    role: str
    format: str
    child_id: str
    workflow_id: str | None
    events: int


class Chronology(BaseModel):
    workflow_id: str
    child_id: str
    kind: str
    yjs: str
    entries: list[audit.TimelineEntry]
    state: str = ""  # the domain's state name now (the cases projection's)
    closed_at: datetime | None = None
    deadlines: list[audit.DeadlineItem] = []

    @property
    def flags(self) -> list[questions.Flag]:
        """oversight.md's four flags: the gaps an inspector would find in this case."""
        if self.kind == VICTIM_KIND:
            return []
        return questions.flags(self.entries, self.deadlines)

    @property
    def by_question(self) -> dict[str, list[audit.TimelineEntry]]:
        """The entries under HMIP's four questions, each in effective order (deadline bookkeeping left out)."""
        grouped: dict[str, list[audit.TimelineEntry]] = {q: [] for q in questions.QUESTIONS}
        for e in self.entries:
            for q in questions.questions_of(e.event_type, e.payload):
                grouped[q].append(e)
        return grouped

    @property
    def end_date(self) -> date | None:
        """When the order ends, as its latest event to set it says; None for a case with no end date."""
        end: date | None = None
        for e in self.entries:
            field = _END_DATE_FIELDS.get(e.event_type)
            value = e.payload.get(field) if field else None
            if value:
                end = date.fromisoformat(str(value))
        return end


# The payload field that (re)sets an order's end date, by event type: compliance period, order or term.
_END_DATE_FIELDS = {
    "ContractSigned": "compliance_end",
    "OrderExtended": "compliance_end",
    "YouthRehabilitationOrderMade": "end_date",
    "CourtBreachOutcome": "new_end_date",
    "OrderAmended": "new_end_date",
    "CustodialSentenceMade": "term_end",
}


# A children's case with a gap oversight.md flags: a cycle clock missed or met late, or no oversight at all.
_GAPS = """
  AND (NOT %(gaps)s OR kind = 'victim_contact'
       OR EXISTS (SELECT 1 FROM deadlines d WHERE d.stream_id = cases.stream_id
                  AND (d.rule_id LIKE 'oversight.%%' OR d.rule_id = 'review.significant_change')
                  AND (d.status = 'missed' OR d.days_late > 0))
       OR NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = cases.stream_id
                      AND e.event_type = 'OversightRecorded'))
"""


async def candidates(
    pool: Pool,
    *,
    start: date,
    end: date,
    yjs: str | None = None,
    services: Sequence[str] | None = None,
    gaps_only: bool = False,
) -> list[Candidate]:
    """Orders and victims' contacts open at any time in [start, end] (London dates), from `cases`; with
    `services`, only those services' cases; with `gaps_only`, children's cases only where oversight.md
    would flag a gap."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            """
            SELECT stream_id AS workflow_id, kind, child_id, yjs,
                   (opened_at AT TIME ZONE 'Europe/London')::date AS opened_on
            FROM cases
            WHERE (opened_at AT TIME ZONE 'Europe/London')::date <= %(end)s
              AND (closed_at IS NULL OR (closed_at AT TIME ZONE 'Europe/London')::date >= %(start)s)
              AND (%(yjs)s::text IS NULL OR yjs = %(yjs)s)
              AND (%(services)s::text[] IS NULL OR yjs = ANY(%(services)s::text[]))
            """
            + _GAPS
            + " ORDER BY stream_id",
            {
                "start": start,
                "end": end,
                "yjs": yjs,
                "services": None if services is None else list(services),
                "gaps": gaps_only,
            },
        )
        rows = await cur.fetchall()
    return [Candidate.model_validate(r) for r in rows]


async def take_sample(
    pool: Pool, request: SampleRequest, policy: SamplePolicy | None = None, *, services: Sequence[str] | None = None
) -> Sample:
    """The sample for `request` under `policy` (the shipped one by default), drawn from the cases of
    `services` only when given (the services the inspector is granted)."""
    found = await candidates(
        pool, start=request.start, end=request.end, yjs=request.yjs, services=services, gaps_only=request.gaps_only
    )
    return choose_sample(found, request, policy or inspection_policy())


async def chronology(pool: Pool, workflow_id: str) -> Chronology | None:
    """One case's events in effective order, as the child's timeline shows them (a victim's contact as
    reference and step only); None for an unknown case."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT child_id, kind, yjs, state, closed_at FROM cases WHERE stream_id = %s", (workflow_id,)
        )
        row = await cur.fetchone()
    if row is None:
        return None
    timeline = await audit.timeline(pool, row["child_id"])
    entries = [e for e in timeline.events if e.workflow_id == workflow_id]
    return Chronology(
        workflow_id=workflow_id,
        child_id=row["child_id"],
        kind=row["kind"],
        yjs=row["yjs"],
        entries=entries,
        state=row["state"],
        closed_at=row["closed_at"],
        deadlines=[d for d in timeline.deadlines if d.workflow_id == workflow_id],
    )


def chronology_csv(chron: Chronology) -> str:
    """The chronology as CSV, one row per event in effective order: its London date and times, the child,
    the event by name and in its own sentence, and the stored payload; spreadsheet-safe, with a BOM."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CHRONOLOGY_COLUMNS)
    names = sentences.rule_names(default_rule_pack())
    notes = paper_notes(chron.deadlines)
    for e in chron.entries:
        took = e.effective_at.astimezone(LONDON)
        row = (
            took.date().isoformat(),
            took.isoformat(),
            e.recorded_at.astimezone(LONDON).isoformat(),
            "yes" if e.late_entry else "no",
            chron.child_id,
            event_name(e),
            _with_note(sentences.sentence(e.event_type, e.payload, names) or "", notes, e),
            ", ".join(questions.QUESTIONS[q] for q in questions.questions_of(e.event_type, e.payload)),
            e.actor,
            e.reason or "",
            e.workflow_id,
            e.stream_version,
            e.global_position,
            e.event_type,
            json.dumps(e.payload, ensure_ascii=False),
        )
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def paper_notes(deadlines: list[audit.DeadlineItem]) -> dict[tuple[str, str], dict[str, str]]:
    """Per deadline met on time but recorded late, what its DeadlineMet and DeadlineEscalated rows say."""
    notes: dict[tuple[str, str], dict[str, str]] = {}
    for d in deadlines:
        if d.due_at is None:
            continue
        record = DeadlineRecord.model_validate(d.model_dump(include=set(DeadlineRecord.model_fields)))
        met, escalated = recording_note(record), escalation_note(record)
        if met is not None:
            notes[(d.workflow_id, d.deadline_id)] = {"DeadlineMet": met, "DeadlineEscalated": escalated or ""}
    return notes


def paper_note(notes: dict[tuple[str, str], dict[str, str]], e: audit.TimelineEntry) -> str | None:
    """The note `paper_notes` has for this event (a DeadlineMet or DeadlineEscalated), if any."""
    return notes.get((e.workflow_id, str(e.payload.get("deadline_id", ""))), {}).get(e.event_type) or None


def _with_note(sentence: str, notes: dict[tuple[str, str], dict[str, str]], e: audit.TimelineEntry) -> str:
    # Flagged in the sentence column rather than a new column, so the export's columns stay as published.
    note = paper_note(notes, e)
    return f"{sentence} [{note}.]" if note else sentence


def event_name(e: audit.TimelineEntry) -> str:
    """'Referral order made'; a victim's step by reference: 'Victim V-102: Decision on inviting the victim'."""
    ref = e.payload.get("victim_ref") if e.workflow_id.startswith(audit.VICTIM_CONTACT_PREFIX) else None
    return (f"Victim {ref}: " if ref else "") + sentences.title(e.event_type)


def _cell(value: object) -> str:
    # A cell starting with = + - @ would run as a formula when the file is opened in a spreadsheet.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def record_export(pool: Pool, user: User, *, format: str, chron: Chronology) -> ExportRecord:
    """Log an export before it is handed over: no export leaves without a record of who made it."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "INSERT INTO export_log (username, role, format, child_id, workflow_id, events)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
            (user.username, user.role.value, format, chron.child_id, chron.workflow_id, len(chron.entries)),
        )
        row = await cur.fetchone()
    assert row is not None
    return ExportRecord.model_validate(row)


async def export_log(pool: Pool, *, limit: int = 100, services: Sequence[str] | None = None) -> list[ExportRecord]:
    """The latest exports, newest first; with `services`, only exports of those services' cases."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT * FROM export_log WHERE {in_services('workflow_id')} ORDER BY exported_at DESC, id DESC"
            " LIMIT %(limit)s",
            {"limit": limit, "services": None if services is None else list(services)},
        )
        rows = await cur.fetchall()
    return [ExportRecord.model_validate(r) for r in rows]
