"""Scale-out: two `worker.py` processes, each with its relay, on one task queue against one dev server.
Both share the work (Temporal's histories name which process started each workflow, completed its
workflow tasks and ran its activities), and nothing is done twice: each inbox row was taken by one relay
once (SKIP LOCKED), each workflow started once, each event recorded once."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from temporalio.client import Client

from tests.faults.checks import assert_each_once, expected_workflows, wait_until_opened, wait_until_quiet
from tests.faults.conftest import Clock, fault_stack
from tests.faults.load import ingest, mixed_outcomes

# Bounded: a stuck run fails here instead of hanging CI (a loaded 2-core box needs minutes).
pytestmark = pytest.mark.timeout(600)

OUTCOMES = 300


async def test_two_workers_share_one_task_queue_and_nothing_is_done_twice(
    fault_dir: Path, fault_database_url: str
) -> None:
    bodies = mixed_outcomes(OUTCOMES)
    expected = expected_workflows(bodies)
    async with fault_stack(fault_dir, fault_database_url, workers=2) as stack:
        clock = Clock()
        await ingest(stack.pool, bodies)
        clock.lap("ingested")
        await wait_until_opened(stack.pool, expected, health=stack.crashed_workers)
        clock.lap("opened")
        await wait_until_quiet(stack.client, list(expected))
        clock.lap("quiet")
        roles = await who_did_what(stack.client, list(expected))
        clock.lap("histories read")
        for worker in stack.workers:
            worker.stop()
        summary = await assert_each_once(stack.pool, stack.client, bodies, stack.task_queue)

        by_worker = {w.name: w.identities for w in stack.workers}
        for role, counts in roles.items():
            unknown = set(counts) - set().union(*by_worker.values())
            assert not unknown, f"{role} by processes that are not our workers: {unknown}"
            shares = {name: sum(counts[i] for i in ids) for name, ids in by_worker.items()}
            assert all(n > 0 for n in shares.values()), f"{role}: one worker did none of it: {shares}"
            print(f"{role}: {shares}")

        # Each inbox row went through a relay exactly once: the two relays never took the same row.
        async with stack.pool.connection() as conn:
            cur = await conn.execute("SELECT relay_attempts, count(*) AS n FROM inbox GROUP BY relay_attempts")
            attempts = {r["relay_attempts"]: r["n"] for r in await cur.fetchall()}
        assert attempts == {1: OUTCOMES}, f"inbox rows by relay attempts: {attempts}"
        clock.lap("checked")
        print(f"scale-out: {summary}; {clock}")


async def who_did_what(client: Client, workflow_ids: list[str]) -> dict[str, Counter[str]]:
    """From every workflow's history: which client identity (`pid@host`) started it (a relay), completed
    its workflow tasks and ran its activities (a worker)."""
    roles: dict[str, Counter[str]] = {"started": Counter(), "workflow tasks": Counter(), "activities": Counter()}
    gate = asyncio.Semaphore(16)

    async def one(wid: str) -> None:
        async with gate:
            history = await client.get_workflow_handle(wid).fetch_history()
        for event in history.events:
            kind = event.WhichOneof("attributes")
            if kind == "workflow_execution_started_event_attributes":
                roles["started"][event.workflow_execution_started_event_attributes.identity] += 1
            elif kind == "workflow_task_completed_event_attributes":
                roles["workflow tasks"][event.workflow_task_completed_event_attributes.identity] += 1
            elif kind == "activity_task_started_event_attributes":
                roles["activities"][event.activity_task_started_event_attributes.identity] += 1

    await asyncio.gather(*(one(w) for w in workflow_ids))
    return roles
