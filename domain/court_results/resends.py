"""What a court's later message means for an outcome already kept: the sentence that ends a running remand,
the same hearing resent unchanged (a duplicate), or resent changed (an amendment held for a manager), and
the court decision a confirmed amendment is applied through. Pure: the caller reads the inbox and streams.

A changed result is never applied silently. Its difference is listed field by field; confirming it applies
it through the court-decision steps an outcome acting on an order already takes (`order_extended`), and a
change no such step can carry (a new order kind, a shorter term, other requirements) is refused with the
reason, for the manager to reject and record on the order by hand.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

SENTENCES = frozenset({"referral_order", "youth_rehabilitation_order", "detention_and_training_order"})


class Change(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    before: Any = None
    after: Any = None

    def __str__(self) -> str:
        return f"{self.field}: {_shown(self.before)} → {_shown(self.after)}"


class NotApplicable(ValueError):
    """An amendment no court-decision step can carry: the message says why."""


def _shown(value: Any) -> str:
    return "(none)" if value is None else str(value)


def remand_ref(body: dict[str, Any]) -> str:
    """The remand workflow of the outcome's case and child (where a sentence may end a running remand)."""
    return f"remand:{body['yjs']}:{body['case_reference']}:{body['child']['id']}"


def ending_the_remand(body: dict[str, Any], remand: str) -> dict[str, Any]:
    """A sentence for a case and child remanded until now, as the court's ending of that remand: the
    remand ends by the sentence, and the sentence's order starts (its id as the sentence alone would name it)."""
    return {
        **body,
        "disposal": {
            "kind": "remand_ended",
            "order_ref": remand,
            "how": "convicted_and_sentenced",
            "sentence": body["disposal"],
        },
    }


def sentence_ends_remand(body: dict[str, Any], remand_open: bool) -> bool:
    return remand_open and body.get("disposal", {}).get("kind") in SENTENCES


def plain(body: dict[str, Any]) -> dict[str, Any]:
    """The outcome as the court's translation made it (a remand's ending unwrapped to its sentence)."""
    disposal = body.get("disposal", {})
    if disposal.get("kind") == "remand_ended" and isinstance(disposal.get("sentence"), dict):
        return {**body, "disposal": disposal["sentence"]}
    return body


def as_kept(body: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
    """The new translation in the form the first was kept in, so an unchanged resend is the same body."""
    disposal = kept.get("disposal", {})
    if disposal.get("kind") == "remand_ended" and body.get("disposal", {}).get("kind") in SENTENCES:
        return ending_the_remand(body, str(disposal["order_ref"]))
    return body


def difference(previous: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[Change]:
    """Field by field, what the new translation changes of the previous one (lists compared whole)."""
    changes: list[Change] = []
    for key in sorted(set(previous) | set(new)):
        field = f"{prefix}{key}"
        before, after = previous.get(key), new.get(key)
        if isinstance(before, dict) and isinstance(after, dict):
            changes += difference(before, after, f"{field}.")
        elif before != after:
            changes.append(Change(field=field, before=before, after=after))
    return changes


def order_ref(previous: dict[str, Any]) -> str:
    """The order the previous outcome started (for a remand's ending, its sentence's order)."""
    body = plain(previous)
    kind = str(body["disposal"]["kind"]).replace("_", "-")
    return f"{kind}:{body['yjs']}:{body['case_reference']}:{body['child']['id']}"


def amendment_outcome(previous: dict[str, Any], new: dict[str, Any], *, amendment_id: int) -> dict[str, Any]:
    """The court decision that applies a confirmed amendment to the order the previous outcome started, as
    an outcome acting on that order (its own id, so it is delivered once). `NotApplicable` when no
    court-decision step carries the change."""
    before, after = plain(previous), plain(new)
    changes = difference(before, after)
    fields = {c.field for c in changes}
    kind = before["disposal"]["kind"]
    if after["disposal"]["kind"] != kind:
        raise NotApplicable(
            f"the order kind changed ({kind} → {after['disposal']['kind']}): revoke and resentence on the order"
        )
    decision: dict[str, Any]
    if kind == "referral_order" and fields == {"disposal.months"}:
        more = int(after["disposal"]["months"]) - int(before["disposal"]["months"])
        if more <= 0:
            raise NotApplicable("a referral order's term is only ever extended by the court's decision")
        decision = {"kind": "order_extended", "extension_months": more}
    elif kind == "youth_rehabilitation_order" and fields == {"disposal.end_date"}:
        if date.fromisoformat(after["disposal"]["end_date"]) <= date.fromisoformat(before["disposal"]["end_date"]):
            raise NotApplicable("a youth rehabilitation order's end date is only ever moved later by amendment")
        decision = {"kind": "order_extended", "new_end_date": after["disposal"]["end_date"]}
    else:
        named = ", ".join(sorted(fields)) or "nothing"
        raise NotApplicable(f"no court-decision step carries a change of {named} on a {kind}: record it on the order")
    return {
        **after,
        "outcome_id": f"{new['outcome_id']}:amendment-{amendment_id}",
        "disposal": {**decision, "order_ref": order_ref(previous)},
        "victims": [],
    }
