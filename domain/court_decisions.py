"""What a court outcome acting on a running order means for that order: the order's own step.

The contract (court-outcome.md) gives the acting kinds `order_ref`, the workflow id of the order the
outcome acts on, and "the decision's own fields". These are those fields, flat beside `order_ref` in
`disposal`, and the step each outcome becomes on each kind of order. Every step is recorded with the
court as its actor (`court-intake`), the hearing date as its effective date and `court outcome <outcome_id>`
as its reason, so each event it causes says which outcome it came from.

Per kind, and per kind of order it acts on:

- `order_revoked` on a referral order: `grounds` (`good_progress`, `further_offence` or `breach`) →
  `court_decision` `revoke_good_progress` for good progress, else `revoke_and_resentence`; except that an
  order not referred back to the court, revoked because the court sentenced a further offence (a
  custodial sentence or a further order, youth-justice.md §1.2), is `revoked_by_court`.
- `order_revoked` on a YRO: `grounds` (`good_progress` or `further_offence`) → `revoked`. Revocation for
  breach is a `breach_outcome` (`revoke_and_resentence`), on the breach laid before the court.
- `order_extended` on a referral order: `extension_months` (whole) → `court_decision` `extend`.
- `order_extended` on a YRO: `new_end_date` → `order_amended` to that end date.
- `breach_outcome` on a referral order: `decision` (`continue`, `extend` with `extension_months`, or
  `revoke_and_resentence`) → `court_decision`.
- `breach_outcome` on a YRO: `decision` (`continue`, `fine`, `revoke_and_resentence`, or
  `add_requirement` with `requirement` and, if the court moved it, `new_end_date`) → `court_breach_outcome`.
- `breach_outcome` on a DTO: `breach_date` (the first day of the failure) and `decision`
  (`further_detention` or `further_supervision` with `months`, `fine` or `none`) → `supervision_breach_outcome`.
- `remand_ended` on a remand: `how` (`bail`, `acquitted`, `discontinued` or `convicted_and_sentenced`
  with `sentence`) → `remand_ended`.
- `remand` for a case and child whose remand is already running (its stream exists): a further hearing's
  remand, not a new one → `remand_renewed` (`remand_renewal`), with the type, the next hearing and, in
  custody, the custody time limit the court sent, its expiry counted on the calendar in force. It acts on
  the remand its workflow id names (`order_workflow_id`: the same case and child), so it needs no
  `order_ref`.

A remand ended by conviction and sentence carries the sentence in the same outcome, because one outcome
is one hearing's result: `sentence` is a disposal of an order kind yjflow runs (`referral_order`,
`youth_rehabilitation_order`, `detention_and_training_order`, each with its usual fields), checked by
the same law as if it were the outcome's own disposal (with the outcome's hearing, child, offences and
court). The remand's `RemandEnded` names the sentence's workflow (`sentence_order_id`), whose id is
derived as any order's is, and the relay starts that workflow once the remand has taken the outcome.

Whether the order can take the step now (its state, the law on its dates) is for the order's own
`decide`; this module only says which step an outcome is and refuses one whose fields do not fit,
with a `FieldError` naming the field. Fields outside the list above are ignored, as everywhere in the
contract; a listed field that does not belong to this kind on this order is refused.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from domain import custody as cu
from domain import events as ev
from domain import referral_order as ro
from domain import remand as rm
from domain import youth_rehabilitation_order as yro
from domain.calendar import WorkingCalendar
from domain.court_outcome import (
    CUSTODIAL_REMANDS,
    ORDER_KINDS,
    ActingDisposal,
    CourtOutcome,
    FieldError,
    IsoDate,
    OutcomeRejected,
    RemandDisposal,
    RemandEndedDisposal,
    Requirement,
    field_errors,
    order_workflow_id,
    validate_court_outcome,
    workflow_ids,
)

__all__ = [
    "COURT_ACTOR",
    "DECISION_FIELDS",
    "SENTENCE_KINDS",
    "CourtStep",
    "court_step",
    "order_kind_of",
    "outcome_reason",
    "outcome_workflow_ids",
    "remand_renewal",
    "sentence_outcome",
]

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


# --- the decision's own fields, per kind and order ----------------------------------------------------

WholeMonths = Annotated[StrictInt, Field(ge=1)]


class _Fields(BaseModel):
    # Fields outside the contract are ignored, as in every other part of an outcome.
    model_config = ConfigDict(frozen=True, extra="ignore")


class _Revoked(_Fields):
    grounds: Literal["good_progress", "further_offence", "breach"]


class _RoExtended(_Fields):
    extension_months: WholeMonths


class _YroExtended(_Fields):
    new_end_date: IsoDate


class _RoBreach(_Fields):
    decision: Literal["continue", "extend", "revoke_and_resentence"]
    extension_months: WholeMonths | None = None


class _YroBreach(_Fields):
    decision: Literal["continue", "add_requirement", "fine", "revoke_and_resentence"]
    requirement: Requirement | None = None
    new_end_date: IsoDate | None = None


class _DtoBreach(_Fields):
    breach_date: IsoDate
    decision: ev.BreachDecision
    months: WholeMonths | None = None


class _RemandEnded(_Fields):
    how: ev.RemandEndedHow
    sentence: dict[str, Any] | None = None


_FIELDS: dict[tuple[str, str], type[_Fields]] = {
    ("order_revoked", "referral_order"): _Revoked,
    ("order_revoked", "youth_rehabilitation_order"): _Revoked,
    ("order_extended", "referral_order"): _RoExtended,
    ("order_extended", "youth_rehabilitation_order"): _YroExtended,
    ("breach_outcome", "referral_order"): _RoBreach,
    ("breach_outcome", "youth_rehabilitation_order"): _YroBreach,
    ("breach_outcome", "detention_and_training_order"): _DtoBreach,
    ("remand_ended", "remand"): _RemandEnded,
}
DECISION_FIELDS = frozenset(name for model in _FIELDS.values() for name in model.model_fields)
"""Every field name an acting outcome's decision may carry, on one kind of order or another."""

