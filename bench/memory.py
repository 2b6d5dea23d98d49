"""Worker memory with many open workflows: the real worker's RSS with N referral orders waiting on their
deadline timers, against a bare Temporal worker with N trivial timer-waiting workflows.

    python -m bench.memory [--smoke] [--workflows N] [--max-cached N]

Ours: `python worker.py` as a process of its own, configured from the environment as in production
(`DATABASE_URL`, `TEMPORAL_ADDRESS`, `YJFLOW_PAYLOAD_KEY`, `YJFLOW_TASK_QUEUE`; it runs the relay too), on
a Temporal dev server and a scratch database. The N orders are started directly with the Temporal client
through the relay's own `activities.relay.start_for_outcome` (the inputs the relay gives; no HTTP, no inbox),
each a referral order without victims. An order is loaded once its deadlines are in the `events` table:
it has run its two activities (record the opening events, schedule the deadlines) and then waits on a timer.

Baseline: this module run as a bare worker process (`--bare-worker`, same Temporal SDK, sandboxed
workflows) with N workflows that run one no-op activity (it tells this process the workflow is running)
and then wait on a 30-day timer.

For each worker: RSS once it is polling and idle (before load), then with all N open and idle (the
median and the highest of several samples a second apart, after the event count has been still for a
few seconds). Memory is bounded by Temporal's sticky cache, `max_cached_workflows`: workflows beyond it
are evicted and replayed from history when they next wake. `worker.create_worker` leaves it at the SDK's
default (printed); `--max-cached` sets it for the baseline worker only, to show what the cache costs.
Target (issue #5): our worker under 500 MB with 10,000 open workflows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
    from temporalio.client import Client
    from temporalio.worker import Worker

if TYPE_CHECKING:
    from activities.db import Pool

# Only Temporal is imported at the top: the bare worker process imports this module too, and its RSS
# must be a bare worker's, not ours with pytest and FastAPI loaded. The rest is imported where used.

TARGET_MB = 500
SDK_DEFAULT_MAX_CACHED = 1000  # temporalio.worker.Worker's default; create_worker does not change it
LOAD_TIMEOUT_SECONDS = 3600.0
MB = 1024 * 1024


# --- the baseline worker (runs in a process of its own: --bare-worker) --------------------------------


@activity.defn(name="bench_memory_started")
async def started(n: int) -> None:
    """Tells the bench that a workflow is running (one line on stdout); does nothing else."""
    print("started", flush=True)


@workflow.defn(name="BenchTimerWorkflow")
class TimerWorkflow:
    """A trivial workflow: says it has started, then waits on a long timer, as our orders wait on deadlines."""

    @workflow.run
    async def run(self, n: int) -> None:
        await workflow.execute_activity(started, n, start_to_close_timeout=timedelta(seconds=30))
        await workflow.sleep(timedelta(days=30))


async def bare_worker(address: str, task_queue: str, max_cached: int) -> None:
    client = await Client.connect(address)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[TimerWorkflow],
        activities=[started],
        max_cached_workflows=max_cached,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        await stop.wait()


# --- measuring a worker process ---------------------------------------------------------------------------


@dataclass
class Memory:
    """One worker's RSS in MB: idle before load, then with every workflow open and idle."""

    before: float
    loaded_median: float
    loaded_max: float
    load_seconds: float


def rss_mb(pid: int) -> float:
    import psutil  # type: ignore[import-untyped]  # no stubs installed

    return psutil.Process(pid).memory_info().rss / MB


async def sample(pid: int, samples: int) -> list[float]:
    values = []
    for _ in range(samples):
        values.append(rss_mb(pid))
        await asyncio.sleep(1.0)
    return values


async def wait_for_poller(client: Client, task_queue: str, proc: subprocess.Popen[bytes]) -> None:
    """Until the worker polls its workflow task queue (it has started, connected and registered)."""
    deadline = time.monotonic() + 120
    request = DescribeTaskQueueRequest(namespace=client.namespace, task_queue=TaskQueue(name=task_queue))
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited with {proc.returncode} before it polled {task_queue}")
        response = await client.workflow_service.describe_task_queue(request)
        if response.pollers:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"no worker polled {task_queue} within 120 s")
        await asyncio.sleep(0.5)


async def settle(count: Callable[[], Awaitable[int]], seconds: float) -> None:
    """Until `count()` has not changed for `seconds` (the last workflow tasks have set their timers)."""
    last, since = await count(), time.monotonic()
    while time.monotonic() - since < seconds:
        await asyncio.sleep(0.5)
        now = await count()
        if now != last:
            last, since = now, time.monotonic()


