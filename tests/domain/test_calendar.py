"""The E&W working-day calendar and the law's ways of counting time."""

from __future__ import annotations

import calendar as stdlib_calendar
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.easter import easter
from holidays.version import __version__ as HOLIDAYS_VERSION
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import (
    HolidayOverride,
    WorkingCalendar,
    add_calendar_months,
    end_of_day,
    latest_date_after_clear_days,
    london_date,
    london_instant,
)

CALENDAR = WorkingCalendar.england_and_wales()
REPO = Path(__file__).resolve().parents[2]

# Dates well inside the calendar, so counting a few hundred working days never leaves it.
inner_dates = st.dates(min_value=date(2002, 1, 1), max_value=date(2058, 12, 31))
working_day_counts = st.integers(min_value=-400, max_value=400).filter(lambda n: n != 0)


def _is_ctl_closed(d: date) -> bool:
    return (
        d.weekday() >= 5
        or (d.month, d.day) == (12, 25)
        or d == easter(d.year) - timedelta(days=2)
        or CALENDAR.is_bank_holiday(d)
    )


# --- worked examples ------------------------------------------------------------------------------


def test_twenty_working_days_across_christmas_2022() -> None:
    """20 WD from Fri 23 Dec 2022 is Wed 25 Jan 2023, skipping 26 and 27 Dec and 2 Jan."""
    assert CALENDAR.add_working_days(date(2022, 12, 23), 20) == date(2023, 1, 25)


def test_coronation_bank_holiday_is_skipped() -> None:
    """1 WD after Fri 5 May 2023 is Tue 9 May, because Mon 8 May was the Coronation bank holiday."""
    assert CALENDAR.holiday_name(date(2023, 5, 8)) == "Coronation of Charles III"
    assert CALENDAR.add_working_days(date(2023, 5, 5), 1) == date(2023, 5, 9)


def test_state_funeral_bank_holiday_is_skipped() -> None:
    """1 WD after Fri 16 Sep 2022 is Tue 20 Sep, because Mon 19 Sep was the State Funeral."""
    assert CALENDAR.add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)


def test_calendar_month_clamps_to_leap_day() -> None:
    """31 Jan 2024 plus one calendar month is 29 Feb 2024."""
    assert add_calendar_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_calendar_month_clamps_in_a_common_year() -> None:
    """31 Jan 2023 plus one calendar month is 28 Feb 2023."""
    assert add_calendar_months(date(2023, 1, 31), 1) == date(2023, 2, 28)


def test_calendar_months_count_back() -> None:
    """A negative number of months counts back, clamping the same way."""
    assert add_calendar_months(date(2024, 3, 31), -1) == date(2024, 2, 29)


def test_ctl_of_56_days_from_1_march_2024_is_not_moved() -> None:
    """A 56-day CTL from Fri 1 Mar 2024 expires on Fri 26 Apr 2024, a working day."""
    assert CALENDAR.ctl_expiry(date(2024, 3, 1), 56) == date(2024, 4, 26)


def test_ctl_expiring_on_easter_monday_rolls_back_past_good_friday() -> None:
    """A CTL falling on Easter Monday 1 Apr 2024 moves back over the weekend and Good Friday to Thu 28 Mar."""
    assert date(2024, 2, 5) + timedelta(days=56) == date(2024, 4, 1)
    assert CALENDAR.ctl_expiry(date(2024, 2, 5), 56) == date(2024, 3, 28)


def test_ctl_expiring_on_good_friday_rolls_back() -> None:
    """A CTL falling on Good Friday 29 Mar 2024 expires on Thu 28 Mar."""
    assert date(2024, 2, 2) + timedelta(days=56) == date(2024, 3, 29)
    assert CALENDAR.ctl_expiry(date(2024, 2, 2), 56) == date(2024, 3, 28)


def test_ctl_expiring_on_christmas_day_rolls_back() -> None:
    """A CTL falling on Christmas Day, Wed 25 Dec 2024, expires on Tue 24 Dec."""
    assert date(2024, 10, 30) + timedelta(days=56) == date(2024, 12, 25)
    assert CALENDAR.ctl_expiry(date(2024, 10, 30), 56) == date(2024, 12, 24)


