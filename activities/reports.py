"""Management and inspection reports over the projections: deadline compliance by rule and month, the
overdue list, the case list and each worker's caseload.

Everything here reads the `deadlines` and `cases` tables (both kept in the append transaction, so they
never lag the events) and never folds a stream: every report is one SQL statement served by the indexes
of migrations 001 and 004. `bench/audit_reads.py` measures them on 10 million events.

How a deadline counts, from its row in `deadlines` (see `activities.deadline_projection`), the same
rules as `domain.compliance.deadline_outcome` (tests/activities/test_reports.py holds them to it):
  recorded on time  met on or before its due date, and the meeting step recorded by the time it fell due
  recorded late     met on or before its due date by the step's own date, but recorded after it fell due
                    or after its miss was recorded (with how many days late, and whether escalations fired
                    first: "met only on paper")
  met late          met after its due date (the projection keeps a deadline missed-then-met as 'missed',
                    with the day it was met)
  missed            status 'missed' and never met
  still open        status 'open'
  cancelled         left out of every report (the order closed or the deadline was replaced before it fell due)
"met on time" is the first two together: what the record claims. `pct_on_time` counts only the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row
from pydantic import BaseModel

from activities.db import Pool
from domain.compliance import ComplianceFigures

VICTIM_CONTACT_KIND = "victim_contact"


class ComplianceRow(ComplianceFigures):
    """How one rule's deadlines that fell due in one month were dealt with (`ComplianceFigures`: met and
    recorded on time, recorded late, met late, missed, still open, and the percentages)."""

    rule_id: str
    description: str
    month: date  # first day of the month the deadlines fell due


class WorkerComplianceRow(ComplianceFigures):
    """How one rule's deadlines on one worker's cases were dealt with over the whole period; `responsible`
    is the case's worker now (None: not allocated), not necessarily the one who held it then."""

    rule_id: str
    description: str
    responsible: str | None


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


