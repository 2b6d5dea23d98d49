"""A year's caseload of a service of Luton's size, on the time-skipping Temporal test server.

About 120 statutory orders a year (referral orders and YROs, about 20 remand episodes, 7 detention and
training orders), with their victims, arrive through intake on working days spread over the year and are
started by the relay, as in production. A scripted case worker then acts on the deadlines the
projection shows: for each deadline a seeded draw decides whether the step is done on time (72%), late
(18%, 1–15 days after the due date) or never (10%). Court-fixed events (a remand's next hearing, a DTO's
release, an order's end) happen on their date. The simulated clock moves a day at a time, so every
reminder, miss and escalation fires as it would in a year of real time.

Printed: wall time, simulated days, workflows, events recorded, steps (done and refused), reminders and
escalations (from `notifications`) and the compliance table per rule (`activities.reports.compliance_report`
when present, else the `deadlines` table read directly).

    python -m bench.caseload            # the year (about 120 orders)
    python -m bench.caseload --smoke    # about 10 orders over about 2 months
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from activities import intake
from activities.db import Pool
from activities.logging import configure_logging
from activities.migrate import apply_migrations
from activities.users import add_user
from bench._common import Table, header, parser, scratch_database
from client import steps
from client.order_kinds import kind_of
from client.relay import relay_pending
from tests.workflows.conftest import Harness, make_harness

LONDON = ZoneInfo("Europe/London")
SEED = 2026
DAY = timedelta(days=1)
CASE_WORKER = "bench-case-worker"
MANAGER = "bench-manager"
ON_TIME, LATE = 0.72, 0.90  # cumulative shares: on time, late; the rest never done


@dataclass(frozen=True)
class Scale:
    days: int
    referral_orders: int
    yros: int
    remands: int
    dtos: int

    @property
    def orders(self) -> int:
        return self.referral_orders + self.yros + self.remands + self.dtos


YEAR = Scale(days=365, referral_orders=55, yros=38, remands=20, dtos=7)
SMOKE = Scale(days=61, referral_orders=4, yros=3, remands=2, dtos=1)


# --- the caseload ------------------------------------------------------------------------------------


def working_days(start: date, days: int) -> list[date]:
    return [start + i * DAY for i in range(days) if (start + i * DAY).weekday() < 5]


def outcome_body(rng: random.Random, kind: str, hearing: date, n: int) -> dict[str, Any]:
    """A valid court outcome of `kind` heard on `hearing` (the contract's shape, Luton's numbering)."""
    age = rng.randint(12, 17) if kind in ("remand", "detention_and_training_order") else rng.randint(10, 17)
    born = hearing.replace(year=hearing.year - age - 1, day=1) + rng.randint(30, 330) * DAY
    disposal: dict[str, Any]
    victims = 0
    if kind == "referral_order":
        disposal = {"kind": kind, "months": rng.choice([3, 6, 6, 9, 12])}
        victims = rng.choice([0, 1, 1, 2])
    elif kind == "youth_rehabilitation_order":
        months = rng.choice([6, 9, 12, 12, 18])
        end = hearing + round(months * 30.4) * DAY
        disposal = {
            "kind": kind,
            "end_date": end.isoformat(),
            "requirements": [{"kind": "supervision"}, {"kind": "activity", "days": rng.randint(10, 60)}],
            "iss": False,
        }
        victims = rng.choice([0, 1, 1])
    elif kind == "remand":
        custodial = rng.random() < 0.4
        remand_type = rng.choice(["local_authority_accommodation", "youth_detention_accommodation"])
        disposal = {
            "kind": kind,
            "type": remand_type if custodial else rng.choice(["bail", "bail_with_support"]),
            "next_hearing_date": (hearing + rng.randint(7, 9 if custodial else 28) * DAY).isoformat(),
            "first_remand": True,
        }
        if custodial:
            disposal |= {"ctl_start_date": hearing.isoformat(), "ctl_days": 56}
    else:
        disposal = {"kind": kind, "months": rng.choice([4, 6, 8, 12])}
        victims = 1
    tag = f"{n:04d}"
    return {
        "outcome_id": f"LUT-BENCH-{tag}",
        "yjs": "luton",
        "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
        "hearing_date": hearing.isoformat(),
        "case_reference": f"41CJ9{tag}",
        "child": {"id": f"C-{tag}", "given_name": "Sam", "family_name": "Example", "date_of_birth": born.isoformat()},
        "offences": [
            {
                "code": "TH68010",
                "description": "Theft from a shop",
                "offence_date": (hearing - rng.randint(20, 120) * DAY).isoformat(),
                "plea": "guilty",
                "convicted": True,
            }
        ],
        "disposal": disposal,
        "victims": [{"ref": f"V-{tag}-{i}", "kind": "person", "under_18": False} for i in range(victims)],
    }


def caseload(scale: Scale, start: date) -> dict[date, list[dict[str, Any]]]:
    """Each order's outcome on the working day it is heard, spread evenly over the simulated period."""
    rng = random.Random(SEED)
    kinds = (
        ["referral_order"] * scale.referral_orders
        + ["youth_rehabilitation_order"] * scale.yros
        + ["remand"] * scale.remands
        + ["detention_and_training_order"] * scale.dtos
    )
    rng.shuffle(kinds)
    days = working_days(start, scale.days)
    arrivals: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for n, kind in enumerate(kinds):
        hearing = days[n * len(days) // len(kinds)]
        arrivals[hearing].append(outcome_body(rng, kind, hearing, n))
    return arrivals


# --- the scripted case worker ------------------------------------------------------------------------

# Rules met by an event the court or the secure estate fixes: it happens on its date.
FIXED_DATE_RULES = {"ro.end", "yro.end", "dto.release", "remand.next_hearing", "remand.next_hearing_later"}


def step_for(rule_id: str, day: date, body: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The steps a case worker records to meet a deadline of `rule_id` on `day` (none: no step meets it)."""
    if rule_id == "ro.first_contact":
        return [{"step": "first_contact_made", "method": "home_visit"}]
    if rule_id == "ro.victim_views":
        return [{"step": "victim_views_recorded", "victim_ref": v["ref"]} for v in body["victims"]]
    if rule_id == "ro.initial_panel":
        return [{"step": "initial_panel_held", "contract_signed_date": day.isoformat()}]
    if rule_id == "ro.progress_panel":
        return [{"step": "progress_panel_held"}]
    if rule_id == "ro.final_panel":
        return [{"step": "final_panel_held", "discharged": True}]
    if rule_id in ("ro.end", "yro.end"):
        return [{"step": "order_completed"}]
    if rule_id == "yro.first_appointment":
        return [{"step": "first_appointment_attended"}]
    if rule_id in ("yro.review", "custody.review"):
        return [{"step": "review_held"}]
    if rule_id.startswith("remand.lac_review"):
        return [{"step": "lac_review_held"}]
    if rule_id.startswith("remand.sw_"):
        return [{"step": "social_worker_visit_made"}]
    if rule_id.startswith("remand.next_hearing"):
        if rng.random() < 0.35:  # remanded again at the hearing: the later remand's 28 clear days
            remand_type = body["disposal"]["type"]
            return [{"step": "remand_renewed", "type": remand_type, "next_hearing_date": (day + 27 * DAY).isoformat()}]
        return [{"step": "remand_ended", "how": rng.choice(["bail", "bail", "acquitted", "discontinued"])}]
    if rule_id == "custody.initial_planning":
        return [{"step": "initial_planning_held"}]
    if rule_id == "custody.pre_release":
        return [{"step": "pre_release_confirmed", "accommodation": True, "ete": True}]
    if rule_id == "dto.release":
        return [{"step": "released"}]
    if rule_id == "custody.release_contact":
        return [{"step": "release_contact_made"}]
    return []


def act_on(row: dict[str, Any]) -> date | None:
    """The day the scripted worker meets this deadline, or None when it is never met."""
    rng = random.Random(f"{SEED}:{row['stream_id']}:{row['deadline_id']}")
    due: date = row["due_date"]
    if row["rule_id"] in FIXED_DATE_RULES:
        return due
    draw = rng.random()
    start: date = min(row["clock_start"], due)
    if draw < ON_TIME:
        return start + rng.randint(0, max(0, (due - start).days)) * DAY
    if draw < LATE:
        return due + rng.randint(1, 15) * DAY
    return None


@dataclass
class Tally:
    done: Counter[str]
    refused: Counter[str]
    refusals: list[str]


async def worker_day(h: Harness, day: date, bodies: dict[str, dict[str, Any]], handled: set[str], tally: Tally) -> None:
    """Record today's steps: every open (or missed, not yet met) deadline whose scripted day has come."""
    async with _pool(h).connection() as conn:
        # Only open cases' deadlines, as the overdue list shows them: a closed order's missed deadline
        # stays missed on the record, but nobody is asked to act on it.
        cur = await conn.execute(
            "SELECT d.stream_id, d.deadline_id, d.rule_id, d.clock_start, d.due_date FROM deadlines d "
            "WHERE d.status IN ('open', 'missed') AND d.met_on IS NULL AND EXISTS "
            "(SELECT 1 FROM cases c WHERE c.stream_id = d.stream_id AND c.closed_at IS NULL) "
            "ORDER BY d.due_date, d.stream_id"
        )
        rows = [dict(r) for r in await cur.fetchall()]
    for row in rows:
        key = f"{row['stream_id']}/{row['deadline_id']}"
        kind = kind_of(row["stream_id"])
        body = bodies.get(row["stream_id"])
        if key in handled or kind is None or body is None:
            continue
        when = act_on(row)
        if when is None:
            handled.add(key)
            continue
        if when > day:
            continue
        handled.add(key)
        rng = random.Random(f"{SEED}:{key}:step")
        for step in step_for(row["rule_id"], day, body, rng):
            name = f"{kind.name}.{step['step']}"
            try:
                # The API's and the pages' path, so a refusal reads as a case worker would see it.
                await steps.record_order_step(
                    h.client, row["stream_id"], {**step, "effective_date": day}, CASE_WORKER, pool=_pool(h)
                )
                tally.done[name] += 1
            except steps.StepError as e:
                tally.refused[name] += 1
                tally.refusals.append(f"{day} {row['stream_id']} {name}: {e.message}")


# --- the year ----------------------------------------------------------------------------------------


def _pool(h: Harness) -> Pool:
    # The harness types its pool loosely; activities.db opens it with dict rows.
    return cast(Pool, h.pool)


async def skip_to(h: Harness, when: datetime) -> None:
    now = await h.env.get_current_time()
    if when > now:
        await h.env.sleep(when - now)


def london(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


async def intake_day(h: Harness, day: date, outcomes: list[dict[str, Any]], bodies: dict[str, dict[str, Any]]) -> None:
    """Today's court outcomes through intake, then the relay starts their workflows (as a worker would)."""
    for body in outcomes:
        result = await intake.receive_value(h.pool, body, received_by="bench-intake", today=day)
        if result.status != "accepted":
            raise RuntimeError(f"outcome {body['outcome_id']} was not accepted: {result.errors}")
        bodies[result.workflow_ids[0]] = body
    if outcomes:
        pending = len(outcomes)
        while pending:
            pending -= await relay_pending(_pool(h), h.client, h.settings.task_queue)
            if pending:
                await asyncio.sleep(0.05)


async def counts(h: Harness) -> dict[str, int]:
    async with _pool(h).connection() as conn:
        found: dict[str, int] = {}
        for name, sql in (
            ("events", "SELECT count(*) AS n FROM events"),
            ("streams", "SELECT count(DISTINCT stream_id) AS n FROM events"),
            ("workflows", "SELECT count(DISTINCT w) AS n FROM inbox, unnest(workflow_ids) AS w"),
            ("reminders", "SELECT count(*) AS n FROM notifications WHERE kind = 'reminder'"),
            ("escalations", "SELECT count(*) AS n FROM notifications WHERE kind = 'escalation'"),
            ("deadlines", "SELECT count(*) AS n FROM deadlines"),
        ):
            cur = await conn.execute(sql)
            row = await cur.fetchone()
            found[name] = int(row["n"]) if row is not None else 0
    return found


async def compliance(h: Harness, start: date, end: date) -> Table:
    """Per rule, the deadlines due in [start, end): met on time, met late, missed, still open."""
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    try:
        from activities.reports import compliance_report
    except ImportError:
        compliance_report = None  # type: ignore[assignment]
    if compliance_report is not None:
        for r in await compliance_report(_pool(h), start=start, end=end):
            for i, value in enumerate((r.due, r.met_on_time, r.met_late, r.missed, r.still_open)):
                per_rule[r.rule_id][i] += value
    else:
        async with _pool(h).connection() as conn:
            cur = await conn.execute(
                "SELECT rule_id, count(*) AS due,"
                " count(*) FILTER (WHERE status = 'met' AND coalesce(days_late, 0) <= 0) AS on_time,"
                " count(*) FILTER (WHERE met_on IS NOT NULL AND (status = 'missed' OR days_late > 0)) AS late,"
                " count(*) FILTER (WHERE status = 'missed' AND met_on IS NULL) AS missed,"
                " count(*) FILTER (WHERE status = 'open') AS open"
                " FROM deadlines WHERE status <> 'cancelled' AND due_date >= %s AND due_date < %s GROUP BY rule_id",
                (start, end),
            )
            for r in await cur.fetchall():
                per_rule[r["rule_id"]] = [r["due"], r["on_time"], r["late"], r["missed"], r["open"]]
    table = Table(
        f"Compliance by rule, deadlines due {start} to {end - DAY}",
        ["rule", "due", "met on time", "met late", "missed", "still open", "% on time"],
    )
    totals = [0, 0, 0, 0, 0]
    for rule_id in sorted(per_rule):
        due, on_time, late, missed, still_open = per_rule[rule_id]
        totals = [a + b for a, b in zip(totals, per_rule[rule_id], strict=True)]
        table.add(rule_id, due, on_time, late, missed, still_open, _pct(on_time, due - still_open))
    table.add("all rules", *totals, _pct(totals[1], totals[0] - totals[4]))
    return table


async def by_kind(h: Harness) -> Table:
    """Streams, events and deadlines per workflow kind (the id's prefix)."""
    table = Table("By workflow kind", ["kind", "streams", "events", "deadlines"])
    async with _pool(h).connection() as conn:
        cur = await conn.execute(
            "WITH e AS (SELECT split_part(stream_id, ':', 1) AS kind, count(DISTINCT stream_id) AS streams,"
            " count(*) AS events FROM events GROUP BY 1),"
            " d AS (SELECT split_part(stream_id, ':', 1) AS kind, count(*) AS deadlines FROM deadlines GROUP BY 1)"
            " SELECT e.kind, e.streams, e.events, coalesce(d.deadlines, 0) AS deadlines"
            " FROM e LEFT JOIN d USING (kind) ORDER BY 1"
        )
        for r in await cur.fetchall():
            table.add(r["kind"], r["streams"], r["events"], r["deadlines"])
    return table


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


async def run(scale: Scale, database_url: str) -> None:
    with scratch_database(database_url, prefix="yjflow_caseload") as url:
        apply_migrations(url)
        async with make_harness(url) as h:
            await add_user(h.pool, MANAGER, "manager")
            await add_user(h.pool, CASE_WORKER, "case_worker", manager=MANAGER)
            now = (await h.env.get_current_time()).astimezone(LONDON).date()
            start = now + DAY * ((7 - now.weekday()) % 7 or 7)  # the next Monday
            end = start + scale.days * DAY
            arrivals = caseload(scale, start)
            bodies: dict[str, dict[str, Any]] = {}
            handled: set[str] = set()
            tally = Tally(Counter(), Counter(), [])
            began = time.perf_counter()
            day = start
            while day < end:
                await skip_to(h, london(day, 10))
                await intake_day(h, day, arrivals.get(day, []), bodies)
                await worker_day(h, day, bodies, handled, tally)
                day += DAY
                if (day - start).days % 30 == 0:  # progress, so a long run is seen to move
                    print(
                        f"# day {(day - start).days}: {len(bodies)} orders, {sum(tally.done.values())} steps, "
                        f"{time.perf_counter() - began:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
            await skip_to(h, london(end, 10))  # the last day's misses and escalations fire
            await asyncio.sleep(1)  # activities the last skip started finish recording
            wall = time.perf_counter() - began
            found = await counts(h)
            summary = Table("A year's caseload" if scale is YEAR else "Caseload (smoke)", ["figure", "value"])
            summary.add("wall time (s)", round(wall, 1))
            summary.add("simulated days", scale.days)
            summary.add("simulated days per wall second", round(scale.days / wall, 2))
            summary.add(
                "orders (referral, YRO, remand, DTO)",
                f"{scale.orders} ({scale.referral_orders}, {scale.yros}, {scale.remands}, {scale.dtos})",
            )
            summary.add("workflows started", found["workflows"])
            summary.add("event streams", found["streams"])
            summary.add("events recorded", found["events"])
            summary.add("deadlines scheduled", found["deadlines"])
            summary.add("steps recorded by the scripted worker", sum(tally.done.values()))
            summary.add("steps refused by the orders", sum(tally.refused.values()))
            summary.add("reminders fired", found["reminders"])
            summary.add("escalations fired", found["escalations"])
            summary.print()
            (await compliance(h, start, end)).print()
            (await by_kind(h)).print()
            steps = Table("Steps by kind", ["step", "recorded", "refused"])
            for name in sorted(set(tally.done) | set(tally.refused)):
                steps.add(name, tally.done[name], tally.refused[name])
            steps.print()
            if tally.refusals:
                print("First refusals (the script stepped where the order said no):")
                for line in tally.refusals[:10]:
                    print("  " + line[:200])


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    configure_logging("WARNING")  # a line per event would bury the figures
    header("caseload", args.smoke)
    asyncio.run(run(SMOKE if args.smoke else YEAR, args.database_url))


if __name__ == "__main__":
    main()
