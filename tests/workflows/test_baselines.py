"""A run born on a baseline (`workflows.changes`) runs exactly as a run that takes each patch does, with
no patch marker and no `TemporalChangeVersion` upsert in its history; a run started without the memo
takes its patches as before; the relay starts every workflow on the current baseline."""

from __future__ import annotations

from datetime import date
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from activities.event_store import EventStore
from client.steps import record_order_step
from client.workflow_starts import start_for_outcome
from domain.court_outcome import validate_court_outcome
from tests.workflows.conftest import Harness
from tests.workflows.test_continue_as_new_steps import HEARING, TINY_HISTORY, until_runs
from tests.workflows.test_custody import outcome_body
from tests.workflows.test_referral_order import (
    events_of,
    full_course,
    keep_golden_history,
    london,
    of_type,
    skip_to,
    start_order,
)
from tests.workflows.test_youth_rehabilitation_order import start_yro
from workflows import changes

CHANGE_VERSION = "TemporalChangeVersion"


async def _patch_traces(handle: WorkflowHandle[Any, Any]) -> tuple[int, int]:
    """How many patch markers and TemporalChangeVersion upserts the run's history holds."""
    markers = upserts = 0
    async for e in handle.fetch_history_events():
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            markers += 1
        elif e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            fields = e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
            upserts += CHANGE_VERSION in fields
    return markers, upserts


async def _course(h: Harness, handle: WorkflowHandle[Any, Any]) -> list[tuple[str, str | None, str]]:
    """What the run recorded, free of its own ids: each event's type, rule and effective instant."""
    events = await EventStore(h.pool).read_stream(handle.id)
    return [(e.event_type, e.payload.get("rule_id"), e.effective_at.isoformat()) for e in events]


async def test_an_order_born_on_the_baseline_records_what_a_patched_run_does_without_markers(
    harness: Harness,
) -> None:
    h = harness
    await skip_to(h, london(date(2027, 1, 4)))
    patched = await start_order(h, hearing=date(2027, 1, 4), months=3)
    born = await start_order(h, hearing=date(2027, 1, 4), months=3, memo=changes.baseline_memo())
    await full_course(h, patched, born)

    assert await _course(h, born) == await _course(h, patched)
    markers, upserts = await _patch_traces(patched)
    assert markers >= 5 and upserts == markers  # each patch taken: a marker and its upsert
    assert await _patch_traces(born) == (0, 0)
    keep_golden_history(await born.fetch_history(), "referral_order_on_baseline_1.json")


async def test_the_relay_starts_every_workflow_of_an_outcome_on_the_current_baseline(harness: Harness) -> None:
    h = harness
    await skip_to(h, london(date(2027, 1, 4)))
    body = outcome_body(date(2027, 1, 4), {"kind": "referral_order", "months": 6})
    body["victims"] = [{"ref": f"V-{body['child']['id']}", "kind": "person", "under_18": False}]
    outcome = validate_court_outcome(body, today=date(2027, 1, 4))
    started = await start_for_outcome(h.client, outcome, h.settings.task_queue)
    assert len(started) == 2  # the order and its victim's contact
    for wid in started:
        handle = h.client.get_workflow_handle(wid)
        description = await handle.describe()
        assert await description.memo_value(changes.BASELINE_MEMO) == changes.CURRENT
        await events_of(h, wid, until=bool)  # opened: its first events are stored
        assert await _patch_traces(handle) == (0, 0)


async def test_a_run_on_the_baseline_continues_as_new_on_it(harness: Harness) -> None:
    """A youth rehabilitation order that continues as new at every wake: each run it continues as keeps
    the memo, and none records a patch marker."""
    h = harness
    await skip_to(h, london(HEARING, 11))
    handle = await start_yro(
        h,
        hearing=HEARING,
        end=date(2028, 1, 3),
        requirements=[{"kind": "supervision"}],
        history_limit=TINY_HISTORY,
        memo=changes.baseline_memo(),
    )
    await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) >= 2)
    await skip_to(h, london(date(2027, 1, 8), 10))
    step = {"step": "first_appointment_attended", "effective_date": "2027-01-08"}
    assert (await record_order_step(h.client, handle.id, step, "rob-officer")).state == "active"
    runs = await until_runs(handle, 2)
    for run_id in runs:
        run = h.client.get_workflow_handle(handle.id, run_id=run_id)
        assert await (await run.describe()).memo_value(changes.BASELINE_MEMO) == changes.CURRENT, run_id
        assert await _patch_traces(run) == (0, 0), run_id
