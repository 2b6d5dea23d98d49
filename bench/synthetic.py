"""Synthetic audit data at scale: millions of events shaped like real ones, generated inside PostgreSQL.

Not through `EventStore.append`: ten million appends would take hours here. The rows are generated in
SQL (`generate_series` into unlogged staging tables, then one ordered INSERT … SELECT per table), so the
chain is not real: `hash` is sha256 of "<stream>#<version>" and `prev_hash` the previous version's (the
genesis hash at version 1) — the right shape and size, and `verify` would report them broken. Everything
the reads touch is consistent: each `deadlines` row matches its stream's Deadline* events, each `cases`
row its stream's kind, service, child, worker and open/closed state, and every stream's events carry
consecutive versions, the child and the service of its case.

The shape (`Shape`): about 150 services of uneven size over three years; children with one to a few
orders each; referral orders, YROs, remands and DTOs of 15–60 events, open for weeks to two years; about
three in four non-remand orders with one or two victims, each victim's contact a stream of 6–20 events;
deadlines spread over each case's life: mostly met on time, some late, missed, missed then met late,
cancelled, and open ones in the cases still running at `as_of`. Events are inserted in effective-time
order, so a child's events are spread over the table as they are in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from domain.chain import GENESIS_HASH

# Events per order family: the order's own (15–60, 37.5 on average) and its victims' contacts
# (0.85 non-remand × 0.75 victims × about 13 events).
_EVENTS_PER_ORDER = 46.0
_ORDERS_PER_CHILD = 1.4
_SEED = 0.42

# (kind, opening event, closing event, open state, closed state, step events, rules).
_KINDS: list[tuple[str, str, str, str, str, list[str], list[str]]] = [
    (
        "referral_order",
        "ReferralOrderMade",
        "OrderCompleted",
        "contract_agreed",
        "completed",
        ["FirstContactMade", "InitialPanelHeld", "ContractSigned", "ProgressPanelHeld", "ContractVaried"],
        ["ro.first_contact", "ro.initial_panel", "ro.victim_views", "ro.progress_panel", "ro.final_panel"],
    ),
    (
        "youth_rehabilitation_order",
        "YouthRehabilitationOrderMade",
        "YroCompleted",
        "active",
        "completed",
        [
            "FirstAppointmentAttended",
            "ReviewHeld",
            "RequirementProgressRecorded",
            "AppointmentMissed",
            "FollowUpContactMade",
        ],
        ["yro.first_appointment", "yro.review", "yro.missed_followup", "yro.warned_period", "yro.end"],
    ),
    (
        "remand",
        "RemandStarted",
        "RemandEnded",
        "local_authority_accommodation",
        "ended",
        ["LacReviewHeld", "SocialWorkerVisitMade", "RemandRenewed", "LacReviewHeld", "SocialWorkerVisitMade"],
        ["remand.lac_review_1", "remand.sw_first_visit", "remand.lac_review_2", "remand.sw_visit", "remand.ctl"],
    ),
    (
        "detention_and_training_order",
        "CustodialSentenceMade",
        "CustodyCompleted",
        "in_custody",
        "completed",
        [
            "InitialPlanningMeetingHeld",
            "CustodyReviewHeld",
            "ReleaseDateSet",
            "PreReleaseConfirmed",
            "ReleaseContactMade",
        ],
        ["custody.initial_planning", "custody.review", "custody.pre_release", "custody.release_contact", "dto.release"],
    ),
    (
        "victim_contact",
        "VictimContactOpened",
        "ContactClosed",
        "contact_attempted",
        "closed",
        ["VictimDetailsReceived", "ContactAttempted", "VictimContacted", "InformedChoiceGiven", "KeptInformed"],
        [
            "victim.rj_information",
            "victim.keep_informed",
            "victim.conclusion",
            "victim.rj_information",
            "victim.keep_informed",
        ],
    ),
]


@dataclass(frozen=True)
class Shape:
    """How much to generate and over what period."""

    events: int = 10_000_000
    services: int = 150
    start: date = date(2023, 11, 1)
    as_of: date = date(2026, 11, 1)  # "today" in the data: later deadlines are still open

    @property
    def orders(self) -> int:
        return max(20, round(self.events / _EVENTS_PER_ORDER))

    @property
    def children(self) -> int:
        return max(10, round(self.orders / _ORDERS_PER_CHILD))


@dataclass(frozen=True)
class Generated:
    events: int
    streams: int
    deadlines: int
    children: int
    services: int
    seconds: float


Progress = Callable[[str], None]

_LOOKUPS = """
CREATE UNLOGGED TABLE syn_kinds (kind text PRIMARY KEY, opening text, closing text, open_state text, closed_state text);
CREATE UNLOGGED TABLE syn_steps (kind text, idx int, event_type text, PRIMARY KEY (kind, idx));
CREATE UNLOGGED TABLE syn_rules (kind text, idx int, rule_id text, PRIMARY KEY (kind, idx));
"""

# Orders: the child (and so the service: a child's cases are all in one), kind, life, size, worker.
# A child's service is a skewed function of the child, so services range from small to large.
_ORDERS = """
CREATE UNLOGGED TABLE syn_streams AS
WITH o AS (
    -- Children in order of their first order, one to two orders each, and one order in ten to a child
    -- picked at random (the children known to the service again and again).
    SELECT i, CASE WHEN random() < 0.1 THEN floor(random() * %(children)s)
                   ELSE floor((i - 1)::float * %(children)s / %(orders)s) END::int AS child_no,
           random() AS rk, random() AS ro, random() AS rd,
           random() AS rn, random() AS ra, random() AS rv, random() AS rw
    FROM generate_series(1, %(orders)s) i
), k AS (
    SELECT o.*,
           CASE WHEN rk < 0.45 THEN 'referral_order' WHEN rk < 0.75 THEN 'youth_rehabilitation_order'
                WHEN rk < 0.90 THEN 'remand' ELSE 'detention_and_training_order' END AS kind,
           1 + floor(%(services)s * power(((child_no::bigint * 7919) %% 10007) / 10007.0, 1.4))::int AS yjs_no
    FROM o
)
SELECT i AS order_no, kind, child_no, yjs_no,
       'yjs-' || lpad(yjs_no::text, 3, '0') AS yjs,
       'C-' || lpad(child_no::text, 7, '0') AS child_id,
       replace(kind, '_', '-') || ':yjs-' || lpad(yjs_no::text, 3, '0') || ':41CJ' || lpad(i::text, 7, '0')
           || ':C-' || lpad(child_no::text, 7, '0') AS stream_id,
       %(start)s::timestamptz + ro * (%(as_of)s::timestamptz - %(start)s::timestamptz) AS opened_at,
       (CASE kind WHEN 'referral_order' THEN 90 + rd * 275 WHEN 'youth_rehabilitation_order' THEN 180 + rd * 550
                  WHEN 'remand' THEN 20 + rd * 100 ELSE 120 + rd * 600 END) * interval '1 day' AS life,
       15 + floor(rn * 46)::int AS n_events,
       CASE WHEN ra < 0.93 THEN 'cw-' || yjs_no || '-' || (1 + floor(rw * 18))::int END AS responsible,
       CASE WHEN kind = 'remand' OR rv < 0.25 THEN 0 WHEN rv < 0.75 THEN 1 ELSE 2 END AS victims
