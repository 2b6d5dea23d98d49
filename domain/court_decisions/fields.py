"""The decision's own fields, per kind of outcome and kind of order, and the errors for fields that do not fit."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from domain import events as ev
from domain.court_decisions.kinds import _WORDS
from domain.court_outcome import ActingDisposal, FieldError, IsoDate, Requirement, field_errors

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
