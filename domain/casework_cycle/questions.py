"""A case's chronology read by HMIP's four questions (youth standards domain 2: assessment, planning,
implementation and delivery, reviewing), with oversight.md's four flags for the gaps an inspector finds.

Pure: it takes the case's events (type, payload, actor) in the order they took effect and its deadlines
(rule, status, days late), and says which question each entry answers and which gaps are open."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from domain.events.folding import DEADLINE_EVENTS

__all__ = ["FLAGS", "QUESTIONS", "Flag", "Question", "flags", "questions_of"]

Question = Literal["assessment", "planning", "implementation_and_delivery", "reviewing"]
QUESTIONS: dict[Question, str] = {
    "assessment": "Assessment",
    "planning": "Planning",
    "implementation_and_delivery": "Implementation and delivery",
    "reviewing": "Reviewing",
}
FlagCode = Literal["no_oversight", "oversight_late", "not_countersigned", "raised_without_review"]
FLAGS: dict[FlagCode, str] = {
    "no_oversight": "No management oversight recorded",
    "oversight_late": "Oversight late",
    "not_countersigned": "Assessment not countersigned",
    "raised_without_review": "Classification raised with no review",
}

_BY_TYPE: dict[str, Question] = {
    "AssessmentCompleted": "assessment",
    "AssessmentCountersigned": "assessment",
    "PlanAgreed": "planning",
    "InitialPanelHeld": "planning",
    "ContractSigned": "planning",
    "ContractVaried": "planning",
    "InitialPlanningMeetingHeld": "planning",
    "PlanReviewed": "reviewing",
    "SignificantChangeRecorded": "reviewing",
    "ProgressPanelHeld": "reviewing",
    "ReviewHeld": "reviewing",
    "CustodyReviewHeld": "reviewing",
    "LacReviewHeld": "reviewing",
}
# What a manager's oversight covers, read under the question it answers.
_COVERS: dict[str, Question] = {
    "allocation": "implementation_and_delivery",
    "assessment": "assessment",
    "plan": "planning",
    "review": "reviewing",
    "risk": "reviewing",
    "closure": "implementation_and_delivery",
}


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    text: str
    detail: str


def questions_of(event_type: str, payload: Mapping[str, Any]) -> list[Question]:
    """The questions an entry answers: none for a deadline's bookkeeping (shown with its deadline), one
    for most, and each question an oversight covers."""
    if event_type in DEADLINE_EVENTS:
        return []
    if event_type == "OversightRecorded":
        return list(dict.fromkeys(_COVERS[c] for c in payload.get("covers", []) if c in _COVERS))
    return [_BY_TYPE.get(event_type, "implementation_and_delivery")]


def flags(events: Sequence[Any], deadlines: Sequence[Any]) -> list[Flag]:
    """oversight.md's four flags on one case. `events` have `event_type` and `payload`, in effective order;
    `deadlines` have `rule_id`, `status` and `days_late` (the deadlines projection's rows)."""
    found: list[Flag] = []
    types = [e.event_type for e in events]
    if "OversightRecorded" not in types:
        found.append(Flag("no_oversight", FLAGS["no_oversight"], "no manager has recorded oversight of this case"))
    late = [
        d.rule_id
        for d in deadlines
        if d.rule_id.startswith("oversight.") and (d.status == "missed" or (d.days_late or 0) > 0)
    ]
    if late:
        found.append(Flag("oversight_late", FLAGS["oversight_late"], f"missed or late: {', '.join(sorted(set(late)))}"))
    awaiting = 0
    raised_open = 0
    for e in events:
        if e.event_type == "AssessmentCompleted":
            awaiting = 1
            if e.payload.get("raised"):
                raised_open += 1
        elif e.event_type == "AssessmentCountersigned":
            awaiting = 0
        elif e.event_type == "SignificantChangeRecorded" and e.payload.get("kind") == "risk_classification_raised":
            raised_open += 1
        elif e.event_type == "PlanReviewed":
            raised_open = 0
    if awaiting:
        found.append(
            Flag("not_countersigned", FLAGS["not_countersigned"], "the latest assessment has no countersignature")
        )
    if raised_open:
        found.append(
            Flag(
                "raised_without_review",
                FLAGS["raised_without_review"],
                "a classification rose to high or very high and the plan has not been reviewed since",
            )
        )
    return found