FROM k;

INSERT INTO syn_streams (order_no, kind, child_no, yjs_no, yjs, child_id, stream_id, opened_at, life, n_events,
                         responsible, victims)
SELECT s.order_no, 'victim_contact', s.child_no, s.yjs_no, s.yjs, s.child_id,
       'victim-contact:' || s.yjs || ':41CJ' || lpad(s.order_no::text, 7, '0') || ':' || s.child_id || ':V-'
           || s.order_no || '-' || v,
       s.opened_at + interval '1 day', (40 + random() * 300) * interval '1 day', 6 + floor(random() * 15)::int,
       CASE WHEN random() < 0.85 THEN 'vw-' || s.yjs_no || '-' || (1 + floor(random() * 6))::int END, 0
FROM syn_streams s, generate_series(1, s.victims) v;

ALTER TABLE syn_streams ADD COLUMN stream_no bigserial, ADD COLUMN closed_at timestamptz, ADD COLUMN k int;
UPDATE syn_streams SET
    closed_at = CASE WHEN opened_at + life < %(as_of)s::timestamptz THEN opened_at + life END,
    -- Deadlines: about one per six events (each is scheduled, reminded, and met or missed and escalated).
    k = greatest(1, n_events / 6);
"""

# Each deadline falls due at its place in the case's life (or the life it will have); its outcome is
# drawn once (u) and its late days (l). Outcomes: open when due on or after as_of (cancelled when the case
# closed first); else 80% on time, 8% met late, 4% missed then met late, 4% missed, 2% cancelled, and the
# rest still open if due in the last few days of a running case (the escalation window), else missed.
_DEADLINES = """
CREATE UNLOGGED TABLE syn_deadlines AS
WITH d AS (
    SELECT s.stream_no, s.stream_id, s.child_id, s.yjs, s.kind, s.opened_at, s.closed_at, j,
           r.rule_id, random() AS u, 1 + floor(random() * 20)::int AS l,
           (s.opened_at + (j::float / (s.k + 1)) * s.life)::date AS due_date
    FROM syn_streams s
    CROSS JOIN LATERAL generate_series(1, s.k) j
    JOIN syn_rules r ON r.kind = s.kind AND r.idx = (j - 1) %% 5
)
SELECT d.*, (d.rule_id || '#' || d.j) AS deadline_id,
       CASE
           WHEN d.due_date >= %(as_of)s THEN CASE WHEN d.closed_at IS NULL THEN 'open' ELSE 'cancelled' END
           WHEN d.u < 0.80 THEN 'met_on_time'
           WHEN d.u < 0.88 THEN 'met_late'
           WHEN d.u < 0.92 THEN 'missed_met'
           WHEN d.u < 0.96 THEN 'missed'
           WHEN d.u < 0.98 THEN 'cancelled'
           WHEN d.closed_at IS NULL AND d.due_date >= %(as_of)s::date - 3 THEN 'open'
           ELSE 'missed'
       END AS outcome
