"""An operator's scrape of a real `worker.py`: the Temporal SDK's runtime metrics on one port and yjflow's
own on another, while real court outcomes open real workflows."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.faults.checks import expected_workflows, wait_until_opened
from tests.faults.conftest import fault_stack
from tests.faults.load import ingest, mixed_outcomes
from tests.faults.processes import free_port

pytestmark = pytest.mark.timeout(300)

Figures = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(port: int) -> Figures:
    async with httpx.AsyncClient(timeout=10) as http:
        reply = await http.get(f"http://127.0.0.1:{port}/metrics")
    assert reply.status_code == 200, reply.text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(reply.text)
        for s in family.samples
    }


def total(figures: Figures, name: str) -> float:
    return sum(v for (n, _), v in figures.items() if n == name)


async def until(port: int, holds: object, what: str, timeout: float = 60) -> Figures:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        figures = await scrape(port)
        if holds(figures):  # type: ignore[operator]
            return figures
        if loop.time() > deadline:
            raise AssertionError(f"{what} not seen within {timeout} s: {sorted(figures)[:40]}")
        await asyncio.sleep(0.5)


async def test_a_worker_serves_the_sdk_metrics_and_yjflows_own(fault_dir: Path, fault_database_url: str) -> None:
    ours, sdk = free_port(), free_port()
    bodies = mixed_outcomes(6)
    async with fault_stack(fault_dir, fault_database_url, workers=0) as stack:
        env = stack.worker_env()
        env.update(
            YJFLOW_METRICS_PORT=str(ours),
            YJFLOW_TEMPORAL_METRICS_PORT=str(sdk),
            YJFLOW_METRICS_INTERVAL_SECONDS="0.5",
        )
        stack.worker_env = lambda: env  # type: ignore[method-assign]
        await stack.add_worker()
        await ingest(stack.pool, bodies)
        await wait_until_opened(stack.pool, expected_workflows(bodies), health=stack.crashed_workers)

        figures = await until(
            ours,
            lambda f: total(f, "yjflow_deadlines_open") > 0 and f.get(("yjflow_inbox_pending", ())) == 0,
            "open deadlines and an emptied inbox",
        )
        assert figures[("yjflow_relay_lag_seconds", ())] == 0
        assert total(figures, "yjflow_outcomes_relayed_total") >= len(bodies)
        assert total(figures, "yjflow_events_appended_total") > 0
        assert total(figures, "yjflow_append_seconds_count") > 0
        assert ("yjflow_store_watermark_held_seconds", ()) in figures
        services = {dict(labels)["yjs"] for (name, labels) in figures if name == "yjflow_deadlines_open"}
        assert services == {b["yjs"] for b in bodies}

        sdk_figures = await until(
            sdk, lambda f: total(f, "temporal_workflow_task_execution_latency_count") > 0, "workflow task latency"
        )
        assert any(name.startswith("temporal_worker_task_slots") for name, _ in sdk_figures)
