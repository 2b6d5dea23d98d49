"""The Temporal dev server killed (SIGKILL) mid-run and started again on the same port and SQLite file:
the worker's polls and the relay's starts fail while it is down, and both carry on when it is back. What
the server had acknowledged is in the file; what it had not is retried."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.faults.checks import (
    assert_each_once,
    expected_workflows,
    opened_count,
    wait_for_progress,
    wait_until_opened,
    wait_until_quiet,
)
from tests.faults.conftest import Clock, fault_stack
from tests.faults.load import ingest, mixed_outcomes

# Bounded: a stuck run fails here instead of hanging CI (a loaded 2-core box needs minutes).
pytestmark = pytest.mark.timeout(600)

OUTCOMES = 250
DOWN_SECONDS = 3.0


async def test_temporal_restarted_mid_run_loses_and_duplicates_nothing(
    fault_dir: Path, fault_database_url: str
) -> None:
    bodies = mixed_outcomes(OUTCOMES)
    expected = expected_workflows(bodies)
    async with fault_stack(fault_dir, fault_database_url) as stack:
        clock = Clock()
        load = asyncio.create_task(ingest(stack.pool, bodies[: OUTCOMES // 2]))
        await wait_for_progress(stack.pool, expected, len(expected) // 10)
        stack.temporal.kill()
        opened_at_kill = await opened_count(stack.pool, expected)
        # Outcomes keep arriving while Temporal is down: intake needs only PostgreSQL.
        await load
        await ingest(stack.pool, bodies[OUTCOMES // 2 :])
        await asyncio.sleep(DOWN_SECONDS)
        async with stack.pool.connection() as conn:
            cur = await conn.execute("SELECT count(*) AS n FROM inbox WHERE relay_status = 'pending'")
            row = await cur.fetchone()
            pending_while_down = row["n"] if row else 0
        await stack.temporal.start()
        clock.lap("killed and restarted")
        assert 0 < opened_at_kill < len(expected), f"the kill did not land mid-run: {opened_at_kill} opened"
        assert pending_while_down > 0, "no outcome waited for Temporal: the outage was not exercised"

        await wait_until_opened(stack.pool, expected, health=stack.crashed_workers)
        clock.lap("opened")
        await wait_until_quiet(stack.client, list(expected))
        clock.lap("quiet")
        for worker in stack.workers:
            worker.stop()
        summary = await assert_each_once(stack.pool, stack.client, bodies, stack.task_queue)
        clock.lap("checked")
        print(
            f"temporal restarted: {summary}; opened at the kill {opened_at_kill}, "
            f"{pending_while_down} outcomes waiting while it was down; {clock}"
        )
