"""Ages and calendar arithmetic for the checks: age on a day, calendar months, clear days."""

from __future__ import annotations

from datetime import date


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on `day` (a 29 February birthday counts from 1 March in other years)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def _add_months(day: date, months: int) -> date:
    # Calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb).
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


def _clear_days(first: date, second: date) -> int:
    # Clear days count neither end: remanded on the 1st, back on the 10th is 8 clear days.
    return (second - first).days - 1