# What to send instead, when a field belongs to this kind of outcome on another kind of order.
_INSTEAD = {
    ("order_extended", "referral_order", "new_end_date"): (
        "a referral order is extended by whole months: give extension_months, not a new end date"
    ),
    ("order_extended", "youth_rehabilitation_order", "extension_months"): (
        "a youth rehabilitation order is extended to a new end date: give new_end_date, not extension_months"
    ),
}


def _relocate(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # Under `disposal`, without the requirement kind pydantic puts into a tagged union's location.
    items = list(loc)
    if len(items) >= 3 and items[0] == "requirement":
        del items[1]
    return ("disposal", *items)


def _acts_on(kind: str) -> str:
    orders = [_WORDS[o] for (k, o) in _FIELDS if k == kind]
    return orders[0] if len(orders) == 1 else ", ".join(orders[:-1]) + " or " + orders[-1]


def _fields(disposal: ActingDisposal, order_kind: str) -> tuple[_Fields | None, list[FieldError]]:
    kind = disposal.kind
    model = _FIELDS.get((kind, order_kind))
    if model is None:
        return None, [
            FieldError(
                field="disposal.order_ref",
                rule=f"{kind}.order_kind",
                message=(f"{kind} outcomes act on a {_acts_on(kind)}; disposal.order_ref names a {_WORDS[order_kind]}"),
            )
        ]
    given = disposal.decision
    errors = [
        FieldError(
            field=f"disposal.{name}",
            rule=f"{kind}.field_not_for_order",
            message=_INSTEAD.get(
                (kind, order_kind, name),
                f"disposal.{name} is not a field of {kind} on a {_WORDS[order_kind]}; "
                f"its fields are {', '.join(model.model_fields)}",
            ),
        )
        for name in sorted(DECISION_FIELDS & given.keys() - model.model_fields.keys())
    ]
    try:
        fields = model.model_validate(given)
    except ValidationError as exc:
        return None, errors + field_errors(exc, _relocate)
    return fields, errors


def _with_only(kind: str, present: dict[str, object], needed_by: dict[str, bool], decision: str) -> list[FieldError]:
    """A field some decisions need and others may not carry: required with them, refused without."""
    errors = []
    for name, needed in needed_by.items():
        if needed and present[name] is None:
            errors.append(
                FieldError(
                    field=f"disposal.{name}",
                    rule=f"{kind}.{name}_required",
                    message=f"disposal.{name} is required for a decision to {decision.replace('_', ' ')}",
                )
            )
        elif not needed and present[name] is not None:
            errors.append(
                FieldError(
                    field=f"disposal.{name}",
                    rule=f"{kind}.{name}_not_for_decision",
                    message=f"disposal.{name} does not go with a decision to {decision.replace('_', ' ')}",
                )
            )
    return errors


# --- the mapping ------------------------------------------------------------------------------------------


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


# --- a further remand -------------------------------------------------------------------------------------


def remand_renewal(
    outcome: CourtOutcome, *, calendar: WorkingCalendar, order: object | None = None
) -> rm.RecordRemandRenewed:
    """The step a `remand` outcome records on the running remand of the same case and child: the court's
    further remand, with the court as actor and the hearing date as effective date.

    In custody, the custody time limit the court sent comes with its expiry counted on `calendar`
    (reg 2(4)–(5), as `start_remand` counts the first), unless it is the limit already running: `order`,
    the remand's state as its stream tells it, when the caller has read it. The court re-sends the same
    start and length at every hearing; recording them again would restart the `remand.ctl` clock and
    undo an extension the court granted meanwhile. On bail no limit runs, so CTL fields sent are left out
    (as `start_remand` does). Whether the remand can take the step is for `domain.remand.decide`."""
    disposal = outcome.disposal
    if not isinstance(disposal, RemandDisposal):
        raise ValueError(f"a {disposal.kind} outcome is not a further remand")
    start, days = disposal.ctl_start_date, disposal.ctl_days
    custodial = disposal.type in CUSTODIAL_REMANDS
    running = (
        isinstance(order, rm.RemandState)
        and order.type in CUSTODIAL_REMANDS
        and (order.ctl_start_date, order.ctl_days) == (start, days)
    )
    ctl: dict[str, Any] = {}
    if custodial and start is not None and days is not None and not running:
        ctl = {"ctl_start_date": start, "ctl_days": days, "ctl_expiry": calendar.ctl_expiry(start, days)}
    return rm.RecordRemandRenewed(
        type=disposal.type,
        next_hearing_date=disposal.next_hearing_date,
        actor=COURT_ACTOR,
        effective_date=outcome.hearing_date,
        reason=outcome_reason(outcome.outcome_id),
        **ctl,
    )


# --- the sentence a remand ends in ------------------------------------------------------------------------


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
