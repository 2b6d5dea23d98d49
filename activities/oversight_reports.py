"""Management oversight over the projections: the oversight a manager's team owes (open or missed),
soonest first, and per manager and month the share of cases whose oversight fell due and was recorded
on time (the measure HMIP's Luton inspection counted: "effective in only half of the inspected cases").

A case belongs to the manager of the worker who holds it now (`cases.responsible` and `users.manager`);
an unallocated case to nobody's team, shown as "Not allocated". Oversight deadlines are the rules whose
id starts `oversight.` (`domain.casework_cycle.routing`). Cancelled deadlines never count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row
from pydantic import BaseModel

from activities.db import Pool
from domain.casework_cycle.routing import OVERSIGHT_PREFIX

__all__ = ["OwedOversight", "TimelyShare", "owed_oversight", "timely_share"]

_LIKE = OVERSIGHT_PREFIX + "%"


class OwedOversight(BaseModel):
    workflow_id: str
    deadline_id: str
    child_id: str
    yjs: str
    rule_id: str
    description: str
    due_date: date
    status: str  # 'open' or 'missed'
    overdue: bool
    unconfirmed: bool
    responsible: str | None
    manager: str | None


class TimelyShare(BaseModel):
    manager: str | None
    month: date
    cases: int
    timely: int

    @property
    def pct(self) -> float:
        return 100 * self.timely / self.cases if self.cases else 0.0


_OWED = """
SELECT d.stream_id AS workflow_id, d.deadline_id, d.child_id, c.yjs, d.rule_id, d.description, d.due_date, d.status,
       d.due_date < %(today)s AS overdue, d.unconfirmed, c.responsible, u.manager
FROM deadlines d
JOIN cases c ON c.stream_id = d.stream_id AND c.closed_at IS NULL
LEFT JOIN users u ON u.username = c.responsible
WHERE d.rule_id LIKE %(like)s AND d.status IN ('open', 'missed') AND d.met_on IS NULL {filters}
ORDER BY d.due_date, d.stream_id, d.deadline_id
LIMIT %(limit)s
"""

# A case-month is timely when every oversight of that case that fell due that month (or was met, early,
# with its due date in that month) was met by its due date.
_SHARE = """
WITH per_case AS (
    SELECT u.manager, date_trunc('month', d.due_date)::date AS month, d.stream_id,
           bool_and(d.status = 'met' AND d.met_on <= d.due_date) AS timely
    FROM deadlines d
    JOIN cases c ON c.stream_id = d.stream_id
    LEFT JOIN users u ON u.username = c.responsible
    WHERE d.rule_id LIKE %(like)s AND d.status <> 'cancelled'
      AND (d.status <> 'open' OR d.due_date < %(today)s)
      AND d.due_date >= %(start)s AND d.due_date < %(end)s {filters}
    GROUP BY u.manager, month, d.stream_id
)
SELECT manager, month, count(*) AS cases, count(*) FILTER (WHERE timely) AS timely
FROM per_case GROUP BY manager, month ORDER BY month, manager NULLS LAST
"""


def _filters(manager: str | None, yjs: str | None, services: list[str] | None = None) -> sql.Composable:
    parts: list[sql.Composable] = []
    if manager is not None:
        parts.append(sql.SQL(" AND u.manager = %(manager)s"))
    if yjs is not None:
        parts.append(sql.SQL(" AND d.yjs = %(yjs)s"))
    if services is not None:
        parts.append(sql.SQL(" AND d.yjs = ANY(%(services)s::text[])"))
    return sql.Composed(parts)


async def _rows(
    pool: Pool,
    template: str,
    manager: str | None,
    yjs: str | None,
    services: Sequence[str] | None = None,
    **params: Any,
) -> list[dict[str, Any]]:
    held = None if services is None else list(services)
    query = sql.SQL(template).format(filters=_filters(manager, yjs, held))
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, {"like": _LIKE, "manager": manager, "yjs": yjs, "services": held, **params})
        return await cur.fetchall()


async def owed_oversight(
    pool: Pool,
    *,
    today: date,
    manager: str | None = None,
    yjs: str | None = None,
    limit: int = 500,
    services: Sequence[str] | None = None,
) -> list[OwedOversight]:
    """Oversight still owed on open cases (of `manager`'s team, when given; of `services`, when given),
    soonest due first."""
    rows = await _rows(pool, _OWED, manager, yjs, services, today=today, limit=limit)
    return [OwedOversight.model_validate(r) for r in rows]


async def timely_share(
    pool: Pool,
    *,
    start: date,
    end: date,
    today: date,
    manager: str | None = None,
    yjs: str | None = None,
    services: Sequence[str] | None = None,
) -> list[TimelyShare]:
    """Per manager and month due (from `start`, before `end`): cases whose oversight was timely."""
    rows = await _rows(pool, _SHARE, manager, yjs, services, start=start, end=end, today=today)
    return [TimelyShare.model_validate(r) for r in rows]


class ClassificationEntry(BaseModel):
    """One assessment's classifications, as a case page lists them (newest first)."""

    assessed_on: date
    assessor: str
    stage: str
    likelihood_of_reoffending: str
    risk_of_serious_harm: str
    safety_and_wellbeing: str
    mappa_level: str | None = None
    raised: list[str] = []
    countersigned: bool = False


async def classification_history(pool: Pool, stream_id: str) -> list[ClassificationEntry]:
    """Every assessment recorded on the case, newest first, each marked when a manager countersigned it."""
    query = (
        "SELECT event_type, payload FROM events WHERE stream_id = %s"
        " AND event_type IN ('AssessmentCompleted', 'AssessmentCountersigned') ORDER BY stream_version"
    )
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, (stream_id,))
        rows = await cur.fetchall()
    entries: list[ClassificationEntry] = []
    for row in rows:
        if row["event_type"] == "AssessmentCompleted":
            entries.append(ClassificationEntry.model_validate(row["payload"], strict=False))
        elif entries:
            # A countersignature is of the latest assessment awaiting one (domain.casework_cycle).
            entries[-1] = entries[-1].model_copy(update={"countersigned": True})
    return list(reversed(entries))