def test_ctl_expiring_on_substitute_boxing_day_2026_rolls_back_to_christmas_eve() -> None:
    """A CTL falling on Mon 28 Dec 2026 (substitute Boxing Day) rolls back over the weekend and Christmas."""
    assert CALENDAR.ctl_expiry(date(2026, 11, 2), 56) == date(2026, 12, 24)


def test_ctl_of_182_days_counts_from_the_day_after_custody_began() -> None:
    """The day custody began is not counted: 182 days from Mon 1 Jul 2024 is Mon 30 Dec 2024."""
    assert CALENDAR.ctl_expiry(date(2024, 7, 1), 182) == date(2024, 12, 30)


def test_ctl_avoids_good_friday_even_if_an_override_removes_the_holiday() -> None:
    """The CTL regulations name Good Friday themselves, so an override cannot make it an expiry day."""
    calendar = WorkingCalendar.england_and_wales(
        [HolidayOverride(day=date(2024, 3, 29), action="remove_holiday", reason="test", source="test")]
    )
    assert calendar.is_working_day(date(2024, 3, 29))
    assert calendar.ctl_expiry(date(2024, 2, 2), 56) == date(2024, 3, 28)


def test_ctl_must_be_at_least_a_day() -> None:
    """A custody time limit of zero days is refused."""
    with pytest.raises(ValueError, match="at least 1 day"):
        CALENDAR.ctl_expiry(date(2024, 3, 1), 0)


def test_first_remand_of_eight_clear_days_ends_on_the_tenth() -> None:
    """Remanded on the 1st for at most 8 clear days, the next appearance is no later than the 10th."""
    assert latest_date_after_clear_days(date(2024, 3, 1), 8) == date(2024, 3, 10)


def test_later_remand_of_twenty_eight_clear_days() -> None:
    """Remanded on 1 Mar 2024 for at most 28 clear days, the next appearance is no later than 30 Mar."""
    assert latest_date_after_clear_days(date(2024, 3, 1), 28) == date(2024, 3, 30)


def test_clear_days_cannot_be_negative() -> None:
    """A negative number of clear days is refused."""
    with pytest.raises(ValueError, match="clear days"):
        latest_date_after_clear_days(date(2024, 3, 1), -1)


# --- Easter 2027 and Christmas 2026 ---------------------------------------------------------------


def test_easter_2027_bank_holidays() -> None:
    """Good Friday 26 Mar and Easter Monday 29 Mar 2027 are bank holidays, not working days."""
    assert CALENDAR.holiday_name(date(2027, 3, 26)) == "Good Friday"
    assert CALENDAR.holiday_name(date(2027, 3, 29)) == "Easter Monday"
    assert not CALENDAR.is_working_day(date(2027, 3, 26))
    assert not CALENDAR.is_working_day(date(2027, 3, 29))


def test_easter_2027_working_day_counts() -> None:
    """Over Easter 2027 the working day after Thu 25 Mar is Tue 30 Mar, and back again."""
    assert CALENDAR.add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert CALENDAR.add_working_days(date(2027, 3, 30), -1) == date(2027, 3, 25)
    assert CALENDAR.working_days_between(date(2027, 3, 25), date(2027, 3, 31)) == 2
    assert CALENDAR.add_working_days(date(2027, 3, 22), 5) == date(2027, 3, 31)


def test_christmas_2026_substitute_boxing_day() -> None:
    """Christmas Day 2026 is a Friday, so Boxing Day's bank holiday moves to Mon 28 Dec."""
    assert CALENDAR.is_bank_holiday(date(2026, 12, 25))
    assert CALENDAR.holiday_name(date(2026, 12, 28)) == "Boxing Day (observed)"
    assert not CALENDAR.is_working_day(date(2026, 12, 28))


def test_christmas_2026_working_day_counts() -> None:
    """The working day after Thu 24 Dec 2026 is Tue 29 Dec, and there are 7 from 18 Dec to 1 Jan 2027."""
    assert CALENDAR.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert CALENDAR.working_days_between(date(2026, 12, 18), date(2027, 1, 1)) == 7
    assert CALENDAR.add_working_days(date(2026, 12, 24), 4) == date(2027, 1, 4)


# --- working-day arithmetic -----------------------------------------------------------------------


