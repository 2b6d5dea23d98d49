"""Events that end or follow a victim contact from outside: the referral to the probation Victim Contact
Scheme, withdrawal, reopening and closing, and a milestone of the linked order the victim may be told of.
The vocabulary they use (`CloseOutcome`, `MilestoneKind`) lives with the contact's other events."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from domain.events import victim_words as vw
from domain.events import wording as w
from domain.events.envelope import EventPayload
from domain.events.victim_contact import CloseOutcome, MilestoneKind

__all__ = [
    "ContactClosed",
    "ContactReopened",
    "ContactWithdrawn",
    "OrderMilestoneReceived",
    "VcsReferralMade",
]


class VcsReferralMade(EventPayload):
    """Details passed to the probation Victim Contact Scheme (the details themselves go store to store)."""

    on: date

    title = "Referral to the Victim Contact Scheme made"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The victim was referred to the probation Victim Contact Scheme on {w.day(self.on)}."


class ContactWithdrawn(EventPayload):
    on: date

    title = "Victim withdrew"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The victim withdrew on {w.day(self.on)}."


class ContactReopened(EventPayload):
    on: date

    title = "Victim contact reopened"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Victim contact reopened on {w.day(self.on)}."


class ContactClosed(EventPayload):
    outcome: CloseOutcome
    on: date

    title = "Victim contact closed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Victim contact closed on {w.day(self.on)}: {vw.CLOSED[self.outcome]}."


class OrderMilestoneReceived(EventPayload):
    """The linked order reached a milestone this victim may be told of."""

    milestone: MilestoneKind
    order_id: str = Field(min_length=1, max_length=200)
    on: date

    title = "Order milestone received"

    def describe(self, rule_names: w.RuleNames) -> str:
        reached = vw.MILESTONES[self.milestone]
        return f"On {w.day(self.on)} the linked order {self.order_id} reached a milestone: {reached}."
