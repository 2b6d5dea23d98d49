"""The board's quarterly report from the projections and the remand events (`domain.board_report` puts
it together): orders started and ended by kind from `cases`, compliance by rule from `deadlines`
(`activities.reports`), remand episodes from their RemandStarted and RemandEnded events, the statutory
cohort from `cases` with its ethnicity and sex from the children's records, and the service's population
from the population file (policy data)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from activities import reports
from activities.child_records import ChildRecordStore
from activities.db import Pool
from activities.reports import _fetch, _params, _with_filters
from domain.board_report import (
    BoardReport,
    OrderCounts,
    PopulationPolicy,
    Quarter,
    RemandEpisode,
    build_board_report,
    cohort_records,
    load_population,
)
from domain.calendar import london_instant
from domain.compliance import ComplianceFigures
from domain.court_decisions import SENTENCE_KINDS, order_kind_of

POPULATION_ENV = "YJFLOW_POPULATION_FILE"
FIGURES = set(ComplianceFigures.model_fields)
REPORT_ACTOR = "board-report"  # who the access log names for the report's reads of children's records


def population_policy() -> PopulationPolicy:
    """The population file in force: `YJFLOW_POPULATION_FILE` when set, else the shipped one. Read on each
    report, so a service's corrected figures apply without a restart."""
    configured = os.environ.get(POPULATION_ENV)
    if configured:
        path = Path(configured)
        return load_population(path.read_text(encoding="utf-8"), source_name=path.name)
    text = resources.files("domain").joinpath("rules/population.toml").read_text(encoding="utf-8")
    return load_population(text)


# Cases live in the quarter when opened before its end and not closed before its start; started and
# ended count by the effective times the `cases` projection keeps.
_LIVE = "c.opened_at < %(end_at)s AND (c.closed_at IS NULL OR c.closed_at >= %(start_at)s)"

_ORDERS = f"""
SELECT c.kind, c.state,
       count(*) FILTER (WHERE c.opened_at >= %(start_at)s) AS started,
       count(*) FILTER (WHERE c.closed_at >= %(start_at)s AND c.closed_at < %(end_at)s) AS ended
FROM cases c
WHERE c.kind <> %(victim)s AND {_LIVE} {{filters}}
GROUP BY c.kind, c.state
"""

_REMANDS = f"""
SELECT s.payload ->> 'type' AS remand_type, (s.payload ->> 'remand_date')::date AS remand_date,
       e.payload ->> 'how' AS ended_how, (e.payload ->> 'ended_on')::date AS ended_on,
       e.payload ->> 'sentence_order_id' AS sentence_order_id
FROM cases c
JOIN events s ON s.stream_id = c.stream_id AND s.event_type = 'RemandStarted'
LEFT JOIN events e ON e.stream_id = c.stream_id AND e.event_type = 'RemandEnded'
WHERE c.kind = 'remand' AND {_LIVE} {{filters}}
"""

_COHORT = f"""
SELECT DISTINCT c.yjs, c.child_id FROM cases c
WHERE c.kind = ANY(%(sentences)s) AND {_LIVE} {{filters}}
"""


async def board_report(
    pool: Pool,
    quarter: Quarter,
    *,
    yjs: str | None = None,
    population: PopulationPolicy | None = None,
    records: ChildRecordStore | None = None,
) -> BoardReport:
    """The quarter's report for `yjs` (every service when None, without population figures). The cohort's
    ethnicity and sex are read from the children's `records` as actor "board-report", each read logged;
    without a store (no master key) they are not held."""
    equal = {"c.yjs": yjs}
    params = _params(
        equal,
        start_at=london_instant(quarter.start, 0),
        end_at=london_instant(quarter.end, 0),
        victim=reports.VICTIM_CONTACT_KIND,
        sentences=list(SENTENCE_KINDS),
    )
    order_rows = await _fetch(pool, _with_filters(_ORDERS, equal), params)
    remand_rows = await _fetch(pool, _with_filters(_REMANDS, equal), params)
    cohort = [(r["yjs"], r["child_id"]) for r in await _fetch(pool, _with_filters(_COHORT, equal), params)]
    held = await records.read_many(keys=cohort, actor=REPORT_ACTOR) if records is not None and cohort else {}
    compliance_rows = await reports.compliance_report(pool, start=quarter.start, end=quarter.end, yjs=yjs)
    compliance: dict[str, ComplianceFigures] = {}
    for r in compliance_rows:
        figures = ComplianceFigures.model_validate(r.model_dump(include=FIGURES))
        compliance[r.rule_id] = compliance.get(r.rule_id, ComplianceFigures()) + figures
    policy = population if population is not None else population_policy()
    return build_board_report(
        quarter,
        yjs,
        orders=_orders(order_rows),
        compliance=compliance,
        remands=[_episode(r) for r in remand_rows],
        cohort_size=len({child for _, child in cohort}),
        population=policy.of(yjs),
        cohort=cohort_records([held.get(k) for k in cohort]) if records is not None else None,
    )


def _orders(rows: list[dict[str, Any]]) -> list[OrderCounts]:
    started: dict[str, int] = {}
    ended: dict[str, dict[str, int]] = {}
    for r in rows:
        started[r["kind"]] = started.get(r["kind"], 0) + r["started"]
        states = ended.setdefault(r["kind"], {})
        if r["ended"]:
            states[r["state"]] = states.get(r["state"], 0) + r["ended"]
    return [
        OrderCounts(kind=k, started=started[k], ended=sum(ended[k].values()), ended_as=dict(sorted(ended[k].items())))
        for k in started
    ]


def _episode(r: dict[str, Any]) -> RemandEpisode:
    sentence: str | None = r["sentence_order_id"]
    return RemandEpisode(
        remand_type=r["remand_type"],
        remand_date=r["remand_date"],
        ended_how=r["ended_how"],
        ended_on=r["ended_on"],
        sentence_kind=order_kind_of(sentence) if sentence else None,
    )
