"""KPI 10 (victims), the YJB's quarterly return, as pure data (yjb-returns.md).

The population is the victims of children whose order closed in the quarter, per YJS. Each of the nine
rows is counted from the events recorded on those victims' contacts, and each keeps what it counted, so
every total can be opened to the contacts behind it. What each row takes as its evidence:

1. children with an order closing in the quarter that has a victim contact linked to it;
2. the victims (contacts) linked to those orders;
3. consent to be contacted by the YJS: the latest `ContactConsentRecorded` says yes, or, where none was
   recorded, the victim consented to any restorative option (agreeing to one is agreeing to contact);
4. engaged with on restorative justice: the victim consented to contact (row 3) and took part, in a
   preparation meeting, a shuttle message, a restorative conference, or an intervention delivered other
   than information only;
5. asked their view before planning: consented to contact (row 3) and `VictimViewsSought` with
   `before_planning`;
6. asked for information about the progress of the child's case: `KeepInformedChoiceRecorded` yes;
7. of those, given it: `KeptInformed` or `ConclusionNotified` on or after the day they asked;
8. asked for further support: `SupportRequested`;
9. of those, given information on support services: `SupportSignposted` on or after the day they asked.

The descriptions, and rows 4 and 5 counting only victims within row 3, are the YJB's own: its reporting
views (`kpi10_victim_template` and `kpi10_victim_case_level` in `ministryofjustice/
modernisation-platform-environments`, `…/redshift/scripts/recreate_kpi_case_level_views_pt1.sql` and
`…_pt3.sql`) count `engagedRJ` and `viewPrior` only with `consentYJSContact = 'Yes'`. Where the YJB's views
have no field to match, this reading is ours: row 3 falls back to consent to a restorative option when no
contact consent was recorded, and rows 7 and 9 need the information given on or after the request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict

from domain import events as ev

DESCRIPTIONS: tuple[str, ...] = (
    "Number of children with an order closing with an identified victim or victims of youth crime",
    "Total number of victims",
    "Number of victims who consent to be contacted by the YJS",
    "Number of victims engaged with on restorative justice opportunities",
    "Number of victims asked their view prior to OOCD decision-making and planning for statutory court orders",
    "Number of victims who requested information about the progress of the child's case",
    "Of those, the number of victims provided with information about the progress of the child's case",
    "The number of victims who asked for additional support",
    "Of those victims who asked for additional support, the number provided with information on appropriate "
    "support services",
)

_CALENDAR = re.compile(r"^(\d{4})Q([1-4])$")
_FINANCIAL = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")


class Quarter(BaseModel):
    """A quarter: `2026Q4` is the calendar quarter October to December 2026; the financial year's form
    `2026-27-Q3` names the same months (Q1 is April to June). `end` is the first day after it."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"

    @classmethod
    def parse(cls, text: str) -> Quarter:
        text = text.strip().upper()
        if m := _CALENDAR.match(text):
            year, number = int(m[1]), int(m[2])
        elif (m := _FINANCIAL.match(text)) and (int(m[1]) + 1) % 100 == int(m[2]):
            fy, fq = int(m[1]), int(m[3])
            year, number = (fy, fq + 1) if fq < 4 else (fy + 1, 1)
        else:
            raise ValueError(
                "quarter: give a calendar quarter YYYYQn (2026Q4 is October to December 2026) or a financial "
                "year's quarter YYYY-YY-Qn (2026-27-Q3 is the same months)"
            )
        start = date(year, 3 * number - 2, 1)
        end = date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
        return cls(start=start, end=end)

    def holds(self, day: date) -> bool:
        return self.start <= day < self.end


class Counted(BaseModel):
    """One thing a row counts: a child (row 1) or a victim's contact, by reference only."""

    model_config = ConfigDict(frozen=True)

    child_id: str
    order_id: str
    workflow_id: str | None = None
    victim_ref: str | None = None


