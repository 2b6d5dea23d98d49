"""The management reports on a real PostgreSQL, over deadlines and cases recorded through `EventStore.append`.

Each test records one service's orders under a service name of its own, so the shared session database's
other rows never count: compliance by rule and month, the overdue list, the case list, the caseload."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from activities import reports
from activities.db import Pool, open_pool
from activities.event_store import EventStore
from domain.events import (
    CaseWorkerAllocated,
    CourtOutcomeRecorded,
    DeadlineCancelled,
    DeadlineMet,
    DeadlineMissed,
    DeadlineScheduled,
    EventPayload,
    NewEvent,
    OrderCompleted,
    ReferralOrderMade,
    VictimContactOpened,
    VictimWorkerAllocated,
    new_event,
)

HEARING = date(2025, 2, 20)
T0 = datetime(2025, 2, 20, 10, 0, tzinfo=UTC)
TODAY = date(2025, 4, 10)
MARCH = date(2025, 3, 1)
APRIL = date(2025, 4, 1)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await open_pool(database_url, max_size=4)
    yield pool
    await pool.close()


class Stream:
    def __init__(self, stream_id: str, child_id: str, yjs: str) -> None:
        self.stream_id, self.child_id, self.yjs, self.version = stream_id, child_id, yjs, 0

    def __call__(self, *payloads: EventPayload) -> list[NewEvent]:
        events = []
        for payload in payloads:
            self.version += 1
            events.append(
                new_event(
                    payload,
                    event_id=uuid.uuid4(),
                    stream_id=self.stream_id,
                    stream_version=self.version,
                    child_id=self.child_id,
                    yjs=self.yjs,
                    effective_at=T0,
                    actor="worker.a",
                )
            )
        return events


def scheduled(rule_id: str, n: int, due: date) -> DeadlineScheduled:
    due_at = datetime(due.year, due.month, due.day, 23, 59, tzinfo=UTC)
    return DeadlineScheduled(
        deadline_id=f"{rule_id}#{n}",
        rule_id=rule_id,
        rule_pack_version="test",
        calendar_version="test",
        rule_type="statutory",
        confidence="high",
        unconfirmed=False,
        source="test",
        description=f"{rule_id}: the test rule",
        clock_start=HEARING,
        due_date=due,
        due_at=due_at,
        escalate_at=due_at,
    )


def met(rule_id: str, n: int, due: date, days_late: int) -> DeadlineMet:
    return DeadlineMet(
        deadline_id=f"{rule_id}#{n}",
        rule_id=rule_id,
        due_date=due,
        met_on=due + timedelta(days=days_late),
        late=days_late > 0,
        days_late=days_late,
        met_by="amy",
    )


def missed(rule_id: str, n: int, due: date) -> DeadlineMissed:
    return DeadlineMissed(deadline_id=f"{rule_id}#{n}", rule_id=rule_id, due_date=due)


def order_opening(yjs: str) -> list[EventPayload]:
    return [
        CourtOutcomeRecorded(
            outcome_id=f"o-{uuid.uuid4().hex[:6]}",
            case_reference="41CJ1",
            court_kind="youth",
            hearing_date=HEARING,
            disposal_kind="referral_order",
        ),
        ReferralOrderMade(months=6, hearing_date=HEARING),
    ]


@dataclass
class Service:
    yjs: str
    a: str  # amy's order: every kind of deadline outcome
    b: str  # an unallocated order with one overdue deadline
    c: str  # a closed order with a miss
    victim: str  # amy's victim contact, one deadline not yet due


@pytest.fixture
async def service(pool: Pool) -> Service:
    yjs = f"yjs-{uuid.uuid4().hex[:8]}"
    store = EventStore(pool)
    x, m10, m20, m25 = "ro.test_x", date(2025, 3, 10), date(2025, 3, 20), date(2025, 3, 25)
    a = Stream(f"referral-order:{yjs}:41CJ1:C-A", "C-A", yjs)
    await store.append(
        a(
            *order_opening(yjs),
            CaseWorkerAllocated(case_worker="amy"),
            scheduled(x, 1, m10),
            scheduled(x, 2, m10),
            scheduled(x, 3, m10),
            scheduled(x, 4, m20),
            scheduled(x, 5, m25),
            scheduled(x, 6, m25),
            scheduled(x, 7, date(2025, 4, 30)),
            met(x, 1, m10, 0),  # on time
            met(x, 2, m10, 3),  # late, no miss recorded first
            missed(x, 3, m10),
            met(x, 3, m10, 5),  # missed, then met late: counts as met late, no longer overdue
            missed(x, 4, m20),  # missed, never met
            DeadlineCancelled(deadline_id=f"{x}#6", rule_id=x, why="replaced"),
        )
    )
    b = Stream(f"referral-order:{yjs}:41CJ2:C-B", "C-B", yjs)
    await store.append(b(*order_opening(yjs), scheduled("ro.test_y", 1, date(2025, 3, 5))))
    c = Stream(f"referral-order:{yjs}:41CJ3:C-C", "C-C", yjs)
    await store.append(
        c(
            *order_opening(yjs),
            scheduled("ro.test_y", 1, date(2025, 3, 1)),
            missed("ro.test_y", 1, date(2025, 3, 1)),
            OrderCompleted(completed_date=date(2025, 3, 2)),
        )
    )
    v = Stream(f"victim-contact:{yjs}:41CJ1:C-A:V-1", "C-A", yjs)
    await store.append(
        v(
            VictimContactOpened(
                victim_ref="V-1", victim_kind="person", under_18=False, enhanced_rights=False, on=HEARING
            ),
            VictimWorkerAllocated(victim_worker="amy", on=HEARING),
            scheduled("victim.test", 1, date(2025, 4, 20)),
        )
    )
    return Service(yjs, a.stream_id, b.stream_id, c.stream_id, v.stream_id)


async def test_compliance_counts_by_rule_and_month(pool: Pool, service: Service) -> None:
    rows = await reports.compliance_report(pool, start=MARCH, end=date(2025, 5, 1), yjs=service.yjs)
    got = [
        (r.rule_id, r.month, r.due, r.met_on_time, r.recorded_on_time, r.met_late, r.missed, r.still_open) for r in rows
    ]
    assert got == [
        # 6 deadlines in March less the cancelled one: 1 on time, 2 late (one after a miss), 1 missed, 1 open.
        ("ro.test_x", MARCH, 5, 1, 0, 2, 1, 1),
        ("ro.test_x", APRIL, 1, 0, 0, 0, 0, 1),
        ("ro.test_y", MARCH, 2, 0, 0, 0, 1, 1),
        ("victim.test", APRIL, 1, 0, 0, 0, 0, 1),
    ]
    # The one met on time was recorded today, long after March: on time only by its date.
    assert [(r.pct_on_time, r.pct_on_time_by_date) for r in rows] == [
        (0.0, 25.0),
        (None, None),
        (0.0, 0.0),
        (None, None),
    ]
    assert rows[0].recorded_late == 1 and rows[0].recorded_late_max_days > 365
    assert rows[0].description == "ro.test_x: the test rule"


async def test_compliance_window_is_half_open_and_per_service(pool: Pool, service: Service) -> None:
    april_only = await reports.compliance_report(pool, start=APRIL, end=date(2025, 4, 30), yjs=service.yjs)
    # ro.test_x#7 falls due on 30 April: outside [1 April, 30 April).
    assert [(r.rule_id, r.due) for r in april_only] == [("victim.test", 1)]
    elsewhere = await reports.compliance_report(pool, start=MARCH, end=APRIL, yjs=f"{service.yjs}-other")
    assert elsewhere == []
    with pytest.raises(ValueError, match=r"end .* must be after start"):
        await reports.compliance_report(pool, start=APRIL, end=MARCH)


async def test_overdue_lists_unmet_deadlines_most_overdue_first(pool: Pool, service: Service) -> None:
    items = await reports.overdue(pool, today=TODAY, yjs=service.yjs)
    got = [(i.workflow_id, i.deadline_id, i.status, i.days_overdue, i.responsible) for i in items]
    assert got == [
        (service.b, "ro.test_y#1", "open", 36, None),
        (service.a, "ro.test_x#4", "missed", 21, "amy"),
        (service.a, "ro.test_x#5", "open", 16, "amy"),
    ]
    # The closed order's miss shows only when asked for: closing the case ended its escalation.
    with_closed = await reports.overdue(pool, today=TODAY, yjs=service.yjs, include_closed_cases=True)
    assert [(i.workflow_id, i.deadline_id) for i in with_closed] == [
        (service.c, "ro.test_y#1"),
        *[(i.workflow_id, i.deadline_id) for i in items],
    ]

    amy = await reports.overdue(pool, today=TODAY, yjs=service.yjs, responsible="amy", limit=1)
    assert [(i.deadline_id, i.child_id, i.kind) for i in amy] == [("ro.test_x#4", "C-A", "referral_order")]
    # On its due date a deadline is not yet overdue.
    assert await reports.overdue(pool, today=date(2025, 3, 5), yjs=service.yjs) == []


async def test_cases_with_their_next_deadline(pool: Pool, service: Service) -> None:
    open_cases = await reports.cases(pool, yjs=service.yjs)
    assert {c.workflow_id for c in open_cases} == {service.a, service.b, service.victim}
    by_id = {c.workflow_id: c for c in open_cases}
    a = by_id[service.a]
    assert (a.kind, a.child_id, a.state, a.responsible, a.closed_at) == (
        "referral_order",
        "C-A",
        "order_made",
        "amy",
        None,
    )
    assert (a.next_deadline_rule, a.next_deadline_due) == ("ro.test_x", date(2025, 3, 25))
    assert (by_id[service.victim].kind, by_id[service.victim].state) == ("victim_contact", "identified")

    every = await reports.cases(pool, yjs=service.yjs, include_closed=True)
    closed = next(c for c in every if c.workflow_id == service.c)
    assert (closed.state, closed.closed_at, closed.next_deadline_rule) == ("completed", T0, None)

    amy = await reports.cases(pool, yjs=service.yjs, responsible="amy", kind="victim_contact")
    assert [c.workflow_id for c in amy] == [service.victim]
    child = await reports.cases(pool, child_id="C-B", yjs=service.yjs)
    assert [c.workflow_id for c in child] == [service.b]


async def test_caseload_per_worker(pool: Pool, service: Service) -> None:
    rows = await reports.caseload(pool, today=TODAY, yjs=service.yjs)
    got = [(r.responsible, r.orders, r.victim_contacts, r.open_deadlines, r.overdue) for r in rows]
    assert got == [
        (None, 1, 0, 1, 1),  # order B: its one deadline is open and overdue
        # Order A: #5 and #7 open, #4 missed and #5 overdue; the victim contact's deadline is not yet due.
        ("amy", 1, 1, 3, 2),
    ]
