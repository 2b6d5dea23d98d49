"""Intake throughput: court outcomes through the HTTP API until their workflows have recorded their first
events, against bare Temporal starting the same number of workflows on the same dev server.

    python -m bench.intake [--smoke] [--outcomes N] [--rounds N] [--concurrency N]

Ours, in production shape (`docker-compose.yml`): the API served by `yjflow api` (uvicorn) in a process of
its own, and the worker with its relay by `python worker.py` in another, both configured only through the
environment (`DATABASE_URL`, `TEMPORAL_ADDRESS`, `YJFLOW_*`), on a Temporal dev server
(`WorkflowEnvironment.start_local` with the venv's `temporal` binary) and a scratch database. This process
only sends the requests and watches the database. Each outcome is a referral order with one victim, so it
starts two workflows (the order and the victim's contact). A round POSTs N outcomes to
`/court-outcomes` (a few requests in flight at once) and ends when the `events` table holds the first
events of every one of the 2N workflows.

Baseline: bare Temporal on the same dev server: a client in this process starts the same 2N workflows
directly, and a worker in a process of its own (`python -m bench.intake --bare-worker ...`, so both sides
are the same shape) runs them: each workflow runs as many no-op activities as ours run up to and
including the one that records their first events, then sleeps on a timer as ours do. The count is read
from a real history of ours (activities scheduled up to the first completed one that records events) after a
warm-up outcome, and printed. The bare worker prints a line when a workflow's last no-op activity has
run; a round ends when every baseline workflow's line has arrived.

Rounds alternate which side goes first; figures are medians over rounds; workflows still open from
earlier rounds stay open (timers), for both sides alike. Target (issue #5): ours at least 0.8 of the
baseline's workflows/s.

Beside the rates, the CPU each side's processes spent per workflow in each round (`bench.cpu`): the
Temporal server, our worker and API or the bare worker, PostgreSQL's backends for the scratch database,
and this process. On a machine with fewer cores than busy processes the ratio of rates follows the
inverse ratio of those totals, so the table says what a gain would have to come from.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from psycopg.conninfo import conninfo_to_dict
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from activities.codec import data_converter
from activities.db import Pool, open_pool
from activities.migrate import apply_migrations
from activities.settings import Settings
from bench._common import Table, header, median, parser, ratio, scratch_database, verdict
from bench.bare_workflows import BARE_DONE, BareWorkflow, no_op
from bench.cpu import CpuMeter, by_command_line, only, with_children
from bench.processes import START_TIMEOUT_SECONDS, Child, api_ready, child, free_port, service_env
from tests.client.conftest import (
    TEST_VICTIM_MASTER_KEY,
    add_users,
    all_workflow_ids_of,
    outcome,
    start_dev_server,
)
from tests.workflows.conftest import test_settings, venv_binary

TARGET = 0.8
ROUND_TIMEOUT_SECONDS = 900.0


# --- the baseline: bare Temporal, its worker in a process of its own -----------------------------------


async def serve_bare_worker(address: str, task_queue: str) -> None:
    """The baseline's worker process: runs bare workflows until SIGTERM. Its payloads are encrypted with
    the key in YJFLOW_PAYLOAD_KEY, as ours are, so the codec's cost is on both sides, and it caches as
    many workflows as ours."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]  # the key from the environment alone
    converter = data_converter(settings.payload_key_bytes, settings.payload_key_id)
    client = await Client.connect(address, data_converter=converter)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # The same sticky cache as worker.py's (YJFLOW_MAX_CACHED_WORKFLOWS), or the rounds' open workflows
    # would stay cached on one side only.
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[BareWorkflow],
        activities=[no_op],
        max_cached_workflows=settings.max_cached_workflows,
    ):
        sys.stdout.buffer.write(b"ready\n")
        sys.stdout.buffer.flush()
        await stop.wait()


# --- counting our activities ----------------------------------------------------------------------------


# The activities that append a workflow's events: a step's own, or a step's with the deadlines it starts.
RECORDING_ACTIVITIES = frozenset({"record_events", "schedule_deadlines"})


async def activities_before_first_events(handle: WorkflowHandle[Any, Any], *, within: float = 30.0) -> int:
    """Activities the workflow scheduled up to and including the first that recorded its events and
    completed, read from its real history. The events are in PostgreSQL a moment before the activity's
    completion reaches the history (a loaded machine widens that moment), so the history is read again
    until it shows the completion."""
    deadline = time.monotonic() + within
    while True:
        scheduled: dict[int, str] = {}
        async for e in handle.fetch_history_events():
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                scheduled[e.event_id] = e.activity_task_scheduled_event_attributes.activity_type.name
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                attrs = e.activity_task_completed_event_attributes
                if scheduled.get(attrs.scheduled_event_id) in RECORDING_ACTIVITIES:
                    return len(scheduled)
        if time.monotonic() > deadline:
            raise RuntimeError(f"workflow {handle.id}: no recording activity completed within {within:.0f} s")
        await asyncio.sleep(0.1)


