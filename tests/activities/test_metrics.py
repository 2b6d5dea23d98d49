"""yjflow's metrics, scraped over HTTP from a real `/metrics` endpoint against real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import psycopg
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from activities import intake, metrics
from activities.db import Pool, open_pool
from activities.event_store import EventStore
from activities.notify import Notifier
from domain.notifications import Message

SAMPLES = Path(__file__).resolve().parents[2] / "client" / "sample_data" / "outcomes.jsonl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def metrics_url() -> str:
    port = free_port()
    metrics.serve_metrics(port)
    return f"http://127.0.0.1:{port}/metrics"


@pytest_asyncio.fixture
async def pool(fresh_database_url: str) -> AsyncIterator[Pool]:
    p = await open_pool(fresh_database_url, max_size=4)
    try:
        yield p
    finally:
        await p.close()


async def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with httpx.AsyncClient() as http:
        reply = await http.get(url)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain")
    figures: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(reply.text):
        for sample in family.samples:
            figures[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return figures


async def test_inbox_depth_and_relay_lag_follow_accepted_outcomes(pool: Pool, metrics_url: str) -> None:
    gauges = metrics.StoreGauges(pool)
    await gauges.refresh()
    assert (await scrape(metrics_url))[("yjflow_inbox_pending", ())] == 0
    assert (await scrape(metrics_url))[("yjflow_relay_lag_seconds", ())] == 0

    bodies = [json.loads(line) for line in SAMPLES.read_text().splitlines() if line.strip()][:3]
    for body in bodies:
        result = await intake.receive_value(pool, body, received_by="court-feed", today=date(2026, 11, 20))
        assert result.status == "accepted", result
    async with pool.connection() as conn:
        await conn.execute("UPDATE inbox SET received_at = now() - interval '90 seconds'")
    await intake.receive_value(pool, {"not": "an outcome"}, received_by="court-feed", today=date(2026, 11, 20))

    await gauges.refresh()
    figures = await scrape(metrics_url)
    assert figures[("yjflow_inbox_pending", ())] == len(bodies)
    assert 90 <= figures[("yjflow_relay_lag_seconds", ())] < 600
    assert figures[("yjflow_rejected_outcomes", ())] == 1


async def test_a_transaction_held_open_shows_as_the_watermark_held_back(
    pool: Pool, fresh_database_url: str, metrics_url: str
) -> None:
    gauges = metrics.StoreGauges(pool)
    await gauges.refresh()
    assert (await scrape(metrics_url))[("yjflow_store_watermark_held_seconds", ())] < 1

    # A transaction that has written (it holds a transaction id) is what readers of the store wait behind.
    holder = await psycopg.AsyncConnection.connect(fresh_database_url)
    try:
        await holder.execute("SELECT pg_current_xact_id()")
        await asyncio.sleep(1.2)
        await gauges.refresh()
        assert (await scrape(metrics_url))[("yjflow_store_watermark_held_seconds", ())] >= 1
    finally:
        await holder.rollback()
        await holder.close()
    await gauges.refresh()
    assert (await scrape(metrics_url))[("yjflow_store_watermark_held_seconds", ())] < 1


async def test_events_above_the_watermark_show_as_the_followers_lag_until_it_moves(
    pool: Pool, fresh_database_url: str, metrics_url: str
) -> None:
    from tests.activities.test_event_store import ev, stream

    store = EventStore(pool)
    appended_before = (await scrape(metrics_url)).get(("yjflow_events_appended_total", ()), 0)
    gauges = metrics.StoreGauges(pool)
    holder = await psycopg.AsyncConnection.connect(fresh_database_url)
    try:
        await holder.execute("SELECT pg_current_xact_id()")
        # Committed after the holder began: a follower of the store may not read it yet.
        await store.append([ev(stream(), 1), ev(stream(), 1)])
        await gauges.refresh()
        figures = await scrape(metrics_url)
        assert figures[("yjflow_store_reader_lag_events", (("reader", "store_followers"),))] == 2
        assert figures[("yjflow_events_appended_total", ())] - appended_before == 2
        assert figures[("yjflow_append_seconds_count", ())] >= 1
    finally:
        await holder.rollback()
        await holder.close()
    await gauges.refresh()
    assert (await scrape(metrics_url))[("yjflow_store_reader_lag_events", (("reader", "store_followers"),))] == 0


async def test_notices_are_counted_by_kind_and_mail_status(pool: Pool, metrics_url: str) -> None:
    before = (await scrape(metrics_url)).get(
        ("yjflow_notices_total", (("kind", "reminder"), ("status", "not_configured"))), 0
    )
    notifier = Notifier(pool, None)
    message = Message(subject="First YJS appointment due", body="Due by the end of Tuesday 13 October 2026.")
    for key in ("k-1", "k-2", "k-1"):  # the repeat of k-1 is one notice, not two
        await notifier.send(
            dedupe_key=key, kind="reminder", recipient="case-worker", workflow_id="referral-order-C-1", child_id="C-1",
            deadline_id="first-contact", rule_id="referral_order.first_contact", due_date=date(2026, 10, 13),
            message=message,
        )  # fmt: skip
    after = (await scrape(metrics_url))[("yjflow_notices_total", (("kind", "reminder"), ("status", "not_configured")))]
    assert after - before == 2


async def test_a_failed_store_read_is_counted_and_the_last_figures_stay(pool: Pool, metrics_url: str) -> None:
    gauges = metrics.StoreGauges(pool)
    await gauges.refresh()
    failures = (await scrape(metrics_url)).get(("yjflow_metrics_store_read_failures_total", ()), 0)
    await pool.close()
    task = asyncio.create_task(gauges.run(every=0.05))
    await asyncio.sleep(0.3)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    figures = await scrape(metrics_url)
    assert figures[("yjflow_metrics_store_read_failures_total", ())] > failures
    assert ("yjflow_inbox_pending", ()) in figures
