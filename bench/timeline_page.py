"""Issue #6, the timeline page: a child's timeline page with 2,000 events, rendered in process through
the real app (ASGI, signed-in session, Jinja2, chain verification of the child's streams) with a million
events in the store. Target: under 200 ms of server time.

    python -m bench.timeline_page              # 1,000,000 events of synthetic data + the 2,000-event child
    python -m bench.timeline_page --smoke      # 20,000 events and 200 for the child, a few renders (CI)
    python -m bench.timeline_page --reuse URL  # measure again on a kept database (see --keep)

"read + check every chain" is `activities.audit.checked_timeline`, the page's one read of the child's
streams with each chain recomputed; `EventStore.verify` of the same streams (one at a time, `rfc8785`)
is printed beside it as the baseline the page used to pay.

The store is `bench.synthetic` (generated in SQL). The measured child's events are copies of synthetic
streams with their chains recomputed for real (`domain.chain.event_hash`), so the page's verify badge
does the full work and reports the chains intact; their deadlines and cases rows are copied with them.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from activities import web_sessions
from activities.audit import checked_timeline, timeline
from activities.db import open_pool
from activities.event_store import EventStore
from activities.migrate import apply_migrations
from activities.users import add_user, get_user
from bench._common import Table, header, median, parser, percentile, scratch_database, verdict
from bench.synthetic import Shape, generate
from client.api import AppContext, create_app
from client.web.session import COOKIE
from domain.chain import GENESIS_HASH, event_hash

TARGET_MS = 200.0
CHILD = "C-BENCH-TIMELINE"


def add_bench_child(url: str, events: int) -> int:
    """Copy synthetic streams (orders and victims' contacts) to one child until it holds `events` events,
    each stream's chain recomputed; returns how many were added."""
    with psycopg.connect(url, row_factory=dict_row) as conn:
        if conn.execute("SELECT 1 FROM events WHERE child_id = %s LIMIT 1", (CHILD,)).fetchone():
            return 0
        sources = conn.execute(
            "SELECT stream_id, count(*) AS n FROM events GROUP BY stream_id ORDER BY count(*) DESC, stream_id LIMIT 400"
        ).fetchall()
        rows: list[dict[str, Any]] = []
        mapping: dict[str, str] = {}
        for k, src in enumerate(sources):
            if len(rows) >= events:
                break
            kind = src["stream_id"].split(":", 1)[0]
            new_id = (
                f"victim-contact:bench:B{k}:{CHILD}:V-{k}" if kind == "victim-contact" else f"{kind}:bench:B{k}:{CHILD}"
            )
            mapping[src["stream_id"]] = new_id
            prev = GENESIS_HASH
            stream = conn.execute(
                "SELECT * FROM events WHERE stream_id = %s ORDER BY stream_version LIMIT %s",
                (src["stream_id"], events - len(rows)),
            ).fetchall()
            for r in stream:
                r |= {"event_id": uuid.uuid4(), "stream_id": new_id, "child_id": CHILD, "prev_hash": prev}
                r["hash"] = event_hash(
                    prev_hash=prev,
                    event_id=str(r["event_id"]),
                    stream_id=new_id,
                    stream_version=r["stream_version"],
                    event_type=r["event_type"],
                    child_id=CHILD,
                    yjs=r["yjs"],
                    effective_at=r["effective_at"],
                    recorded_at=r["recorded_at"],
                    actor=r["actor"],
                    reason=r["reason"],
                    payload=r["payload"],
                )
                prev = r["hash"]
                rows.append(r)
        rows.sort(key=lambda r: (r["effective_at"], r["stream_id"], r["stream_version"]))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO events (event_id, stream_id, stream_version, event_type, child_id, yjs, effective_at,"
                " recorded_at, actor, reason, payload, prev_hash, hash)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        r["event_id"],
                        r["stream_id"],
                        r["stream_version"],
                        r["event_type"],
                        r["child_id"],
                        r["yjs"],
                        r["effective_at"],
                        r["recorded_at"],
                        r["actor"],
                        r["reason"],
                        Jsonb(r["payload"]),
                        r["prev_hash"],
                        r["hash"],
                    )
                    for r in rows
                ],
            )
            for old, new in mapping.items():
                cur.execute(
                    "INSERT INTO deadlines SELECT %s, deadline_id, %s, yjs, rule_id, rule_pack_version,"
                    " calendar_version, rule_type, confidence, unconfirmed, description, clock_start, due_date,"
                    " period_end, due_at, status, met_on, days_late, escalations, last_position"
                    " FROM deadlines WHERE stream_id = %s",
                    (new, CHILD, old),
                )
                cur.execute(
                    "INSERT INTO cases (stream_id, kind, child_id, yjs, state, responsible, opened_at, closed_at,"
                    " last_position, fold) SELECT %s, kind, %s, yjs, state, responsible, opened_at, closed_at,"
                    " last_position, NULL FROM cases WHERE stream_id = %s",
                    (new, CHILD, old),
                )
        conn.commit()
        return len(rows)


