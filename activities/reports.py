"""Management and inspection reports over the projections: deadline compliance by rule and month, the
overdue list, the case list and each worker's caseload.

Everything here reads the `deadlines` and `cases` tables (both kept in the append transaction, so they
never lag the events) and never folds a stream: every report is one SQL statement served by the indexes
of migrations 001 and 004. `bench/audit_reads.py` measures them on 10 million events.

How a deadline counts, from its row in `deadlines` (see `activities.deadline_projection`):
  met on time  status 'met' and not late (days_late absent or <= 0)
  met late     met_on recorded and late: status 'met' with days_late > 0, or 'missed' and met afterwards
               (the projection keeps a deadline missed-then-met as 'missed', with the day it was met)
  missed       status 'missed' and never met
  still open   status 'open'
  cancelled    left out of every report (the order closed or the deadline was replaced before it fell due)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row
from pydantic import BaseModel

from activities.db import Pool

VICTIM_CONTACT_KIND = "victim_contact"


class ComplianceRow(BaseModel):
    """How one rule's deadlines that fell due in one month were dealt with."""

    rule_id: str
    description: str
    month: date  # first day of the month the deadlines fell due
    due: int
    met_on_time: int
    met_late: int
    missed: int
    still_open: int
    pct_on_time: float | None  # 100 * met_on_time / (met_on_time + met_late + missed); None if none decided


class OverdueItem(BaseModel):
    """A deadline not yet met whose due date has passed."""

    workflow_id: str
    deadline_id: str
    child_id: str
    yjs: str
    rule_id: str
    description: str
    due_date: date
    days_overdue: int  # calendar days after due_date, as of `today`
    status: str  # 'open' or 'missed'
    escalations: int
    responsible: str | None
    kind: str | None = None  # the case's kind (None only if the case row is missing)


class CaseSummary(BaseModel):
    """One order or victim contact as a case list shows it."""

    workflow_id: str
    kind: str
    child_id: str
    yjs: str
    state: str
    responsible: str | None
    opened_at: datetime
    closed_at: datetime | None
    next_deadline_rule: str | None  # the earliest open deadline's rule
    next_deadline_due: date | None


class CaseloadRow(BaseModel):
    """One worker's open cases and deadlines; `responsible` None is the team's unallocated work."""

    responsible: str | None
    orders: int
    victim_contacts: int
    open_deadlines: int
    overdue: int


# --- running a report -----------------------------------------------------------------------------


def _with_filters(template: str, equal: dict[str, str | None], conditions: Sequence[str] = ()) -> sql.Composed:
    """The report's statement with `AND column = value` for each filter given, and the fixed conditions.

    Only the filters given appear in the text, never `(%(x)s IS NULL OR column = %(x)s)`: once psycopg
    prepares a statement, PostgreSQL may switch to one generic plan for every value, and a generic plan
    cannot know whether a service was named, so it would not use the service's index (measured on 10M
    events: a one-service compliance report went from 20 ms to 2 s after five calls). Each combination
    of filters is its own statement, with its own plan."""
    parts = [
        sql.SQL(" AND {} = {}").format(sql.SQL(column), sql.Placeholder(_param(column)))
        for column, value in equal.items()
        if value is not None
    ]
    parts += [sql.SQL(" AND ") + sql.SQL(condition) for condition in conditions]
    return sql.SQL(template).format(filters=sql.Composed(parts))


def _param(column: str) -> str:
    return column.replace(".", "_")


def _params(equal: dict[str, str | None], **others: Any) -> dict[str, Any]:
    return {**{_param(column): value for column, value in equal.items()}, **others}


async def _fetch(pool: Pool, query: sql.Composed, params: dict[str, Any], *, jit: bool = True) -> list[dict[str, Any]]:
    async with pool.connection() as conn, conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        if not jit:
            # These aggregates cost enough for the planner to JIT-compile them, and compiling takes about
            # 0.2 s, more than it saves on a query of well under a second.
            await cur.execute("SET LOCAL jit = off")
        await cur.execute(query, params)
        return await cur.fetchall()


# --- compliance -----------------------------------------------------------------------------------