async def start_all(n: int, concurrency: int, start_one: Callable[[int], Awaitable[None]]) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def starter() -> None:
        while not queue.empty():
            await start_one(queue.get_nowait())

    await asyncio.gather(*(starter() for _ in range(concurrency)))


async def wait_for(count: Callable[[], Awaitable[int]], target: int, what: str) -> None:
    deadline = time.monotonic() + LOAD_TIMEOUT_SECONDS
    while (seen := await count()) < target:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: {seen} of {target} after {LOAD_TIMEOUT_SECONDS:.0f} s")
        await asyncio.sleep(1.0)


@contextlib.asynccontextmanager
async def process(args: list[str], env: dict[str, str], stdout: int | None) -> AsyncIterator[subprocess.Popen[bytes]]:
    """The command as a child process, stopped with SIGTERM afterwards; its stderr's tail is shown if it fails."""
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(args, cwd=_repo(), env=env, stdout=stdout, stderr=stderr)
        try:
            yield proc
        except BaseException:
            stderr.seek(0)
            print(stderr.read()[-3000:].decode(errors="replace"), file=sys.stderr, flush=True)
            raise
        finally:
            await _stop(proc)


async def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.to_thread(proc.wait, 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        await asyncio.to_thread(proc.wait)


def _repo() -> Path:
    # Not a module constant: the sandbox re-imports this module and refuses Path.resolve there.
    return Path(__file__).resolve().parents[1]


# --- the two sides ---------------------------------------------------------------------------------------


async def measure_ours(client: Client, url: str, n: int, args: argparse.Namespace) -> Memory:
    from activities.db import open_pool
    from activities.relay import start_for_outcome
    from domain.court_outcome import CourtOutcome
    from tests.client.conftest import outcome
    from tests.workflows.conftest import TEST_PAYLOAD_KEY

    task_queue = f"bench-memory-ours-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("YJFLOW_")}
    env |= {
        "DATABASE_URL": url,
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "YJFLOW_PAYLOAD_KEY": TEST_PAYLOAD_KEY,
        "YJFLOW_TASK_QUEUE": task_queue,
        "YJFLOW_LOG_LEVEL": "WARNING",
    }
    async with process([sys.executable, "worker.py"], env, subprocess.DEVNULL) as proc:
        await wait_for_poller(client, task_queue, proc)
        await asyncio.sleep(args.settle)
        before = median(await sample(proc.pid, 3))
        pool = await open_pool(url, max_size=2)
        try:

            async def loaded() -> int:
                return await _streams_with_deadlines(pool)

            async def start_one(i: int) -> None:
                body = CourtOutcome.model_validate(outcome(victims=[]))
                await start_for_outcome(client, body, task_queue)

            t = time.perf_counter()
            await start_all(n, args.concurrency, start_one)
            await wait_for(loaded, n, "orders with deadlines")
            load_seconds = time.perf_counter() - t
            await settle(lambda: _events(pool), args.settle)
        finally:
            await pool.close()
        values = await sample(proc.pid, args.samples)
        return Memory(before, median(values), max(values), load_seconds)


async def _streams_with_deadlines(pool: Pool) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(DISTINCT stream_id) AS n FROM events WHERE event_type = 'DeadlineScheduled'"
        )
        row = await cur.fetchone()
    assert row is not None
    return int(row["n"])


async def _events(pool: Pool) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM events")
        row = await cur.fetchone()
    assert row is not None
    return int(row["n"])


async def measure_bare(our_client: Client, n: int, args: argparse.Namespace) -> Memory:
    # A client without our payload codec: the bare worker has none either.
    client = await Client.connect(our_client.service_client.config.target_host, namespace=our_client.namespace)
    task_queue = f"bench-memory-bare-{uuid.uuid4().hex[:8]}"
    command = [
        sys.executable,
        "-m",
        "bench.memory",
        "--bare-worker",
        "--temporal-address",
        client.service_client.config.target_host,
        "--task-queue",
        task_queue,
        "--max-cached",
        str(args.max_cached),
    ]
    async with process(command, dict(os.environ), subprocess.PIPE) as proc:
        assert proc.stdout is not None
        running = 0
        reader_stdout = proc.stdout

        def read_lines() -> None:
            nonlocal running
            for _ in reader_stdout:
                running += 1

        reader = asyncio.get_running_loop().run_in_executor(None, read_lines)
        await wait_for_poller(client, task_queue, proc)
        await asyncio.sleep(args.settle)
        before = median(await sample(proc.pid, 3))

        async def count() -> int:
            return running

        async def start_one(i: int) -> None:
            await client.start_workflow(TimerWorkflow.run, i, id=f"bench-timer-{task_queue}-{i}", task_queue=task_queue)

        t = time.perf_counter()
        await start_all(n, args.concurrency, start_one)
        await wait_for(count, n, "bare workflows started")
        load_seconds = time.perf_counter() - t
        await asyncio.sleep(args.settle)  # their last workflow tasks set the timers
        values = await sample(proc.pid, args.samples)
        memory = Memory(before, median(values), max(values), load_seconds)
    await reader
    return memory


