"""The entry points: `validate_court_outcome`, and the warnings an accepted outcome carries."""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError

from domain.court_outcome.disposals import DISPOSAL_KINDS, SUPPORTED_KINDS, RemandDisposal
from domain.court_outcome.errors import FieldError, OutcomeRejected
from domain.court_outcome.intake_checks import _intake_checks
from domain.court_outcome.law import _law_checks
from domain.court_outcome.law_remand import _remand_clear_days
from domain.court_outcome.limits import text_limit_errors
from domain.court_outcome.outcome import CourtOutcome
from domain.court_outcome.readable import _parts_of, _readable_parts
from domain.court_outcome.translation import _translate


def _known_kind(body: object) -> str | None:
    if isinstance(body, dict):
        disposal = body.get("disposal")
        if isinstance(disposal, dict):
            kind = disposal.get("kind")
            if isinstance(kind, str) and kind in DISPOSAL_KINDS:
                return kind
    return None


def _not_supported(kind: str, supported_kinds: frozenset[str]) -> FieldError:
    accepted = ", ".join(sorted(supported_kinds)) or "no kinds yet"
    return FieldError(
        field="disposal.kind",
        rule="disposal.kind.not_supported_yet",
        message=f"{kind} outcomes are not supported yet: this yjflow accepts {accepted}",
    )


def validate_court_outcome(
    body: object, *, today: date, supported_kinds: frozenset[str] = SUPPORTED_KINDS
) -> CourtOutcome:
    """The validated outcome, or `OutcomeRejected` listing every field that breaks the contract or the law.

    `today` is the intake's date (the hearing may not be after it). A kind outside `supported_kinds`
    is refused even when valid, but its law is still checked so the sender sees everything at once.
    """
    errors: list[FieldError] = []
    outcome: CourtOutcome | None = None
    try:
        outcome = CourtOutcome.model_validate(body)
        parts = _parts_of(outcome)
    except ValidationError as exc:
        errors += _translate(exc)
        parts = _readable_parts(body)
    errors += _intake_checks(parts, today)
    errors += text_limit_errors(body)
    errors += _law_checks(parts)
    kind = parts.disposal.kind if parts.disposal is not None else _known_kind(body)
    if kind is not None and kind not in supported_kinds:
        errors.append(_not_supported(kind, supported_kinds))
    if errors or outcome is None:
        raise OutcomeRejected(errors)
    return outcome


def court_outcome_warnings(outcome: CourtOutcome) -> list[FieldError]:
    """What an accepted outcome breaks that the court, not yjflow, has the last word on: flagged to the
    sender with the 202, never a reason to refuse. Today, a remand in custody beyond its clear-day limit."""
    if isinstance(outcome.disposal, RemandDisposal):
        return _remand_clear_days(outcome.disposal, outcome.hearing_date)
    return []
