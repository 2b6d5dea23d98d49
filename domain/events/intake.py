"""Events of court intake."""

from __future__ import annotations

from datetime import date

from domain.events.envelope import EventPayload


class CourtOutcomeRecorded(EventPayload):
    """The court outcome that opened (or acted on) this stream, by reference: no names travel here."""

    outcome_id: str
    case_reference: str
    court_kind: str
    hearing_date: date
    disposal_kind: str
    victim_refs: list[str] = []
