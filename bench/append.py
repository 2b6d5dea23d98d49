"""Event-store append latency and throughput against a plain INSERT into the same table shape.

    python -m bench.append [--smoke] [--rounds N] [--events N] [--concurrency N] [--batches N]

Ours is `activities.event_store.EventStore.append`: payload validation, the per-stream guard (an advisory
lock) that keeps versions gap-free and the chain unforked, the head-of-stream and event-id look-ups, the
SHA-256 chain, and the deadline and cases projections, all in one transaction. The baseline is a plain
INSERT of the same rows into `plain_events`, a table in the same scratch database with the same columns,
unique constraints and indexes (the writing transaction's id too) but no chain, no guard and no
projection. Both go through the same kind of psycopg pool.

Three workloads, each run for ours and the baseline in every round (rounds alternate which goes first, so
drift on a shared machine falls on both): one appender doing single-event appends one after another
(latency p50/p99 and rate), several appenders doing single-event appends at once, each on its own streams
(rate; nothing global serialises ours any more, so both share group commit), and batches of 100 events per
transaction. Each stream opens with ReferralOrderMade, then cycles through a DeadlineScheduled, its
DeadlineMet and a step (CaseWorkerAllocated), so the deadline and cases projections do real work. Figures
are medians over rounds; the ratio ours/plain is the figure to read. Targets (issue #10): one appender at
least 0.8 of the plain rate, eight at least 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from psycopg.types.json import Jsonb

from activities.db import Pool, open_pool
from activities.event_store import EventStore
from activities.migrate import apply_migrations
from bench._common import Table, header, median, parser, percentile, ratio, scratch_database, verdict
from domain.events import (
    CaseWorkerAllocated,
    DeadlineMet,
    DeadlineScheduled,
    EventPayload,
    NewEvent,
    ReferralOrderMade,
    new_event,
)

# Issue #10: one appender at least 0.8 of the plain rate, eight at least 0.5.
TARGET_ONE = 0.8
TARGET_MANY = 0.5
BATCH = 100
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

# The baseline table: the shape of `events` as migrated (columns, checks, unique constraints, indexes),
# copied from the table itself so it follows every migration; LIKE copies no triggers and no defaults, so
# it gets a sequence of its own and records its writing transaction as `events` does.
PLAIN_DDL = """
CREATE TABLE plain_events (LIKE events INCLUDING CONSTRAINTS INCLUDING INDEXES);
CREATE SEQUENCE plain_events_global_position_seq OWNED BY plain_events.global_position;
ALTER TABLE plain_events ALTER COLUMN global_position SET DEFAULT nextval('plain_events_global_position_seq');
ALTER TABLE plain_events ALTER COLUMN transaction_id SET DEFAULT pg_current_xact_id();
"""

PLAIN_INSERT = """
INSERT INTO plain_events (
    event_id, stream_id, stream_version, event_type, child_id, yjs, effective_at, recorded_at,
    actor, reason, payload, prev_hash, hash
) VALUES (%s, %s, %s, %s, %s, %s, %s, clock_timestamp(), %s, %s, %s, %s, %s)
"""
NO_HASH = "0" * 64


# --- the events both sides write --------------------------------------------------------------------


class Streams:
    """Next versions of a set of streams, and the event each stream is due next (step, scheduled, met)."""

    def __init__(self, prefix: str, count: int) -> None:
        self._ids = [f"referral-order:bench:{prefix}:{i}" for i in range(count)]
        self._versions = dict.fromkeys(self._ids, 0)
        self._turn = itertools.cycle(self._ids)

    def next_event(self) -> NewEvent:
        stream_id = next(self._turn)
        self._versions[stream_id] += 1
        version = self._versions[stream_id]
        return new_event(
            _payload(version),
            event_id=uuid.uuid4(),
            stream_id=stream_id,
            stream_version=version,
            child_id=f"C-{stream_id.rsplit(':', 2)[-2]}-{stream_id.rsplit(':', 1)[-1]}",
            yjs="bench",
            effective_at=T0 + timedelta(minutes=version),
            actor="bench.worker",
        )

    def batch(self, size: int) -> list[NewEvent]:
        return [self.next_event() for _ in range(size)]


def _payload(version: int) -> EventPayload:
    # A stream opens as a real order does, so the cases projection evolves its stored fold (a stream
    # that never opened would be folded whole at every append).
    if version == 1:
        return ReferralOrderMade(months=6, hearing_date=date(2026, 1, 5), victim_refs=["V-1"])
    deadline_id = f"ro.first_contact#{version // 3}"
    due = date(2026, 1, 12)
    match version % 3:
        case 1:
            return CaseWorkerAllocated(case_worker=f"worker-{version}")
        case 2:
            return DeadlineScheduled(
                deadline_id=deadline_id,
                rule_id="ro.first_contact",
                rule_pack_version="bench",
                calendar_version="bench",
                rule_type="national_standard",
                confidence="high",
                unconfirmed=False,
                source="bench",
                description="First contact with the child",
                clock_start=date(2026, 1, 5),
                due_date=due,
                due_at=datetime(2026, 1, 12, 17, 0, tzinfo=UTC),
                reminders=[datetime(2026, 1, 9, 9, 0, tzinfo=UTC)],
                escalate_at=datetime(2026, 1, 13, 9, 0, tzinfo=UTC),
            )
        case _:
            return DeadlineMet(
                deadline_id=deadline_id,
                rule_id="ro.first_contact",
                due_date=due,
                met_on=date(2026, 1, 8),
                late=False,
                met_by="bench.worker",
            )


# --- the two appenders ------------------------------------------------------------------------------


Append = Callable[[list[NewEvent]], Awaitable[object]]


def ours(store: EventStore) -> Append:
    return store.append


def plain(pool: Pool) -> Append:
    async def append(events: list[NewEvent]) -> None:
        params = [
            (
                e.event_id,
                e.stream_id,
                e.stream_version,
                e.event_type,
                e.child_id,
                e.yjs,
                e.effective_at,
                e.actor,
                e.reason,
                Jsonb(e.payload),
                NO_HASH,
                NO_HASH,
            )
            for e in events
        ]
        async with pool.connection() as conn, conn.transaction():
            if len(params) == 1:
                await conn.execute(PLAIN_INSERT, params[0])
            else:
                async with conn.cursor() as cur:
                    await cur.executemany(PLAIN_INSERT, params)

    return append


# --- workloads ----------------------------------------------------------------------------------------


@dataclass
class Figures:
    """One side's measurements across rounds."""

    seq_rates: list[float] = field(default_factory=list)
    seq_latencies_ms: list[float] = field(default_factory=list)
    conc_rates: list[float] = field(default_factory=list)
    conc_latencies_ms: list[float] = field(default_factory=list)
    batch_rates: list[float] = field(default_factory=list)


