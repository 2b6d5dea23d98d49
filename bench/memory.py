"""Worker memory with many open workflows: the real worker's RSS with N referral orders waiting on their
deadline timers, against a bare Temporal worker with N trivial timer-waiting workflows (issue #5).

    python -m bench.memory [--smoke] [--workflows N] [--cache N] [--concurrency N] [--samples N]

Ours: `python worker.py` as a process of its own, configured from the environment as in production
(`DATABASE_URL`, `TEMPORAL_ADDRESS`, `YJFLOW_PAYLOAD_KEY`, `YJFLOW_TASK_QUEUE`,
`YJFLOW_MAX_CACHED_WORKFLOWS`; it runs the relay too), on a Temporal dev server and a scratch database.
The N orders are started by this process with the Temporal client through the relay's own
`client.relay.start_for_outcome` (the inputs the relay gives; no HTTP, no inbox), each a referral order
without victims. An order is open once its deadlines are in the `events` table: it has run its two
activities (record the opening events, schedule the deadlines) and then waits on a timer.

Baseline: this module run as a bare worker process (`--bare-worker`, same Temporal SDK, sandboxed
workflows, the same cache size) with N workflows that run one no-op activity (it tells this process the
workflow is running) and then wait on a 30-day timer.

Loading is windowed: at most `--concurrency` workflows are started but not yet open. Starting all N at
once would queue N first tasks and make every workflow fall out of the sticky cache between its tasks
(a replay each time), which measures cache thrash, not memory. Once all N are open, the bench checks
every one is running with no pending workflow task or activity (DescribeWorkflowExecution), waits until
nothing changes for a few seconds, then samples RSS over about 30 s.

Figures per worker: RSS before load (polling, idle), the highest RSS sampled while loading, and the
median and highest with all N open and idle. Memory is bounded by Temporal's sticky cache
(`max_cached_workflows`, `--cache`, default the worker's own default of 500): workflows beyond it are
evicted and replayed from history when they next wake. Target (issue #5): our worker under 500 MB with
10,000 open workflows.
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
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from temporalio.api.common.v1 import WorkflowExecution
    from temporalio.api.enums.v1 import WorkflowExecutionStatus
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest, DescribeWorkflowExecutionRequest
    from temporalio.client import Client
    from temporalio.worker import Worker

if TYPE_CHECKING:
    from activities.db import Pool

# Only Temporal is imported at the top: the bare worker process imports this module too, and its RSS
# must be a bare worker's, not ours with pytest and FastAPI loaded. The rest is imported where used.

TARGET_MB = 500
DEFAULT_CACHE = 500  # activities.settings.Settings.max_cached_workflows' default (YJFLOW_MAX_CACHED_WORKFLOWS)
LOAD_TIMEOUT_SECONDS = 3600.0
IDLE_TIMEOUT_SECONDS = 300.0
MB = 1024 * 1024


# --- the baseline worker (runs in a process of its own: --bare-worker) --------------------------------


@activity.defn(name="bench_memory_started")
async def started(n: int) -> None:
    """Tells the bench that workflow `n` is running (one line on stdout); does nothing else."""
    print(f"started {n}", flush=True)


@workflow.defn(name="BenchTimerWorkflow")
class TimerWorkflow:
    """A trivial workflow: says it has started, then waits on a long timer, as our orders wait on deadlines."""

    @workflow.run
    async def run(self, n: int) -> None:
        await workflow.execute_activity(started, n, start_to_close_timeout=timedelta(seconds=30))
        await workflow.sleep(timedelta(days=30))


async def bare_worker(address: str, task_queue: str, max_cached: int) -> None:
    """The baseline worker process: the two definitions above and nothing else, until SIGTERM."""
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
    """One worker's RSS in MB: idle before load, the highest while loading, then with every workflow open
    and idle; and how long loading took."""

    before: float
    loading_max: float
    idle_median: float
    idle_max: float
    load_seconds: float


def rss_mb(pid: int) -> float:
    import psutil  # type: ignore[import-untyped]  # no stubs installed

    return float(psutil.Process(pid).memory_info().rss) / MB


async def sample(pid: int, samples: int, interval: float) -> list[float]:
    values = []
    for i in range(samples):
        if i:
            await asyncio.sleep(interval)
        values.append(rss_mb(pid))
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


@dataclass
class Load:
    """Windowed loading of one worker: starts workflows while fewer than `window` are started but not
    open, prints progress every `every` seconds, and keeps the highest RSS seen meanwhile."""

    label: str
    n: int
    window: int
    pid: int
    opened: Callable[[], Awaitable[int]]
    start_one: Callable[[int], Awaitable[str]]
    every: float = 5.0
    ids: list[str] = field(default_factory=list)
    loading_max: float = 0.0
    _open: int = 0

    async def run(self) -> float:
        """Loads all `n`; returns the seconds from the first start until all are open."""
        t0 = time.perf_counter()
        watcher = asyncio.create_task(self._watch(t0))
        try:
            await asyncio.gather(*(self._starter() for _ in range(self.window)))
            deadline = time.monotonic() + LOAD_TIMEOUT_SECONDS
            while self._open < self.n:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{self.label}: {self._open} of {self.n} open after {LOAD_TIMEOUT_SECONDS:.0f} s"
                    )
                await asyncio.sleep(0.2)
            return time.perf_counter() - t0
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            self._progress(t0)

    async def _starter(self) -> None:
        while len(self.ids) < self.n:
            if len(self.ids) - self._open >= self.window:
                await asyncio.sleep(0.05)
                continue
            i = len(self.ids)
            self.ids.append("")  # claimed before the await, so starters never start the same index
            self.ids[i] = await self.start_one(i)

    async def _watch(self, t0: float) -> None:
        import psutil

        cpu = psutil.Process(self.pid)
        cpu.cpu_percent()
        last_print = time.monotonic()
        while True:
            self._open = await self.opened()
            self.loading_max = max(self.loading_max, rss_mb(self.pid))
            if time.monotonic() - last_print >= self.every:
                last_print = time.monotonic()
                self._progress(t0, cpu.cpu_percent())
            await asyncio.sleep(0.5)

    def _progress(self, t0: float, cpu: float | None = None) -> None:
        elapsed = time.perf_counter() - t0
        rate = self._open / elapsed if elapsed else 0.0
        line = (
            f"  {self.label}: {elapsed:5.0f} s  started {len(self.ids):,}  open {self._open:,}/{self.n:,}"
            f"  ({rate:.1f}/s)  RSS {rss_mb(self.pid):.1f} MB"
        )
        if cpu is not None:
            line += f"  worker CPU {cpu:.0f}%  load {os.getloadavg()[0]:.1f}"
        print(line, flush=True)


async def wait_idle(client: Client, label: str, ids: list[str], concurrency: int) -> None:
    """Until every workflow is running with no pending workflow task and no pending activity: the whole
    set is open and idle on its timer. Asked of the server per workflow, not inferred from counts."""
    deadline = time.monotonic() + IDLE_TIMEOUT_SECONDS
    pending = list(ids)
    while True:
        pending = await _busy(client, label, pending, concurrency)
        print(f"  {label}: {len(ids) - len(pending):,} of {len(ids):,} running and idle", flush=True)
        if not pending:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{label}: {len(pending)} workflows still busy after {IDLE_TIMEOUT_SECONDS:.0f} s")
        await asyncio.sleep(2.0)


async def _busy(client: Client, label: str, ids: list[str], concurrency: int) -> list[str]:
    """The workflows among `ids` with a pending workflow task or activity; fails on one not running."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for wid in ids:
        queue.put_nowait(wid)
    busy: list[str] = []

    async def check() -> None:
        while not queue.empty():
            wid = queue.get_nowait()
            request = DescribeWorkflowExecutionRequest(
                namespace=client.namespace, execution=WorkflowExecution(workflow_id=wid)
            )
            d = await client.workflow_service.describe_workflow_execution(request)
            status = d.workflow_execution_info.status
            if status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING:
                name = WorkflowExecutionStatus.Name(status)
                raise RuntimeError(f"{label}: workflow {wid} is {name}, not running")
            if d.HasField("pending_workflow_task") or d.pending_activities:
                busy.append(wid)

    await asyncio.gather(*(check() for _ in range(concurrency)))
    return busy