# --- the run ------------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, url: str) -> tuple[Memory, Memory]:
    from tests.client.conftest import start_dev_server
    from tests.workflows.conftest import test_settings

    settings = test_settings(url)
    env = await start_dev_server(settings)
    async with env:
        ours = await measure_ours(env.client, url, args.workflows, args)
        print(f"  ours: {args.workflows} orders open and idle after {ours.load_seconds:.0f} s", flush=True)
        bare = await measure_bare(env.client, args.workflows, args)
        print(f"  bare: {args.workflows} workflows open and idle after {bare.load_seconds:.0f} s", flush=True)
    return ours, bare


def report(args: argparse.Namespace, ours: Memory, bare: Memory) -> None:
    from bench._common import Table, ratio, verdict

    print(flush=True)
    table = Table(
        f"memory: worker RSS (MB) with {args.workflows:,} open workflows idle on timers",
        ["figure", "ours (worker.py)", "bare worker", "ours/bare", f"target < {TARGET_MB} MB"],
    )
    table.add("RSS before load", ours.before, bare.before, ratio(ours.before, bare.before), "")
    table.add(
        "RSS loaded (median)",
        ours.loaded_median,
        bare.loaded_median,
        ratio(ours.loaded_median, bare.loaded_median),
        verdict(ours.loaded_median, TARGET_MB, higher_is_better=False),
    )
    table.add(
        "RSS loaded (highest sample)",
        ours.loaded_max,
        bare.loaded_max,
        ratio(ours.loaded_max, bare.loaded_max),
        verdict(ours.loaded_max, TARGET_MB, higher_is_better=False),
    )
    growth_o, growth_b = ours.loaded_median - ours.before, bare.loaded_median - bare.before
    table.add("growth under load", growth_o, growth_b, ratio(growth_o, growth_b), "")
    cached_o = min(args.workflows, SDK_DEFAULT_MAX_CACHED)
    cached_b = min(args.workflows, args.max_cached)
    table.add("workflows in sticky cache (at most)", cached_o, cached_b, "", "")
    table.add("growth per cached workflow (KB)", growth_o * 1024 / cached_o, growth_b * 1024 / cached_b, "", "")
    table.add("seconds to load", ours.load_seconds, bare.load_seconds, "", "")
    table.print()
    print(
        f"# max_cached_workflows: ours {SDK_DEFAULT_MAX_CACHED} (the SDK default; worker.create_worker does not set "
        f"it), bare {args.max_cached}; {args.samples} RSS samples 1 s apart",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if "--bare-worker" in argv:
        bare_parser = argparse.ArgumentParser()
        bare_parser.add_argument("--bare-worker", action="store_true")
        bare_parser.add_argument("--temporal-address", required=True)
        bare_parser.add_argument("--task-queue", required=True)
        bare_parser.add_argument("--max-cached", type=int, required=True)
        b = bare_parser.parse_args(argv)
        asyncio.run(bare_worker(b.temporal_address, b.task_queue, b.max_cached))
        return

    from bench._common import header, parser, scratch_database

    p = parser(__doc__ or "")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("--workflows", type=int, default=None, help="open workflows per worker (default 10,000; smoke 200)")
    p.add_argument(
        "--max-cached",
        type=int,
        default=SDK_DEFAULT_MAX_CACHED,
        help=f"the bare worker's max_cached_workflows (default {SDK_DEFAULT_MAX_CACHED}, the SDK's and ours)",
    )
    p.add_argument("--concurrency", type=int, default=16, help="workflow starts in flight")
    p.add_argument("--samples", type=int, default=5, help="RSS samples under load, a second apart")
    args = p.parse_args(argv)
    # Seconds a worker is left alone before a sample (started; the last workflow tasks done).
    args.settle = 1.5 if args.smoke else 5.0
    if args.smoke:
        args.samples = min(args.samples, 2)
    args.workflows = args.workflows or (200 if args.smoke else 10_000)
    header("memory", args.smoke)
    with scratch_database(args.database_url, "yjflow_bench_memory") as url:
        ours, bare = asyncio.run(run(args, url))
    report(args, ours, bare)


if __name__ == "__main__":
    # Run as `bench.memory`, not `__main__`: the sandbox re-imports the baseline workflow's module by name.
    from bench import memory

    memory.main()
