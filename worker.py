"""Run a yjflow worker: `python worker.py` (or `yjflow worker`), configured from `TEMPORAL_ADDRESS`,
`DATABASE_URL` and the other `YJFLOW_*` settings. Many workers may share one task queue.
"""

from __future__ import annotations

import asyncio
import signal
from contextlib import AsyncExitStack

import pydantic
import structlog
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from activities.codec import data_converter
from activities.db import Pool, open_pool
from activities.event_store import EventStore
from activities.logging import configure_logging
from activities.metrics import StoreGauges, serve_metrics
from activities.migrate import apply_migrations
from activities.notify import Notifier
from activities.order_activities import OrderActivities
from activities.retention_activities import RetentionActivities
from activities.rule_source import load_rule_pack
from activities.settings import Settings
from client.relay import run_relay
from workflows.registry import ALL_WORKFLOWS, workflow_runner
from workflows.retention import SCHEDULE_ID as RETENTION_SCHEDULE_ID
from workflows.retention import ensure_retention_schedule

log = structlog.get_logger("yjflow.worker")


async def connect(settings: Settings, *, sdk_metrics: bool = False) -> Client:
    """A Temporal client with yjflow's payload codec. With `sdk_metrics` (a worker's client) and
    YJFLOW_TEMPORAL_METRICS_PORT set, the SDK's own runtime metrics are served there for Prometheus."""
    runtime = None
    if sdk_metrics and settings.temporal_metrics_port is not None:
        address = f"{settings.metrics_host}:{settings.temporal_metrics_port}"
        runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
        log.info("metrics.temporal_sdk_serving", address=f"http://{address}/metrics")
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings.payload_key_bytes, settings.payload_key_id),
        runtime=runtime,
    )


def check_rules(settings: Settings) -> None:
    """Refuse to start on a rule-pack override that is invalid or touches a statute rule."""
    try:
        pack = load_rule_pack(settings.rules_file)
    except (OSError, ValueError) as e:
        raise SystemExit(f"YJFLOW_RULES_FILE {settings.rules_file}: {e}") from e
    log.info("rules.loaded", rule_pack_version=pack.version, rules=len(pack.rules))


def create_worker(client: Client, pool: Pool, settings: Settings, activities: OrderActivities | None = None) -> Worker:
    """The worker of `settings.task_queue`, with the order activities given (tests give their own)."""
    activities = activities or OrderActivities(
        pool,
        EventStore(pool),
        Notifier(pool, settings.smtp, team_address=settings.team_email),
        settings.rules_file,
    )
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=ALL_WORKFLOWS,
        activities=[*activities.all(), *RetentionActivities(pool, settings).all()],  # type: ignore[list-item]
        workflow_runner=workflow_runner(),
        # A payload that fails validation fails the workflow loudly instead of retrying forever (§1.12.3).
        workflow_failure_exception_types=[pydantic.ValidationError],
        max_cached_workflows=settings.max_cached_workflows,
    )


async def run(settings: Settings, *, with_relay: bool = True) -> None:
    if not settings.database_url:
        raise SystemExit("DATABASE_URL is not set: point it at the yjflow PostgreSQL database")
    try:
        settings.payload_key_bytes  # noqa: B018 - fail at start, not on the first workflow task
    except ValueError as e:
        raise SystemExit(str(e)) from e
    check_rules(settings)
    apply_migrations(settings.database_url)
    async with AsyncExitStack() as stack:
        pool = await open_pool(settings.database_url)
        stack.push_async_callback(pool.close)
        client = await connect(settings, sdk_metrics=True)
        worker = create_worker(client, pool, settings)
        if await ensure_retention_schedule(client, settings.task_queue):
            log.info("retention.schedule_created", schedule_id=RETENTION_SCHEDULE_ID)
        log.info("worker.started", task_queue=settings.task_queue, temporal=settings.temporal_address)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        tasks: list[asyncio.Task[object]] = [asyncio.create_task(worker.run(), name="worker")]
        if with_relay:
            tasks.append(asyncio.create_task(run_relay(pool, client, settings), name="relay"))
        if settings.metrics_port is not None:
            serve_metrics(settings.metrics_port, settings.metrics_host)
            gauges = StoreGauges(pool)
            tasks.append(asyncio.create_task(gauges.run(settings.metrics_interval_seconds), name="metrics"))
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
        # On SIGTERM (a scale-down), let in-flight activities finish instead of waiting for their timeouts.
        log.info("worker.stopping")
        await worker.shutdown()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for t in done:
            if t is not stopping and not t.cancelled() and t.exception() is not None:
                raise t.exception()  # type: ignore[misc]


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
