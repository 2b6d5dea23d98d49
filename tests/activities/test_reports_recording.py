"""Late recording in the compliance figures, on a real PostgreSQL: a deadline met on time by its step's
date but recorded after it fell due counts apart from one recorded on time, with how late, and as "met
only on paper" when escalations fired first (the Rochdale case). The SQL counts as the domain does."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from activities import reports
from activities.db import Pool
from activities.event_store import EventStore
from domain.compliance import ComplianceFigures, DeadlineRecord
from domain.events import CaseWorkerAllocated, DeadlineEscalated
from tests.activities.test_reports import Stream, met, missed, order_opening, pool, scheduled

__all__ = ["pool"]  # the fixture, imported for the tests below

RULE = "ro.test_recording"


def escalated(n: int, due: date, number: int) -> DeadlineEscalated:
    return DeadlineEscalated(
        deadline_id=f"{RULE}#{n}", rule_id=RULE, due_date=due, recipient="manager", escalation_number=number
    )


async def _service(pool: Pool) -> tuple[str, date, date]:
    """One order: #1 due in a week and met today (recorded on time); #2, #3, #4 due 40 days ago, met on
    their due day by the step's date but recorded today, #3 and #4 after one and two escalations; #5 due
    40 days ago, met late; #6 missed. Amy holds the order; another, unallocated, has one of each kind."""
    yjs = f"yjs-{uuid.uuid4().hex[:8]}"
    store = EventStore(pool)
    today = datetime.now(UTC).date()
    ahead, past = today + timedelta(days=7), today - timedelta(days=40)
    a = Stream(f"referral-order:{yjs}:41CJ1:C-A", "C-A", yjs)

    await store.append(
        a(
            *order_opening(yjs),
            CaseWorkerAllocated(case_worker="amy"),
            scheduled(RULE, 1, ahead),
            *(scheduled(RULE, n, past) for n in (2, 3, 4, 5, 6)),
            met(RULE, 1, ahead, -7),
            missed(RULE, 2, past),
            met(RULE, 2, past, 0),
            missed(RULE, 3, past),
            escalated(3, past, 1),
            met(RULE, 3, past, 0),
            missed(RULE, 4, past),
            escalated(4, past, 1),
            escalated(4, past, 2),
            met(RULE, 4, past, 0),
            missed(RULE, 5, past),
            met(RULE, 5, past, 3),
            missed(RULE, 6, past),
        )
    )
    b = Stream(f"referral-order:{yjs}:41CJ2:C-B", "C-B", yjs)
    await store.append(b(*order_opening(yjs), scheduled(RULE, 1, past), met(RULE, 1, past, 0)))
    return yjs, past, today


async def test_met_on_time_but_recorded_late_counts_apart(pool: Pool) -> None:
    yjs, past, today = await _service(pool)
    start, end = past.replace(day=1) - timedelta(days=31), today + timedelta(days=40)
    rows = await reports.compliance_report(pool, start=start, end=end, yjs=yjs)
    total = _summed(rows)
    assert (total.due, total.recorded_on_time, total.recorded_late, total.met_late, total.missed) == (7, 1, 4, 1, 1)
    assert total.met_only_on_paper == 2  # #3 and #4: escalated before the step was recorded
    assert total.recorded_late_max_days == 40 and total.mean_days_recorded_late == 40.0
    assert total.pct_on_time == round(100 / 7, 1) and total.pct_on_time_by_date == round(500 / 7, 1)

    by_worker = await reports.compliance_by_worker(pool, start=start, end=end, yjs=yjs)
    got = {
        (r.responsible, r.recorded_on_time, r.recorded_late, r.met_only_on_paper, r.met_late, r.missed)
        for r in by_worker
    }
    assert got == {(None, 0, 1, 0, 0, 0), ("amy", 1, 3, 2, 1, 1)}
    assert {r.rule_id for r in by_worker} == {RULE}
    assert all(r.description == f"{RULE}: the test rule" for r in by_worker)


async def test_sql_counts_as_the_domain_does(pool: Pool) -> None:
    yjs, past, today = await _service(pool)
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT status, due_date, due_at, met_on, met_recorded_at,"
            " coalesce(escalations_before_met, 0) AS escalations_before_met,"
            " coalesce(missed_before_met, false) AS missed_before_met FROM deadlines WHERE yjs = %s",
            (yjs,),
        )
        stored = await cur.fetchall()
    records = [DeadlineRecord.model_validate(row) for row in stored]
    assert len(records) == 7
    rows = await reports.compliance_report(
        pool, start=past - timedelta(days=1), end=today + timedelta(days=40), yjs=yjs
    )
    assert _summed(rows) == ComplianceFigures.of(records)


def _summed(rows: list[reports.ComplianceRow]) -> ComplianceFigures:
    fields = set(ComplianceFigures.model_fields)
    return sum((ComplianceFigures.model_validate(r.model_dump(include=fields)) for r in rows), ComplianceFigures())


async def test_migration_012_fills_in_deadlines_met_before_it(pool: Pool) -> None:
    """The migration's backfill, run over rows as they stood before it, gives what the projection now
    keeps as each DeadlineMet is applied."""
    yjs, _, _ = await _service(pool)
    columns = "deadline_id, met_recorded_at, escalations_before_met, missed_before_met"
    migration = Path(__file__).parents[2] / "activities" / "migrations" / "012_late_recording.sql"
    text = migration.read_text(encoding="utf-8")
    backfill = text[text.index("UPDATE deadlines d") : text.index(";", text.index("UPDATE deadlines d"))]
    async with pool.connection() as conn:
        kept = await (
            await conn.execute(f"SELECT {columns} FROM deadlines WHERE yjs = %s ORDER BY 1, 2", (yjs,))
        ).fetchall()
        await conn.execute(
            "UPDATE deadlines SET met_recorded_at = NULL, escalations_before_met = NULL, missed_before_met = NULL"
            " WHERE yjs = %s",
            (yjs,),
        )
        await conn.execute(backfill)
        filled = await (
            await conn.execute(f"SELECT {columns} FROM deadlines WHERE yjs = %s ORDER BY 1, 2", (yjs,))
        ).fetchall()
    assert filled == kept
    assert sum(1 for r in kept if r["missed_before_met"]) == 4  # #2, #3, #4 and #5 were missed first
