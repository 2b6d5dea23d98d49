"""A person's step is recorded exactly once when the order continues as new around it.

A youth rehabilitation order with a tiny history limit continues as new on every wake, and a step wakes
it: so every step here lands on a run that is about to continue as new, or on one that just has. Steps go
through `client.steps`, the one path the API and the pages take."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from client.steps import record_order_step, send_step
from domain.youth_rehabilitation_order import YroStep
from tests.workflows.conftest import Harness
from tests.workflows.test_referral_order import events_of, london, of_type, skip_to
from tests.workflows.test_youth_rehabilitation_order import STEP, start_yro
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

HEARING = date(2027, 1, 4)
OFFICER = "rob-officer"
# Below the history an order has once opened: every wake of its loop continues it as new.
TINY_HISTORY = 10


async def runs_of(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """The run ids of the workflow id, oldest first, following each run's continue-as-new."""
    first = None
    async for e in handle.fetch_history_events():
        first = e.workflow_execution_started_event_attributes.first_execution_run_id
        break
    assert first
    runs = [first]
    while True:
        last = None
        async for e in handle._client.get_workflow_handle(handle.id, run_id=runs[-1]).fetch_history_events():
            last = e
        assert last is not None
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return runs
        runs.append(last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id)


async def until_runs(handle: WorkflowHandle[Any, Any], n: int) -> list[str]:
    for _ in range(200):
        runs = await runs_of(handle)
        if len(runs) >= n:
            return runs
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} did not reach {n} runs")


async def opened_yro(h: Harness) -> WorkflowHandle[Any, Any]:
    await skip_to(h, london(HEARING, 11))
    handle = await start_yro(
        h, hearing=HEARING, end=date(2028, 1, 3), requirements=[{"kind": "supervision"}], history_limit=TINY_HISTORY
    )
    await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) >= 2)
    await skip_to(h, london(date(2027, 1, 8), 10))
    return handle


def step(**body: Any) -> YroStep:
    return STEP.validate_python({"actor": OFFICER, **body})


async def test_a_step_sent_to_the_run_that_just_continued_as_new_is_recorded_on_its_successor(
    harness: Harness,
) -> None:
    h = harness
    handle = await opened_yro(h)
    first_run = (await runs_of(handle))[0]
    recorded = await record_order_step(
        h.client, handle.id, {"step": "first_appointment_attended", "effective_date": "2027-01-08"}, OFFICER
    )
    assert recorded.state == "active"
    await until_runs(handle, 2)  # the step woke the order, which continued as new

    # The pages hold the run they last read; the step names it, and it has just continued as new.
    view = await send_step(
        h.client,
        handle.id,
        YouthRehabilitationOrderWorkflow.record_step,
        step(step="review_held", effective_date="2027-01-08"),
        run_id=first_run,
    )
    assert view.order.state.value == "active"
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "ReviewHeld")) >= 1)
    assert len(of_type(events, "ReviewHeld")) == 1
    assert len(of_type(events, "FirstAppointmentAttended")) == 1
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))


async def test_a_step_repeated_on_the_new_run_with_its_update_id_is_not_recorded_twice(harness: Harness) -> None:
    """The old run recorded the step and continued as new in the same task; the caller never heard, and
    sends it again with the same Update id to the new run, which answers without recording it again
    (and without refusing it: a second first appointment would be refused)."""
    h = harness
    handle = await opened_yro(h)
    step_id = f"step-{uuid.uuid4()}"
    first = step(step="first_appointment_attended", effective_date="2027-01-08")
    await handle.execute_update(YouthRehabilitationOrderWorkflow.record_step, first, id=step_id)
    runs = await until_runs(handle, 2)

    again = await h.client.get_workflow_handle(handle.id).execute_update(
        YouthRehabilitationOrderWorkflow.record_step, first, id=step_id
    )
    assert again.order.state.value == "active"
    events = await events_of(h, handle.id)
    assert len(of_type(events, "FirstAppointmentAttended")) == 1
    # The repeat woke nothing and recorded nothing: the order is still on the run it continued into.
    assert (await handle.describe()).run_id == runs[-1]


async def test_steps_sent_as_the_order_continues_as_new_are_each_recorded_once(harness: Harness) -> None:
    """Steps one straight after another, each answered as the order continues as new behind it (the next
    arrives as it does): every one is recorded, each exactly once, versions gap-free, state right."""
    h = harness
    handle = await opened_yro(h)
    await record_order_step(
        h.client, handle.id, {"step": "first_appointment_attended", "effective_date": "2027-01-08"}, OFFICER
    )
    reviews = [date(2027, 1, 8 + n) for n in range(8)]
    await skip_to(h, london(reviews[-1], 17))  # every review is in the past when recorded
    for day in reviews:
        answer = await record_order_step(
            h.client, handle.id, {"step": "review_held", "effective_date": day.isoformat()}, OFFICER
        )
        assert answer.state == "active"
    await asyncio.sleep(0.5)  # a step recorded twice would show by now
    events = await events_of(h, handle.id)
    assert [e.payload["review_date"] for e in of_type(events, "ReviewHeld")] == [d.isoformat() for d in reviews]
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
    assert len(await runs_of(handle)) >= len(reviews)
    view = await h.client.get_workflow_handle(handle.id).query(YouthRehabilitationOrderWorkflow.view)
    assert view.version == len(events)
    assert view.order.last_review_date == reviews[-1]
