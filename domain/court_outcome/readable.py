"""The parts of a body that could be read on their own, so the law is checked as far as the body allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import StrictStr, TypeAdapter, ValidationError

from domain.court_outcome.disposals import AnyDisposal, Disposal
from domain.court_outcome.field_types import IsoDate
from domain.court_outcome.outcome import CourtOutcome
from domain.court_outcome.parts import Child, Court, Offence, Victim


@dataclass(frozen=True)
class _Readable:
    """Each top-level part that validated on its own; None where the body's part is broken or absent."""

    outcome_id: str | None = None
    yjs: str | None = None
    court: Court | None = None
    hearing_date: date | None = None
    case_reference: str | None = None
    child: Child | None = None
    offences: list[Offence] | None = None
    disposal: AnyDisposal | None = None
    victims: list[Victim] | None = None


_PART_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "outcome_id": TypeAdapter(StrictStr),
    "yjs": TypeAdapter(StrictStr),
    "court": TypeAdapter(Court),
    "hearing_date": TypeAdapter(IsoDate),
    "case_reference": TypeAdapter(StrictStr),
    "child": TypeAdapter(Child),
    "offences": TypeAdapter(list[Offence]),
    "disposal": TypeAdapter(Disposal),
    "victims": TypeAdapter(list[Victim]),
}


def _readable_parts(body: object) -> _Readable:
    if not isinstance(body, dict):
        return _Readable()
    parts: dict[str, Any] = {}
    for name, adapter in _PART_ADAPTERS.items():
        if name in body:
            try:
                parts[name] = adapter.validate_python(body[name])
            except ValidationError:
                continue
    if "victims" not in body:
        parts["victims"] = []
    return _Readable(**parts)


def _parts_of(outcome: CourtOutcome) -> _Readable:
    return _Readable(
        outcome_id=outcome.outcome_id,
        yjs=outcome.yjs,
        court=outcome.court,
        hearing_date=outcome.hearing_date,
        case_reference=outcome.case_reference,
        child=outcome.child,
        offences=outcome.offences,
        disposal=outcome.disposal,
        victims=outcome.victims,
    )
