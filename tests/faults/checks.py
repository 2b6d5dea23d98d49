"""What every fault test proves at the end: each accepted outcome started its workflows once, each
workflow recorded its opening events exactly once, in order, with no gap, every chain verifies, and
Temporal holds one running execution per workflow id in the state the order is in.

The openings are what a fault-free run records for each shape of outcome in `load.mixed_outcomes` (the
order's opening events and its first deadlines, by rule). A reminder already due may follow them,
depending on the hour the test runs; anything else after them is a failure.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg_pool import PoolTimeout
from temporalio.client import Client, WorkflowExecutionStatus

from activities.db import Pool
from activities.event_store import EventStore
from tests.client.conftest import all_workflow_ids_of
from workflows import search_attributes as sa

_RO = [
    "CourtOutcomeRecorded",
    "ReferralOrderMade",
    "DeadlineScheduled:ro.first_contact",
    "DeadlineScheduled:ro.initial_panel",
]
_OPENINGS: dict[str, list[str]] = {
    "referral_order": _RO,
    "referral_order+victims": [*_RO, "DeadlineScheduled:ro.victim_views"],
    "youth_rehabilitation_order": [
        "CourtOutcomeRecorded",
        "YouthRehabilitationOrderMade",
        "DeadlineScheduled:yro.first_appointment",
        "DeadlineScheduled:yro.review",
        "DeadlineScheduled:yro.end",
    ],
    "remand": [
        "CourtOutcomeRecorded",
        "RemandStarted",
        "DeadlineScheduled:remand.lac_review_1",
        "DeadlineScheduled:remand.sw_first_visit",
        "DeadlineScheduled:remand.ctl",
        "DeadlineScheduled:remand.next_hearing",
    ],
    "detention_and_training_order": [
        "CourtOutcomeRecorded",
        "CustodialSentenceMade",
        "ReleaseDateSet",
        "DeadlineScheduled:custody.initial_planning",
        "DeadlineScheduled:custody.review",
        "DeadlineScheduled:dto.release",
        "DeadlineScheduled:custody.pre_release",
    ],
    "victim_contact": ["VictimContactOpened"],
}
# What every order opens with besides its own: the casework cycle (domain.casework_cycle) and its first clocks.
_CYCLE_OPENING = (
    "CaseworkCycleStarted",
    "DeadlineScheduled:assessment.initial",
    "DeadlineScheduled:oversight.allocation",
)
# The state each workflow shows in Temporal (search attribute YjsCaseState) once opened.
_STATES = {
    "referral_order": "order_made",
    "youth_rehabilitation_order": "order_made",
    "remand": "youth_detention_accommodation",
    "detention_and_training_order": "in_custody",
    "victim_contact": "identified",
}
# Events that may follow an opening: a reminder that fell due before the test ran (weekday mornings).
_MAY_FOLLOW = {"DeadlineReminderSent"}


@dataclass(frozen=True)
class Expected:
    """One workflow an accepted outcome must have started."""

    workflow_id: str
    kind: str
    opening: tuple[str, ...]


def expected_workflows(bodies: list[dict[str, Any]]) -> dict[str, Expected]:
    """Every workflow the outcomes name (the order's, then one per victim), with its opening."""
    expected: dict[str, Expected] = {}
    for body in bodies:
        order_id, *victim_ids = all_workflow_ids_of(body)
        kind = body["disposal"]["kind"]
        shape = f"{kind}+victims" if kind == "referral_order" and body["victims"] else kind
        expected[order_id] = Expected(order_id, kind, (*_OPENINGS[shape], *_CYCLE_OPENING))
        for vid in victim_ids:
            expected[vid] = Expected(vid, "victim_contact", tuple(_OPENINGS["victim_contact"]))
    return expected


@dataclass
class RecordedEvent:
    stream_id: str
    stream_version: int
    event_type: str
    payload: dict[str, Any]

    @property
    def label(self) -> str:
        rule = self.payload.get("rule_id") if self.event_type == "DeadlineScheduled" else None
        return f"{self.event_type}:{rule}" if rule else self.event_type


async def recorded_events(pool: Pool) -> dict[str, list[RecordedEvent]]:
    """Every stream's events in version order."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT stream_id, stream_version, event_type, payload FROM events ORDER BY stream_id, stream_version"
        )
        rows = await cur.fetchall()
    streams: dict[str, list[RecordedEvent]] = {}
    for r in rows:
        streams.setdefault(r["stream_id"], []).append(
            RecordedEvent(r["stream_id"], r["stream_version"], r["event_type"], r["payload"])
        )
    return streams


async def opened_labels(pool: Pool) -> dict[str, list[str]]:
    """Every stream's event labels in version order: the light read the waits poll with."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT stream_id, CASE WHEN event_type = 'DeadlineScheduled' "
            "THEN event_type || ':' || (payload->>'rule_id') ELSE event_type END AS label "
            "FROM events ORDER BY stream_id, stream_version"
        )
        rows = await cur.fetchall()
    streams: dict[str, list[str]] = {}
    for r in rows:
        streams.setdefault(r["stream_id"], []).append(r["label"])
    return streams


