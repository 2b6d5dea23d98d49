"""The clocks a remand runs: the next-hearing check, the looked-after reviews and visits, the custody time limit."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.calendar import latest_date_after_clear_days
from domain.decisions import DeadlineEffect, ScheduleDeadline

# Statute, so fixed here; the rule pack records them as remand.next_hearing and remand.next_hearing_later.
FIRST_REMAND_CLEAR_DAYS = 8  # MCA 1980 s.128(6)
LATER_REMAND_CLEAR_DAYS = 28  # MCA 1980 s.128A

# The clocks that run only while the child is looked after through the remand.
LOOKED_AFTER_RULES = (
    "remand.lac_review_1",
    "remand.lac_review_2",
    "remand.lac_review_n",
    "remand.sw_first_visit",
    "remand.sw_visit",
)
_VISIT_RULES = ("remand.sw_first_visit", "remand.sw_visit")
_CHECK_RULES = ("remand.next_hearing", "remand.next_hearing_later")


def next_hearing_check(remand_date: date, next_hearing: date, first_remand: bool) -> tuple[bool, date]:
    """Whether a remand in custody's next hearing is lawful, and the latest lawful date.

    A first remand in custody allows at most 8 clear days (s.128(6)); a later one, 28 (s.128A).
    Clear days count neither the day of remand nor the day of the next appearance.
    """
    limit = FIRST_REMAND_CLEAR_DAYS if first_remand else LATER_REMAND_CLEAR_DAYS
    latest = latest_date_after_clear_days(remand_date, limit)
    return remand_date < next_hearing <= latest, latest


def _check_rule(first_custodial_remand: bool) -> str:
    return "remand.next_hearing" if first_custodial_remand else "remand.next_hearing_later"


def _hearing_check(
    remand_date: date, next_hearing: date, first_custodial_remand: bool
) -> tuple[list[ev.EventPayload], ScheduleDeadline]:
    """The check deadline for a remand in custody, and the breach flag when the court's date is beyond it."""
    ok, latest = next_hearing_check(remand_date, next_hearing, first_custodial_remand)
    flags: list[ev.EventPayload] = []
    if not ok:
        flags.append(
            ev.NextHearingLimitBreached(
                remand_date=remand_date,
                limit_clear_days=FIRST_REMAND_CLEAR_DAYS if first_custodial_remand else LATER_REMAND_CLEAR_DAYS,
                latest_lawful_date=latest,
                court_date=next_hearing,
            )
        )
    return flags, ScheduleDeadline(rule_id=_check_rule(first_custodial_remand), clock_start=remand_date)


def _looked_after_clocks(day: date) -> list[DeadlineEffect]:
    # The child becomes looked after and the placement starts on the day of remand.
    return [
        ScheduleDeadline(rule_id="remand.lac_review_1", clock_start=day),
        ScheduleDeadline(rule_id="remand.sw_first_visit", clock_start=day),
    ]


def _ctl_clock(start: date, days: int) -> ScheduleDeadline:
    return ScheduleDeadline(rule_id="remand.ctl", clock_start=start, amount=days)