async def start_all_idle(load: Load, client: Client, args: argparse.Namespace) -> float:
    """Loads, then waits until the server says all are idle; returns the load seconds."""
    seconds = await load.run()
    await wait_idle(client, load.label, load.ids, args.concurrency)
    return seconds


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


async def measure_ours(client: Client, url: str, args: argparse.Namespace) -> Memory:
    from activities.db import open_pool
    from client.relay import start_for_outcome
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
        "YJFLOW_MAX_CACHED_WORKFLOWS": str(args.cache),
        "YJFLOW_LOG_LEVEL": "WARNING",
    }
    async with process([sys.executable, "worker.py"], env, subprocess.DEVNULL) as proc:
        await wait_for_poller(client, task_queue, proc)
        await asyncio.sleep(args.settle)
        before = median(await sample(proc.pid, 3, 1.0))
        pool = await open_pool(url, max_size=2)
        try:

            async def start_one(i: int) -> str:
                body = CourtOutcome.model_validate(outcome(victims=[]))
                return (await start_for_outcome(client, body, task_queue))[0]

            load = Load(
                "ours", args.workflows, args.concurrency, proc.pid, lambda: _streams_with_deadlines(pool), start_one
            )
            load_seconds = await start_all_idle(load, client, args)
            await settle(lambda: _events(pool), args.settle)
        finally:
            await pool.close()
        values = await sample(proc.pid, args.samples, args.interval)
        return Memory(before, load.loading_max, median(values), max(values), load_seconds)


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


