"""Issue #5, audit reads at scale: a child's timeline, a service's overdue list and a year's compliance
report over 10 million events.

    python -m bench.audit_reads                  # 10 million events: generation takes minutes
    python -m bench.audit_reads --smoke          # about 100k events, a few repetitions (CI; < 60 s)
    python -m bench.audit_reads --events 2000000 --keep   # keep the scratch database; its URL is printed
    python -m bench.audit_reads --reuse URL      # measure again on a kept database, no generation

The data comes from `bench.synthetic` (generated in SQL, not appended through the event store: see there).
Each read is timed one call at a time through the same functions the API calls (`activities.audit.timeline`,
`activities.reports.*`), with random children and services, after a short warm-up.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import psycopg

from activities import reports
from activities.audit import timeline
from activities.db import Pool, open_pool
from activities.event_store import EventStore
from activities.migrate import apply_migrations
from bench._common import Table, header, parser, percentile, scratch_database, verdict
from bench.synthetic import Shape, generate

TIMELINE_P99_MS = 25.0
OVERDUE_P99_MS = 100.0
COMPLIANCE_S = 2.0
_SMOKE_EVENTS = 100_000


async def _timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    t = time.perf_counter()
    result = await call()
    return (time.perf_counter() - t) * 1000, result


async def _measure(url: str, *, reps: int, as_of: date, seed: int) -> Table:
    rng = random.Random(seed)
    pool: Pool = await open_pool(url, min_size=1, max_size=2)
    try:
        async with pool.connection() as conn:
            children = [
                r["child_id"] for r in await (await conn.execute("SELECT DISTINCT child_id FROM cases")).fetchall()
            ]
            services = [r["yjs"] for r in await (await conn.execute("SELECT DISTINCT yjs FROM cases")).fetchall()]
        year = date(as_of.year - 1, as_of.month, 1), date(as_of.year, as_of.month, 1)
        table = Table(
            f"audit reads ({len(children):,} children, {len(services)} services; as of {as_of})",
            ["read", "reps", "p50 ms", "p99 ms", "max ms", "rows (mean)", "target", "result"],
        )

        async def run(
            name: str,
            n: int,
            call: Callable[[], Awaitable[Any]],
            size: Callable[[Any], int],
            target: str,
            limit: float,
            figure: str,
        ) -> None:
            for _ in range(min(3, n)):  # warm-up: connections, plans, the pages the first calls read
                await call()
            times, sizes = [], []
            for _ in range(n):
                ms, result = await _timed(call)
                times.append(ms)
                sizes.append(size(result))
            p50, p99, worst = percentile(times, 50), percentile(times, 99), max(times)
            measured = {"p99": p99, "max": worst}[figure]
            table.add(
                name,
                n,
                p50,
                p99,
                worst,
                round(sum(sizes) / len(sizes), 1),
                target,
                verdict(measured, limit, higher_is_better=False),
            )

        await run(
            "child's timeline (audit.timeline)",
            reps,
            lambda: timeline(pool, rng.choice(children)),
            lambda t: len(t.events),
            f"p99 < {TIMELINE_P99_MS:.0f} ms",
            TIMELINE_P99_MS,
            "p99",
        )
        # The timeline's own database read, without the Python that shapes it: where the time goes.
        store = EventStore(pool)
        await run(
            "  of which: the child's events (read_child)",
            reps,
            lambda: store.read_child(rng.choice(children)),
            len,
            "(none)",
            float("inf"),
            "p99",
        )
        await run(
            "service's overdue list (reports.overdue)",
            reps,
            lambda: reports.overdue(pool, today=as_of, yjs=rng.choice(services)),
            len,
            f"p99 < {OVERDUE_P99_MS:.0f} ms",
            OVERDUE_P99_MS,
            "p99",
        )
        few = max(3, reps // 20)
        await run(
            "a year's compliance, one service",
            few,
            lambda: reports.compliance_report(pool, start=year[0], end=year[1], yjs=rng.choice(services)),
            len,
            f"max < {COMPLIANCE_S:.0f} s",
            COMPLIANCE_S * 1000,
            "max",
        )
        await run(
            "a year's compliance, all services",
            max(3, reps // 60),
            lambda: reports.compliance_report(pool, start=year[0], end=year[1]),
            len,
            f"max < {COMPLIANCE_S:.0f} s",
            COMPLIANCE_S * 1000,
            "max",
        )
        # No target in the issue; measured because the dashboard shows them on every load.
        await run(
            "service's open cases (reports.cases)",
            few,
            lambda: reports.cases(pool, yjs=rng.choice(services)),
            len,
            "(none)",
            float("inf"),
            "p99",
        )
        await run(
            "service's caseload (reports.caseload)",
            few,
            lambda: reports.caseload(pool, today=as_of, yjs=rng.choice(services)),
            len,
            "(none)",
            float("inf"),
            "p99",
        )
        # The worker pages' calls, across every service.
        await run(
            "all services' overdue list",
            few,
            lambda: reports.overdue(pool, today=as_of, limit=200),
            len,
            "(none)",
            float("inf"),
            "p99",
        )
        await run("all services' open cases", few, lambda: reports.cases(pool), len, "(none)", float("inf"), "p99")
        return table
    finally:
        await pool.close()


def _sizes(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM cases), (SELECT count(*) FROM deadlines),"
            " pg_size_pretty(pg_total_relation_size('events')), pg_size_pretty(pg_total_relation_size('deadlines')),"
            " pg_size_pretty(pg_total_relation_size('cases'))"
        ).fetchone()
    assert row is not None
    events, cases, deadlines, ev_size, dl_size, cs_size = row
    return (
        f"# data: {events:,} events ({ev_size} with indexes), {cases:,} cases ({cs_size}), "
        f"{deadlines:,} deadlines ({dl_size})"
    )


def main() -> None:
    p = parser(__doc__.splitlines()[0] if __doc__ else "audit reads")
    p.add_argument("--events", type=int, default=None, help="events to generate (default 10,000,000; smoke 100,000)")
    p.add_argument("--reps", type=int, default=None, help="repetitions of the fast reads (default 400; smoke 20)")
    p.add_argument("--keep", action="store_true", help="keep the scratch database and print its URL")
    p.add_argument("--reuse", metavar="URL", help="measure on this already generated database (no generation)")
    p.add_argument("--seed", type=int, default=5, help="which random children and services are read")
    args = p.parse_args()
    events = args.events or (_SMOKE_EVENTS if args.smoke else Shape().events)
    reps = args.reps or (20 if args.smoke else 400)
    shape = Shape(events=events)
    header("audit_reads", args.smoke)

    def measure(url: str) -> None:
        print(_sizes(url), flush=True)
        print(flush=True)
        asyncio.run(_measure(url, reps=reps, as_of=shape.as_of, seed=args.seed)).print()

    if args.reuse:
        measure(args.reuse)
        return
    with scratch_database(args.database_url, prefix="yjflow_audit", keep=args.keep) as url:
        apply_migrations(url)
        made = generate(url, shape, progress=lambda line: print(line, flush=True))
        print(
            f"# generated in {made.seconds:.0f} s: {made.events:,} events in {made.streams:,} streams, "
            f"{made.deadlines:,} deadlines, {made.children:,} children, {made.services} services",
            flush=True,
        )
        if args.keep:
            print(f"# kept: --reuse {url}", flush=True)
        measure(url)


if __name__ == "__main__":
    main()
