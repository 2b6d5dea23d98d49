"""The YJB case-level extract from what yjflow holds (`domain.yjb_extract` shapes it): the service's
cases live in the period (`cases`, with each victim contact's folded state), the court outcomes their
streams recorded (`CourtOutcomeRecorded`), and those outcomes as received (the intake `inbox`), for the
offences, the court's name and the child's date of birth; the child's record (when held) for their PNC,
sex, ethnicity and YJB ypid. Every extract is checked against the shipped
JSON Schema before it is handed out: one that does not match is a bug, and is refused loudly."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from psycopg import sql

from activities.child_records import ChildRecordStore, messages_of
from activities.court_messages import kept_body
from activities.db import Pool
from activities.reports import VICTIM_CONTACT_KIND, _fetch
from domain.calendar import london_date, london_instant
from domain.yjb_extract import ChildHeld, OrderHeld, OutcomeHeld, VictimContactHeld, extract


class ExtractInvalid(RuntimeError):
    """The extract does not match its schema; `problems` name each place and the rule it broke."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the YJB extract does not match its schema: " + "; ".join(problems[:10]))
        self.problems = problems


@lru_cache(maxsize=1)
def extract_schema() -> dict[str, Any]:
    text = resources.files("domain").joinpath("yjb/extract.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return schema


def schema_problems(document: dict[str, Any]) -> list[str]:
    """Each place the document breaks the schema, as `path: message`; empty when it is valid."""
    validator = Draft202012Validator(extract_schema(), format_checker=FormatChecker())
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(the extract)'}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]


_CASES = """
SELECT stream_id, kind, child_id, state, opened_at, closed_at, fold FROM cases
WHERE yjs = %(yjs)s AND opened_at < %(end_at)s AND (closed_at IS NULL OR closed_at >= %(start_at)s)
ORDER BY child_id, opened_at, stream_id
"""
_OUTCOMES = """
SELECT stream_id, child_id, payload FROM events
WHERE stream_id = ANY(%(streams)s) AND event_type = 'CourtOutcomeRecorded'
ORDER BY stream_id, stream_version
"""
_RECEIVED = (
    "SELECT outcome_id, body, sealed, sealed_key, sealed_key_id, erased_at FROM inbox WHERE outcome_id = ANY(%(ids)s)"
)


def _statement(text: str) -> sql.Composed:
    return sql.Composed([sql.SQL(text)])


EXTRACT_ACTOR = "yjb-extract"  # who the access log names for the extract's reads of children's records


async def yjb_extract(
    pool: Pool, *, yjs: str, start: date, end: date, records: ChildRecordStore | None = None
) -> dict[str, Any]:
    """The extract for `yjs` over [start, end): children with a case open at any time in it. Their PNC,
    sex, ethnicity and YJB ypid come from the children's `records`, read as "yjb-extract", each logged."""
    if end <= start:
        raise ValueError(f"to ({end}) must be after from ({start}): the extract covers [from, to)")
    window = {"yjs": yjs, "start_at": london_instant(start, 0), "end_at": london_instant(end, 0)}
    cases = await _fetch(pool, sql.Composed([sql.SQL(_CASES)]), window)
    orders = [c["stream_id"] for c in cases if c["kind"] != VICTIM_CONTACT_KIND]
    outcome_rows = await _fetch(pool, sql.Composed([sql.SQL(_OUTCOMES)]), {"streams": orders}) if orders else []
    ids = sorted({r["payload"]["outcome_id"] for r in outcome_rows})
    seal = messages_of(records)
    received = {
        r["outcome_id"]: kept_body(r, seal)
        for r in await _fetch(pool, sql.Composed([sql.SQL(_RECEIVED)]), {"ids": ids})
    }
    children: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    seen: set[str] = set()
    for r in outcome_rows:
        p = r["payload"]
        if p["outcome_id"] in seen:  # one outcome can open several streams (an order and its victims')
            continue
        seen.add(p["outcome_id"])
        children[r["child_id"]]["outcomes"].append(
            OutcomeHeld(
                outcome_id=p["outcome_id"],
                hearing_date=p["hearing_date"],
                court_kind=p["court_kind"],
                disposal_kind=p["disposal_kind"],
                received=received.get(p["outcome_id"]),
            )
        )
    for c in cases:
        held = children[c["child_id"]]
        if c["kind"] == VICTIM_CONTACT_KIND:
            held["victim_contacts"].append(VictimContactHeld(stream_id=c["stream_id"], fold=c["fold"] or {}))
            continue
        held["orders"].append(
            OrderHeld(
                stream_id=c["stream_id"],
                kind=c["kind"],
                state=c["state"],
                opened_on=london_date(c["opened_at"]),
                closed_on=london_date(c["closed_at"]) if c["closed_at"] else None,
            )
        )
    keys = [(yjs, child_id) for child_id in children]
    held_records = await records.read_many(keys=keys, actor=EXTRACT_ACTOR) if records is not None and keys else {}
    document = extract(
        yjs,
        start,
        end,
        [ChildHeld(child_id=k, yjs=yjs, record=held_records.get((yjs, k)), **v) for k, v in children.items()],
    )
    problems = schema_problems(document)
    if problems:
        raise ExtractInvalid(problems)
    return document