def test_zero_working_days_from_a_working_day_is_that_day() -> None:
    """0 WD from a working day is the day itself."""
    assert CALENDAR.add_working_days(date(2024, 3, 1), 0) == date(2024, 3, 1)


def test_zero_working_days_from_a_closed_day_is_refused() -> None:
    """0 WD from a Saturday has no answer, so it raises."""
    with pytest.raises(ValueError, match="not a working day"):
        CALENDAR.add_working_days(date(2024, 3, 2), 0)


def test_counting_back_skips_a_substitute_holiday() -> None:
    """1 WD before Tue 3 Jan 2023 is Fri 30 Dec 2022, skipping the New Year substitute day."""
    assert CALENDAR.add_working_days(date(2023, 1, 3), -1) == date(2022, 12, 30)


def test_counting_back_from_a_weekend() -> None:
    """1 WD before Sat 2 Mar 2024 is Fri 1 Mar: the weekend day itself is not counted."""
    assert CALENDAR.add_working_days(date(2024, 3, 2), -1) == date(2024, 3, 1)


def test_working_days_between_counts_the_end_not_the_start() -> None:
    """There are 20 WD from 23 Dec 2022 to 25 Jan 2023, and -20 going back."""
    assert CALENDAR.working_days_between(date(2022, 12, 23), date(2023, 1, 25)) == 20
    assert CALENDAR.working_days_between(date(2023, 1, 25), date(2022, 12, 23)) == -20
    assert CALENDAR.working_days_between(date(2024, 3, 1), date(2024, 3, 1)) == 0


def test_last_working_day_on_or_before_and_next_after() -> None:
    """Christmas Day 2022 rolls back to Fri 23 Dec; the next working day after that is Wed 28 Dec."""
    assert CALENDAR.last_working_day_on_or_before(date(2022, 12, 25)) == date(2022, 12, 23)
    assert CALENDAR.last_working_day_on_or_before(date(2022, 12, 23)) == date(2022, 12, 23)
    assert CALENDAR.next_working_day_after(date(2022, 12, 23)) == date(2022, 12, 28)


def test_weekend_dated_holiday_keeps_its_name() -> None:
    """Christmas Day on a Sunday (2022) is still named, and the substitute Tuesday is too."""
    assert CALENDAR.holiday_name(date(2022, 12, 25)) == "Christmas Day"
    assert CALENDAR.holiday_name(date(2022, 12, 27)) == "Christmas Day (observed)"
    assert CALENDAR.holiday_name(date(2022, 12, 28)) is None


def test_dates_outside_the_calendar_are_refused() -> None:
    """A date outside the calendar's years raises a ValueError naming the span."""
    with pytest.raises(ValueError, match="outside the working calendar"):
        CALENDAR.is_working_day(date(1999, 12, 31))
    with pytest.raises(ValueError, match="outside the working calendar"):
        CALENDAR.working_days_between(date(2024, 1, 1), date(2061, 1, 3))


def test_counting_past_the_calendar_end_is_refused() -> None:
    """Counting working days beyond the last year raises rather than guessing."""
    with pytest.raises(ValueError, match="past the calendar's last year"):
        CALENDAR.add_working_days(date(2060, 12, 20), 30)
    with pytest.raises(ValueError, match="before the calendar's first year"):
        CALENDAR.add_working_days(date(2000, 1, 10), -30)


def test_an_ordinary_weekday_is_a_working_day() -> None:
    """Ordinary weekdays such as Wed 4 Jun 2025 are working days."""
    assert CALENDAR.is_working_day(date(2025, 6, 4))
    assert not CALENDAR.is_bank_holiday(date(2025, 6, 4))


# --- overrides and version ------------------------------------------------------------------------


def _override(day: date, action: str = "add_holiday", reason: str = "one-off bank holiday") -> HolidayOverride:
    return HolidayOverride.model_validate(
        {"day": day, "action": action, "reason": reason, "source": "gov.uk announcement"}
    )


def test_version_names_the_holidays_release_and_a_hash() -> None:
    """The calendar version is the holidays release plus 12 hex digits."""
    assert re.fullmatch(rf"eng-holidays-{re.escape(HOLIDAYS_VERSION)}\+[0-9a-f]{{12}}", CALENDAR.version)