async def opened_count(pool: Pool, expected: dict[str, Expected]) -> int:
    """How many expected workflows have recorded their whole opening (for progress and diagnostics)."""
    streams = await opened_labels(pool)
    return sum(1 for e in expected.values() if _opened(streams.get(e.workflow_id, []), e))


async def wait_for_progress(pool: Pool, expected: dict[str, Expected], at_least: int, *, timeout: float = 120) -> int:
    """Until at least `at_least` workflows have opened, so a fault lands mid-run however loaded the box
    is; returns how many had."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    opened = 0
    while True:
        try:
            opened = await opened_count(pool, expected)
        except (psycopg.OperationalError, PoolTimeout):  # a connection cut by a restart: the pool replaces it
            pass
        if opened >= at_least:
            return opened
        assert loop.time() < deadline, f"only {opened} of {at_least} workflows opened within {timeout} s"
        await asyncio.sleep(0.5)


def _opened(labels: list[str], e: Expected) -> bool:
    """The opening recorded: the first events in order (the court outcome, then the order made), and the
    rest of the opening (its deadlines and the casework cycle's start) in whatever order the decision
    listed them."""
    have = labels[: len(e.opening)]
    return have[:2] == list(e.opening[:2]) and sorted(have[2:]) == sorted(e.opening[2:])


async def wait_until_opened(
    pool: Pool,
    expected: dict[str, Expected],
    *,
    timeout: float = 300,
    health: Callable[[], list[str]] = list,
) -> None:
    """Poll until every expected workflow has recorded its opening. Fail after `timeout` s naming what is
    missing and what the inbox says, or at once if `health()` reports a crashed process. (Generous: on a
    2-core box shared with other test runs, the relay can fall to a few outcomes a second.)"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        problems = health()
        assert not problems, "\n".join(problems)
        try:
            streams: dict[str, list[str]] | None = await opened_labels(pool)
        except (psycopg.OperationalError, PoolTimeout):  # the database may be restarting
            streams = None
        if streams is not None:
            missing = [e for e in expected.values() if not _opened(streams.get(e.workflow_id, []), e)]
            if not missing:
                return
            if loop.time() > deadline:
                raise AssertionError(await _missing_report(pool, missing, streams, timeout))
        elif loop.time() > deadline:
            raise AssertionError(f"PostgreSQL did not answer within {timeout} s")
        await asyncio.sleep(1)


async def _missing_report(pool: Pool, missing: list[Expected], streams: dict[str, list[str]], timeout: float) -> str:
    lines = [f"{len(missing)} workflows had not recorded their opening within {timeout} s:"]
    for e in missing[:15]:
        have = streams.get(e.workflow_id, [])
        lines.append(f"  {e.workflow_id}: recorded {have}, expected {list(e.opening)}")
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT relay_status, count(*) AS n, max(last_error) AS last_error FROM inbox GROUP BY relay_status"
        )
        lines += [
            f"  inbox {r['relay_status']}: {r['n']} (last error: {r['last_error']})" for r in await cur.fetchall()
        ]
    return "\n".join(lines)