async def sequential(append: Append, streams: Streams, n: int, figures: Figures) -> None:
    """One appender, one event per transaction, one after another."""
    events = [streams.next_event() for _ in range(n)]
    start = time.perf_counter()
    for event in events:
        t = time.perf_counter()
        await append([event])
        figures.seq_latencies_ms.append((time.perf_counter() - t) * 1000)
    figures.seq_rates.append(n / (time.perf_counter() - start))


async def concurrent(append: Append, streams: list[Streams], n: int, figures: Figures) -> None:
    """Several appenders at once, each on its own streams, one event per transaction."""
    per_worker = max(1, n // len(streams))
    planned = [[s.next_event() for _ in range(per_worker)] for s in streams]

    async def appender(events: list[NewEvent]) -> None:
        for event in events:
            t = time.perf_counter()
            await append([event])
            figures.conc_latencies_ms.append((time.perf_counter() - t) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(appender(events) for events in planned))
    figures.conc_rates.append(per_worker * len(streams) / (time.perf_counter() - start))


async def batched(append: Append, streams: Streams, batches: int, figures: Figures) -> None:
    """One appender, BATCH events (across streams) per transaction."""
    planned = [streams.batch(BATCH) for _ in range(batches)]
    start = time.perf_counter()
    for events in planned:
        await append(events)
    figures.batch_rates.append(batches * BATCH / (time.perf_counter() - start))


@dataclass
class Side:
    name: str
    append: Append
    figures: Figures
    seq: Streams
    conc: list[Streams]
    batch: Streams


async def run(args: argparse.Namespace, url: str) -> tuple[Figures, Figures]:
    apply_migrations(url)
    pool = await open_pool(url, min_size=args.concurrency, max_size=args.concurrency)
    try:
        async with pool.connection() as conn:
            await conn.execute(PLAIN_DDL)
        sides = [
            Side(
                name,
                append,
                Figures(),
                Streams(f"{name}-seq", 20),
                [Streams(f"{name}-c{i}", 5) for i in range(args.concurrency)],
                Streams(f"{name}-batch", 50),
            )
            for name, append in (("ours", ours(EventStore(pool))), ("plain", plain(pool)))
        ]
        # A warm-up round for both, not counted: connections, prepared plans, imports, caches.
        for side in sides:
            await sequential(side.append, side.seq, 20, Figures())
            await batched(side.append, side.batch, 1, Figures())
        for r in range(args.rounds):
            order = sides if r % 2 == 0 else sides[::-1]
            for side in order:
                await sequential(side.append, side.seq, args.events, side.figures)
            for side in order:
                await concurrent(side.append, side.conc, args.events, side.figures)
            for side in order:
                await batched(side.append, side.batch, args.batches, side.figures)
            print(f"  round {r + 1}/{args.rounds} done", flush=True)
        print(flush=True)
        return sides[0].figures, sides[1].figures
    finally:
        await pool.close()


def report(args: argparse.Namespace, o: Figures, p: Figures) -> None:
    table = Table(
        f"append: EventStore.append vs plain INSERT ({args.rounds} rounds; medians over rounds, "
        f"percentiles over all appends)",
        ["figure", "ours", "plain", "ours/plain", "target"],
    )
    seq_o, seq_p = median(o.seq_rates), median(p.seq_rates)
    conc_o, conc_p = median(o.conc_rates), median(p.conc_rates)
    batch_o, batch_p = median(o.batch_rates), median(p.batch_rates)
    table.add(
        "single, 1 appender: events/s",
        seq_o,
        seq_p,
        ratio(seq_o, seq_p),
        f"≥ {TARGET_ONE}: {verdict(seq_o / seq_p, TARGET_ONE)}",
    )
    for pct in (50, 99):
        lo, lp = percentile(o.seq_latencies_ms, pct), percentile(p.seq_latencies_ms, pct)
        table.add(f"single, 1 appender: p{pct} ms", lo, lp, ratio(lo, lp), "")
    table.add(
        f"single, {args.concurrency} appenders: events/s",
        conc_o,
        conc_p,
        ratio(conc_o, conc_p),
        f"≥ {TARGET_MANY}: {verdict(conc_o / conc_p, TARGET_MANY)}",
    )
    for pct in (50, 99):
        lo, lp = percentile(o.conc_latencies_ms, pct), percentile(p.conc_latencies_ms, pct)
        table.add(f"single, {args.concurrency} appenders: p{pct} ms", lo, lp, ratio(lo, lp), "")
    table.add(f"batches of {BATCH}: events/s", batch_o, batch_p, ratio(batch_o, batch_p), "")
    table.print()
    print(
        f"# {args.events} single appends per side per round in each single workload, {args.batches} batches of "
        f"{BATCH} per side per round; ratios of latencies: lower is better",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    p = parser(__doc__ or "")
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds of ours and plain (default 5)")
    p.add_argument("--events", type=int, default=None, help="single appends per side per round (default 500)")
    p.add_argument("--concurrency", type=int, default=8, help="appenders in the concurrent workload (default 8)")
    p.add_argument("--batches", type=int, default=None, help="batches of 100 per side per round (default 10)")
    args = p.parse_args(argv)
    args.rounds = args.rounds or (1 if args.smoke else 5)
    args.events = args.events or (40 if args.smoke else 500)
    args.batches = args.batches or (2 if args.smoke else 10)
    if args.smoke:
        args.concurrency = min(args.concurrency, 2)
    header("append", args.smoke)
    with scratch_database(args.database_url, "yjflow_bench_append") as url:
        o, pl = asyncio.run(run(args, url))
    report(args, o, pl)


if __name__ == "__main__":
    main()
