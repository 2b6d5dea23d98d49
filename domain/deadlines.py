"""Turn a rule and the date its clock started into a `DeadlineScheduled` fact.

The result is computed once and recorded with the rule-pack and calendar versions, so a replay or an
audit reads the date that was chosen rather than recomputing it with newer rules or holiday data.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from domain.calendar import (
    WorkingCalendar,
    add_calendar_months,
    end_of_day,
    latest_date_after_clear_days,
    london_instant,
)
from domain.events import DeadlineScheduled
from domain.rules import Rule

__all__ = ["DEFAULT_REMINDERS_WD_BEFORE", "REMINDER_HOUR", "compute_deadline"]

REMINDER_HOUR = 9
DEFAULT_REMINDERS_WD_BEFORE = (5, 1)
# A deadline closer than this to its clock start gets only the due-day reminder.
DEFAULT_REMINDER_MIN_WD = 5


def compute_deadline(
    rule: Rule,
    clock_start: date,
    calendar: WorkingCalendar,
    *,
    deadline_id: str,
    rule_pack_version: str,
    amount: int | None = None,
    not_before: date | None = None,
) -> DeadlineScheduled:
    """The deadline `rule` sets from `clock_start`, with its reminders and escalation instants.

    `amount` replaces the rule's own (the order's months, a remand's custody time limit). Reminders
    on days before `not_before` are dropped; left out, it is the clock-start day for a rule that
    counts forward and no limit for one that counts back from a later date (a final panel before
    the compliance end), whose reminders all fall before its clock start by design.
    """
    length = rule.amount if amount is None else amount
    if length is None:
        raise ValueError(f"rule {rule.id} has no default amount: supply the {rule.unit} for this case")
    due_date, period_end = _due_date(rule, clock_start, length, calendar)
    if not_before is None and due_date >= clock_start:
        not_before = clock_start
    return DeadlineScheduled(
        deadline_id=deadline_id,
        rule_id=rule.id,
        rule_pack_version=rule_pack_version,
        calendar_version=calendar.version,
        rule_type=str(rule.type),
        rule_kind=rule.kind,
        confidence=rule.confidence,
        unconfirmed=rule.unconfirmed,
        source=rule.source,
        description=rule.description,
        clock_start=clock_start,
        due_date=due_date,
        period_end=period_end,
        due_at=end_of_day(due_date),
        reminders=_reminders(rule, clock_start, due_date, calendar, not_before),
        escalate_at=london_instant(calendar.next_working_day_after(due_date), REMINDER_HOUR),
    )


def _due_date(rule: Rule, clock_start: date, n: int, calendar: WorkingCalendar) -> tuple[date, date | None]:
    """The working day it is due by, and the unrolled end of a calendar period (None for working days)."""
    match rule.unit:
        case "working_days":
            if n == 0 and not calendar.is_working_day(clock_start):
                # "The same day" on a closed day (a weekend release) can only be done on the next one.
                return calendar.next_working_day_after(clock_start), None
            return calendar.add_working_days(clock_start, n), None
        case "clear_days":
            # A check on a date the court sets: the statutory latest date is not ours to move.
            latest = latest_date_after_clear_days(clock_start, n)
            return latest, latest
        case "ctl_days":
            return calendar.ctl_expiry(clock_start, n), clock_start + timedelta(days=n)
        case "calendar_months" | "order_months":
            period_end = add_calendar_months(clock_start, n)
        case "calendar_days":
            period_end = clock_start + timedelta(days=n)
        case "weeks":
            period_end = clock_start + timedelta(weeks=n)
    if rule.kind == "fixed_date":
        return period_end, period_end
    # Work cannot happen on a closed day and a limit must never slip, so roll back, not forward.
    return calendar.last_working_day_on_or_before(period_end), period_end


def _reminders(
    rule: Rule, clock_start: date, due_date: date, calendar: WorkingCalendar, not_before: date | None
) -> list[datetime]:
    if rule.reminders_wd_before is not None:
        before: tuple[int, ...] = rule.reminders_wd_before
    elif rule.kind in ("fixed_date", "block"):
        return []
    # The deadline's size, whichever way it counts: a review due a month before release is as
    # long a piece of work as one due a month after sentence.
    elif abs(calendar.working_days_between(clock_start, due_date)) >= DEFAULT_REMINDER_MIN_WD:
        before = DEFAULT_REMINDERS_WD_BEFORE
    else:
        before = ()
    days = {calendar.add_working_days(due_date, -n) for n in before} | {due_date}
    if not_before is not None:
        days = {day for day in days if day >= not_before}
    return [london_instant(day, REMINDER_HOUR) for day in sorted(days)]