@dataclass
class BareWorkerProcess:
    """The baseline's worker process and how many workflows have run their last no-op activity."""

    child: Child
    done: int = 0

    async def count(self) -> None:
        assert self.child.process.stdout is not None
        async for line in self.child.process.stdout:
            if line.strip() == BARE_DONE:
                self.done += 1


@contextlib.asynccontextmanager
async def bare_worker(settings: Settings, task_queue: str) -> AsyncIterator[BareWorkerProcess]:
    args = [sys.executable, "-m", "bench.intake", "--bare-worker", settings.temporal_address, task_queue]
    env = service_env(settings, 0)
    async with child("bare worker", args, env, stdout=asyncio.subprocess.PIPE) as c:
        assert c.process.stdout is not None
        ready = await asyncio.wait_for(c.process.stdout.readline(), START_TIMEOUT_SECONDS)
        if ready.strip() != b"ready":
            raise RuntimeError(f"the bare worker did not start:\n{c.tail()}")
        worker = BareWorkerProcess(c)
        counting = asyncio.create_task(worker.count())
        try:
            yield worker
        finally:
            counting.cancel()


# --- the two sides -----------------------------------------------------------------------------------


@dataclass
class Service:
    """Our running service, seen from outside: its API, an intake token, a pool on its database and a
    Temporal client (to read histories)."""

    api_url: str
    token: str
    pool: Pool
    client: Client
    processes: list[Child]

    def check(self) -> None:
        for c in self.processes:
            c.check()


async def started_streams(pool: Pool, workflow_ids: list[str]) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(DISTINCT stream_id) AS n FROM events WHERE stream_id = ANY(%s)", (workflow_ids,)
        )
        row = await cur.fetchone()
    assert row is not None
    return int(row["n"])


async def wait_until(probe: Any, target: int, what: str, alive: Any = None) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ROUND_TIMEOUT_SECONDS
    while (seen := await probe()) < target:
        if alive is not None:
            alive()
        if loop.time() > deadline:
            raise RuntimeError(f"{what}: {seen} of {target} after {ROUND_TIMEOUT_SECONDS:.0f} s")
        await asyncio.sleep(0.05)


async def relayed(pool: Pool, outcome_ids: list[str]) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) AS n FROM inbox WHERE relay_status = 'started' AND outcome_id = ANY(%s)", (outcome_ids,)
        )
        row = await cur.fetchone()
    assert row is not None
    return int(row["n"])


@dataclass
class OursRound:
    """Seconds from the first POST until: every POST answered, the relay started every workflow, every
    workflow recorded its first events (the figure); and how many workflows."""

    posted: float
    relayed: float
    recorded: float
    workflows: int


async def ours_round(service: Service, outcomes: int, concurrency: int) -> OursRound:
    """POST `outcomes` outcomes and wait until every workflow they start has its first events."""
    bodies = [outcome() for _ in range(outcomes)]
    workflow_ids = [wid for body in bodies for wid in all_workflow_ids_of(body)]
    outcome_ids = [body["outcome_id"] for body in bodies]
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def poster(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            r = await http.post("/court-outcomes", json=body)
            if r.status_code != 202:
                raise RuntimeError(f"POST /court-outcomes answered {r.status_code}: {r.text[:500]}")

    headers = {"Authorization": f"Bearer {service.token}"}
    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=service.api_url, headers=headers, timeout=60) as http:
        await asyncio.gather(*(poster(http) for _ in range(concurrency)))
    posted = time.perf_counter() - start

    async def all_relayed() -> float:
        await wait_until(lambda: relayed(service.pool, outcome_ids), outcomes, "relay", service.check)
        return time.perf_counter() - start

    relay = asyncio.create_task(all_relayed())
    await wait_until(lambda: started_streams(service.pool, workflow_ids), len(workflow_ids), "ours", service.check)
    recorded = time.perf_counter() - start
    # An inbox row is marked once Temporal has its workflows, so this may end a moment after `recorded`.
    return OursRound(posted, await relay, recorded, len(workflow_ids))


async def baseline_round(
    client: Client, worker: BareWorkerProcess, task_queue: str, workflows: int, activities: int, concurrency: int
) -> float:
    """Start `workflows` bare workflows; seconds until each has run its no-op activities."""
    tag = uuid.uuid4().hex[:8]
    ids = [f"bench-bare-{tag}-{i}" for i in range(workflows)]
    before = worker.done
    queue: asyncio.Queue[str] = asyncio.Queue()
    for wid in ids:
        queue.put_nowait(wid)

    async def starter() -> None:
        while not queue.empty():
            wid = queue.get_nowait()
            await client.start_workflow(BareWorkflow.run, activities, id=wid, task_queue=task_queue)

    async def done() -> int:
        return worker.done - before

    start = time.perf_counter()
    await asyncio.gather(*(starter() for _ in range(concurrency)))
    await wait_until(done, workflows, "baseline", worker.child.check)
    return time.perf_counter() - start


