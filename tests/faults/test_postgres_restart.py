"""PostgreSQL restarted (`pg_ctl restart -m fast`) twice while outcomes come in and workflows open: every
session is cut, intake calls fail and are sent again, activities fail mid-append (some after their commit)
and are retried, the relay loses its LISTEN connection and its batch. A private cluster, never the
machine's shared server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.faults.checks import (
    assert_each_once,
    expected_workflows,
    wait_for_progress,
    wait_until_opened,
    wait_until_quiet,
)
from tests.faults.conftest import Clock, fault_stack
from tests.faults.load import ingest, mixed_outcomes
from tests.faults.processes import PrivatePostgres

# Bounded: a stuck run fails here instead of hanging CI (a loaded 2-core box needs minutes).
pytestmark = pytest.mark.timeout(600)

OUTCOMES = 250
RESTARTS = 2


async def test_postgres_restarted_during_load_loses_and_duplicates_nothing(
    fault_dir: Path, private_postgres: PrivatePostgres
) -> None:
    bodies = mixed_outcomes(OUTCOMES)
    expected = expected_workflows(bodies)
    async with fault_stack(fault_dir, private_postgres.url("yjflow")) as stack:
        clock = Clock()
        load = asyncio.create_task(ingest(stack.pool, bodies))
        opened_at_restart: list[int] = []
        for n in range(1, RESTARTS + 1):
            # At a quarter and at half of the workflows opened, so each restart lands mid-run.
            opened_at_restart.append(await wait_for_progress(stack.pool, expected, len(expected) * n // 4))
            # pg_ctl blocks until the server is back; the load and the workers carry on meanwhile.
            await asyncio.to_thread(private_postgres.restart)
        await load
        clock.lap(f"{RESTARTS} restarts")
        assert opened_at_restart[-1] < len(expected), f"the work was done before the restart: {opened_at_restart}"

        await wait_until_opened(stack.pool, expected, health=stack.crashed_workers)
        clock.lap("opened")
        await wait_until_quiet(stack.client, list(expected))
        clock.lap("quiet")
        for worker in stack.workers:
            worker.stop()
        summary = await assert_each_once(stack.pool, stack.client, bodies, stack.task_queue)
        clock.lap("checked")
        print(f"postgres restarted: {summary}; opened at each restart {opened_at_restart}; {clock}")