def _with_filters(
    template: str,
    equal: dict[str, str | None],
    conditions: Sequence[str] = (),
    services: tuple[str, Sequence[str] | None] | None = None,
) -> sql.Composed:
    """The report's statement with `AND column = value` for each filter given, and the fixed conditions;
    `services` is (the service column, the services a user holds or None for every one), given as
    `AND column = ANY(%(services)s)` only when the user's services are limited.

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
    if services is not None and services[1] is not None:
        parts.append(sql.SQL(" AND {} = ANY(%(services)s::text[])").format(sql.SQL(services[0])))
    return sql.SQL(template).format(filters=sql.Composed(parts))


def _services(services: Sequence[str] | None) -> list[str] | None:
    return None if services is None else list(services)


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
# The figures of `domain.compliance.ComplianceFigures`, over the rows of `deadlines` (alias d) in the group.
# A row met before migration 012 without a recording time counts as recorded on time (012 filled them in).
_ON_TIME = "d.met_on <= d.due_date"
_LATE_ENTRY = "(d.met_recorded_at > d.due_at OR d.missed_before_met)"
_RECORDED_LATE = f"{_ON_TIME} AND coalesce({_LATE_ENTRY}, false)"
_DAYS_RECORDED_LATE = "greatest(coalesce((d.met_recorded_at AT TIME ZONE 'Europe/London')::date - d.due_date, 1), 1)"
_FIGURES = f"""
           count(*) AS due,
           count(*) FILTER (WHERE {_ON_TIME} AND NOT coalesce({_LATE_ENTRY}, false)) AS recorded_on_time,
           count(*) FILTER (WHERE {_RECORDED_LATE}) AS recorded_late,
           coalesce(sum({_DAYS_RECORDED_LATE}) FILTER (WHERE {_RECORDED_LATE}), 0)::int AS recorded_late_days,
           coalesce(max({_DAYS_RECORDED_LATE}) FILTER (WHERE {_RECORDED_LATE}), 0)::int AS recorded_late_max_days,
           count(*) FILTER (WHERE {_RECORDED_LATE} AND d.escalations_before_met > 0) AS met_only_on_paper,
           count(*) FILTER (WHERE d.met_on > d.due_date) AS met_late,
           count(*) FILTER (WHERE d.status = 'missed' AND d.met_on IS NULL) AS missed,
           count(*) FILTER (WHERE d.status = 'open') AS still_open"""
_DESCRIPTION = """coalesce(
    (SELECT x.description FROM deadlines x WHERE x.rule_id = c.rule_id
     ORDER BY x.due_date DESC LIMIT 1), c.rule_id) AS description"""

# `{{filters}}` doubled: these are f-strings, and then templates for `_with_filters`.
_COMPLIANCE = f"""
WITH counted AS (
    SELECT d.rule_id,
           date_trunc('month', d.due_date)::date AS month,{_FIGURES}
    FROM deadlines d
    WHERE d.due_date >= %(start)s AND d.due_date < %(end)s AND d.status <> 'cancelled' {{filters}}
    GROUP BY d.rule_id, date_trunc('month', d.due_date)
)
SELECT c.*, {_DESCRIPTION}
FROM counted c
ORDER BY c.rule_id, c.month
"""

# The worker is the case's, so this one reads the cases too: not an index-only scan like the one above.
_COMPLIANCE_BY_WORKER = f"""
WITH counted AS (
    SELECT d.rule_id, k.responsible,{_FIGURES}
    FROM deadlines d LEFT JOIN cases k ON k.stream_id = d.stream_id
    WHERE d.due_date >= %(start)s AND d.due_date < %(end)s AND d.status <> 'cancelled' {{filters}}
    GROUP BY d.rule_id, k.responsible
)
SELECT c.*, {_DESCRIPTION}
FROM counted c
ORDER BY c.rule_id, c.responsible NULLS FIRST
"""


async def compliance_report(
    pool: Pool, *, start: date, end: date, yjs: str | None = None, services: Sequence[str] | None = None
) -> list[ComplianceRow]:
    """Deadlines whose due date is in [start, end) (cancelled ones left out), counted per rule and month
    of the due date, ordered by rule then month. `yjs` limits it to the deadlines a service holds;
    `services` to those of the services a user holds (None: every service)."""
    _check_window(start, end)
    query = _with_filters(_COMPLIANCE, {"d.yjs": yjs}, services=("d.yjs", services))
    params = _params({"d.yjs": yjs}, start=start, end=end, services=_services(services))
    rows = await _fetch(pool, query, params, jit=False)
    return [ComplianceRow.model_validate(r) for r in rows]


async def compliance_by_worker(
    pool: Pool, *, start: date, end: date, yjs: str | None = None, services: Sequence[str] | None = None
) -> list[WorkerComplianceRow]:
    """The same figures per rule and worker (the case's responsible worker) over due dates in [start, end),
    ordered by rule, unallocated first; `services` as for `compliance_report`."""
    _check_window(start, end)
    query = _with_filters(_COMPLIANCE_BY_WORKER, {"d.yjs": yjs}, services=("d.yjs", services))
    params = _params({"d.yjs": yjs}, start=start, end=end, services=_services(services))
    rows = await _fetch(pool, query, params, jit=False)
    return [WorkerComplianceRow.model_validate(r) for r in rows]


def _check_window(start: date, end: date) -> None:
    if end <= start:
        raise ValueError(f"end ({end}) must be after start ({start}): the report covers due dates in [start, end)")


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
    services: Sequence[str] | None = None,
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
    query = _with_filters(_OVERDUE, {"d.yjs": yjs}, conditions, ("d.yjs", services))
    params = _params({"d.yjs": yjs, "c.responsible": responsible}, today=today, limit=limit)
    rows = await _fetch(pool, query, {**params, "services": _services(services)})
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
    services: Sequence[str] | None = None,
) -> list[CaseSummary]:
    """Orders and victim contacts (open ones unless `include_closed`), oldest first, each with its
    earliest open deadline."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    filters = {"c.yjs": yjs, "c.responsible": responsible, "c.child_id": child_id, "c.kind": kind}
    query = _with_filters(_CASES, filters, [] if include_closed else ["c.closed_at IS NULL"], ("c.yjs", services))
    rows = await _fetch(pool, query, _params(filters, limit=limit, services=_services(services)))
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


async def caseload(
    pool: Pool, *, today: date, yjs: str | None = None, services: Sequence[str] | None = None
) -> list[CaseloadRow]:
    """Per worker (unallocated first, as None): open orders, open victim contacts, their open deadlines
    and how many deadlines are overdue (not met, due before `today`)."""
    query = _with_filters(_CASELOAD, {"yjs": yjs}, services=("yjs", services))
    params = _params({"yjs": yjs}, today=today, victim=VICTIM_CONTACT_KIND, services=_services(services))
    rows = await _fetch(pool, query, params, jit=False)
    return [CaseloadRow.model_validate(r) for r in rows]