# Counted first per (rule, month) from the narrow columns only, then each rule's description looked up
# once: carrying the description text through the aggregate would make a year of all services (hundreds
# of thousands of rows) read the whole heap instead of an index.
_COMPLIANCE = """
WITH counted AS (
    SELECT rule_id,
           date_trunc('month', due_date)::date AS month,
           count(*) AS due,
           count(*) FILTER (WHERE status = 'met' AND coalesce(days_late, 0) <= 0) AS met_on_time,
           count(*) FILTER (
               WHERE met_on IS NOT NULL AND (status = 'missed' OR (status = 'met' AND days_late > 0))
           ) AS met_late,
           count(*) FILTER (WHERE status = 'missed' AND met_on IS NULL) AS missed,
           count(*) FILTER (WHERE status = 'open') AS still_open
    FROM deadlines
    WHERE due_date >= %(start)s AND due_date < %(end)s AND status <> 'cancelled' {filters}
    GROUP BY rule_id, date_trunc('month', due_date)
)
SELECT c.*, coalesce(
    (SELECT d.description FROM deadlines d WHERE d.rule_id = c.rule_id
     ORDER BY d.due_date DESC LIMIT 1), c.rule_id) AS description
FROM counted c
ORDER BY c.rule_id, c.month
"""


async def compliance_report(pool: Pool, *, start: date, end: date, yjs: str | None = None) -> list[ComplianceRow]:
    """Deadlines whose due date is in [start, end) (cancelled ones left out), counted per rule and month
    of the due date, ordered by rule then month. `yjs` limits it to the deadlines a service holds."""
    if end <= start:
        raise ValueError(f"end ({end}) must be after start ({start}): the report covers due dates in [start, end)")
    query = _with_filters(_COMPLIANCE, {"yjs": yjs})
    rows = await _fetch(pool, query, _params({"yjs": yjs}, start=start, end=end), jit=False)
    return [_compliance_row(r) for r in rows]


def _compliance_row(r: dict[str, Any]) -> ComplianceRow:
    decided = r["met_on_time"] + r["met_late"] + r["missed"]
    return ComplianceRow(
        rule_id=r["rule_id"],
        description=r["description"],
        month=r["month"],
        due=r["due"],
        met_on_time=r["met_on_time"],
        met_late=r["met_late"],
        missed=r["missed"],
        still_open=r["still_open"],
        pct_on_time=round(100 * r["met_on_time"] / decided, 1) if decided else None,
    )


# --- overdue --------------------------------------------------------------------------------------

# Most overdue first means the oldest deadlines not met, and most of those are misses of cases closed
# long ago (closing stops a miss's escalation but leaves it missed). So the candidates are found from
# the covering partial indexes `deadlines_not_met*` (migration 004) and checked against the open cases
# (`cases_open_streams`) on index entries alone; only the `limit` kept are read from the tables.
_OVERDUE = """
WITH late AS (
    SELECT d.stream_id, d.deadline_id, d.due_date
    FROM deadlines d
    WHERE d.status IN ('open', 'missed') AND d.met_on IS NULL AND d.due_date < %(today)s {filters}
    ORDER BY d.due_date, d.stream_id, d.deadline_id
    LIMIT %(limit)s
)
SELECT d.stream_id AS workflow_id, d.deadline_id, d.child_id, d.yjs, d.rule_id, d.description, d.due_date,
       (%(today)s::date - d.due_date) AS days_overdue, d.status, d.escalations, c.responsible, c.kind
FROM late l
JOIN deadlines d ON d.stream_id = l.stream_id AND d.deadline_id = l.deadline_id
LEFT JOIN cases c ON c.stream_id = l.stream_id
ORDER BY l.due_date, l.stream_id, l.deadline_id
"""

# Checked in `late`, before the limit: the case is open, and held by the worker asked for.
_OPEN_CASE = "EXISTS (SELECT 1 FROM cases c WHERE c.stream_id = d.stream_id AND c.closed_at IS NULL{worker})"
_ANY_CASE = "EXISTS (SELECT 1 FROM cases c WHERE c.stream_id = d.stream_id{worker})"
_WORKER = " AND c.responsible = %(c_responsible)s"


