"""Intake throughput: court outcomes through the HTTP API until their workflows have recorded their first
events, against bare Temporal starting the same number of workflows on the same dev server.

    python -m bench.intake [--smoke] [--outcomes N] [--rounds N] [--concurrency N]

Ours: the whole service in this process, as the client tests run it (`tests/client/conftest.py`):
uvicorn serving the real API, the real worker (`worker.create_worker`) and the relay
(`activities.relay.run_relay`), on a Temporal dev server (`WorkflowEnvironment.start_local` with the
venv's `temporal` binary) and a scratch database. Each outcome is a referral order with one victim, so it
starts two workflows (the order and the victim's contact). A round POSTs N outcomes to
`/court-outcomes` (a few requests in flight at once) and ends when the `events` table holds the first
events of every one of the 2N workflows.

Baseline: bare Temporal on the same dev server: a client starts the same 2N workflows directly, a worker
in this process runs them, and each workflow runs as many no-op activities as ours run up to and
including the one that records their first events, then sleeps on a timer as ours do. The count is read
from a real history of ours (activities scheduled up to the first completed `record_events`) after a
warm-up outcome, and printed. A round ends when every baseline workflow's last no-op activity has run.

Rounds alternate which side goes first; figures are medians over rounds; workflows still open from
earlier rounds stay open (timers), for both sides alike. Target (issue #5): ours at least 0.8 of the
baseline's workflows/s.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    import httpx
    from temporalio.api.enums.v1 import EventType
    from temporalio.client import Client, WorkflowHandle
    from temporalio.worker import Worker

    from activities.db import Pool, open_pool
    from activities.logging import configure_logging
    from activities.migrate import apply_migrations
    from activities.relay import run_relay
    from activities.settings import Settings
    from activities.victim_details import VictimDetailsStore
    from bench._common import Table, header, median, parser, ratio, scratch_database, verdict
    from tests.client.conftest import (
        TEST_VICTIM_MASTER_KEY,
        add_users,
        all_workflow_ids_of,
        background,
        outcome,
        serve_api,
        start_dev_server,
    )
    from tests.workflows.conftest import test_settings

TARGET = 0.8
ROUND_TIMEOUT_SECONDS = 900.0


# --- the baseline: bare Temporal ----------------------------------------------------------------------


@dataclass
class NoOpProgress:
    """How many baseline workflows have run their last no-op activity (the worker runs in this process)."""

    done: int = 0


PROGRESS = NoOpProgress()


@activity.defn(name="bench_no_op")
async def no_op(last: bool) -> None:
    """Does nothing; the last one of a workflow counts it as having reached its first events."""
    if last:
        PROGRESS.done += 1


@workflow.defn(name="BenchBareWorkflow", sandboxed=True)
class BareWorkflow:
    """`activities` no-op activities one after another, then a long timer, as ours wait on deadlines."""

    @workflow.run
    async def run(self, activities: int) -> None:
        for i in range(activities):
            await workflow.execute_activity(no_op, i == activities - 1, start_to_close_timeout=timedelta(seconds=30))
        await workflow.sleep(timedelta(days=30))


# --- counting our activities ----------------------------------------------------------------------------


async def activities_before_first_events(handle: WorkflowHandle[Any, Any]) -> int:
    """Activities the workflow scheduled up to and including the first `record_events` that completed,
    read from its real history."""
    scheduled: dict[int, str] = {}
    async for e in handle.fetch_history_events():
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[e.event_id] = e.activity_task_scheduled_event_attributes.activity_type.name
        elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            attrs = e.activity_task_completed_event_attributes
            if scheduled.get(attrs.scheduled_event_id) == "record_events":
                return len(scheduled)
    raise RuntimeError(f"workflow {handle.id} has not recorded events yet")


# --- the two sides -----------------------------------------------------------------------------------


@dataclass
class Service:
    """Our running service: its API, an intake token, its database pool and Temporal client."""

    api_url: str
    token: str
    pool: Pool
    client: Client


async def started_streams(pool: Pool, workflow_ids: list[str]) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(DISTINCT stream_id) AS n FROM events WHERE stream_id = ANY(%s)", (workflow_ids,)
        )
        row = await cur.fetchone()
    assert row is not None
    return int(row["n"])


async def wait_until(probe: Any, target: int, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ROUND_TIMEOUT_SECONDS
    while (seen := await probe()) < target:
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
        await wait_until(lambda: relayed(service.pool, outcome_ids), outcomes, "relay")
        return time.perf_counter() - start

    relay = asyncio.create_task(all_relayed())
    await wait_until(lambda: started_streams(service.pool, workflow_ids), len(workflow_ids), "ours")
    recorded = time.perf_counter() - start
    # An inbox row is marked once Temporal has its workflows, so this may end a moment after `recorded`.
    return OursRound(posted, await relay, recorded, len(workflow_ids))


async def baseline_round(client: Client, task_queue: str, workflows: int, activities: int, concurrency: int) -> float:
    """Start `workflows` bare workflows; seconds until each has run its no-op activities."""
    tag = uuid.uuid4().hex[:8]
    ids = [f"bench-bare-{tag}-{i}" for i in range(workflows)]
    before = PROGRESS.done
    queue: asyncio.Queue[str] = asyncio.Queue()
    for wid in ids:
        queue.put_nowait(wid)

    async def starter() -> None:
        while not queue.empty():
            wid = queue.get_nowait()
            await client.start_workflow(BareWorkflow.run, activities, id=wid, task_queue=task_queue)

    async def done() -> int:
        return PROGRESS.done - before

    start = time.perf_counter()
    await asyncio.gather(*(starter() for _ in range(concurrency)))
    await wait_until(done, workflows, "baseline")
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


async def run(args: argparse.Namespace, url: str) -> Figures:
    from worker import connect, create_worker

    apply_migrations(url)
    settings: Settings = test_settings(url, relay_interval_seconds=0.2, victim_master_key=TEST_VICTIM_MASTER_KEY)
    figures = Figures()
    env = await start_dev_server(settings)
    async with env:
        settings = settings.model_copy(update={"temporal_address": env.client.service_client.config.target_host})
        pool = await open_pool(url)
        try:
            tokens, _ = await add_users(pool)
            store = VictimDetailsStore(pool, settings.victim_master_key_bytes, settings.victim_master_key_id)
            bare_queue = f"bench-bare-{uuid.uuid4().hex[:8]}"
            bare_worker = Worker(env.client, task_queue=bare_queue, workflows=[BareWorkflow], activities=[no_op])
            async with (
                create_worker(env.client, pool, settings),
                bare_worker,
                background(run_relay(pool, env.client, settings), "relay"),
                serve_api(pool, lambda: connect(settings), store) as api_url,
            ):
                service = Service(api_url, tokens["intake"], pool, env.client)
                # Warm-up, not counted: imports, sandboxes, connections, prepared statements. Its order's
                # and victim contact's histories say how many activities ours run before first events.
                warm = outcome()
                await ours_round_for(service, [warm])
                order_id, victim_id = all_workflow_ids_of(warm)
                for name, wid in (("referral order", order_id), ("victim contact", victim_id)):
                    figures.counted[name] = await activities_before_first_events(env.client.get_workflow_handle(wid))
                figures.activities = max(figures.counted.values())
                await baseline_round(env.client, bare_queue, 2, figures.activities, 2)

                for r in range(args.rounds):
                    sides = ["ours", "baseline"] if r % 2 == 0 else ["baseline", "ours"]
                    for side in sides:
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
                                env.client, bare_queue, n, figures.activities, args.concurrency
                            )
                            figures.baseline.append(n / seconds)
                        print(f"  round {r + 1}/{args.rounds} {side}: {n} workflows in {seconds:.1f} s", flush=True)
        finally:
            await pool.close()
    return figures


async def ours_round_for(service: Service, bodies: list[dict[str, Any]]) -> None:
    """POST these outcomes and wait for their workflows' first events (the warm-up)."""
    headers = {"Authorization": f"Bearer {service.token}"}
    async with httpx.AsyncClient(base_url=service.api_url, headers=headers, timeout=60) as http:
        for body in bodies:
            r = await http.post("/court-outcomes", json=body)
            if r.status_code != 202:
                raise RuntimeError(f"POST /court-outcomes answered {r.status_code}: {r.text[:500]}")
    ids = [wid for body in bodies for wid in all_workflow_ids_of(body)]
    await wait_until(lambda: started_streams(service.pool, ids), len(ids), "warm-up")


def report(args: argparse.Namespace, f: Figures) -> None:
    counted = ", ".join(f"{name} {n}" for name, n in f.counted.items())
    print(
        f"# activities before first events, from real histories (scheduled up to the first completed "
        f"record_events): {counted}; the baseline runs {f.activities} per workflow",
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


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("--outcomes", type=int, default=None, help="outcomes per round (default 300; smoke 20)")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds of ours and the baseline (default 3)")
    p.add_argument("--concurrency", type=int, default=8, help="requests (ours) or starts (baseline) in flight")
    p.add_argument(
        "--log-level",
        default="INFO",
        help="the service's log level (default INFO, the worker's default: a JSON line per event on stderr)",
    )
    args = p.parse_args(argv)
    configure_logging(args.log_level)
    args.outcomes = args.outcomes or (20 if args.smoke else 300)
    args.rounds = args.rounds or (1 if args.smoke else 3)
    header("intake", args.smoke)
    with scratch_database(args.database_url, "yjflow_bench_intake") as url:
        figures = asyncio.run(run(args, url))
    report(args, figures)


if __name__ == "__main__":
    # Run as `bench.intake`, not `__main__`: the sandbox re-imports the baseline workflow's module by name.
    from bench import intake

    intake.main()
