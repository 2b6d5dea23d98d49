"""Events of a remand (LASPO 2012 Part 3 Ch 3; MCA 1980 ss.128–128A; CTL Regs 1987)."""

from __future__ import annotations

from datetime import date
from typing import Literal

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


class NextHearingLimitBreached(EventPayload):
    """The court set a next hearing beyond the clear-day limit. Flagged, not refused: the court has decided."""

    remand_date: date
    limit_clear_days: int
    latest_lawful_date: date
    court_date: date


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


class LacReviewHeld(EventPayload):
    """A looked-after child review; `number` counts from the day the child became looked after."""

    number: int
    review_date: date


class SocialWorkerVisitMade(EventPayload):
    """A social worker's visit to the child; `number` counts from the start of the current placement."""

    number: int
    visit_date: date


class CtlExtended(EventPayload):
    """The court extended the custody time limit (Prosecution of Offences Act 1985 s.22(3))."""

    extended_on: date
    previous_expiry: date
    new_expiry: date
    reason: str


class RemandEnded(EventPayload):
    """The remand is over; on conviction and sentence, `sentence_order_id` names the order that follows."""

    how: RemandEndedHow
    ended_on: date
    sentence_order_id: str | None = None