async def overdue(
    pool: Pool,
    *,
    today: date,
    yjs: str | None = None,
    responsible: str | None = None,
    limit: int = 500,
    include_closed_cases: bool = False,
) -> list[OverdueItem]:
    """Deadlines not yet met (open, or missed and never met) that fell due before `today`, most overdue
    first. `responsible` keeps those of one worker's cases; a closed case's misses only with
    `include_closed_cases`."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    worker = _WORKER if responsible is not None else ""
    conditions = []
    if not include_closed_cases:
        conditions.append(_OPEN_CASE.format(worker=worker))
    elif worker:
        conditions.append(_ANY_CASE.format(worker=worker))
    query = _with_filters(_OVERDUE, {"d.yjs": yjs}, conditions)
    rows = await _fetch(pool, query, _params({"d.yjs": yjs, "c.responsible": responsible}, today=today, limit=limit))
    return [OverdueItem.model_validate(r) for r in rows]


# --- cases ----------------------------------------------------------------------------------------

_CASES = """
SELECT c.stream_id AS workflow_id, c.kind, c.child_id, c.yjs, c.state, c.responsible, c.opened_at, c.closed_at,
       n.rule_id AS next_deadline_rule, n.due_date AS next_deadline_due
FROM cases c
LEFT JOIN LATERAL (
    SELECT d.rule_id, d.due_date FROM deadlines d
    -- The worker's next deadline: oversight (oversight.*) is their manager's, on the oversight page.
    WHERE d.stream_id = c.stream_id AND d.status = 'open' AND d.rule_id NOT LIKE 'oversight.%%'
    ORDER BY d.due_date, d.deadline_id LIMIT 1
) n ON true
WHERE true {filters}
ORDER BY c.opened_at, c.stream_id
LIMIT %(limit)s
"""


async def cases(
    pool: Pool,
    *,
    yjs: str | None = None,
    responsible: str | None = None,
    child_id: str | None = None,
    kind: str | None = None,
    include_closed: bool = False,
    limit: int = 1000,
) -> list[CaseSummary]:
    """Orders and victim contacts (open ones unless `include_closed`), oldest first, each with its
    earliest open deadline."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    filters = {"c.yjs": yjs, "c.responsible": responsible, "c.child_id": child_id, "c.kind": kind}
    query = _with_filters(_CASES, filters, [] if include_closed else ["c.closed_at IS NULL"])
    rows = await _fetch(pool, query, _params(filters, limit=limit))
    return [CaseSummary.model_validate(r) for r in rows]


# --- caseload -------------------------------------------------------------------------------------

_CASELOAD = """
WITH open_cases AS (
    SELECT stream_id, kind, responsible FROM cases
    WHERE closed_at IS NULL {filters}
),
per_case AS (
    SELECT d.stream_id,
           count(*) FILTER (WHERE d.status = 'open') AS open_deadlines,
           count(*) FILTER (WHERE d.due_date < %(today)s) AS overdue
    FROM deadlines d JOIN open_cases o ON o.stream_id = d.stream_id
    WHERE d.status IN ('open', 'missed') AND d.met_on IS NULL
    GROUP BY d.stream_id
)
SELECT o.responsible,
       count(*) FILTER (WHERE o.kind <> %(victim)s) AS orders,
       count(*) FILTER (WHERE o.kind = %(victim)s) AS victim_contacts,
       coalesce(sum(p.open_deadlines), 0)::int AS open_deadlines,
       coalesce(sum(p.overdue), 0)::int AS overdue
FROM open_cases o LEFT JOIN per_case p ON p.stream_id = o.stream_id
GROUP BY o.responsible
ORDER BY o.responsible NULLS FIRST
"""


async def caseload(pool: Pool, *, today: date, yjs: str | None = None) -> list[CaseloadRow]:
    """Per worker (unallocated first, as None): open orders, open victim contacts, their open deadlines
    and how many deadlines are overdue (not met, due before `today`)."""
    query = _with_filters(_CASELOAD, {"yjs": yjs})
    rows = await _fetch(pool, query, _params({"yjs": yjs}, today=today, victim=VICTIM_CONTACT_KIND), jit=False)
    return [CaseloadRow.model_validate(r) for r in rows]
