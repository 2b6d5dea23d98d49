"""Events of court intake."""

from __future__ import annotations

from datetime import date

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = [
    "CourtOutcomeRecorded",
]

_COURTS = {"youth": "Youth court", "magistrates": "Magistrates' court", "crown": "Crown Court"}
_DISPOSALS = {
    "referral_order": "a referral order",
    "youth_rehabilitation_order": "a youth rehabilitation order",
    "remand": "a remand",
    "detention_and_training_order": "a detention and training order",
    "remand_ended": "the remand ended",
    "order_revoked": "the order revoked",
    "order_extended": "the order extended",
    "breach_outcome": "a decision on a breach",
}


class CourtOutcomeRecorded(EventPayload):
    """The court outcome that opened (or acted on) this stream, by reference: no names travel here."""

    outcome_id: str
    case_reference: str
    court_kind: str
    hearing_date: date
    disposal_kind: str
    victim_refs: list[str] = []

    title = "Court outcome received"

    def describe(self, rule_names: w.RuleNames) -> str:
        court = _COURTS.get(self.court_kind, f"{w.words(self.court_kind).capitalize()} court")
        disposal = _DISPOSALS.get(self.disposal_kind, w.words(self.disposal_kind))
        victims = (
            f" {'Victim' if len(self.victim_refs) == 1 else 'Victims'} {w.and_list(self.victim_refs)}."
            if self.victim_refs
            else ""
        )
        return f"{court} hearing on {w.day(self.hearing_date)}, case {self.case_reference}: {disposal}.{victims}"
