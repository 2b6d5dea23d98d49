"""Events a victim contact records for what the YJB asks of every service (KPI 10, yjb-returns.md): the
victim's consent to be contacted, their views sought before planning, and further support asked for and
signposted. Facts only, like the contact's other events: what the victim said lives in the sealed note."""

from __future__ import annotations

from datetime import date

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = ["ContactConsentRecorded", "SupportRequested", "SupportSignposted", "VictimViewsSought"]


class ContactConsentRecorded(EventPayload):
    """Whether the victim agrees to be contacted by the YJS at all (KPI 10's denominator), apart from
    any restorative option."""

    consented: bool
    on: date

    title = "Consent to contact recorded"

    def describe(self, rule_names: w.RuleNames) -> str:
        said = "agreed" if self.consented else "did not agree"
        return f"On {w.day(self.on)} the victim {said} to be contacted by the YJS."


class VictimViewsSought(EventPayload):
    """The victim was asked their view before the plan for the child was made (the referral order's
    panel, an out-of-court decision, a court order's planning); `views_given` when they gave them."""

    views_given: bool
    before_planning: bool
    on: date

    title = "Victim's views sought"

    def describe(self, rule_names: w.RuleNames) -> str:
        when = "before the plan for the child was made" if self.before_planning else "after the plan was made"
        given = "They gave their views." if self.views_given else "They chose not to give views."
        return f"The victim was asked their view on {w.day(self.on)}, {when}. {given}"


class SupportRequested(EventPayload):
    """The victim asked for further support (beyond what the YJS itself offers)."""

    on: date

    title = "Victim asked for further support"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The victim asked for further support on {w.day(self.on)}."


class SupportSignposted(EventPayload):
    """The victim was given information on support services suited to what they asked for."""

    on: date

    title = "Victim signposted to support services"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The victim was given information on support services that suit them on {w.day(self.on)}."
