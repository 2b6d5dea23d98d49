"""The kinds of order an outcome acts on, the steps it can become, and what every such step carries."""

from __future__ import annotations

from domain import custody as cu
from domain import events as ev
from domain import referral_order as ro
from domain import remand as rm
from domain import youth_rehabilitation_order as yro
from domain.court_outcome import ORDER_KINDS

COURT_ACTOR = ev.COURT_INTAKE
SENTENCE_KINDS = ("detention_and_training_order", "referral_order", "youth_rehabilitation_order")

_WORDS = {
    "referral_order": "referral order",
    "youth_rehabilitation_order": "youth rehabilitation order",
    "remand": "remand",
    "detention_and_training_order": "detention and training order",
}
_PREFIXES = {f"{kind.replace('_', '-')}:": kind for kind in ORDER_KINDS}

CourtStep = (
    ro.RecordCourtDecision
    | ro.RecordRevokedByCourt
    | ro.RecordExtendedByCourt
    | yro.RecordCourtBreachOutcome
    | yro.RecordOrderAmended
    | yro.RecordRevocation
    | rm.RecordRemandEnded
    | rm.RecordRemandRenewed
    | cu.RecordSupervisionBreach
)
"""The steps a court outcome can become."""


def order_kind_of(order_ref: str) -> str | None:
    """The kind of order an `order_ref` names, from its prefix (as `order_workflow_id` builds it)."""
    return next((kind for prefix, kind in _PREFIXES.items() if order_ref.startswith(prefix)), None)


def outcome_reason(outcome_id: str) -> str:
    """The reason every event of a court outcome's step carries: which outcome it came from. The relay
    looks for it in the order's stream to tell an outcome already delivered from one still to deliver."""
    return f"court outcome {outcome_id}"
