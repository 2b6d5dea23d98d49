"""Operator commands that run or prepare yjflow's services: `dev`, `worker`, `api`, `migrate`, and
`verify` of the hash chains (they talk to the database directly)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from rich.markup import escape

from activities.settings import Settings
from client.cli.common import cli_settings, database_url, err, out


def dev(
    port: Annotated[int, typer.Option(help="Port for the HTTP API.")] = 8000,
    no_sample_data: Annotated[bool, typer.Option("--no-sample-data", help="Start empty: no sample data.")] = False,
) -> None:
    """Run everything locally: embedded PostgreSQL, the Temporal dev server, the worker and the API."""
    from activities.logging import configure_logging
    from client.dev import run_dev

    settings = Settings().model_copy(update={"api_port": port})
    configure_logging("WARNING")
    asyncio.run(run_dev(settings, load_sample_data=not no_sample_data))


def worker() -> None:
    """Run a worker (and the intake relay) from TEMPORAL_ADDRESS and DATABASE_URL."""
    import worker as worker_module

    worker_module.main()


def api(port: Annotated[int | None, typer.Option(help="Port (default $YJFLOW_API_PORT or 8000).")] = None) -> None:
    """Serve the HTTP API alone (workers run elsewhere)."""
    import uvicorn

    from activities.db import open_pool
    from activities.logging import configure_logging
    from client import throttle
    from client.api import AppContext, create_app
    from client.web import security
    from worker import connect

    settings = cli_settings()
    url = database_url()
    configure_logging(settings.log_level)

    from activities.migrate import apply_migrations

    apply_migrations(url)

    from activities.child_records import ChildRecordStore
    from activities.victim_details import VictimDetailsStore

    try:
        master_key = settings.victim_master_key_bytes
    except ValueError as e:
        # The rest of the API works without it; victims' details answer 503 until it is set.
        err.print(f"[yellow]victims' details are unavailable:[/yellow] {escape(str(e))}")
        master_key = None

    async def serve() -> None:
        pool = await open_pool(url)
        store = None if master_key is None else VictimDetailsStore(pool, master_key, settings.victim_master_key_id)
        children = None if master_key is None else ChildRecordStore(pool, master_key, settings.victim_master_key_id)
        app_ = create_app(AppContext(pool, lambda: connect(settings), store, children))
        security.configure(app_, secure_cookies=settings.secure_cookies)
        throttle.configure(app_, settings.auth_failures_allowed, settings.auth_failure_window_seconds)
        gauges = None
        if settings.metrics_port is not None:
            from activities.metrics import StoreGauges, serve_metrics

            serve_metrics(settings.metrics_port, settings.metrics_host)
            gauges = asyncio.create_task(StoreGauges(pool).run(settings.metrics_interval_seconds))
        try:
            await uvicorn.Server(
                uvicorn.Config(
                    app_,
                    host=settings.api_host,
                    port=port or settings.api_port,
                    timeout_keep_alive=int(settings.api_keep_alive_seconds),
                    proxy_headers=True,
                    forwarded_allow_ips=settings.forwarded_allow_ips,
                )
            ).serve()
        finally:
            if gauges is not None:
                gauges.cancel()

    asyncio.run(serve())


def migrate() -> None:
    """Apply database migrations (the worker and `dev` also do this at start)."""
    from activities.migrate import apply_migrations

    applied = apply_migrations(database_url())
    out.print(f"applied: {', '.join(applied) if applied else 'nothing (up to date)'}")


def verify(stream: Annotated[str | None, typer.Option(help="Only this stream (workflow id).")] = None) -> None:
    """Walk every hash chain and name the first broken link (exit 1 if any)."""
    from activities.db import open_pool
    from activities.event_store import EventStore

    async def run() -> Any:
        pool = await open_pool(database_url())
        try:
            return await EventStore(pool).verify(stream)
        finally:
            await pool.close()

    report = asyncio.run(run())
    out.print(str(report), markup=False)
    if report.first_break is not None:
        raise typer.Exit(1)
