"""Inspection reads and records: the cases eligible for a sample, a sampled case's chronology, and the
export log (who exported which chronology, how and when)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from psycopg.rows import dict_row
from pydantic import BaseModel

from activities import audit
from activities.db import Pool
from activities.rule_source import inspection_policy
from activities.users import User
from domain.inspection import Candidate, Sample, SamplePolicy, SampleRequest, choose_sample

CHRONOLOGY_COLUMNS = [
    "effective_at",
    "recorded_at",
    "late_entry",
    "event_type",
    "actor",
    "reason",
    "workflow_id",
    "stream_version",
    "global_position",
    "details",
]


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


async def candidates(pool: Pool, *, start: date, end: date, yjs: str | None = None) -> list[Candidate]:
    """Orders and victims' contacts open at any time in [start, end] (London dates), from `cases`."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            """
            SELECT stream_id AS workflow_id, kind, child_id, yjs,
                   (opened_at AT TIME ZONE 'Europe/London')::date AS opened_on
            FROM cases
            WHERE (opened_at AT TIME ZONE 'Europe/London')::date <= %(end)s
              AND (closed_at IS NULL OR (closed_at AT TIME ZONE 'Europe/London')::date >= %(start)s)
              AND (%(yjs)s::text IS NULL OR yjs = %(yjs)s)
            ORDER BY stream_id
            """,
            {"start": start, "end": end, "yjs": yjs},
        )
        rows = await cur.fetchall()
    return [Candidate.model_validate(r) for r in rows]


async def take_sample(pool: Pool, request: SampleRequest, policy: SamplePolicy | None = None) -> Sample:
    """The sample for `request` under `policy` (the shipped one by default)."""
    found = await candidates(pool, start=request.start, end=request.end, yjs=request.yjs)
    return choose_sample(found, request, policy or inspection_policy())


async def chronology(pool: Pool, workflow_id: str) -> Chronology | None:
    """One case's events in effective order, as the child's timeline shows them (a victim's contact as
    reference and step only); None for an unknown case."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT child_id, kind, yjs FROM cases WHERE stream_id = %s", (workflow_id,))
        row = await cur.fetchone()
    if row is None:
        return None
    timeline = await audit.timeline(pool, row["child_id"])
    entries = [e for e in timeline.events if e.workflow_id == workflow_id]
    return Chronology(
        workflow_id=workflow_id, child_id=row["child_id"], kind=row["kind"], yjs=row["yjs"], entries=entries
    )


def chronology_csv(chron: Chronology) -> str:
    """The chronology as CSV (one row per event; details as `key=value; …`), spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CHRONOLOGY_COLUMNS)
    for e in chron.entries:
        details = "; ".join(f"{k}={v}" for k, v in e.payload.items())
        row = (
            e.effective_at.isoformat(),
            e.recorded_at.isoformat(),
            "yes" if e.late_entry else "no",
            e.event_type,
            e.actor,
            e.reason or "",
            e.workflow_id,
            e.stream_version,
            e.global_position,
            details,
        )
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


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


async def export_log(pool: Pool, *, limit: int = 100) -> list[ExportRecord]:
    """The latest exports, newest first."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT * FROM export_log ORDER BY exported_at DESC, id DESC LIMIT %s", (limit,))
        rows = await cur.fetchall()
    return [ExportRecord.model_validate(r) for r in rows]
