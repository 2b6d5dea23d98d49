"""The fault tests' harness: yjflow as it runs in production shape, with every part a real process we
can hurt. A Temporal dev server on a SQLite file, one or more `worker.py` processes (worker and relay),
PostgreSQL (a database of its own on the shared server, or a private cluster that may be restarted),
all on 127.0.0.1 in a temp dir. Outcomes go in through `activities.intake`, as the API takes them.

Everything is stopped by pid and removed at the end, whether the test passed or not.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from temporalio.client import Client

from activities.codec import data_converter
from activities.db import Pool, open_pool
from activities.migrate import apply_migrations
from tests.client.conftest import TEST_VICTIM_MASTER_KEY
from tests.conftest import create_database, drop_database
from tests.faults.processes import PrivatePostgres, TemporalDevServer, WorkerProcess
from tests.workflows.conftest import TEST_PAYLOAD_KEY


@pytest.fixture
def fault_dir() -> Iterator[Path]:
    """A temp dir for one test's processes, logs and files; removed after (kept only in the report)."""
    root = Path(tempfile.mkdtemp(prefix="yjflow-faults-"))
    try:
        yield root
    finally:
        # YJFLOW_FAULTS_KEEP=1 keeps the logs (and the Temporal file) of a run to read after a failure.
        if os.environ.get("YJFLOW_FAULTS_KEEP") != "1":
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def fault_database_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, migrated database on the shared server for one fault test."""
    url = create_database(pg_server_url, prefix="yjflow_faults")
    apply_migrations(url)
    try:
        yield url
    finally:
        drop_database(pg_server_url, url)


@pytest.fixture
def private_postgres(fault_dir: Path) -> Iterator[PrivatePostgres]:
    """A PostgreSQL cluster of this test's own (so it can be restarted), with a migrated `yjflow` database."""
    root = fault_dir / "pg"
    root.mkdir()
    server = PrivatePostgres(root)
    server.init()
    server.start()
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE yjflow")
        apply_migrations(server.url("yjflow"))
        yield server
    finally:
        server.stop()


@dataclass
class FaultStack:
    """A running yjflow made of processes: the dev server, the workers, and the database they share."""

    root: Path
    database_url: str
    task_queue: str
    temporal: TemporalDevServer
    client: Client
    pool: Pool
    workers: list[WorkerProcess] = field(default_factory=list)

    def worker_env(self) -> dict[str, str]:
        """The environment of a `worker.py`: ours only, nothing a developer exported that points elsewhere."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("YJFLOW_") and k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")
        }
        env.update(
            DATABASE_URL=self.database_url,
            TEMPORAL_ADDRESS=self.temporal.address,
            YJFLOW_PAYLOAD_KEY=TEST_PAYLOAD_KEY,
            YJFLOW_VICTIM_MASTER_KEY=TEST_VICTIM_MASTER_KEY,
            YJFLOW_TASK_QUEUE=self.task_queue,
            YJFLOW_RELAY_INTERVAL_SECONDS="0.5",
            YJFLOW_DATA_DIR=str(self.root / ".yjflow"),
            YJFLOW_LOG_LEVEL="INFO",
        )
        return env

    async def add_worker(self, *, wait: bool = True) -> WorkerProcess:
        worker = WorkerProcess(f"worker-{len(self.workers) + 1}", self.root, self.worker_env())
        self.workers.append(worker)
        worker.start()
        if wait:
            await worker.wait_started()
        return worker

    def crashed_workers(self) -> list[str]:
        return [why for w in self.workers if (why := w.crashed()) is not None]


async def connect(address: str, *, within: float = 60.0) -> Client:
    """A client of the dev server that reads the workers' encrypted payloads (same key as theirs).

    The port opens before the frontend is healthy ("Frontend is not healthy yet"), longer on a loaded
    machine, so a refused first call is retried until `within` seconds have passed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            return await Client.connect(
                address, data_converter=data_converter(base64.b64decode(TEST_PAYLOAD_KEY), "yjflow-1")
            )
        except RuntimeError as e:
            if "not healthy" not in str(e) or loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def fault_stack(root: Path, database_url: str, *, workers: int = 1) -> AsyncIterator[FaultStack]:
    """Start the dev server and `workers` worker processes; stop every one of them however the block ends."""
    temporal = TemporalDevServer(root)
    stack: FaultStack | None = None
    pool: Pool | None = None
    try:
        await temporal.start()
        client = await connect(temporal.address)
        # The test's own pool: small, since it only takes outcomes in and polls; a connection a restart
        # cut fails one call (retried by the caller) and the pool replaces it.
        pool = await open_pool(database_url, max_size=4)
        stack = FaultStack(root, database_url, f"yjflow-faults-{uuid.uuid4().hex[:8]}", temporal, client, pool)
        for _ in range(workers):
            await stack.add_worker()
        yield stack
    finally:
        if stack is not None:
            for worker in stack.workers:
                worker.stop()
        temporal.stop()
        if pool is not None:
            await pool.close()


class Clock:
    """Phase times of a fault test, printed with its summary (pytest -s shows them)."""

    def __init__(self) -> None:
        self._start = self._last = time.monotonic()
        self.laps: list[tuple[str, float]] = []

    def lap(self, what: str) -> None:
        now = time.monotonic()
        self.laps.append((what, now - self._last))
        self._last = now

    def __str__(self) -> str:
        parts = ", ".join(f"{what} {secs:.1f} s" for what, secs in self.laps)
        return f"{parts}; total {time.monotonic() - self._start:.1f} s"
