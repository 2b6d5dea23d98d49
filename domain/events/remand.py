"""Events of a remand (LASPO 2012 Part 3 Ch 3; MCA 1980 ss.128–128A; CTL Regs 1987)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = [
    "CtlExtended",
    "LacReviewHeld",
    "NextHearingLimitBreached",
    "RemandEnded",
    "RemandEndedHow",
    "RemandKind",
    "RemandRenewed",
    "RemandStarted",
    "SocialWorkerVisitMade",
]

# The same four kinds as the court-outcome contract; repeated here so the stored schema stands alone.
RemandKind = Literal["bail", "bail_with_support", "local_authority_accommodation", "youth_detention_accommodation"]
RemandEndedHow = Literal["bail", "acquitted", "discontinued", "convicted_and_sentenced"]

_WHERE = {
    "bail": "on bail",
    "bail_with_support": "on bail with support",
    "local_authority_accommodation": "to local authority accommodation",
    "youth_detention_accommodation": "to youth detention accommodation",
}
_ENDED = {
    "bail": "the child was bailed",
    "acquitted": "the child was acquitted",
    "discontinued": "the case was discontinued",
    "convicted_and_sentenced": "the child was convicted and sentenced",
}


def _remanded(remand: RemandStarted | RemandRenewed, remanded: str, first: str) -> str:
    """A remand's sentence: where, until which hearing, whether looked after, and its custody time limit."""
    looked_after = " The child is looked after." if remand.looked_after else ""
    limit = ""
    if remand.ctl_expiry is not None:
        length = f" of {remand.ctl_days} days" if remand.ctl_days else ""
        since = f" from {w.day(remand.ctl_start_date)}" if remand.ctl_start_date else ""
        limit = f" The custody time limit{length}{since} expires on {w.day(remand.ctl_expiry)}."
    return (
        f"{remanded} {_WHERE[remand.type]} on {w.day(remand.remand_date)}; the next hearing is on"
        f" {w.day(remand.next_hearing_date)}.{first}{looked_after}{limit}"
    )


class RemandStarted(EventPayload):
    """The court remanded the child. RLAA and YDA make the child looked after and start a custody time limit."""

    type: RemandKind
    remand_date: date
    looked_after: bool
    next_hearing_date: date
    first_remand: bool
    ctl_start_date: date | None = None
    ctl_days: int | None = None
    ctl_expiry: date | None = None

    title = "Remand started"

    def describe(self, rule_names: w.RuleNames) -> str:
        return _remanded(self, "Remanded", " This is the child's first remand." if self.first_remand else "")


class NextHearingLimitBreached(EventPayload):
    """The court set a next hearing beyond the clear-day limit. Flagged, not refused: the court has decided."""

    remand_date: date
    limit_clear_days: int
    latest_lawful_date: date
    court_date: date

    title = "Next hearing set beyond the limit"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"The court set the next hearing for {w.day(self.court_date)}, more than"
            f" {w.count(self.limit_clear_days, 'clear day')} after the remand on {w.day(self.remand_date)}."
            f" The latest lawful date was {w.day(self.latest_lawful_date)}."
        )


class RemandRenewed(EventPayload):
    """A later hearing remanded the child again; the CTL fields are the limit in force afterwards (none on bail)."""

    remand_date: date
    type: RemandKind
    looked_after: bool
    next_hearing_date: date
    first_custodial_remand: bool
    ctl_start_date: date | None = None
    ctl_days: int | None = None
    ctl_expiry: date | None = None

    title = "Remand renewed"

    def describe(self, rule_names: w.RuleNames) -> str:
        first = " This is the child's first remand in custody." if self.first_custodial_remand else ""
        return _remanded(self, "Remanded again", first)


class LacReviewHeld(EventPayload):
    """A looked-after child review; `number` counts from the day the child became looked after."""

    number: int
    review_date: date

    title = "Looked-after child review held"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The {w.ordinal(self.number)} looked-after child review was held on {w.day(self.review_date)}."


class SocialWorkerVisitMade(EventPayload):
    """A social worker's visit to the child; `number` counts from the start of the current placement."""

    number: int
    visit_date: date

    title = "Social worker visited"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"The social worker's {w.ordinal(self.number)} visit to the child in this placement was on"
            f" {w.day(self.visit_date)}."
        )


class CtlExtended(EventPayload):
    """The court extended the custody time limit (Prosecution of Offences Act 1985 s.22(3))."""

    extended_on: date
    previous_expiry: date
    new_expiry: date
    reason: str

    title = "Custody time limit extended"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"The court extended the custody time limit on {w.day(self.extended_on)}: it now expires on"
            f" {w.day(self.new_expiry)}, not {w.day(self.previous_expiry)}. Reason: {self.reason.rstrip('.')}."
        )


class RemandEnded(EventPayload):
    """The remand is over; on conviction and sentence, `sentence_order_id` names the order that follows."""

    how: RemandEndedHow
    ended_on: date
    sentence_order_id: str | None = None

    title = "Remand ended"

    def describe(self, rule_names: w.RuleNames) -> str:
        follows = f" The sentence is order {self.sentence_order_id}." if self.sentence_order_id else ""
        return f"Remand ended on {w.day(self.ended_on)}: {_ENDED[self.how]}.{follows}"
