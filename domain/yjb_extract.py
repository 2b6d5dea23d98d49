"""The YJB case-level extract: for one service and a period, per child, the document items of the YJB's
"child level data" that yjflow holds (`shared/domain/yjb-returns.md`), as JSON, each item valid against
`domain/yjb/extract.schema.json`; every item yjflow does not hold is listed under `not_held`, never
invented or left as a silent null.

Pure: the caller gives what the projections and the intake inbox hold (`ChildHeld`); field names follow
the YJB's document items (`person_details`, `offence` with `offenceLegalOutcome`, `hearing`,
`link_hearing_offence`, `intervention_programme`, `victim_intervention`), spelt as the YJB's views spell them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.child_record import ChildRecord, Ethnicity, Sex, ethnic_group

__all__ = [
    "EXTRACT_SCHEMA_ID",
    "NOT_HELD",
    "ChildHeld",
    "OrderHeld",
    "OutcomeHeld",
    "VictimContactHeld",
    "child_document",
    "extract",
    "legal_outcome",
]

EXTRACT_SCHEMA_ID = "https://yjflow.example/schemas/yjb-extract-1.json"

# The YJB's outcome enumeration (`…_pt3.sql`), by yjflow's disposal and, for a remand, its type. A bail
# remand has no value there: it is given as null with yjflow's own kind beside it.
_LEGAL_OUTCOMES: dict[tuple[str, str | None], str] = {
    ("referral_order", None): "REFERRAL_ORDER",
    ("youth_rehabilitation_order", None): "YOUTH_REHABILITATION_ORDER",
    ("detention_and_training_order", None): "DETENTION_AND_TRAINING_ORDER",
    ("remand", "youth_detention_accommodation"): "REMAND_IN_CUSTODY",
    ("remand", "local_authority_accommodation"): "REMAND_TO_LOCAL_AUTHORITY_ACCOMMODATION",
}
_TERM_UNITS = ("days", "weeks", "months", "years", "hours")

# What each document item asks for that yjflow does not hold, and why.
NOT_HELD: dict[str, dict[str, str]] = {
    "person_details": {},
    "offence": {
        "sentencing_occasion": "not recorded; each outcome is one hearing",
        "legal_outcome_group": "the YJB's grouping of outcomes is not public here",
    },
    "hearing": {},
    "link_hearing_offence": {},
    "intervention_programme": {},
    "victim_intervention": {
        "view_asked_beforehand": "not recorded as a field (the referral order's victim-views deadline is tracked)",
        "progress_information_provided": "keep-informed notices are recorded per milestone, not as a yes or no",
        "additional_support_requested": "not recorded",
        "additional_support_provided": "not recorded",
        "satisfaction": "not recorded",
    },
}


class OutcomeHeld(BaseModel):
    """A court outcome as the stream recorded it, with the outcome as received when the inbox keeps it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome_id: str
    hearing_date: date
    court_kind: str
    disposal_kind: str
    received: dict[str, Any] | None = None


