"""The daily retention sweep on a time-skipping server: a child's record is kept while their order runs and
until its retention has passed, then the sweep's workflow erases it by destroying its key; a legal hold
keeps a record past its time until a manager lifts it; every erasure and hold is an event, and the hash
chains verify afterwards."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio

from activities import retention
from activities.child_records import ChildRecordStore, RecordErased, record_stream_id
from activities.event_store import EventStore
from activities.rule_source import retention_policy
from domain.retention import SweepSummary
from tests.workflows.conftest import Harness, make_harness
from tests.workflows.test_referral_order import london, skip_to, start_order, step
from workflows.retention import RetentionSweepWorkflow

MASTER = b"yjflow-retention-test-master-key"


@pytest_asyncio.fixture
async def h(database_url: str) -> AsyncIterator[Harness]:
    async with make_harness(database_url, victim_master_key=base64.b64encode(MASTER).decode()) as harness:
        yield harness


HISTORY = Path(__file__).parent.parent / "histories" / "retention_sweep_erases.json"


async def sweep_now(h: Harness) -> SweepSummary:
    return await h.client.execute_workflow(
        RetentionSweepWorkflow.run, id=f"retention-sweep-{uuid.uuid4().hex[:6]}", task_queue=h.settings.task_queue
    )


async def test_a_closed_childs_record_is_erased_once_its_time_has_passed_and_a_hold_keeps_one(h: Harness) -> None:
    store = ChildRecordStore(h.pool, MASTER, h.settings.victim_master_key_id)
    await skip_to(h, london(date(2027, 1, 4)))
    kept, held = f"C-{uuid.uuid4().hex[:6]}", f"C-{uuid.uuid4().hex[:6]}"
    orders = []
    for child in (kept, held):
        orders.append(await start_order(h, hearing=date(2027, 1, 4), child=child))
        await store.fill_from_court(
            yjs="luton",
            child_id=child,
            given_name="Rita",
            family_name="Tention",
            date_of_birth=date(2010, 5, 1),
            actor="court-intake",
        )
    # Still open: the sweep keeps them whatever the date.
    assert (await sweep_now(h)).erased == {}
    await skip_to(h, london(date(2027, 1, 7)))
    for order in orders:
        await step(order, step="revoked_by_court", effective_date="2027-01-06", reason="custodial sentence")
        assert await order.result() == "revoked"

    await retention.place_hold(
        h.pool, kind="child_record", yjs="luton", subject=held, reason="Civil claim notified 2033", by="manager-m"
    )
    policy = retention_policy(None)
    # Due on the later of the 25th birthday (1 May 2035) and six years after closure (6 Jan 2033).
    preview = await retention.preview(h.pool, store, policy, today=date(2035, 4, 10), days=30)
    assert [(d.facts.subject, d.erase_on) for d in preview if d.facts.subject in (kept, held)] == [
        (kept, date(2035, 5, 1))
    ]

    await skip_to(h, london(date(2035, 5, 1), hour=3))
    run = await h.client.start_workflow(
        RetentionSweepWorkflow.run, id=f"retention-sweep-{uuid.uuid4().hex[:6]}", task_queue=h.settings.task_queue
    )
    summary = await run.result()
    assert summary.erased.get("child_record", 0) >= 1 and summary.failed == []
    if not HISTORY.exists():  # a golden history: written once, then replayed by CI forever
        HISTORY.write_text(json.dumps(json.loads((await run.fetch_history()).to_json()), indent=1))
    with pytest.raises(RecordErased):
        await store.read(yjs="luton", child_id=kept, actor="sam")
    assert (await store.read(yjs="luton", child_id=held, actor="sam")).record.family_name == "Tention"

    await retention.lift_hold(
        h.pool, kind="child_record", yjs="luton", subject=held, reason="Claim settled", by="manager-m"
    )
    await sweep_now(h)
    with pytest.raises(RecordErased):
        await store.read(yjs="luton", child_id=held, actor="sam")

    events = await EventStore(h.pool).read_stream(record_stream_id("luton", held))
    assert [e.event_type for e in events] == ["LegalHoldPlaced", "LegalHoldLifted", "ChildRecordErased"]
    assert [e.reason for e in events[:2]] == ["Civil claim notified 2033", "Claim settled"]
    for child in (kept, held):  # the records' streams, erasures and holds in them, still verify
        assert (await EventStore(h.pool).verify(record_stream_id("luton", child))).first_break is None


async def test_a_hold_needs_a_reason_and_a_real_record(h: Harness) -> None:
    with pytest.raises(retention.HoldError, match="reason"):
        await retention.place_hold(h.pool, kind="child_record", yjs="luton", subject="C-x", reason=" ", by="m")
    with pytest.raises(retention.HoldError, match="no child record C-nobody"):
        await retention.place_hold(h.pool, kind="child_record", yjs="luton", subject="C-nobody", reason="r", by="m")