async def measure_bare(our_client: Client, args: argparse.Namespace) -> Memory:
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
        str(args.cache),
    ]
    async with process(command, dict(os.environ), subprocess.PIPE) as proc:
        assert proc.stdout is not None
        # Distinct numbers, not lines: a retried activity (a slow server) prints its line again.
        running: set[bytes] = set()
        reader_stdout = proc.stdout

        def read_lines() -> None:
            for line in reader_stdout:
                running.add(line.strip())

        reader = asyncio.get_running_loop().run_in_executor(None, read_lines)
        await wait_for_poller(client, task_queue, proc)
        await asyncio.sleep(args.settle)
        before = median(await sample(proc.pid, 3, 1.0))

        async def count() -> int:
            return len(running)

        async def start_one(i: int) -> str:
            wid = f"bench-timer-{task_queue}-{i}"
            await client.start_workflow(TimerWorkflow.run, i, id=wid, task_queue=task_queue)
            return wid

        load = Load("bare", args.workflows, args.concurrency, proc.pid, count, start_one)
        load_seconds = await start_all_idle(load, client, args)
        await asyncio.sleep(args.settle)
        values = await sample(proc.pid, args.samples, args.interval)
        memory = Memory(before, load.loading_max, median(values), max(values), load_seconds)
    await reader
    return memory


# --- the run ------------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, url: str) -> tuple[Memory, Memory]:
    from tests.client.conftest import start_dev_server
    from tests.workflows.conftest import test_settings

    settings = test_settings(url)
    env = await start_dev_server(settings)
    async with env:
        ours = await measure_ours(env.client, url, args)
        print(f"  ours: {args.workflows:,} orders open and idle after {ours.load_seconds:.0f} s", flush=True)
        bare = await measure_bare(env.client, args)
        print(f"  bare: {args.workflows:,} workflows open and idle after {bare.load_seconds:.0f} s", flush=True)
    return ours, bare


