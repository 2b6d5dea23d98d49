"""The worker (with its relay) killed with SIGKILL again and again while 300 court outcomes come in and
their workflows open. Each kill loses whatever the process held: workflow tasks, activities half done
(an append committed but never reported), a relay batch inside its transaction. Temporal retries the
tasks, the relay takes its rows again, appends are idempotent by event id: in the end every workflow
has its opening exactly once."""

from __future__ import annotations

import asyncio
import os
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

OUTCOMES = int(os.environ.get("YJFLOW_FAULTS_OUTCOMES", "300"))
KILLS = 4
MIN_KILLS = 2
SECONDS_BETWEEN_KILLS = 2.5
# Kills stop once this share of the workflows has opened, so each lands mid-run on a fast box or a slow one.
KILL_WHILE_BELOW = 0.8


async def test_worker_sigkilled_repeatedly_during_load_loses_and_duplicates_nothing(
    fault_dir: Path, fault_database_url: str
) -> None:
    bodies = mixed_outcomes(OUTCOMES)
    expected = expected_workflows(bodies)
    async with fault_stack(fault_dir, fault_database_url) as stack:
        clock = Clock()
        (worker,) = stack.workers
        load = asyncio.create_task(ingest(stack.pool, bodies))
        opened_at_kill: list[int] = []
        await wait_for_progress(stack.pool, expected, 1)
        for _ in range(KILLS):
            # Each run of the worker gets a few seconds of work in before it dies mid-flight.
            await asyncio.sleep(SECONDS_BETWEEN_KILLS)
            if await opened_count(stack.pool, expected) >= KILL_WHILE_BELOW * len(expected):
                break
            worker.sigkill()
            opened_at_kill.append(await opened_count(stack.pool, expected))
            worker.start()
            await worker.wait_started()
        await load
        clock.lap(f"{len(opened_at_kill)} kills")
        # The kills must have landed mid-run, or this test proved nothing.
        assert len(opened_at_kill) >= MIN_KILLS, f"fewer than {MIN_KILLS} kills landed mid-run: {opened_at_kill}"
        assert opened_at_kill[-1] < len(expected), f"the work was done before the last kill: {opened_at_kill}"
        assert opened_at_kill[0] > 0, f"the first kill came before any work: {opened_at_kill}"

        await wait_until_opened(stack.pool, expected, health=stack.crashed_workers)
        clock.lap("opened")
        await wait_until_quiet(stack.client, list(expected))
        clock.lap("quiet")
        worker.stop()
        summary = await assert_each_once(stack.pool, stack.client, bodies, stack.task_queue)
        clock.lap("checked")
        print(f"worker killed: {summary}; workflows opened at each kill {opened_at_kill}; {clock}")
