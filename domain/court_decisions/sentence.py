"""The sentence a remand ends in: checked by the law for its kind, as an outcome of its own."""

from __future__ import annotations

from typing import Any

from domain.court_decisions.kinds import SENTENCE_KINDS
from domain.court_outcome import (
    CourtOutcome,
    FieldError,
    OutcomeRejected,
    RemandEndedDisposal,
    validate_court_outcome,
    workflow_ids,
)


def _under_sentence(error: FieldError) -> FieldError:
    if error.field == "disposal" or error.field.startswith("disposal."):
        field = "disposal.sentence" + error.field.removeprefix("disposal")
        message = error.message.replace("disposal.", "disposal.sentence.")
        return FieldError(field=field, rule=error.rule, message=message)
    return error


def _sentence(outcome: CourtOutcome, sentence: dict[str, Any]) -> tuple[CourtOutcome | None, list[FieldError]]:
    """The sentence as an outcome of its own (same hearing, child, offences and court), checked by the
    law for its kind; its errors name their fields under `disposal.sentence`."""
    kind = sentence.get("kind")
    if kind not in SENTENCE_KINDS:
        return None, [
            FieldError(
                field="disposal.sentence.kind",
                rule="remand_ended.sentence_kind",
                message=f"disposal.sentence.kind must be one of {', '.join(SENTENCE_KINDS)}: a sentence yjflow runs",
            )
        ]
    body = outcome.model_dump(mode="json")
    body["disposal"] = sentence
    try:
        # The hearing was checked with the outcome; `today` is its date so only the sentence is judged.
        return validate_court_outcome(body, today=outcome.hearing_date), []
    except OutcomeRejected as rejected:
        return None, [_under_sentence(e) for e in rejected.errors]


def sentence_outcome(outcome: CourtOutcome) -> CourtOutcome | None:
    """The sentence of a remand ended by conviction, as the outcome that starts its workflow (the same
    outcome id, hearing, child, offences and victims); None for any other outcome. `OutcomeRejected`
    when the sentence breaks its law."""
    disposal = outcome.disposal
    if not isinstance(disposal, RemandEndedDisposal):
        return None
    given = disposal.decision
    sentence = given.get("sentence")
    if given.get("how") != "convicted_and_sentenced" or not isinstance(sentence, dict):
        return None
    found, errors = _sentence(outcome, sentence)
    if errors or found is None:
        raise OutcomeRejected(errors)
    return found


def outcome_workflow_ids(outcome: CourtOutcome) -> list[str]:
    """Every workflow an outcome starts or acts on: `workflow_ids`, then, for a remand ended in a
    sentence, the sentence's order and its victims' contacts."""
    sentence = sentence_outcome(outcome)
    return workflow_ids(outcome) + (workflow_ids(sentence) if sentence is not None else [])
