"""The daily retention sweep: a Temporal Schedule starts this workflow once a day (02:30 London), and it
asks one activity to erase what has passed its retention (`activities.retention`). A run the worker
missed is not made up: the next day's sweep erases whatever is due by then, so skipping is safe."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
)
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.calendar import london_date
    from domain.retention import SweepRequest, SweepSummary

SCHEDULE_ID = "yjflow-retention-sweep"


@workflow.defn(name="RetentionSweep")
class RetentionSweepWorkflow:
    @workflow.run
    async def run(self) -> SweepSummary:
        summary: SweepSummary = await workflow.execute_activity(
            "sweep_retention",
            SweepRequest(day=london_date(workflow.now())),
            result_type=SweepSummary,
            start_to_close_timeout=timedelta(minutes=30),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5), maximum_attempts=5),
        )
        if summary.failed:
            workflow.logger.warning("retention sweep: %d records not erased: %s", len(summary.failed), summary.failed)
        return summary


def retention_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(RetentionSweepWorkflow.run, id="retention-sweep", task_queue=task_queue),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(2)], minute=[ScheduleRange(30)])],
            time_zone_name="Europe/London",
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(hours=12)),
    )


async def ensure_retention_schedule(client: Client, task_queue: str) -> bool:
    """Create the daily schedule if it is not there; True if this call created it. Every worker calls it at
    start: the first creates it, the rest find it."""
    try:
        await client.create_schedule(SCHEDULE_ID, retention_schedule(task_queue))
    except ScheduleAlreadyRunningError:
        return False
    return True
