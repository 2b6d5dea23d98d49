"""yjflow's own metrics for an operator to scrape (Prometheus text format, through `prometheus-client`).

Two kinds, kept apart on purpose:
- counts of what this process did (events appended and how long an append took, notices sent and failed,
  outcomes the relay delivered): counters and histograms bumped where the work happens;
- the state of the store, read from PostgreSQL every few seconds by `StoreGauges` (inbox depth and relay
  lag, how far each store reader is behind the watermark and the transaction holding it back, open and
  overdue deadlines per service). Every worker and API reports the same store figures, so a dashboard
  takes their `max()`; per-process counters are summed.

The Temporal SDK's own runtime metrics (workflow task latency, sticky cache, pollers) come from its
Prometheus exporter on a port of its own (`worker.py`), not from here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from activities.db import Pool

log = structlog.get_logger("yjflow.metrics")

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST

EVENTS_APPENDED = Counter(
    "yjflow_events_appended",
    "Events this process appended to the store (repeats of an event id excluded).",
    registry=REGISTRY,
)
APPEND_SECONDS = Histogram(
    "yjflow_append_seconds",
    "Time one append call took, from the first statement to commit.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)
NOTICES = Counter(
    "yjflow_notices",
    "Reminder and escalation notices this process handled, by kind and mail status.",
    ["kind", "status"],
    registry=REGISTRY,
)
OUTCOMES_RECEIVED = Counter(
    "yjflow_outcomes_received",
    "Court outcomes this process's API answered, by what became of them.",
    ["feed", "status"],
    registry=REGISTRY,
)
RELAYED = Counter(
    "yjflow_outcomes_relayed",
    "Court outcomes this process's relay delivered to their workflows, by result.",
    ["result"],
    registry=REGISTRY,
)

INBOX_PENDING = Gauge("yjflow_inbox_pending", "Accepted court outcomes not yet delivered.", registry=REGISTRY)
RELAY_LAG = Gauge(
    "yjflow_relay_lag_seconds",
    "Age of the oldest accepted outcome not yet delivered (0 when none).",
    registry=REGISTRY,
)
REJECTED = Gauge("yjflow_rejected_outcomes", "Refused court outcomes kept for correction.", registry=REGISTRY)
WATERMARK_HELD = Gauge(
    "yjflow_store_watermark_held_seconds",
    "Age of the oldest open transaction holding a write id in this database: readers of the store cannot"
    " pass it, so a long one shows here before anywhere else.",
    registry=REGISTRY,
)
READER_LAG = Gauge(
    "yjflow_store_reader_lag_events",
    "Events committed below the watermark that a store reader has not read yet.",
    ["reader"],
    registry=REGISTRY,
)
DEADLINES_OPEN = Gauge("yjflow_deadlines_open", "Deadlines open, per service.", ["yjs"], registry=REGISTRY)
DEADLINES_OVERDUE = Gauge(
    "yjflow_deadlines_overdue",
    "Deadlines past due and not met (open or already missed), per service.",
    ["yjs"],
    registry=REGISTRY,
)
STORE_READ_FAILURES = Counter(
    "yjflow_metrics_store_read_failures",
    "Times the store figures could not be read (the last values stay).",
    registry=REGISTRY,
)


@contextmanager
def timed_append() -> Iterator[None]:
    """Around one append: its duration goes to `yjflow_append_seconds` whether it commits or fails."""
    started = time.perf_counter()
    try:
        yield
    finally:
        APPEND_SECONDS.observe(time.perf_counter() - started)


def render() -> bytes:
    """The registry in Prometheus text format, for an HTTP handler."""
    return generate_latest(REGISTRY)


def serve_metrics(port: int, host: str = "127.0.0.1") -> None:
    """A `/metrics` endpoint of this process's own on `host:port`, in a daemon thread."""
    start_http_server(port, addr=host, registry=REGISTRY)
    log.info("metrics.serving", address=f"http://{host}:{port}/metrics")


_STORE_FIGURES = """
SELECT
    (SELECT count(*) FROM inbox WHERE relay_status = 'pending') AS inbox_pending,
    (SELECT coalesce(extract(epoch FROM now() - min(received_at)), 0)
       FROM inbox WHERE relay_status = 'pending') AS relay_lag,
    (SELECT count(*) FROM rejected_outcomes) AS rejected,
    (SELECT coalesce(extract(epoch FROM now() - min(xact_start)), 0)
       FROM pg_stat_activity
      WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()) AS held
"""

_DEADLINE_FIGURES = """
SELECT yjs,
       count(*) FILTER (WHERE status = 'open') AS open,
       count(*) FILTER (WHERE due_at < now()) AS overdue
  FROM deadlines
 WHERE status IN ('open', 'missed') AND met_on IS NULL
 GROUP BY yjs
"""


# What a reader following the store (`activities.event_reads`) cannot read yet: events of transactions at or
# above the watermark, the oldest transaction still running. Cheap: an index range on events_transaction_order.
FOLLOWERS_LAG = """
SELECT count(*) AS lag FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())
"""


class StoreGauges:
    """Reads the store's figures into the gauges; `reader_lag` is a query per store reader answering its
    lag in events (`lag`). Readers keep no cursor in the database today, so the one reader is every
    follower of the store: how many events sit above the watermark, out of its sight."""

    def __init__(self, pool: Pool, reader_lag: dict[str, str] | None = None) -> None:
        self._pool = pool
        self._reader_lag = reader_lag if reader_lag is not None else {"store_followers": FOLLOWERS_LAG}
        self._services: set[str] = set()

    async def refresh(self) -> None:
        async with self._pool.connection() as conn:
            row = await (await conn.execute(_STORE_FIGURES)).fetchone()
            assert row is not None
            INBOX_PENDING.set(row["inbox_pending"])
            RELAY_LAG.set(float(row["relay_lag"]))
            REJECTED.set(row["rejected"])
            WATERMARK_HELD.set(float(row["held"]))
            rows: list[dict[str, Any]] = await (await conn.execute(_DEADLINE_FIGURES)).fetchall()
            seen = set()
            for r in rows:
                seen.add(r["yjs"])
                DEADLINES_OPEN.labels(yjs=r["yjs"]).set(r["open"])
                DEADLINES_OVERDUE.labels(yjs=r["yjs"]).set(r["overdue"])
            # A service whose last deadline closed reads 0, not its last figure.
            for gone in self._services - seen:
                DEADLINES_OPEN.labels(yjs=gone).set(0)
                DEADLINES_OVERDUE.labels(yjs=gone).set(0)
            self._services |= seen
            for reader, query in self._reader_lag.items():
                lag = await (await conn.execute(query)).fetchone()
                READER_LAG.labels(reader=reader).set(lag["lag"] if lag is not None else 0)

    async def run(self, every: float = 15.0) -> None:
        """Refresh until cancelled; a failed read is logged and counted, and the next one tries again."""
        while True:
            try:
                await self.refresh()
            except (psycopg.Error, OSError) as e:
                STORE_READ_FAILURES.inc()
                log.warning("metrics.store_read_failed", error=str(e))
            await asyncio.sleep(every)