_PRINT_VERSION = "from domain.calendar import WorkingCalendar as W; print(W.england_and_wales().version)"


def test_version_is_stable_across_processes() -> None:
    """Another interpreter, with a different hash seed, computes the same calendar version."""
    result = subprocess.run(
        [sys.executable, "-c", _PRINT_VERSION],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert result.stdout.strip() == CALENDAR.version


def test_added_holiday_changes_counts_and_version() -> None:
    """Adding a one-off holiday on Fri 10 May 2030 pushes 1 WD after Thu 9 May to Mon 13 May."""
    day = date(2030, 5, 10)
    calendar = WorkingCalendar.england_and_wales([_override(day)])
    assert CALENDAR.add_working_days(date(2030, 5, 9), 1) == day
    assert calendar.add_working_days(date(2030, 5, 9), 1) == date(2030, 5, 13)
    assert calendar.holiday_name(day) == "one-off bank holiday"
    assert calendar.version != CALENDAR.version


def test_removed_holiday_changes_counts_and_version() -> None:
    """Removing May Day 2027 (Mon 3 May) makes it a working day and changes the version."""
    day = date(2027, 5, 3)
    calendar = WorkingCalendar.england_and_wales([_override(day, "remove_holiday", "moved by proclamation")])
    assert CALENDAR.add_working_days(date(2027, 4, 30), 1) == date(2027, 5, 4)
    assert calendar.add_working_days(date(2027, 4, 30), 1) == day
    assert not calendar.is_bank_holiday(day)
    assert calendar.version != CALENDAR.version


def test_version_changes_when_an_override_is_reworded() -> None:
    """The same day with a different reason or source is a different calendar version."""
    one = WorkingCalendar.england_and_wales([_override(date(2030, 5, 10), reason="a")])
    other = WorkingCalendar.england_and_wales([_override(date(2030, 5, 10), reason="b")])
    assert one.version != other.version


def test_version_does_not_depend_on_override_order() -> None:
    """The same overrides in another order give the same version."""
    a = _override(date(2030, 5, 10))
    b = _override(date(2027, 5, 3), "remove_holiday")
    assert WorkingCalendar.england_and_wales([a, b]).version == WorkingCalendar.england_and_wales([b, a]).version


def test_two_overrides_for_one_day_are_refused() -> None:
    """Two overrides naming the same day are ambiguous and refused."""
    with pytest.raises(ValueError, match="two holiday overrides"):
        WorkingCalendar.england_and_wales(
            [_override(date(2030, 5, 10)), _override(date(2030, 5, 10), "remove_holiday")]
        )


def test_override_outside_the_calendar_is_refused() -> None:
    """An override for a year the calendar does not hold is refused."""
    with pytest.raises(ValueError, match="outside the calendar's years"):
        WorkingCalendar.england_and_wales([_override(date(2070, 5, 10))])


def test_override_on_a_known_holiday_keeps_the_official_name() -> None:
    """Adding a holiday the library already has keeps the library's name."""
    calendar = WorkingCalendar.england_and_wales([_override(date(2027, 3, 26))])
    assert calendar.holiday_name(date(2027, 3, 26)) == "Good Friday"


def test_override_is_frozen_and_strict() -> None:
    """Holiday overrides are immutable and refuse unknown actions."""
    override = _override(date(2030, 5, 10))
    with pytest.raises(ValueError):
        override.reason = "changed"  # type: ignore[misc]
    with pytest.raises(ValueError):
        _override(date(2030, 5, 10), "move_holiday")


# --- instants in Europe/London --------------------------------------------------------------------


def test_london_instant_in_gmt_and_bst() -> None:
    """09:00 London is 09:00 UTC in January and 08:00 UTC in July."""
    assert london_instant(date(2024, 1, 15), 9) == datetime(2024, 1, 15, 9, tzinfo=UTC)
    assert london_instant(date(2024, 7, 15), 9, 30) == datetime(2024, 7, 15, 8, 30, tzinfo=UTC)
    assert london_instant(date(2024, 7, 15), 9).utcoffset() == timedelta(0)


def test_end_of_day_around_clock_changes() -> None:
    """A day ends at the next London midnight, whichever offset that midnight has."""
    assert end_of_day(date(2024, 3, 30)) == datetime(2024, 3, 31, 0, tzinfo=UTC)
    assert end_of_day(date(2024, 3, 31)) == datetime(2024, 3, 31, 23, tzinfo=UTC)
    assert end_of_day(date(2024, 10, 26)) == datetime(2024, 10, 26, 23, tzinfo=UTC)
    assert end_of_day(date(2024, 10, 27)) == datetime(2024, 10, 28, 0, tzinfo=UTC)


def test_london_date_of_an_instant() -> None:
    """23:30 UTC on a summer evening is already the next day in London; in winter it is not."""
    assert london_date(datetime(2024, 7, 15, 23, 30, tzinfo=UTC)) == date(2024, 7, 16)
    assert london_date(datetime(2024, 1, 15, 23, 30, tzinfo=UTC)) == date(2024, 1, 15)
    with pytest.raises(ValueError, match="naive"):
        london_date(datetime(2024, 1, 15, 23, 30))


# --- properties -----------------------------------------------------------------------------------


@given(inner_dates, working_day_counts)
def test_add_working_days_lands_on_a_working_day(d: date, n: int) -> None:
    """Counting any non-zero number of working days lands on a working day."""
    assert CALENDAR.is_working_day(CALENDAR.add_working_days(d, n))


@given(inner_dates, working_day_counts)
def test_working_days_between_inverts_add_working_days(d: date, n: int) -> None:
    """The working days between D and D + n WD is n, forwards and backwards."""
    assert CALENDAR.working_days_between(d, CALENDAR.add_working_days(d, n)) == n


@given(inner_dates, working_day_counts, working_day_counts)
def test_add_working_days_is_monotonic(d: date, n: int, m: int) -> None:
    """More working days never give an earlier date."""
    low, high = sorted((n, m))
    assert CALENDAR.add_working_days(d, low) <= CALENDAR.add_working_days(d, high)
    if low != high:
        assert CALENDAR.add_working_days(d, low) < CALENDAR.add_working_days(d, high)


@given(inner_dates, st.integers(min_value=1, max_value=400))
def test_add_working_days_direction_and_skipped_days(d: date, n: int) -> None:
    """Forwards lands after D and backwards before it, with exactly n working days stepped over."""
    forward = CALENDAR.add_working_days(d, n)
    backward = CALENDAR.add_working_days(d, -n)
    assert backward < d < forward
    stepped = [d + timedelta(days=i) for i in range(1, (forward - d).days + 1)]
    assert sum(CALENDAR.is_working_day(day) for day in stepped) == n


@given(inner_dates, inner_dates)
def test_working_days_between_matches_a_day_by_day_count(a: date, b: date) -> None:
    """working_days_between agrees with counting day by day, excluding a and including b."""
    if abs((b - a).days) > 800:
        b = a + timedelta(days=(b - a).days % 800)
    low, high = sorted((a, b))
    count = sum(CALENDAR.is_working_day(low + timedelta(days=i)) for i in range(1, (high - low).days + 1))
    if b >= a:
        assert CALENDAR.working_days_between(a, b) == count
    else:
        shift = int(CALENDAR.is_working_day(b)) - int(CALENDAR.is_working_day(a))
        assert CALENDAR.working_days_between(a, b) == -(count + shift)


@given(inner_dates, st.integers(min_value=1, max_value=400))
def test_ctl_expiry_rolls_back_to_the_latest_open_day(began: date, days: int) -> None:
    """A CTL never expires later than the raw date, nor on a weekend, Christmas, Good Friday or holiday."""
    raw = began + timedelta(days=days)
    expiry = CALENDAR.ctl_expiry(began, days)
    assert expiry <= raw
    assert not _is_ctl_closed(expiry)
    assert all(_is_ctl_closed(expiry + timedelta(days=i)) for i in range(1, (raw - expiry).days + 1))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(-240, 240))
def test_add_calendar_months_never_overflows_a_month(d: date, n: int) -> None:
    """Adding months lands in the target month, on the same day or that month's last day."""
    result = add_calendar_months(d, n)
    months = d.year * 12 + d.month - 1 + n
    assert (result.year, result.month) == (months // 12, months % 12 + 1)
    last_day = stdlib_calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(d.day, last_day)