FROM d;
"""

# Every event of every stream, unordered: opening, allocation, deadline events, steps, closing.
_EVENTS = """
CREATE UNLOGGED TABLE syn_events AS
-- The court outcome, the kind's opening event, the worker's allocation.
SELECT s.stream_no, s.stream_id, s.child_id, s.yjs, 0 AS seq, s.opened_at AS at,
       CASE WHEN s.kind = 'victim_contact' THEN kk.opening ELSE 'CourtOutcomeRecorded' END AS event_type,
       CASE WHEN s.kind = 'victim_contact'
            THEN jsonb_build_object('victim_ref', 'V-' || s.order_no, 'victim_kind', 'person', 'under_18', false,
                                    'enhanced_rights', false, 'linked_order_id', NULL, 'on', s.opened_at::date)
            ELSE jsonb_build_object('outcome_id', 'out-' || s.order_no, 'case_reference', '41CJ' || s.order_no,
                                    'court_kind', 'youth', 'hearing_date', s.opened_at::date,
                                    'disposal_kind', s.kind, 'victim_refs', '[]'::jsonb) END AS payload
FROM syn_streams s JOIN syn_kinds kk USING (kind)
UNION ALL
SELECT s.stream_no, s.stream_id, s.child_id, s.yjs, 1, s.opened_at, kk.opening,
       jsonb_build_object('hearing_date', s.opened_at::date, 'months', 6)
FROM syn_streams s JOIN syn_kinds kk USING (kind) WHERE s.kind <> 'victim_contact'
UNION ALL
SELECT s.stream_no, s.stream_id, s.child_id, s.yjs, 2, s.opened_at + interval '1 day',
       CASE WHEN s.kind = 'victim_contact' THEN 'VictimWorkerAllocated' ELSE 'CaseWorkerAllocated' END,
       CASE WHEN s.kind = 'victim_contact' THEN jsonb_build_object('victim_worker', s.responsible, 'on',
                                                                   (s.opened_at + interval '1 day')::date)
            ELSE jsonb_build_object('case_worker', s.responsible) END