class Kpi10Row(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int
    description: str
    total: int
    counted: list[Counted]


class Kpi10(BaseModel):
    model_config = ConfigDict(frozen=True)

    yjs: str
    quarter: str
    start: date
    end: date
    rows: list[Kpi10Row]


@dataclass(frozen=True)
class ClosedOrder:
    order_id: str
    child_id: str


@dataclass(frozen=True)
class LinkedContact:
    """A victim's contact linked to a closed order, with its recorded payloads in stream order."""

    workflow_id: str
    victim_ref: str
    order_id: str
    child_id: str
    payloads: Sequence[ev.EventPayload]


@dataclass(frozen=True)
class _Facts:
    consented: bool
    engaged: bool
    views_before_planning: bool
    progress_requested: bool
    progress_given: bool
    support_requested: bool
    support_signposted: bool


def _after(payloads: Sequence[ev.EventPayload], since: date | None, kinds: tuple[type[ev.EventPayload], ...]) -> bool:
    return since is not None and any(isinstance(p, kinds) and getattr(p, "on", since) >= since for p in payloads)


def facts(payloads: Sequence[ev.EventPayload]) -> _Facts:
    """What one contact's events show for rows 3 to 9."""
    answers = [p.consented for p in payloads if isinstance(p, ev.ContactConsentRecorded)]
    rj_yes = any(isinstance(p, ev.ConsentRecorded) and p.consented for p in payloads)
    engaged = any(
        (isinstance(p, ev.PreparationMeetingHeld) and p.with_party == "victim")
        or isinstance(p, ev.ShuttleMessageRelayed | ev.ConferenceHeld)
        or (isinstance(p, ev.InterventionDelivered) and p.option != ev.RjOption.INFORMATION_ONLY)
        for p in payloads
    )
    asked = min((p.on for p in payloads if isinstance(p, ev.KeepInformedChoiceRecorded) and p.opt_in), default=None)
    support = min((p.on for p in payloads if isinstance(p, ev.SupportRequested)), default=None)
    consented = answers[-1] if answers else rj_yes
    return _Facts(
        consented=consented,
        engaged=consented and engaged,
        views_before_planning=consented
        and any(isinstance(p, ev.VictimViewsSought) and p.before_planning for p in payloads),
        progress_requested=asked is not None,
        progress_given=_after(payloads, asked, (ev.KeptInformed, ev.ConclusionNotified)),
        support_requested=support is not None,
        support_signposted=_after(payloads, support, (ev.SupportSignposted,)),
    )


def kpi10(yjs: str, quarter: Quarter, orders: Iterable[ClosedOrder], contacts: Iterable[LinkedContact]) -> Kpi10:
    """The nine rows for the orders that closed in the quarter and the contacts linked to them."""
    closed = {o.order_id: o for o in orders}
    linked = sorted((c for c in contacts if c.order_id in closed), key=lambda c: (c.child_id, c.workflow_id))
    children: dict[str, Counted] = {}
    for c in linked:
        children.setdefault(c.child_id, Counted(child_id=c.child_id, order_id=c.order_id))
    per_contact = [(c, facts(c.payloads)) for c in linked]

    def victims(test: str) -> list[Counted]:
        return [
            Counted(child_id=c.child_id, order_id=c.order_id, workflow_id=c.workflow_id, victim_ref=c.victim_ref)
            for c, f in per_contact
            if test == "all" or getattr(f, test)
        ]

    counted = [
        list(children.values()),
        victims("all"),
        victims("consented"),
        victims("engaged"),
        victims("views_before_planning"),
        victims("progress_requested"),
        victims("progress_given"),
        victims("support_requested"),
        victims("support_signposted"),
    ]
    rows = [
        Kpi10Row(number=i + 1, description=DESCRIPTIONS[i], total=len(items), counted=items)
        for i, items in enumerate(counted)
    ]
    return Kpi10(yjs=yjs, quarter=quarter.label, start=quarter.start, end=quarter.end, rows=rows)