async def _timed(call: Any) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call. CPU time is this process's only (the app, the in-process
    client, the driver; not PostgreSQL's), and is what other processes on a shared machine cannot
    inflate: wall time there is roughly CPU time times the machine's load over its cores."""
    t, cpu = time.perf_counter(), time.process_time()
    await call()
    return (time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000


async def measure(url: str, *, reps: int) -> Table:
    pool = await open_pool(url, min_size=1, max_size=4)
    try:
        name = "bench-manager"
        if await get_user(pool, name) is None:
            await add_user(pool, name, "manager")
        user = await get_user(pool, name)
        assert user is not None
        session = await web_sessions.start(pool, user)

        async def no_temporal() -> Any:
            raise RuntimeError("the timeline page needs no Temporal")

        app = create_app(AppContext(pool, no_temporal))
        transport = httpx.ASGITransport(app=app)
        events = len((await timeline(pool, CHILD)).events)
        table = Table(
            f"timeline page: child with {events:,} events (in-process ASGI, signed in as a manager)",
            ["measure", "reps", "median ms", "p99 ms", "max ms", "median CPU ms", "target", "result"],
        )
        # The app's lifespan runs as under uvicorn (ASGITransport alone would skip it): what the app does
        # at start-up, the measured pages get.
        cookies = {COOKIE: session.session_id}
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench", cookies=cookies) as http,
        ):

            async def page() -> None:
                r = await http.get(f"/app/children/{CHILD}")
                assert r.status_code == 200, r.text[:500]
                assert 'data-testid="verify-badge"' in r.text, "the chains did not verify"

            async def filtered() -> None:
                r = await http.get(f"/app/children/{CHILD}", params={"type": "DeadlineMet"})
                assert r.status_code == 200

            store = EventStore(pool)
            streams = await store.streams_for_child(CHILD)

            async def verify_all() -> None:
                for s in streams:
                    await store.verify(s)

            for name_, call, target in (
                ("whole page (GET /app/children/{id})", page, TARGET_MS),
                ("page filtered to one event type", filtered, None),
                ("  of which: read + check every chain", lambda: checked_timeline(pool, CHILD), None),
                ("the API's read (audit.timeline)", lambda: timeline(pool, CHILD), None),
                (f"EventStore.verify of the {len(streams)} streams", verify_all, None),
            ):
                for _ in range(3):
                    await call()
                timed = [await _timed(call) for _ in range(reps)]
                times = [wall for wall, _ in timed]
                p99 = percentile(times, 99)
                table.add(
                    name_,
                    reps,
                    median(times),
                    p99,
                    max(times),
                    median([cpu for _, cpu in timed]),
                    f"p99 < {target:.0f} ms" if target else "(none)",
                    verdict(p99, target, higher_is_better=False) if target else "",
                )
        return table
    finally:
        await pool.close()


def main() -> None:
    p = parser(__doc__.splitlines()[0] if __doc__ else "timeline page")
    p.add_argument("--events", type=int, default=None, help="store size (default 1,000,000; smoke 20,000)")
    p.add_argument("--child-events", type=int, default=None, help="the measured child's events (default 2,000)")
    p.add_argument("--reps", type=int, default=None, help="renders measured (default 50; smoke 5)")
    p.add_argument("--keep", action="store_true", help="keep the scratch database and print its URL")
    p.add_argument("--reuse", metavar="URL", help="measure on this already generated database")
    args = p.parse_args()
    events = args.events or (20_000 if args.smoke else 1_000_000)
    child_events = args.child_events or (200 if args.smoke else 2_000)
    reps = args.reps or (5 if args.smoke else 50)
    header("timeline_page", args.smoke)

    def run(url: str) -> None:
        added = add_bench_child(url, child_events)
        if added:
            print(f"# added {added:,} events for {CHILD}", flush=True)
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM events").fetchone()
        print(f"# data: {row[0] if row else 0:,} events in the store", flush=True)
        asyncio.run(measure(url, reps=reps)).print()

    if args.reuse:
        run(args.reuse)
        return
    with scratch_database(args.database_url, "yjflow_bench_page", keep=args.keep) as url:
        apply_migrations(url)
        generated = generate(url, Shape(events=events), progress=lambda s: print(f"# {s}", flush=True))
        print(f"# generated {generated.events:,} events in {generated.seconds:.0f} s", flush=True)
        run(url)
        if args.keep:
            print(f"# kept: {url}", flush=True)


if __name__ == "__main__":
    main()
