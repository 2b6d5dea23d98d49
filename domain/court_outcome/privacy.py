"""What of a court message may be kept in clear beside its sealed whole.

The inbox and the rejected list keep each message whole for relay, redelivery checks and correction, but
sealed (`activities.court_messages`): the child's names and date of birth must not sit in clear in rows
that outlive the child's record. What stays in clear is what lists, filters and reports need and what
names nobody: the service, the outcome and case ids, the child's id (the key of their record, as events
carry it), the court, the hearing, the offences, the disposal and the victims by reference.

It is an allow-list, not a deny-list: the contract lets senders add fields yjflow ignores, and a field no
one has read (a "child_address" beside the child) is the one most likely to hold something personal.
"""

from __future__ import annotations

from typing import Any

from domain.court_outcome.outcome import CourtOutcome
from domain.court_outcome.parts import VICTIM_FIELDS, Offence

# Every field of the contract but the child, whose only clear field is the id.
_CLEAR_FIELDS = frozenset(CourtOutcome.model_fields) - {"child"}
_OFFENCE_FIELDS = frozenset(Offence.model_fields)
CHILD_CLEAR_FIELDS = frozenset({"id"})


def clear_part(body: object) -> dict[str, Any] | None:
    """The part of a submitted body (valid or not) that may be stored in clear; None when nothing of it
    can be told apart from the rest (the body is not a JSON object)."""
    if not isinstance(body, dict):
        return None
    clear: dict[str, Any] = {key: value for key, value in body.items() if key in _CLEAR_FIELDS}
    child = body.get("child")
    if isinstance(child, dict):
        clear["child"] = {key: value for key, value in child.items() if key in CHILD_CLEAR_FIELDS}
    if isinstance(clear.get("offences"), list):
        clear["offences"] = [_only(item, _OFFENCE_FIELDS) for item in clear["offences"]]
    if isinstance(clear.get("victims"), list):
        clear["victims"] = [_only(item, VICTIM_FIELDS) for item in clear["victims"]]
    return clear


def _only(item: object, fields: frozenset[str]) -> object:
    # Anything but an object in these lists is malformed, and a bare string in one may be a name.
    return {key: value for key, value in item.items() if key in fields} if isinstance(item, dict) else None


def clear_difference(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A difference between two outcomes (`{"field", "before", "after"}` each) as it may be kept in clear:
    which fields changed, always, and their values unless they are the child's own (but the id)."""
    return [
        change
        if not str(change.get("field", "")).startswith("child.") or change.get("field") == "child.id"
        else {"field": change.get("field")}
        for change in changes
    ]