FROM syn_streams s WHERE s.responsible IS NOT NULL
UNION ALL
-- Scheduled three weeks before it falls due (not before the case opened), reminded two days before.
SELECT d.stream_no, d.stream_id, d.child_id, d.yjs, 10 + d.j * 10,
       greatest(d.opened_at, d.due_date - 21 + interval '9 hours'), 'DeadlineScheduled',
       jsonb_build_object('deadline_id', d.deadline_id, 'rule_id', d.rule_id, 'rule_pack_version', '2026.1',
                          'calendar_version', 'ew-2026', 'rule_type', 'national_standard', 'rule_kind', 'deadline',
                          'confidence', 'high', 'unconfirmed', false, 'source', 'YJB case management guidance',
                          'description', d.rule_id, 'clock_start', (d.due_date - 21),
                          'due_date', d.due_date, 'period_end', NULL,
                          'due_at', (d.due_date + interval '23 hours 59 minutes'),
                          'reminders', jsonb_build_array(d.due_date - 2),
                          'escalate_at', (d.due_date + interval '1 day 9 hours'))
FROM syn_deadlines d
UNION ALL
SELECT d.stream_no, d.stream_id, d.child_id, d.yjs, 11 + d.j * 10, d.due_date - 2 + interval '8 hours',
       'DeadlineReminderSent', jsonb_build_object('deadline_id', d.deadline_id, 'rule_id', d.rule_id,
                                                  'due_date', d.due_date, 'recipient', 'cw')
FROM syn_deadlines d WHERE d.due_date - 2 < %(as_of)s::date AND d.outcome <> 'cancelled'
UNION ALL
SELECT d.stream_no, d.stream_id, d.child_id, d.yjs, 12 + d.j * 10, d.due_date + interval '1 day 1 minute',
       'DeadlineMissed', jsonb_build_object('deadline_id', d.deadline_id, 'rule_id', d.rule_id, 'due_date', d.due_date)
FROM syn_deadlines d WHERE d.outcome IN ('missed', 'missed_met')
UNION ALL
SELECT d.stream_no, d.stream_id, d.child_id, d.yjs, 13 + d.j * 10, d.due_date + interval '1 day 9 hours',
       'DeadlineEscalated', jsonb_build_object('deadline_id', d.deadline_id, 'rule_id', d.rule_id,
                                               'due_date', d.due_date, 'recipient', 'manager',
                                               'escalation_number', 1)
FROM syn_deadlines d WHERE d.outcome IN ('missed', 'missed_met')
UNION ALL
SELECT d.stream_no, d.stream_id, d.child_id, d.yjs, 14 + d.j * 10,
       (CASE d.outcome WHEN 'met_on_time' THEN d.due_date - (d.l %% 5) ELSE d.due_date + d.l END)
           + interval '14 hours',
       'DeadlineMet', jsonb_build_object('deadline_id', d.deadline_id, 'rule_id', d.rule_id, 'due_date', d.due_date,
                                         'met_on', CASE d.outcome WHEN 'met_on_time' THEN d.due_date - (d.l %% 5)
                                                                  ELSE d.due_date + d.l END,
                                         'late', d.outcome <> 'met_on_time',
                                         'days_late', CASE d.outcome WHEN 'met_on_time' THEN 0 ELSE d.l END,
                                         'met_by', 'cw')
FROM syn_deadlines d WHERE d.outcome IN ('met_on_time', 'met_late', 'missed_met')
UNION ALL
SELECT d.stream_no, d.stream_id, d.child_id, d.yjs, 15 + d.j * 10,
       least(coalesce(d.closed_at, d.due_date - 1 + interval '10 hours'), d.due_date - 1 + interval '10 hours'),
       'DeadlineCancelled', jsonb_build_object('deadline_id', d.deadline_id, 'rule_id', d.rule_id,
                                               'why', 'order closed')
FROM syn_deadlines d WHERE d.outcome = 'cancelled'
UNION ALL
-- The case's own steps, spread over its life up to as_of, until the stream has about n_events.
SELECT s.stream_no, s.stream_id, s.child_id, s.yjs, 1000 + f,
       s.opened_at + random() * (least(coalesce(s.closed_at, %(as_of)s::timestamptz), %(as_of)s::timestamptz)
                                 - s.opened_at),
       st.event_type,
       jsonb_build_object('on', s.opened_at::date, 'note', 'recorded by the case worker', 'step', f)
