"""The England & Wales working-day calendar, and the ways the law counts time.

Bank holidays come from `holidays` (subdivision ENG, substitute days included) plus an override
table, so a newly announced one-off bank holiday can be applied without a release. The calendar's
`version` names the library release and hashes the holiday set and overrides, so a recorded deadline
says exactly which calendar chose its date.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import holidays
from dateutil.easter import easter
from dateutil.relativedelta import relativedelta
from holidays.version import __version__ as HOLIDAYS_VERSION
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "LONDON",
    "HolidayOverride",
    "WorkingCalendar",
    "add_calendar_months",
    "end_of_day",
    "latest_date_after_clear_days",
    "london_date",
    "london_instant",
]

LONDON = ZoneInfo("Europe/London")
_SATURDAY = 5
# England and Wales calendars already built, by (overrides, first year, last year): few keys per process.
_BUILT: dict[tuple[tuple[HolidayOverride, ...], int, int], WorkingCalendar] = {}


class HolidayOverride(BaseModel):
    """A correction to the library's bank holidays, with why and on whose word."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day: date
    action: Literal["add_holiday", "remove_holiday"]
    reason: str = Field(min_length=1)
    source: str = Field(min_length=1)


class WorkingCalendar:
    """Mon–Fri less England & Wales bank holidays, over a fixed span of years.

    Dates outside the span are refused rather than guessed: a deadline computed against a year the
    calendar does not hold would silently ignore that year's bank holidays.
    """

    __slots__ = ("_bank_holidays", "_first", "_last", "_overrides", "_version", "_working_days")

    def __init__(
        self,
        bank_holidays: Mapping[date, str],
        *,
        first_year: int,
        last_year: int,
        overrides: Sequence[HolidayOverride],
        version: str,
    ) -> None:
        self._first = date(first_year, 1, 1)
        self._last = date(last_year, 12, 31)
        self._bank_holidays = dict(bank_holidays)
        self._overrides = tuple(overrides)
        self._version = version
        # Sorted working days let counting be a bisect rather than a day-by-day walk.
        self._working_days = [
            day
            for day in (self._first + timedelta(days=i) for i in range((self._last - self._first).days + 1))
            if day.weekday() < _SATURDAY and day not in self._bank_holidays
        ]

    @classmethod
    def england_and_wales(
        cls,
        overrides: Sequence[HolidayOverride] = (),
        first_year: int = 2000,
        last_year: int = 2060,
    ) -> WorkingCalendar:
        """The E&W calendar from `holidays` (subdiv ENG, observed days included) with `overrides` applied.
        Built once per overrides and years: a calendar never changes, and building one (sixty years of
        days) cost the relay about 10 ms for every court outcome it decided."""
        key = (tuple(overrides), first_year, last_year)
        if (built := _BUILT.get(key)) is not None:
            return built
        if first_year > last_year:
            raise ValueError(f"first_year {first_year} is after last_year {last_year}")
        _check_overrides(overrides, first_year, last_year)
        library = holidays.country_holidays(
            "GB", subdiv="ENG", years=range(first_year, last_year + 1), language="en_GB"
        )
        base: dict[date, str] = {day: str(name) for day, name in library.items()}
        effective = dict(base)
        for override in overrides:
            if override.action == "add_holiday":
                # The library's own name wins when it already knows the day: it is the official one.
                effective.setdefault(override.day, override.reason)
            else:
                effective.pop(override.day, None)
        version = _version(base, overrides, first_year, last_year)
        built = cls(effective, first_year=first_year, last_year=last_year, overrides=overrides, version=version)
        _BUILT[key] = built
        return built

    @property
    def version(self) -> str:
        return self._version

    @property
    def first_year(self) -> int:
        return self._first.year

    @property
    def last_year(self) -> int:
        return self._last.year

    @property
    def overrides(self) -> tuple[HolidayOverride, ...]:
        return self._overrides

    def is_bank_holiday(self, d: date) -> bool:
        self._check(d)
        return d in self._bank_holidays

    def holiday_name(self, d: date) -> str | None:
        self._check(d)
        return self._bank_holidays.get(d)

    def is_working_day(self, d: date) -> bool:
        self._check(d)
        return d.weekday() < _SATURDAY and d not in self._bank_holidays

    def add_working_days(self, d: date, n: int) -> date:
        """The Nth working day after `d` (n ≥ 1) or before it (n ≤ -1); `d` itself is never counted.

        n == 0 means "on `d`", which only makes sense when `d` is a working day.
        """
        self._check(d)
        if n == 0:
            if not self.is_working_day(d):
                raise ValueError(f"{d.isoformat()} is not a working day, so it cannot be 0 working days away")
            return d
        if n > 0:
            index = bisect_right(self._working_days, d) + n - 1
            if index >= len(self._working_days):
                raise ValueError(
                    f"{n} working days after {d.isoformat()} is past the calendar's last year {self.last_year}"
                )
        else:
            index = bisect_left(self._working_days, d) + n
            if index < 0:
                raise ValueError(
                    f"{-n} working days before {d.isoformat()} is before the calendar's first year {self.first_year}"
                )
        return self._working_days[index]

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days `add_working_days` steps over going from `a` to `b`.

        As there, `a` is not counted and `b` is: the working days in (a, b], or minus those in [b, a)
        when `b` is before `a`. So `working_days_between(d, add_working_days(d, n)) == n` both ways.
        """
        self._check(a)
        self._check(b)
        if b >= a:
            return bisect_right(self._working_days, b) - bisect_right(self._working_days, a)
        return bisect_left(self._working_days, b) - bisect_left(self._working_days, a)

    def last_working_day_on_or_before(self, d: date) -> date:
        self._check(d)
        index = bisect_right(self._working_days, d) - 1
        if index < 0:
            raise ValueError(f"no working day on or before {d.isoformat()} in the calendar")
        return self._working_days[index]

    def next_working_day_after(self, d: date) -> date:
        return self.add_working_days(d, 1)

    def ctl_expiry(self, custody_began: date, days: int) -> date:
        """When a custody time limit expires (Prosecution of Offences (CTL) Regs 1987 reg 2(4)–(5)).

        The day custody began is not counted. An expiry on a Saturday, Sunday, Christmas Day, Good
        Friday or bank holiday is treated as the preceding day that is none of those: the limit moves
        earlier, never later, so the child is never held a day beyond it. Christmas Day and Good
        Friday are named on their own because the regulations name them, whatever the holiday table says.
        """
        if days < 1:
            raise ValueError(f"a custody time limit must be at least 1 day, not {days}")
        self._check(custody_began)
        expiry = custody_began + timedelta(days=days)
        self._check(expiry)
        while _is_ctl_closed_day(expiry) or expiry in self._bank_holidays:
            expiry -= timedelta(days=1)
            self._check(expiry)
        return expiry

    def _check(self, d: date) -> None:
        if not self._first <= d <= self._last:
            raise ValueError(
                f"{d.isoformat()} is outside the working calendar ({self.first_year}–{self.last_year}); "
                "build a calendar that covers its year"
            )


def _is_ctl_closed_day(d: date) -> bool:
    is_christmas_day = (d.month, d.day) == (12, 25)
    is_good_friday = d == easter(d.year) - timedelta(days=2)
    return d.weekday() >= _SATURDAY or is_christmas_day or is_good_friday


def _check_overrides(overrides: Sequence[HolidayOverride], first_year: int, last_year: int) -> None:
    seen: set[date] = set()
    for override in overrides:
        if not first_year <= override.day.year <= last_year:
            raise ValueError(
                f"holiday override for {override.day.isoformat()} is outside the calendar's years "
                f"{first_year}–{last_year}"
            )
        # One override per day keeps the result independent of the order overrides are stored in.
        if override.day in seen:
            raise ValueError(f"two holiday overrides for {override.day.isoformat()}: keep one override per day")
        seen.add(override.day)


def _version(base: Mapping[date, str], overrides: Sequence[HolidayOverride], first_year: int, last_year: int) -> str:
    canonical = json.dumps(
        {
            "years": [first_year, last_year],
            "holidays": [[day.isoformat(), base[day]] for day in sorted(base)],
            "overrides": [override.model_dump(mode="json") for override in sorted(overrides, key=lambda o: o.day)],
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    return f"eng-holidays-{HOLIDAYS_VERSION}+{digest}"


def add_calendar_months(d: date, n: int) -> date:
    """`d` plus `n` calendar months; a day the target month lacks clamps to its last day."""
    result: date = d + relativedelta(months=n)
    return result


def latest_date_after_clear_days(d: date, n: int) -> date:
    """The last day allowed after at most `n` clear days from `d` (MCA 1980 s.128).

    Neither `d` nor the day returned is counted, so it is `d` + n + 1.
    """
    if n < 0:
        raise ValueError(f"clear days cannot be negative, not {n}")
    return d + timedelta(days=n + 1)


def london_instant(d: date, hour: int, minute: int = 0) -> datetime:
    """The wall-clock time `hour:minute` on `d` in Europe/London, as an aware UTC datetime."""
    return datetime.combine(d, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def london_date(instant: datetime) -> date:
    """The Europe/London calendar date at an aware instant (e.g. a workflow's `now()`)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a naive datetime has no place on the London calendar: give an aware instant")
    return instant.astimezone(LONDON).date()


def end_of_day(d: date) -> datetime:
    """The instant `d` ends in Europe/London (the next day's midnight), in UTC."""
    return london_instant(d + timedelta(days=1), 0)