class OrderHeld(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: str
    kind: str
    state: str
    opened_on: date
    closed_on: date | None = None


class VictimContactHeld(BaseModel):
    """A victim contact's folded state (`cases.fold`, the domain's `VictimContactState` as JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: str
    fold: dict[str, Any]


class ChildHeld(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    child_id: str
    yjs: str
    outcomes: list[OutcomeHeld] = []
    orders: list[OrderHeld] = []
    victim_contacts: list[VictimContactHeld] = []
    record: ChildRecord | None = None  # the child's record, when the service holds one


# The person details the child's record holds, and how a child lacks each (no record, or not recorded).
_RECORD_FIELDS = {
    "pnc_number": "the Police National Computer number",
    "ethnicity": "ethnicity",
    "sex": "sex",
    "yjb_ypid": "YJB young person id",
}


def _from_record(record: ChildRecord | None) -> dict[str, Any]:
    if record is None:
        return {"pnc_number": None, "ethnicity": None, "ethnic_group": None, "sex": None, "yjb_ypid": None}
    known = record.ethnicity != Ethnicity.NOT_KNOWN
    return {
        "pnc_number": record.pnc,
        "ethnicity": record.ethnicity.value if known else None,
        "ethnic_group": ethnic_group(record.ethnicity) if known else None,
        "sex": record.sex.value if record.sex != Sex.NOT_KNOWN else None,
        "yjb_ypid": record.ypid,
    }


def person_not_held(children: list[ChildHeld]) -> dict[str, str]:
    """Each person detail some child lacks, with how many: the rest come from the children's records."""
    said: dict[str, str] = {}
    for name, words in _RECORD_FIELDS.items():
        lacking = sum(1 for c in children if _from_record(c.record)[name] is None)
        if lacking:
            said[name] = (
                f"{words} is not on the child's record for {lacking} of the {len(children)} children "
                "(the court outcome does not carry it; the service records it on the child's record)"
            )
    return said


def legal_outcome(disposal_kind: str, remand_type: str | None = None) -> str | None:
    """The YJB's outcome value for a disposal (a remand by its type); None where the YJB's list has none."""
    return _LEGAL_OUTCOMES.get((disposal_kind, remand_type if disposal_kind == "remand" else None))


def _person(child: ChildHeld) -> dict[str, Any]:
    dob = next(
        (o.received["child"].get("date_of_birth") for o in child.outcomes if o.received and "child" in o.received),
        None,
    )
    if child.record is not None:
        dob = child.record.date_of_birth.isoformat()  # the service's corrections win over the court's
    return {"ypid": child.child_id, "current_yot_id": child.yjs, "date_of_birth": dob, **_from_record(child.record)}


def _offences(o: OutcomeHeld) -> list[dict[str, Any]]:
    received = o.received or {}
    disposal = received.get("disposal") or {}
    outcome: dict[str, Any] = {
        "outcome_date": o.hearing_date.isoformat(),
        "legal_outcome": legal_outcome(o.disposal_kind, disposal.get("type")),
        "yjflow_disposal": o.disposal_kind,
        "requirements": [
            str(r.get("kind", r)) if isinstance(r, dict) else str(r) for r in disposal.get("requirements", [])
        ],
    }
    for unit in _TERM_UNITS:
        outcome[f"term_{unit}"] = disposal.get(unit) if isinstance(disposal.get(unit), int) else None
    return [
        {
            "offence_id": f"{o.outcome_id}#{n}",
            "cjs_code": offence.get("code"),
            "offence_date": offence.get("offence_date"),
            "plea": offence.get("plea"),
            "offenceLegalOutcome": [outcome],
        }
        for n, offence in enumerate(received.get("offences", []), start=1)
    ]


def _hearing(o: OutcomeHeld) -> dict[str, Any]:
    received = o.received or {}
    disposal = received.get("disposal") or {}
    return {
        "hearing_id": o.outcome_id,
        "hearing_date": o.hearing_date.isoformat(),
        "court_type": o.court_kind,
        "court_name": (received.get("court") or {}).get("name"),
        "remand_decision": disposal.get("type") if o.disposal_kind == "remand" else None,
    }


def _programme(order: OrderHeld) -> dict[str, Any]:
    return {
        "intervention_programme_id": order.stream_id,
        "start_date": order.opened_on.isoformat(),
        "end_date": order.closed_on.isoformat() if order.closed_on else None,
        "disposal_type": _LEGAL_OUTCOMES.get((order.kind, None), order.kind.upper()),
        # Known only once it has ended: completed, or ended some other way (revoked, transferred).
        "successfully_completed": None if order.closed_on is None else order.state == "completed",
    }


def _victim(contact: VictimContactHeld) -> dict[str, Any]:
    f = contact.fold
    refused, contacted = f.get("contact_refused_on"), f.get("contacted_on")
    engaged = bool(f.get("delivered")) or (f.get("conferences_held") or 0) > 0 or (f.get("shuttle_rounds") or 0) > 0
    return {
        "victim_id": f.get("victim_ref"),
        "victim_type": f.get("victim_kind"),
        "consent_to_yjs_contact": False if refused else (True if contacted else None),
        "rj_offered": f.get("rj_information_given_on") is not None,
        "rj_offered_date": f.get("rj_information_given_on"),
        "engaged_in_rj": engaged,
        "rj_options_delivered": list(f.get("delivered") or []),
        "progress_information_requested": bool(f.get("keep_informed_opt_in")),
        "linked_order_id": f.get("linked_order_id"),
    }


def child_document(child: ChildHeld) -> dict[str, Any]:
    """One child's document items, in the YJB's item names."""
    offences = {o.outcome_id: _offences(o) for o in child.outcomes}
    return {
        "ypid": child.child_id,
        "person_details": _person(child),
        "offence": [item for items in offences.values() for item in items],
        "hearing": [_hearing(o) for o in child.outcomes],
        "link_hearing_offence": [
            {"hearing_id": outcome_id, "offence_id": item["offence_id"]}
            for outcome_id, items in offences.items()
            for item in items
        ],
        "intervention_programme": [_programme(o) for o in child.orders],
        "victim_intervention": [_victim(c) for c in child.victim_contacts],
    }


def extract(yjs: str, start: date, end: date, children: list[ChildHeld]) -> dict[str, Any]:
    """The whole extract: the service, the period [start, end), each child's items, and what is not held."""
    if end <= start:
        raise ValueError(f"to ({end}) must be after from ({start}): the extract covers [from, to)")
    return {
        "$schema": EXTRACT_SCHEMA_ID,
        "yjs": yjs,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "children": [child_document(c) for c in sorted(children, key=lambda c: c.child_id)],
        "not_held": {
            item: fields for item, fields in {**NOT_HELD, "person_details": person_not_held(children)}.items() if fields
        },
    }
