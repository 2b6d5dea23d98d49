"""The board's quarterly report on a real PostgreSQL, over orders and remands recorded through
`EventStore.append`: orders started and ended by kind, remand episodes and how they ended (secure
remands ending in custody), the statutory cohort's size, compliance by rule, population as policy data."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime

from activities.board_report import REPORT_ACTOR, board_report
from activities.child_records import ChildRecordStore
from activities.db import Pool
from activities.event_store import EventStore
from domain import child_record as cr
from domain.board_report import PopulationPolicy, Quarter, ServicePopulation
from domain.events import (
    CourtOutcomeRecorded,
    EventPayload,
    NewEvent,
    OrderCompleted,
    ReferralOrderMade,
    RemandEnded,
    RemandStarted,
    new_event,
)
from tests.activities.test_reports import met, pool, scheduled

__all__ = ["pool"]

Q1 = Quarter.parse("2025-26-Q1")  # April to June 2025


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


def stream(stream_id: str, child: str, yjs: str, *events: tuple[date, EventPayload]) -> list[NewEvent]:
    return [
        new_event(
            payload,
            event_id=uuid.uuid4(),
            stream_id=stream_id,
            stream_version=n,
            child_id=child,
            yjs=yjs,
            effective_at=at(day),
            actor="worker.a",
        )
        for n, (day, payload) in enumerate(events, start=1)
    ]


def outcome(kind: str, hearing: date) -> CourtOutcomeRecorded:
    return CourtOutcomeRecorded(
        outcome_id=f"o-{uuid.uuid4().hex[:6]}",
        case_reference="41CJ1",
        court_kind="youth",
        hearing_date=hearing,
        disposal_kind=kind,
    )


def referral(yjs: str, child: str, made: date, *more: tuple[date, EventPayload]) -> list[NewEvent]:
    return stream(
        f"referral-order:{yjs}:41CJ1:{child}",
        child,
        yjs,
        (made, outcome("referral_order", made)),
        (made, ReferralOrderMade(months=6, hearing_date=made)),
        *more,
    )


def remand(yjs: str, child: str, kind: str, on: date, ended: tuple[date, str, str | None] | None) -> list[NewEvent]:
    started = RemandStarted(
        type=kind,  # type: ignore[arg-type]  # one of the four kinds, as the tests name them
        remand_date=on,
        looked_after=kind != "bail",
        next_hearing_date=on,
        first_remand=True,
    )
    events: list[tuple[date, EventPayload]] = [(on, outcome("remand", on)), (on, started)]
    if ended is not None:
        day, how, sentence = ended
        events.append((day, RemandEnded(how=how, ended_on=day, sentence_order_id=sentence)))  # type: ignore[arg-type]
    return stream(f"remand:{yjs}:41CJ9:{child}", child, yjs, *events)


async def test_quarter_report_counts_orders_remands_cohort_and_compliance(pool: Pool) -> None:
    yjs = f"yjs-{uuid.uuid4().hex[:8]}"
    store = EventStore(pool)
    may, june = date(2025, 5, 6), date(2025, 6, 10)
    dto = f"detention-and-training-order:{yjs}:41CJ9:C-R1"
    for events in (
        referral(
            yjs, "C-1", date(2025, 4, 2), (may, scheduled("ro.test_q", 1, may)), (may, met("ro.test_q", 1, may, 0))
        ),
        referral(yjs, "C-2", date(2025, 1, 10), (june, OrderCompleted(completed_date=june))),  # ended in Q1
        referral(yjs, "C-3", date(2024, 10, 1), (date(2025, 3, 1), OrderCompleted(completed_date=date(2025, 3, 1)))),
        referral(yjs, "C-4", date(2025, 7, 1)),  # after the quarter
        remand(yjs, "C-R1", "youth_detention_accommodation", date(2025, 4, 3), (june, "convicted_and_sentenced", dto)),
        remand(yjs, "C-R2", "youth_detention_accommodation", date(2025, 3, 20), (may, "bail", None)),
        remand(yjs, "C-R3", "local_authority_accommodation", date(2025, 5, 1), None),
    ):
        await store.append(events)

    population = PopulationPolicy(
        version="test",
        services={yjs: ServicePopulation(source="ONS test figures", confidence="[U]", ethnicity={"black": 0.1})},
    )
    report = await board_report(pool, Q1, yjs=yjs, population=population)
    assert (report.quarter, report.start, report.end) == ("2025-26-Q1", date(2025, 4, 1), date(2025, 7, 1))
    (orders,) = [o for o in report.orders if o.kind == "referral_order"]
    assert (orders.started, orders.ended, orders.ended_as) == (1, 1, {"completed": 1})
    remands = {r.remand_type: r for r in report.remands}
    secure = remands["youth_detention_accommodation"]
    assert (secure.started, secure.ended, secure.ended_how) == (1, 2, {"custodial_sentence": 1, "bail": 1})
    assert secure.pct_ended_in_custody == 50.0 and secure.secure
    assert (remands["local_authority_accommodation"].started, remands["local_authority_accommodation"].ended) == (1, 0)
    # C-1 and C-2 were on a referral order in the quarter; C-3 had ended, C-4 had not begun; remands are not sentences.
    assert report.cohort_size == 2
    assert report.compliance["ro.test_q"].due == 1
    # The ethnicity held for the population, not for the cohort: said, never zero.
    assert [(e.group, e.population_pct, e.cohort, e.cohort_pct) for e in report.ethnicity] == [
        ("black", 10.0, None, None)
    ]
    assert report.girls_pct is None and len(report.not_held) == 2
    assert report.population_source == "ONS test figures [U]"

    # With the children's records: C-1's record says girl, Black Caribbean; C-2 has no record, so is counted
    # apart as not held; each cohort child's read is logged as the report's.
    records = ChildRecordStore(pool, os.urandom(32), "test-key")
    await records.fill_from_court(
        yjs=yjs, child_id="C-1", given_name="Ama", family_name="Test", date_of_birth=date(2010, 5, 1), actor="intake"
    )
    change = {"sex": "female", "ethnicity": "black_caribbean"}
    await records.correct(
        yjs=yjs, child_id="C-1", correction=cr.RecordCorrection(changes=change, reason="told"), actor="sam"
    )
    held = await board_report(pool, Q1, yjs=yjs, population=population, records=records)
    assert [(e.group, e.population_pct, e.cohort, e.cohort_pct) for e in held.ethnicity] == [("black", 10.0, 1, 100.0)]
    assert [(e.group, e.cohort) for e in held.sex] == [("female", 1)]
    assert (held.girls_pct, held.ethnicity_not_held, held.sex_not_held) == (100.0, 1, 1)
    assert held.not_held[0].startswith("ethnicity of 1 of the 2 children")
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT child_id FROM child_record_reads WHERE yjs = %s AND username = %s", (yjs, REPORT_ACTOR)
        )
        assert [r["child_id"] for r in await cur.fetchall()] == ["C-1"]

    elsewhere = await board_report(pool, Q1, yjs=f"{yjs}-other", population=population)
    assert (elsewhere.orders, elsewhere.remands, elsewhere.cohort_size, elsewhere.ethnicity) == ([], [], 0, [])
    assert elsewhere.population_source is None