# --- the run ----------------------------------------------------------------------------------------


@dataclass
class Figures:
    ours: list[float] = field(default_factory=list)  # workflows/s per round
    baseline: list[float] = field(default_factory=list)
    posted: list[float] = field(default_factory=list)  # seconds until every POST was answered, per round
    relayed: list[float] = field(default_factory=list)  # seconds until the relay had started every workflow
    workflows_per_round: int = 0
    activities: int = 0
    counted: dict[str, int] = field(default_factory=dict)
    processes: str = ""  # which process ran what, for the record
    # CPU ms per workflow of each group of processes, per round of each side
    cpu: dict[str, list[dict[str, float]]] = field(default_factory=lambda: {"ours": [], "baseline": []})


@contextlib.asynccontextmanager
async def our_service(settings: Settings, pool: Pool, client: Client) -> AsyncIterator[Service]:
    """`yjflow api` and `python worker.py` as processes of their own, as a deployment runs them."""
    port = free_port()
    env = service_env(settings, port)
    api_url = f"http://127.0.0.1:{port}"
    tokens, _ = await add_users(pool)
    async with (
        child("worker.py", [sys.executable, "worker.py"], env) as worker,
        child("yjflow api", [venv_binary("yjflow"), "api", "--port", str(port)], env) as api,
    ):
        await api_ready(api, api_url)
        yield Service(api_url, tokens["intake"], pool, client, [worker, api])


async def run(args: argparse.Namespace, url: str) -> Figures:
    apply_migrations(url)
    settings: Settings = test_settings(url, victim_master_key=TEST_VICTIM_MASTER_KEY, log_level=args.log_level)
    figures = Figures()
    env = await start_dev_server(settings)
    async with env:
        settings = settings.model_copy(update={"temporal_address": env.client.service_client.config.target_host})
        pool = await open_pool(url, max_size=2)
        try:
            bare_queue = f"bench-bare-{uuid.uuid4().hex[:8]}"
            async with (
                our_service(settings, pool, env.client) as service,
                bare_worker(settings, bare_queue) as bare,
            ):
                pids = {c.name: c.process.pid for c in [*service.processes, bare.child]}
                figures.processes = ", ".join(f"{name} pid {pid}" for name, pid in pids.items())
                meter = cpu_meter(settings, pids)
                # Warm-up, not counted: imports, sandboxes, connections, prepared statements. Its order's
                # and victim contact's histories say how many activities ours run before first events.
                warm = outcome()
                await ours_round_for(service, [warm])
                order_id, victim_id = all_workflow_ids_of(warm)
                for name, wid in (("referral order", order_id), ("victim contact", victim_id)):
                    figures.counted[name] = await activities_before_first_events(env.client.get_workflow_handle(wid))
                figures.activities = max(figures.counted.values())
                await baseline_round(env.client, bare, bare_queue, 2, figures.activities, 2)

                for r in range(args.rounds):
                    sides = ["ours", "baseline"] if r % 2 == 0 else ["baseline", "ours"]
                    for side in sides:
                        meter.take()
                        if side == "ours":
                            ours = await ours_round(service, args.outcomes, args.concurrency)
                            n, seconds = ours.workflows, ours.recorded
                            figures.workflows_per_round = n
                            figures.ours.append(n / seconds)
                            figures.posted.append(ours.posted)
                            figures.relayed.append(ours.relayed)
                        else:
                            n = 2 * args.outcomes
                            seconds = await baseline_round(
                                env.client, bare, bare_queue, n, figures.activities, args.concurrency
                            )
                            figures.baseline.append(n / seconds)
                        # A round ends at first events, but what it set going (the workflow task after each
                        # opening) runs on: let it finish, so its CPU is counted with its round, not the next.
                        await meter.settle("Temporal server")
                        figures.cpu[side].append({g: 1000 * s / n for g, s in meter.take().items()})
                        print(f"  round {r + 1}/{args.rounds} {side}: {n} workflows in {seconds:.1f} s", flush=True)
        finally:
            await pool.close()
    return figures


