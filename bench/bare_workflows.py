"""The intake benchmark's baseline: a bare workflow and its no-op activity.

A module of its own, importing only what they need: the sandbox re-imports a workflow's module for every
run, so the baseline must not pay for the benchmark's own imports (the test fixtures, httpx, psycopg).
"""

from __future__ import annotations

import sys
from datetime import timedelta

from temporalio import activity, workflow

BARE_DONE = b"done"


@activity.defn(name="bench_no_op")
async def no_op(last: bool) -> None:
    """Does nothing; the last one of a workflow tells the bench (a line on stdout) that it has run."""
    if last:
        sys.stdout.buffer.write(BARE_DONE + b"\n")
        sys.stdout.buffer.flush()


@workflow.defn(name="BenchBareWorkflow", sandboxed=True)
class BareWorkflow:
    """`activities` no-op activities one after another, then a long timer, as ours wait on deadlines."""

    @workflow.run
    async def run(self, activities: int) -> None:
        for i in range(activities):
            await workflow.execute_activity(no_op, i == activities - 1, start_to_close_timeout=timedelta(seconds=30))
        await workflow.sleep(timedelta(days=30))
