"""Every court outcome POSTed twice at the same moment through the real HTTP API (a court system that
retried too soon, or two feeds carrying the same hearing). The API promises one 202 (accepted) and one
200 (a re-delivery: nothing new started) naming the same workflows; behind it, one inbox row, one start
of each workflow, each event once."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from activities.db import open_pool
from activities.users import add_user
from domain.access import Role
from tests.client.conftest import all_workflow_ids_of, serve_api
from tests.faults.checks import assert_each_once, expected_workflows, wait_until_opened, wait_until_quiet
from tests.faults.conftest import Clock, connect, fault_stack
from tests.faults.load import mixed_outcomes

# Bounded: a stuck run fails here instead of hanging CI (a loaded 2-core box needs minutes).
pytestmark = pytest.mark.timeout(600)

OUTCOMES = 200
AT_ONCE = 8  # outcomes in flight together, each as two simultaneous POSTs


async def test_every_outcome_delivered_twice_concurrently_starts_everything_once(
    fault_dir: Path, fault_database_url: str
) -> None:
    bodies = mixed_outcomes(OUTCOMES)
    expected = expected_workflows(bodies)
    async with fault_stack(fault_dir, fault_database_url) as stack:
        clock = Clock()
        token = await add_user(stack.pool, f"court-feed-{uuid.uuid4().hex[:6]}", Role.INTAKE)
        api_pool = await open_pool(fault_database_url)
        try:
            async with (
                serve_api(api_pool, lambda: connect(stack.temporal.address)) as api_url,
                httpx.AsyncClient(base_url=api_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http,
            ):
                gate = asyncio.Semaphore(AT_ONCE)

                async def twice(body: dict[str, Any]) -> list[httpx.Response]:
                    async with gate:
                        return list(await asyncio.gather(*(http.post("/court-outcomes", json=body) for _ in range(2))))

                answers = await asyncio.gather(*(twice(b) for b in bodies))
        finally:
            await api_pool.close()
        clock.lap("delivered twice")

        for body, pair in zip(bodies, answers, strict=True):
            codes = sorted(r.status_code for r in pair)
            assert codes == [200, 202], f"{body['outcome_id']}: answered {codes}: {[r.text for r in pair]}"
            first, again = sorted(pair, key=lambda r: r.status_code, reverse=True)
            assert first.json()["status"] == "accepted" and again.json()["status"] == "duplicate"
            assert first.json()["workflow_ids"] == again.json()["workflow_ids"] == all_workflow_ids_of(body)
            assert again.json()["note"] is None, "the same body counts as the same outcome"

        await wait_until_opened(stack.pool, expected, health=stack.crashed_workers)
        clock.lap("opened")
        await wait_until_quiet(stack.client, list(expected))
        clock.lap("quiet")
        for worker in stack.workers:
            worker.stop()
        summary = await assert_each_once(stack.pool, stack.client, bodies, stack.task_queue)
        clock.lap("checked")
        print(f"double delivery: {summary}; {clock}")