def report(args: argparse.Namespace, ours: Memory, bare: Memory) -> None:
    from bench._common import Table, ratio, verdict

    print(flush=True)
    table = Table(
        f"memory: worker RSS (MB) with {args.workflows:,} open workflows idle on timers, cache {args.cache:,}",
        ["figure", "ours (worker.py)", "bare worker", "ours/bare", f"target < {TARGET_MB} MB"],
    )
    table.add("RSS before load", ours.before, bare.before, ratio(ours.before, bare.before), "")
    table.add(
        "RSS while loading (highest)", ours.loading_max, bare.loading_max, ratio(ours.loading_max, bare.loading_max), ""
    )
    table.add(
        "RSS open and idle (median)",
        ours.idle_median,
        bare.idle_median,
        ratio(ours.idle_median, bare.idle_median),
        verdict(ours.idle_median, TARGET_MB, higher_is_better=False),
    )
    table.add(
        "RSS open and idle (highest)",
        ours.idle_max,
        bare.idle_max,
        ratio(ours.idle_max, bare.idle_max),
        verdict(ours.idle_max, TARGET_MB, higher_is_better=False),
    )
    growth_o, growth_b = ours.idle_median - ours.before, bare.idle_median - bare.before
    table.add("growth under load", growth_o, growth_b, ratio(growth_o, growth_b), "")
    cached = max(1, min(args.workflows, args.cache))
    table.add("workflows in sticky cache (at most)", cached, cached, "", "")
    table.add("growth per cached workflow (KB)", growth_o * 1024 / cached, growth_b * 1024 / cached, "", "")
    table.add("seconds to load", ours.load_seconds, bare.load_seconds, "", "")
    table.add(
        "workflows opened per second", args.workflows / ours.load_seconds, args.workflows / bare.load_seconds, "", ""
    )
    table.print()
    ok = ours.idle_max <= TARGET_MB
    print(
        f"verdict: {'MET' if ok else 'MISSED'}: worker.py RSS with {args.workflows:,} open workflows "
        f"(cache {args.cache:,}) is {ours.idle_median:.1f} MB median, {ours.idle_max:.1f} MB highest; "
        f"target < {TARGET_MB} MB",
        flush=True,
    )
    print(
        f"# max_cached_workflows {args.cache} on both workers; at most {args.concurrency} started but not yet open; "
        f"{args.samples} idle RSS samples {args.interval:g} s apart; load average {os.getloadavg()[0]:.2f}",
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
    p.add_argument("--workflows", type=int, default=None, help="open workflows per worker (default 10,000; smoke 100)")
    p.add_argument(
        "--cache",
        "--max-cached",
        dest="cache",
        type=int,
        default=DEFAULT_CACHE,
        help=f"max_cached_workflows of both workers (default {DEFAULT_CACHE}, YJFLOW_MAX_CACHED_WORKFLOWS' default)",
    )
    p.add_argument("--concurrency", type=int, default=48, help="workflows started but not yet open, at most")
    p.add_argument("--samples", type=int, default=15, help="RSS samples once open and idle")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between those samples")
    args = p.parse_args(argv)
    for name in ("workflows", "cache", "concurrency", "samples"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"--{name} must be at least 1, not {value}")
    # Seconds a worker is left alone before a sample (started; the last workflow tasks done).
    args.settle = 1.5 if args.smoke else 5.0
    if args.smoke:
        args.samples, args.interval = min(args.samples, 2), 1.0
    args.workflows = args.workflows or (100 if args.smoke else 10_000)
    header("memory", args.smoke)
    with scratch_database(args.database_url, "yjflow_bench_memory") as url:
        ours, bare = asyncio.run(run(args, url))
    report(args, ours, bare)


if __name__ == "__main__":
    # Run as `bench.memory`, not `__main__`: the sandbox re-imports the baseline workflow's module by name.
    from bench import memory

    memory.main()
