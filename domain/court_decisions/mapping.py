"""The step a validated acting outcome records on an order (`court_step`)."""

from __future__ import annotations

from typing import Any

from domain import custody as cu
from domain import referral_order as ro
from domain import remand as rm
from domain import youth_rehabilitation_order as yro
from domain.court_decisions.fields import (
    _DtoBreach,
    _Fields,
    _fields,
    _RemandEnded,
    _Revoked,
    _RoBreach,
    _RoExtended,
    _with_only,
    _YroBreach,
    _YroExtended,
)
from domain.court_decisions.kinds import _WORDS, COURT_ACTOR, SENTENCE_KINDS, CourtStep, outcome_reason
from domain.court_decisions.sentence import _sentence
from domain.court_outcome import ActingDisposal, CourtOutcome, FieldError, OutcomeRejected, order_workflow_id


def court_step(outcome: CourtOutcome, order_kind: str, *, order: object | None = None) -> CourtStep:
    """The step a validated acting outcome records on an order of `order_kind`, with the court as actor
    and the hearing date as effective date; `OutcomeRejected` naming every field that does not fit.

    `order` is the order's state as its stream tells it, when the caller has read it: a referral order
    revoked for a further offence is the court's decision on a referral back only if it was referred back
    (without the state, that is what it is taken to be, and the order refuses it if it was not)."""
    disposal = outcome.disposal
    if not isinstance(disposal, ActingDisposal):
        raise ValueError(f"a {disposal.kind} outcome starts an order; it does not act on one")
    if order_kind not in _WORDS:
        raise ValueError(f"unknown order kind {order_kind!r}")
    fields, errors = _fields(disposal, order_kind)
    step: CourtStep | None = None
    if fields is not None:
        common: dict[str, Any] = {
            "actor": COURT_ACTOR,
            "effective_date": outcome.hearing_date,
            "reason": outcome_reason(outcome.outcome_id),
        }
        step, more = _step(outcome, order_kind, fields, common, order)
        errors += more
    if errors or step is None:
        raise OutcomeRejected(errors)
    return step


def _step(
    outcome: CourtOutcome, order_kind: str, fields: _Fields, common: dict[str, Any], order: object | None
) -> tuple[CourtStep | None, list[FieldError]]:
    kind = outcome.disposal.kind
    match fields:
        case _Revoked() if (
            order_kind == "referral_order"
            and fields.grounds == "further_offence"
            and isinstance(order, ro.ReferralOrderState)
            and order.state != ro.OrderState.REFERRED_BACK
        ):
            return ro.RecordRevokedByCourt(grounds="further_offence", **common), []
        case _Revoked() if order_kind == "referral_order":
            decision = "revoke_good_progress" if fields.grounds == "good_progress" else "revoke_and_resentence"
            return ro.RecordCourtDecision(decision=decision, **common), []
        case _Revoked():
            if fields.grounds == "breach":
                return None, [
                    FieldError(
                        field="disposal.grounds",
                        rule="order_revoked.youth_rehabilitation_order_breach",
                        message=(
                            "a youth rehabilitation order revoked for breach is a breach_outcome with decision "
                            "revoke_and_resentence, on the breach laid before the court (Sch 7)"
                        ),
                    )
                ]
            return yro.RecordRevocation(grounds=fields.grounds, **common), []
        case _RoExtended() if isinstance(order, ro.ReferralOrderState) and order.state != ro.OrderState.REFERRED_BACK:
            # A court sentencing a further offence may extend with no referral back (SA 2020 Sch 4 paras 13–16).
            return ro.RecordExtendedByCourt(extension_months=fields.extension_months, **common), []
        case _RoExtended():
            return ro.RecordCourtDecision(decision="extend", extension_months=fields.extension_months, **common), []
        case _YroExtended():
            summary = f"end date extended to {fields.new_end_date.isoformat()} by the court"
            return yro.RecordOrderAmended(summary=summary, new_end_date=fields.new_end_date, **common), []
        case _RoBreach():
            errors = _with_only(
                kind,
                {"extension_months": fields.extension_months},
                {"extension_months": fields.decision == "extend"},
                fields.decision,
            )
            if errors:
                return None, errors
            months = fields.extension_months or 0
            return ro.RecordCourtDecision(decision=fields.decision, extension_months=months, **common), []
        case _YroBreach():
            adding = fields.decision == "add_requirement"
            present: dict[str, object] = {"requirement": fields.requirement, "new_end_date": fields.new_end_date}
            errors = _with_only(kind, present, {"requirement": adding}, fields.decision)
            if not adding:
                errors += _with_only(kind, present, {"new_end_date": False}, fields.decision)
            if errors:
                return None, errors
            return (
                yro.RecordCourtBreachOutcome(
                    decision=fields.decision,
                    requirement=fields.requirement,
                    new_end_date=fields.new_end_date,
                    **common,
                ),
                [],
            )
        case _DtoBreach():
            further = fields.decision in ("further_detention", "further_supervision")
            errors = _with_only(kind, {"months": fields.months}, {"months": further}, fields.decision)
            if errors:
                return None, errors
            return (
                cu.RecordSupervisionBreach(
                    breach_date=fields.breach_date, decision=fields.decision, months=fields.months, **common
                ),
                [],
            )
        case _RemandEnded():
            return _remand_ended(outcome, fields, common)
    raise AssertionError(f"no step for {kind} on {order_kind}")  # pragma: no cover - _FIELDS is the list


def _remand_ended(
    outcome: CourtOutcome, fields: _RemandEnded, common: dict[str, Any]
) -> tuple[CourtStep | None, list[FieldError]]:
    convicted = fields.how == "convicted_and_sentenced"
    errors: list[FieldError] = []
    if convicted and fields.sentence is None:
        errors.append(
            FieldError(
                field="disposal.sentence",
                rule="remand_ended.sentence_required",
                message=(
                    "a remand ended by conviction and sentence needs disposal.sentence: the sentence's disposal "
                    f"({', '.join(SENTENCE_KINDS)}), whose workflow starts linked to the remand"
                ),
            )
        )
    if not convicted and fields.sentence is not None:
        errors.append(
            FieldError(
                field="disposal.sentence",
                rule="remand_ended.sentence_only_on_conviction",
                message="disposal.sentence goes only with how convicted_and_sentenced",
            )
        )
    if convicted and not any(o.convicted for o in outcome.offences):
        errors.append(
            FieldError(
                field="offences",
                rule="remand_ended.conviction_needs_a_convicted_offence",
                message="a remand ended by conviction needs at least one offence with convicted true",
            )
        )
    sentence: CourtOutcome | None = None
    if convicted and fields.sentence is not None:
        sentence, more = _sentence(outcome, fields.sentence)
        errors += more
    if errors:
        return None, errors
    sentence_id = order_workflow_id(sentence) if sentence is not None else None
    return rm.RecordRemandEnded(how=fields.how, sentence_order_id=sentence_id, **common), []
