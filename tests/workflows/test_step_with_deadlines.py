"""A step and the deadlines it starts are appended by one activity: when that activity fails for good,
nothing of the step is stored, and the case takes the step again from the stream's real head, its
deadlines as they were."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from activities.event_store import EventStore
from activities.notify import Notifier
from activities.order_activities import OrderActivities
from domain import events as ev
from domain.messages import ScheduleDeadlinesInput
from tests.workflows.conftest import Harness
from tests.workflows.test_referral_order import events_of, london, of_type, skip_to, start_order, step
from worker import create_worker


class RefusingOnce(OrderActivities):
    """The real activities, but the first schedule of a step's deadlines after the opening is refused
    for good, as an unknown rule or a conflict would be."""

    refused = False

    @activity.defn(name="schedule_deadlines")
    async def schedule_deadlines(self, input: ScheduleDeadlinesInput) -> list[ev.DeadlineScheduled]:
        if input.preceding and input.preceding[0].stream_version > 1 and not self.refused:
            self.refused = True
            raise ApplicationError("refused for the test", type="UnknownRule", non_retryable=True)
        return await super().schedule_deadlines(input)


async def test_a_step_whose_deadlines_fail_stores_nothing_and_the_next_step_records_at_the_head(
    harness: Harness,
) -> None:
    h = harness
    queue = f"yjflow-refusing-{uuid.uuid4().hex[:6]}"
    store = EventStore(h.pool)
    activities = RefusingOnce(h.pool, store, Notifier(h.pool, h.settings.smtp), None)
    async with create_worker(h.client, h.pool, h.settings.model_copy(update={"task_queue": queue}), activities):
        await skip_to(h, london(date(2027, 1, 4)))
        handle = await start_order(h, hearing=date(2027, 1, 4), task_queue=queue)
        await events_of(h, handle.id, until=lambda es: bool(of_type(es, "DeadlineScheduled")))
        await skip_to(h, london(date(2027, 1, 18)))
        panel = {"step": "initial_panel_held", "effective_date": "2027-01-18", "contract_signed_date": "2027-01-18"}
        with pytest.raises(WorkflowUpdateFailedError):
            await step(handle, **panel)
        assert activities.refused
        stored = [e.event_type for e in await store.read_stream(handle.id)]
        assert "InitialPanelHeld" not in stored  # nothing of the step was stored
        met_before = len(of_type(await store.read_stream(handle.id), "DeadlineMet"))

        await step(handle, **panel)
        events = await store.read_stream(handle.id)
        assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
        assert "InitialPanelHeld" in [e.event_type for e in events]
        # The deadline the refused step would have met is still open to the step sent again, which meets it.
        assert len(of_type(events, "DeadlineMet")) == met_before + 1
        assert (await store.verify(handle.id)).first_break is None