FROM syn_streams s
CROSS JOIN LATERAL generate_series(1, greatest(1, s.n_events - 3 - 3 * s.k)) f
JOIN syn_steps st ON st.kind = s.kind AND st.idx = f %% 5
UNION ALL
SELECT s.stream_no, s.stream_id, s.child_id, s.yjs, 1000000, s.closed_at, kk.closing,
       jsonb_build_object('on', s.closed_at::date)
FROM syn_streams s JOIN syn_kinds kk USING (kind) WHERE s.closed_at IS NOT NULL;
"""

# Versions in effective order within each stream, then every row in effective order across streams.
# recorded_at: minutes after the fact, and three days late for about 3% (the timeline's late entries).
_INSERT_EVENTS = """
INSERT INTO events (event_id, stream_id, stream_version, event_type, child_id, yjs, effective_at, recorded_at,
                    actor, reason, payload, prev_hash, hash)
SELECT gen_random_uuid(), stream_id, v, event_type, child_id, yjs, at,
       at + CASE WHEN random() < 0.03 THEN interval '3 days' ELSE random() * interval '20 minutes' END,
       CASE WHEN event_type LIKE 'Deadline%%' THEN 'system:deadlines' ELSE 'cw' END, NULL, payload,
       CASE WHEN v = 1 THEN %(genesis)s
            ELSE encode(sha256(convert_to(stream_id || '#' || (v - 1), 'UTF8')), 'hex') END,
       encode(sha256(convert_to(stream_id || '#' || v, 'UTF8')), 'hex')
FROM (SELECT e.*, row_number() OVER (PARTITION BY stream_no ORDER BY at, seq) AS v FROM syn_events e) x
ORDER BY at, stream_no, v
"""

_INSERT_DEADLINES = """
INSERT INTO deadlines (stream_id, deadline_id, child_id, yjs, rule_id, rule_pack_version, calendar_version, rule_type,
                       confidence, unconfirmed, description, clock_start, due_date, period_end, due_at, status,
                       met_on, days_late, escalations, last_position)
SELECT d.stream_id, d.deadline_id, d.child_id, d.yjs, d.rule_id, '2026.1', 'ew-2026', 'national_standard', 'high',
       false, d.rule_id || ': ' || coalesce(r.description, d.rule_id), d.due_date - 21, d.due_date, NULL,
       d.due_date + interval '23 hours 59 minutes',
       CASE d.outcome WHEN 'met_on_time' THEN 'met' WHEN 'met_late' THEN 'met' WHEN 'missed_met' THEN 'missed'
                      ELSE d.outcome END,
       CASE d.outcome WHEN 'met_on_time' THEN d.due_date - (d.l %% 5)
                      WHEN 'met_late' THEN d.due_date + d.l WHEN 'missed_met' THEN d.due_date + d.l END,
       CASE d.outcome WHEN 'met_on_time' THEN 0 WHEN 'met_late' THEN d.l WHEN 'missed_met' THEN d.l END,
       CASE WHEN d.outcome IN ('missed', 'missed_met') THEN 1 ELSE 0 END,
       h.last_position
FROM syn_deadlines d
JOIN syn_heads h USING (stream_id)
LEFT JOIN (VALUES %(descriptions)s) AS r (rule_id, description) USING (rule_id)
"""

_INSERT_CASES = """
INSERT INTO cases (stream_id, kind, child_id, yjs, state, responsible, opened_at, closed_at, last_position, fold)
SELECT s.stream_id, s.kind, s.child_id, s.yjs,
       CASE WHEN s.closed_at IS NULL THEN kk.open_state ELSE kk.closed_state END,
       s.responsible, s.opened_at, s.closed_at, h.last_position, NULL