def cpu_meter(settings: Settings, pids: dict[str, int]) -> CpuMeter:
    """The processes each side runs on: the Temporal dev server (by its port), our worker and API, the bare
    worker, PostgreSQL's backends for the scratch database, and this process (requests, starts, polls)."""
    port = settings.temporal_address.rsplit(":", 1)[1]
    database = conninfo_to_dict(settings.database_url)["dbname"]
    return CpuMeter(
        {
            "Temporal server": by_command_line("start-dev", f"--port {port}"),
            "worker.py": with_children(pids["worker.py"]),
            "yjflow api": with_children(pids["yjflow api"]),
            "bare worker": with_children(pids["bare worker"]),
            "PostgreSQL": by_command_line(f" {database} ", name="postgres"),
            "this process": only(os.getpid()),
        }
    )


async def ours_round_for(service: Service, bodies: list[dict[str, Any]]) -> None:
    """POST these outcomes and wait for their workflows' first events (the warm-up)."""
    headers = {"Authorization": f"Bearer {service.token}"}
    async with httpx.AsyncClient(base_url=service.api_url, headers=headers, timeout=60) as http:
        for body in bodies:
            r = await http.post("/court-outcomes", json=body)
            if r.status_code != 202:
                raise RuntimeError(f"POST /court-outcomes answered {r.status_code}: {r.text[:500]}")
    ids = [wid for body in bodies for wid in all_workflow_ids_of(body)]
    await wait_until(lambda: started_streams(service.pool, ids), len(ids), "warm-up", service.check)


def report(args: argparse.Namespace, f: Figures) -> None:
    counted = ", ".join(f"{name} {n}" for name, n in f.counted.items())
    print(
        f"# activities before first events, from real histories (scheduled up to the first completed "
        f"record_events or schedule_deadlines): {counted}; the baseline runs {f.activities} per workflow",
        flush=True,
    )
    print(
        f"# processes: this one (pid {os.getpid()}) only sends requests and starts and watches; {f.processes}",
        flush=True,
    )
    print(flush=True)
    ours, base = median(f.ours), median(f.baseline)
    table = Table(
        f"intake: {args.outcomes} outcomes (= {f.workflows_per_round} workflows) per side per round, "
        f"{args.rounds} rounds, {args.concurrency} requests/starts in flight; medians over rounds",
        ["figure", "ours (HTTP → relay → workflow → events)", "bare Temporal", "ours/bare", f"target ≥ {TARGET}"],
    )
    table.add("workflows/s", ours, base, ratio(ours, base), verdict(ours / base, TARGET))
    table.add("outcomes/s", ours / 2, base / 2, ratio(ours, base), "")
    each = " ".join(f"{v:.1f}" for v in f.ours), " ".join(f"{v:.1f}" for v in f.baseline)
    table.add("workflows/s, each round", *each, "", "")
    table.print()
    print(
        "# ours, seconds from the first POST until every POST was answered / the relay had started every "
        "workflow (inbox rows marked started) / every workflow had its first events, per round: "
        + "; ".join(
            f"{p:.1f} / {r:.1f} / {f.workflows_per_round / w:.1f}"
            for p, r, w in zip(f.posted, f.relayed, f.ours, strict=True)
        ),
        flush=True,
    )


def report_cpu(f: Figures) -> None:
    groups = list(f.cpu["ours"][0]) if f.cpu["ours"] else []
    table = Table(
        "CPU per workflow, ms (user + system, medians over rounds): on a machine with fewer cores than busy "
        "processes, the rates' ratio follows the totals' inverse",
        ["process", "ours", "bare Temporal", "ours/bare"],
    )
    for group in [*groups, "total"]:
        o = median([sum(r.values()) if group == "total" else r[group] for r in f.cpu["ours"]])
        b = median([sum(r.values()) if group == "total" else r[group] for r in f.cpu["baseline"]])
        table.add(group, o, b, ratio(o, b) if b >= 0.05 else "")
    table.print()


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("--outcomes", type=int, default=None, help="outcomes per round (default 300; smoke 20)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds of ours and the baseline (default 3)")
    p.add_argument("--concurrency", type=int, default=8, help="requests (ours) or starts (baseline) in flight")
    p.add_argument(
        "--log-level",
        default="INFO",
        help="the service's log level (YJFLOW_LOG_LEVEL of its processes; default INFO, as deployed)",
    )
    args = p.parse_args(argv)
    args.outcomes = args.outcomes or (20 if args.smoke else 300)
    args.rounds = args.rounds or (1 if args.smoke else 3)
    header("intake", args.smoke)
    with scratch_database(args.database_url, "yjflow_bench_intake") as url:
        figures = asyncio.run(run(args, url))
    report(args, figures)
    report_cpu(figures)


if __name__ == "__main__":
    # Run as `bench.intake`, not `__main__`: the sandbox re-imports the baseline workflow's module by name.
    from bench import intake

    if sys.argv[1:2] == ["--bare-worker"]:  # the baseline's worker process: --bare-worker ADDRESS QUEUE
        asyncio.run(intake.serve_bare_worker(sys.argv[2], sys.argv[3]))
    else:
        intake.main()
