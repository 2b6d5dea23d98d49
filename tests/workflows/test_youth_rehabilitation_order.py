"""A youth rehabilitation order on the time-skipping server, for its whole three years."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from activities.event_store import EventStore
from domain.calendar import add_calendar_months
from domain.court_outcome import YouthRehabilitationOrderDisposal
from domain.messages import YouthRehabilitationOrderInput
from domain.youth_rehabilitation_order import YroStep
from tests.workflows.conftest import Harness
from tests.workflows.test_referral_order import events_of, london, of_type, scheduled, skip_to
from tests.workflows.test_victim_contact import save_golden
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

STEP: TypeAdapter[YroStep] = TypeAdapter(YroStep)


async def start_yro(
    h: Harness,
    *,
    hearing: date,
    end: date,
    requirements: list[dict[str, Any]],
    history_limit: int | None = None,
    memo: dict[str, Any] | None = None,
) -> WorkflowHandle[Any, Any]:
    tag = uuid.uuid4().hex[:7]
    child = f"C-{tag}"
    return await h.client.start_workflow(
        YouthRehabilitationOrderWorkflow.run,
        YouthRehabilitationOrderInput(
            outcome_id=f"LUT-{tag}",
            case_reference=f"41CJ{tag}",
            court_kind="youth",
            child_id=child,
            yjs="luton",
            hearing_date=hearing,
            disposal=YouthRehabilitationOrderDisposal.model_validate(
                {
                    "kind": "youth_rehabilitation_order",
                    "end_date": end.isoformat(),
                    "requirements": requirements,
                    "iss": False,
                }
            ),
            warned_period_months=12,
            history_limit=history_limit,
        ),
        id=f"youth-rehabilitation-order:luton:41CJ{tag}:{child}",
        task_queue=h.settings.task_queue,
        memo=memo,
    )


async def ystep(handle: WorkflowHandle[Any, Any], **body: Any) -> Any:
    return await handle.execute_update(
        YouthRehabilitationOrderWorkflow.record_step, STEP.validate_python({"actor": "rob-officer", **body})
    )


async def test_three_year_order_runs_to_completion_across_continue_as_new(harness: Harness) -> None:
    """A 3-year YRO with unpaid work: first appointment, a review every 3 months, two warnings and a
    refused third, a breach with an extension, unpaid work done, completion at the end date. The
    workflow continues as new several times and nothing is lost across the seams: versions stay
    gap-free, open deadlines keep firing, warnings still count."""
    h = harness
    hearing = date(2027, 1, 4)
    end = date(2029, 12, 31)
    await skip_to(h, london(hearing, 11))
    handle = await start_yro(
        h,
        hearing=hearing,
        end=end,
        requirements=[{"kind": "supervision"}, {"kind": "unpaid_work", "hours": 120}],
        history_limit=120,
    )
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 3)
    assert scheduled(events, "yro.first_appointment")["due_date"] == "2027-01-11"
    assert scheduled(events, "yro.end")["due_date"] == "2029-12-31"

    await skip_to(h, london(date(2027, 1, 8), 10))
    await ystep(handle, step="first_appointment_attended", effective_date="2027-01-08")
    review = hearing
    for n in range(1, 12):
        review = add_calendar_months(hearing, 3 * n)
        while review.weekday() >= 5:
            review = review.replace(day=review.day - 1)
        await skip_to(h, london(review, 10))
        await ystep(handle, step="review_held", effective_date=review.isoformat())
        if n % 3 == 0:
            await ystep(
                handle,
                step="requirement_progress",
                effective_date=review.isoformat(),
                requirement="unpaid_work",
                unpaid_work_hours=40,
            )
        if n in (2, 3):  # two failures, each warned
            await ystep(handle, step="appointment_missed", effective_date=review.isoformat())
            await ystep(handle, step="absence_explained", effective_date=review.isoformat(), acceptable=False)
            await ystep(handle, step="follow_up_contact_made", effective_date=review.isoformat())
            await ystep(handle, step="warning_issued", effective_date=review.isoformat())
        if n == 4:  # a third failure inside the warned period: only court
            await ystep(handle, step="appointment_missed", effective_date=review.isoformat())
            await ystep(handle, step="absence_explained", effective_date=review.isoformat(), acceptable=False)
            with pytest.raises(WorkflowUpdateFailedError) as third:
                await ystep(handle, step="warning_issued", effective_date=review.isoformat())
            assert "must go to court" in str(third.value.cause)
            await ystep(handle, step="follow_up_contact_made", effective_date=review.isoformat())
            await ystep(handle, step="breach_laid", effective_date=review.isoformat())
            await ystep(handle, step="court_breach_outcome", effective_date=review.isoformat(), decision="continue")
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await ystep(handle, step="order_completed", effective_date=review.isoformat())
    assert "end date" in str(early.value.cause)
    await skip_to(h, london(end, 12))
    view = await ystep(handle, step="order_completed", effective_date=end.isoformat())
    assert view.order.state == "completed"
    assert await handle.result() == "completed"

    events = await EventStore(h.pool).read_stream(handle.id)
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))  # gap-free across seams
    assert len(of_type(events, "ReviewHeld")) == 11
    assert len(of_type(events, "WarningIssued")) == 2
    assert of_type(events, "BreachLaid") and of_type(events, "YroCompleted")
    # The review deadline kept firing after each continue-as-new: every review but the first met one.
    assert len(of_type(events, "DeadlineMet", "yro.review")) == 11
    assert (await EventStore(h.pool).verify(handle.id)).first_break is None
    assert await _continued_as_new_count(h, handle.id) >= 2
    save_golden(await handle.fetch_history(), "youth_rehabilitation_order_final_run")


async def _continued_as_new_count(h: Harness, wid: str) -> int:
    """How many runs the workflow went through (each continue-as-new starts a new run)."""
    count = 0
    run_id: str | None = None
    handle = h.client.get_workflow_handle(wid)
    first = await handle.describe()
    run_id = first.run_id
    while run_id:
        history = await h.client.get_workflow_handle(wid, run_id=run_id).fetch_history()
        start = history.events[0].workflow_execution_started_event_attributes
        run_id = start.continued_execution_run_id or None
        if run_id:
            count += 1
    return count