async def wait_until_quiet(client: Client, workflow_ids: list[str], *, timeout: float = 120) -> None:
    """Until no workflow has an activity or workflow task pending: a retry of an append whose first attempt
    died with a killed worker must have run (idempotently) before the final count."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    gate = asyncio.Semaphore(16)

    async def busy(wid: str) -> str | None:
        async with gate:
            desc = await client.get_workflow_handle(wid).describe()
        raw = desc.raw_description
        if raw.pending_activities or raw.HasField("pending_workflow_task"):
            return f"{wid}: {[a.activity_type.name for a in raw.pending_activities]} pending"
        return None

    pending = list(workflow_ids)
    while True:
        found = [b for b in await asyncio.gather(*(busy(w) for w in pending)) if b is not None]
        if not found:
            return
        if loop.time() > deadline:
            raise AssertionError(f"{len(found)} workflows still busy after {timeout} s: {found[:10]}")
        pending = [f.split(": ")[0] for f in found]
        await asyncio.sleep(1)


@dataclass
class Summary:
    outcomes: int
    workflows: int
    events: int
    reminders: int


async def assert_each_once(pool: Pool, client: Client, bodies: list[dict[str, Any]], task_queue: str) -> Summary:
    """The end state every fault test must reach: nothing lost, nothing twice, every chain whole."""
    expected = expected_workflows(bodies)
    outcome_ids = {b["outcome_id"] for b in bodies}

    # 1. Every accepted outcome is in the inbox once, started.
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT outcome_id, relay_status, workflow_ids FROM inbox")
        inbox = {r["outcome_id"]: r for r in await cur.fetchall()}
    assert set(inbox) == outcome_ids, (
        f"inbox differs: missing {outcome_ids - set(inbox)}, extra {set(inbox) - outcome_ids}"
    )
    not_started = {o: r["relay_status"] for o, r in inbox.items() if r["relay_status"] != "started"}
    assert not not_started, f"inbox rows not started: {not_started}"

    # 2. One stream per workflow, each its opening once, in order, gap-free, nothing repeated.
    streams = await recorded_events(pool)
    assert set(streams) == set(expected), (
        f"streams differ: missing {sorted(set(expected) - set(streams))[:10]}, "
        f"unexpected {sorted(set(streams) - set(expected))[:10]}"
    )
    reminders = 0
    for wid, events in streams.items():
        e = expected[wid]
        versions = [x.stream_version for x in events]
        assert versions == list(range(1, len(events) + 1)), f"{wid}: versions not gap-free: {versions}"
        labels = [x.label for x in events]
        assert _opened(labels, e), f"{wid}: recorded {labels}, expected {list(e.opening)}"
        extra = labels[len(e.opening) :]
        assert set(extra) <= _MAY_FOLLOW, f"{wid}: unexpected events after its opening: {extra}"
        reminders += len(extra)
        contents = Counter((x.event_type, json.dumps(x.payload, sort_keys=True)) for x in events)
        twice = [k[0] for k, n in contents.items() if n > 1]
        assert not twice, f"{wid}: the same event recorded more than once: {twice}"
        deadline_ids = Counter(x.payload["deadline_id"] for x in events if x.event_type == "DeadlineScheduled")
        assert all(n == 1 for n in deadline_ids.values()), f"{wid}: a deadline scheduled twice: {deadline_ids}"

    # 3. The deadlines projection, written in each append's transaction, has each scheduled deadline once.
    scheduled = {
        (x.stream_id, x.payload["deadline_id"])
        for events in streams.values()
        for x in events
        if x.event_type == "DeadlineScheduled"
    }
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT stream_id, deadline_id, status FROM deadlines")
        projected = {(r["stream_id"], r["deadline_id"]): r["status"] for r in await cur.fetchall()}
    assert set(projected) == scheduled, (
        f"deadlines projection differs from the events: missing {sorted(scheduled - set(projected))[:5]}, "
        f"extra {sorted(set(projected) - scheduled)[:5]}"
    )
    assert set(projected.values()) <= {"open"}, f"deadlines not open: {Counter(projected.values())}"

    # 4. Every hash chain verifies.
    total = sum(len(v) for v in streams.values())
    report = await EventStore(pool).verify()
    assert report.first_break is None, f"broken chain: {report.first_break}"
    assert (report.streams_checked, report.events_checked) == (len(expected), total)

    # 5. Temporal: one execution per workflow id, running, in the state its opening leads to. Visibility
    # lags a little behind the histories, so this is polled for a while before it counts as a failure.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while True:
        problem = await _temporal_problem(client, expected, task_queue)
        if problem is None:
            break
        assert loop.time() < deadline, problem
        await asyncio.sleep(1)
    return Summary(len(bodies), len(expected), total, reminders)


async def _temporal_problem(client: Client, expected: dict[str, Expected], task_queue: str) -> str | None:
    runs: Counter[str] = Counter()
    states: dict[str, tuple[WorkflowExecutionStatus | None, str | None]] = {}
    # The retention sweep's schedule starts its own workflow on the queue at its hour; it is no case's.
    async for w in client.list_workflows(f'TaskQueue = "{task_queue}" AND WorkflowType != "RetentionSweep"'):
        runs[w.id] += 1
        states[w.id] = (w.status, w.typed_search_attributes.get(sa.CASE_STATE))
    if set(runs) != set(expected):
        lacks, extra = sorted(set(expected) - set(runs))[:10], sorted(set(runs) - set(expected))[:10]
        return f"Temporal lacks {lacks}, has extra {extra}"
    twice = [w for w, n in runs.items() if n > 1]
    if twice:
        return f"started more than once: {twice[:10]}"
    wrong = {wid: s for wid, s in states.items() if s != (WorkflowExecutionStatus.RUNNING, _STATES[expected[wid].kind])}
    if wrong:
        return f"{len(wrong)} workflows not running in their expected state: {dict(list(wrong.items())[:10])}"
    return None