FROM syn_streams s JOIN syn_kinds kk USING (kind) JOIN syn_heads h USING (stream_id)
"""

_PROJECTED_TABLES = ("events", "deadlines", "cases")


def _descriptions() -> str:
    # The rule pack's own descriptions, so reports print what they would in production.
    import tomllib
    from importlib import resources

    pack = tomllib.loads((resources.files("domain") / "rules" / "default.toml").read_text(encoding="utf-8"))
    rules = pack.get("rules", {})
    values = []
    for rule_id, rule in rules.items():
        text = str(rule.get("description", rule_id)).replace("'", "''").replace("%", "%%")
        values.append(f"('{rule_id}', '{text}')")
    return ", ".join(values) or "('none', 'none')"


def _drop_indexes(conn: psycopg.Connection[tuple[Any, ...]]) -> list[str]:
    """Drop every index and unique/primary constraint of the projected tables; return the DDL that
    recreates them (building an index once over ten million rows is far cheaper than maintaining it)."""
    restore: list[str] = []
    for table in _PROJECTED_TABLES:
        constraints = conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
            (table,),
        ).fetchall()
        for name, definition in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", (table,)).fetchall()
        for name, definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
            restore.append(str(definition))
    return restore


def generate(url: str, shape: Shape, progress: Progress = print) -> Generated:
    """Fill an empty, migrated database with `shape`'s synthetic data; return what was generated."""
    began = time.perf_counter()

    def step(label: str, sql: str, params: dict[str, object] | None = None) -> None:
        t = time.perf_counter()
        conn.execute(sql, params)
        progress(f"  {label} ({time.perf_counter() - t:.1f} s)")

    # Client-side binding: the generation scripts hold several statements each, which a server-side
    # prepared statement would refuse.
    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        if conn.execute("SELECT count(*) FROM events").fetchone() != (0,):
            raise RuntimeError("the database already holds events: synthetic data goes into an empty one")
        # Generous memory for the big sorts and index builds of this session only.
        conn.execute("SET work_mem = '512MB'")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SELECT setseed(%s)", (_SEED,))
        conn.execute(_LOOKUPS)
        for kind, opening, closing, open_state, closed_state, steps, rules in _KINDS:
            conn.execute(
                "INSERT INTO syn_kinds VALUES (%s, %s, %s, %s, %s)", (kind, opening, closing, open_state, closed_state)
            )
            for i, (event_type, rule_id) in enumerate(zip(steps, rules, strict=True)):
                conn.execute("INSERT INTO syn_steps VALUES (%s, %s, %s)", (kind, i, event_type))
                conn.execute("INSERT INTO syn_rules VALUES (%s, %s, %s)", (kind, i, rule_id))
        params: dict[str, object] = {
            "orders": shape.orders,
            "children": shape.children,
            "services": shape.services,
            "start": shape.start,
            "as_of": shape.as_of,
            "genesis": GENESIS_HASH,
        }
        progress(f"generating about {shape.events:,} events: {shape.orders:,} orders for {shape.children:,} children")
        step("streams", _ORDERS, params)
        step("deadlines", _DEADLINES, params)
        step("events (staging)", _EVENTS, params)
        restore = _drop_indexes(conn)
        step("events (ordered insert)", _INSERT_EVENTS, params)
        step(
            "stream heads",
            "CREATE UNLOGGED TABLE syn_heads AS SELECT stream_id, max(global_position) AS last_position"
            " FROM events GROUP BY stream_id",
        )
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('events', 'global_position'),"
            " (SELECT coalesce(max(global_position), 1) FROM events))"
        )
        step("deadlines rows", _INSERT_DEADLINES.replace("%(descriptions)s", _descriptions()), params)
        step("cases rows", _INSERT_CASES, params)
        t = time.perf_counter()
        for ddl in restore:
            conn.execute(ddl)
        progress(f"  {len(restore)} indexes and constraints rebuilt ({time.perf_counter() - t:.1f} s)")
        for table in ("syn_events", "syn_deadlines", "syn_heads", "syn_steps", "syn_rules"):
            conn.execute(f"DROP TABLE {table}")
        t = time.perf_counter()
        # The visibility map lets the reports' index-only scans skip the heap, as autovacuum would.
        for table in _PROJECTED_TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
        progress(f"  vacuum and analyze ({time.perf_counter() - t:.1f} s)")
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM cases), (SELECT count(*) FROM deadlines),"
            " (SELECT count(DISTINCT child_id) FROM syn_streams), (SELECT count(DISTINCT yjs) FROM syn_streams)"
        ).fetchone()
        conn.execute("DROP TABLE syn_streams, syn_kinds")
    assert counts is not None
    events, streams, deadlines, children, services = counts
    return Generated(events, streams, deadlines, children, services, seconds=time.perf_counter() - began)
