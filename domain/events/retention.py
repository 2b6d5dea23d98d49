"""Events of retention: legal holds placed and lifted, and a victim's details erased at the end of their
retention (a child's record's erasure is `ChildRecordErased`). Each sits on the record's own stream."""

from __future__ import annotations

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = ["LegalHoldLifted", "LegalHoldPlaced", "VictimDetailsErased"]

_KINDS = {"child_record": "the child's record", "victim_details": "the victim's details"}


class LegalHoldPlaced(EventPayload):
    """A manager stopped a record's erasure; the envelope's reason says why."""

    record_kind: str
    subject: str

    title = "Legal hold placed"

    def describe(self, rule_names: w.RuleNames) -> str:
        what = _KINDS.get(self.record_kind, w.words(self.record_kind))
        return f"A legal hold was placed on {what} ({self.subject}): it will not be erased while the hold stands."


class LegalHoldLifted(EventPayload):
    record_kind: str
    subject: str

    title = "Legal hold lifted"

    def describe(self, rule_names: w.RuleNames) -> str:
        what = _KINDS.get(self.record_kind, w.words(self.record_kind))
        return f"The legal hold on {what} ({self.subject}) was lifted: its retention rule applies again."


class VictimDetailsErased(EventPayload):
    victim_ref: str
    policy: str

    title = "Victim's details erased"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"The details of victim {self.victim_ref} were erased at the end of their retention ({self.policy});"
            " they cannot be read again."
        )
