"""Events of the child's record (`domain.child_record`): which fields changed and why, never a value, since
the values live only in the encrypted record that erasure destroys."""

from __future__ import annotations

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = ["ChildRecordCorrected", "ChildRecordErased"]

_FIELD_WORDS = {
    "given_name": "given name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "pnc": "PNC id",
    "ypid": "YJB ypid",
    "ou_code": "OU code",
}


class ChildRecordCorrected(EventPayload):
    """The child's service corrected their record; the envelope's reason says why."""

    fields: list[str]

    title = "Child's record corrected"

    def describe(self, rule_names: w.RuleNames) -> str:
        changed = w.and_list(_FIELD_WORDS.get(f, w.words(f)) for f in self.fields)
        return f"The child's {changed} corrected in their record."


class ChildRecordErased(EventPayload):
    """The record's key was destroyed at the end of its retention: nothing in it can be read again."""

    policy: str

    title = "Child's record erased"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The child's record was erased at the end of its retention ({self.policy}); it cannot be read again."
