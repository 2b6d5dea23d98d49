"""The numbers and dates a result line carries, read as the feeds write them: prompt values with units
("12 Months", "1 Weeks"), SPI's DurationValue + DurationUnit, end dates (ISO or dd/MM/yyyy), curfew
times ("20:00", "8 pm"), and the hours of a curfew left in a result's text."""

from __future__ import annotations

import re
from datetime import date, timedelta

from domain.court_results.hearing import ResultLine, parse_day
from domain.court_results.mapping import Carries, ResultMapping, Unit

_TERM = re.compile(r"\s*(\d{1,4})\s*([A-Za-z]+)\s*")
_CLOCK = re.compile(r"\s*(\d{1,2})(?:[:.](\d{2}))?(?::\d{2})?\s*(am|pm|a\.m\.|p\.m\.)?\s*", re.IGNORECASE)
_BETWEEN = re.compile(
    r"between\s+(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)\s+and\s+(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)", re.IGNORECASE
)


def term(text: str, mapping: ResultMapping) -> tuple[int, Unit] | None:
    """A prompt value such as "12 Months" as (12, "months"); None when it is not a term."""
    match = _TERM.fullmatch(text)
    if match is None:
        return None
    unit = mapping.unit(match.group(2))
    return (int(match.group(1)), unit) if unit is not None else None


def prompt_values(line: ResultLine, carries: Carries, mapping: ResultMapping) -> list[str]:
    return [
        p.value.strip()
        for p in line.prompts
        if p.value and p.value.strip() and mapping.carries(p.label, p.reference) == carries
    ]


def terms(line: ResultLine, mapping: ResultMapping) -> list[tuple[int, Unit]]:
    """The line's terms: from its prompts, else from its structured duration."""
    found = [t for v in prompt_values(line, "term", mapping) if (t := term(v, mapping)) is not None]
    if found:
        return found
    d = line.duration
    if d is not None and d.value is not None and d.unit:
        unit = mapping.unit(d.unit)
        if unit is not None and unit != "hours":
            return [(d.value, unit)]
    return []


def end_dates(line: ResultLine, mapping: ResultMapping) -> list[date]:
    found = [day for v in prompt_values(line, "end_date", mapping) if (day := parse_day(v)) is not None]
    if not found and line.duration is not None and (day := parse_day(line.duration.end_date)) is not None:
        found = [day]
    return found


def ends(line: ResultLine, hearing: date, mapping: ResultMapping) -> list[date]:
    """When the line's order or requirement ends: its end date, else its term from its start date (or, with
    none, from the hearing)."""
    found = end_dates(line, mapping)
    if found:
        return found
    starts = [day for v in prompt_values(line, "start_date", mapping) if (day := parse_day(v)) is not None]
    start = starts[0] if starts else hearing
    return [day for value, unit in terms(line, mapping) if (day := end_after(start, value, unit)) is not None]


def counted(line: ResultLine, carries: Carries, unit: Unit, mapping: ResultMapping) -> int | None:
    """A whole number the line carries (days of activity, hours of unpaid work): a prompt, else a duration."""
    for value in prompt_values(line, carries, mapping):
        text = value.split()[0] if value.split() else value
        if text.isdigit():
            return int(text)
        if (t := term(value, mapping)) is not None and t[1] == unit:
            return t[0]
    d = line.duration
    for number, name in ((d.value, d.unit), (d.secondary_value, d.secondary_unit)) if d else ():
        if number is not None and name and mapping.unit(name) == unit:
            return number
    return None


def _add_months(day: date, months: int) -> date:
    # Calendar months, clamped to the month's last day (31 August + 6 months is the last of February).
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (following - timedelta(days=1)).day))


def end_after(start: date, value: int, unit: Unit) -> date | None:
    """The day a term of `value` `unit` from `start` ends, as courts write it ("made until 26/09/2012" for
    12 months from 26/09/2011): the same day of the month, `value` months on."""
    if unit == "months":
        return _add_months(start, value)
    if unit == "years":
        return _add_months(start, 12 * value)
    if unit == "weeks":
        return start + timedelta(weeks=value)
    if unit == "days":
        return start + timedelta(days=value)
    return None


def _clock(text: str) -> float | None:
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return hour + minute / 60


def curfew_hours(line: ResultLine, mapping: ResultMapping) -> float | None:
    """Hours a day under curfew: from its start and end times (overnight wraps), an hours duration
    (SPI's secondary duration in H), or "between 8 pm and 7 am" in the result's text."""
    starts = prompt_values(line, "curfew_from", mapping)
    ends = prompt_values(line, "curfew_until", mapping)
    pair: tuple[str, str] | None = (starts[0], ends[0]) if starts and ends else None
    if pair is None:
        d = line.duration
        if d is not None and d.secondary_value is not None and mapping.unit(d.secondary_unit or "") == "hours":
            return float(d.secondary_value)
        match = _BETWEEN.search(line.text or "")
        pair = (match.group(1), match.group(2)) if match else None
    if pair is None:
        return None
    start, end = _clock(pair[0]), _clock(pair[1])
    if start is None or end is None:
        return None
    hours = (end - start) % 24
    return hours or None
