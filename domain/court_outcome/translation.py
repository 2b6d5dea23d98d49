"""pydantic's validation errors as `FieldError`s, with the contract's field paths, rules and wording."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from domain.court_outcome.disposals import DISPOSAL_KINDS
from domain.court_outcome.errors import FieldError

_TYPE_RULES: dict[str, tuple[str, str]] = {
    "string_type": ("type.string", "must be text"),
    "int_type": ("type.integer", 'must be a whole number (for example 6, not 6.5 or "6")'),
    "int_parsing": ("type.integer", 'must be a whole number (for example 6, not 6.5 or "6")'),
    "int_from_float": ("type.integer", 'must be a whole number (for example 6, not 6.5 or "6")'),
    "bool_type": ("type.boolean", "must be true or false"),
    "bool_parsing": ("type.boolean", "must be true or false"),
    "float_type": ("type.number", "must be a number"),
    "float_parsing": ("type.number", "must be a number"),
    "finite_number": ("type.number", "must be a finite number"),
    "list_type": ("type.list", "must be a list"),
    "dict_type": ("type.object", "must be an object of named fields"),
    "model_type": ("type.object", "must be an object of named fields"),
    "model_attributes_type": ("type.object", "must be an object of named fields"),
    "iso_date": ("type.date", "must be a real date written YYYY-MM-DD"),
}


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else item)
    return "".join(parts) or "body"


def _without_tags(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # pydantic puts the discriminator's value into the location (disposal.referral_order.months);
    # a clerk reads the path without it.
    items = list(loc)
    if len(items) >= 3 and items[0] == "disposal":
        del items[1]
        if len(items) >= 5 and items[1] == "requirements" and isinstance(items[2], int):
            del items[3]
    return tuple(items)


def _translate(
    exc: ValidationError, relocate: Callable[[tuple[int | str, ...]], tuple[int | str, ...]] = _without_tags
) -> list[FieldError]:
    errors: list[FieldError] = []
    forbidden: dict[str, list[str]] = {}
    for err in exc.errors():
        kind = err["type"]
        loc = relocate(tuple(err["loc"]))
        field = _path(loc)
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden" and len(loc) >= 3 and loc[0] == "victims":
            forbidden.setdefault(_path(loc[:2]), []).append(str(loc[2])[:40])
        elif kind == "missing":
            errors.append(FieldError(field=field, rule="required", message=f"{field} is required"))
        elif kind == "union_tag_not_found":
            errors.append(FieldError(field=f"{field}.kind", rule="required", message=f"{field}.kind is required"))
        elif kind == "union_tag_invalid" and loc == ("disposal",):
            errors.append(
                FieldError(
                    field="disposal.kind",
                    rule="disposal.kind.unknown",
                    message=f"disposal.kind must be one of {', '.join(sorted(DISPOSAL_KINDS))}",
                )
            )
        elif kind == "union_tag_invalid":
            errors.append(
                FieldError(
                    field=f"{field}.kind",
                    rule="one_of",
                    message=f"{field}.kind must be one of {ctx.get('expected_tags', 'the listed kinds')}",
                )
            )
        elif kind == "literal_error":
            errors.append(
                FieldError(
                    field=field,
                    rule="one_of",
                    message=f"{field} must be {ctx.get('expected', 'a listed value')}",
                )
            )
        elif kind == "greater_than_equal":
            errors.append(FieldError(field=field, rule="minimum", message=f"{field} must be at least {ctx.get('ge')}"))
        elif kind in _TYPE_RULES:
            rule, text = _TYPE_RULES[kind]
            errors.append(FieldError(field=field, rule=rule, message=f"{field} {text}"))
        else:
            errors.append(FieldError(field=field, rule="invalid", message=f"{field} is not valid"))
    for field, keys in forbidden.items():
        errors.append(
            FieldError(
                field=field,
                rule="victims.contact_details_forbidden",
                message=(
                    f"a victim is sent by reference only (ref, kind, under_18); {', '.join(keys)} refused: "
                    "contact details never travel in a court outcome"
                ),
            )
        )
    return errors


def field_errors(
    exc: ValidationError, relocate: Callable[[tuple[int | str, ...]], tuple[int | str, ...]]
) -> list[FieldError]:
    """pydantic's errors for part of an outcome as FieldErrors, each location put where it sits in the
    body by `relocate` (e.g. a decision's own field under `disposal`), with the rules and wording the
    whole outcome's errors use."""
    return _translate(exc, relocate)
