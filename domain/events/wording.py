"""The words every event's sentence is written in: one date format, one time format, lists in prose,
rule names before rule ids, and a rule's standing in the words a worker uses.

GOV.UK style: "Tuesday 13 October 2026", "9am", "2:30pm", "midday"; every date and time on the
Europe/London calendar, since that is the day it happened for the child, the worker and the court.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from domain.calendar import LONDON

__all__ = [
    "RuleNames",
    "and_list",
    "at",
    "clock",
    "count",
    "day",
    "days_in_brief",
    "ordinal",
    "recipient",
    "reminders",
    "rule",
    "rule_name_of",
    "standing",
    "when",
    "words",
]

# Rule id → the rule's name (from the rule pack), so a sentence can name a rule before its id.
RuleNames = Mapping[str, str]

_MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@functools.lru_cache(maxsize=8192)  # a timeline says the same few hundred days thousands of times
def day(d: date) -> str:
    """'Tuesday 13 October 2026'."""
    return f"{_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month]} {d.year}"


_ISO_DAY = re.compile(r"(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])")


def days_in_words(text: str) -> str:
    """Text kept in an event (a reason the system wrote, a court's summary) with each ISO day as a day:
    'closed on 2026-10-05' → 'closed on Monday 5 October 2026'. A string that is no real day stays."""

    def one(m: re.Match[str]) -> str:
        try:
            return day(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]

    return _ISO_DAY.sub(one, text)


def clock(instant: datetime) -> str:
    """The London wall-clock time: '9am', '2:30pm', 'midday', 'midnight'."""
    t = instant.astimezone(LONDON)
    if (t.hour, t.minute) == (0, 0):
        return "midnight"
    if (t.hour, t.minute) == (12, 0):
        return "midday"
    hour = t.hour % 12 or 12
    minutes = f":{t.minute:02d}" if t.minute else ""
    return f"{hour}{minutes}{'am' if t.hour < 12 else 'pm'}"


def at(instant: datetime) -> str:
    """'9am on Tuesday 6 October 2026', in London."""
    return f"{clock(instant)} on {day(instant.astimezone(LONDON).date())}"


def when(instant: datetime) -> str:
    """When something took effect: the London day alone at midnight (a step's effective date), else
    the time and day ('12:30am on Monday 7 September 2026')."""
    t = instant.astimezone(LONDON)
    return day(t.date()) if (t.hour, t.minute) == (0, 0) else at(t)


def and_list(items: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    parts = [p for p in items if p]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def days_in_brief(days: Sequence[date], *, year: int) -> str:
    """'6, 12 and 13 October' (the year only where it is not `year`): several dates in one phrase."""
    groups: list[tuple[int, int, list[int]]] = []
    for d in sorted(set(days)):
        if groups and groups[-1][:2] == (d.year, d.month):
            groups[-1][2].append(d.day)
        else:
            groups.append((d.year, d.month, [d.day]))
    phrases = [
        f"{and_list(str(n) for n in numbers)} {_MONTHS[month]}{'' if y == year else f' {y}'}"
        for y, month, numbers in groups
    ]
    return and_list(phrases)


def reminders(instants: Sequence[datetime], *, year: int) -> str:
    """'Reminders 6, 12 and 13 October at 9am.' ('' when there are none): London days grouped by time."""
    if not instants:
        return ""
    by_time: dict[str, list[date]] = {}
    for instant in sorted(instants):
        by_time.setdefault(clock(instant), []).append(instant.astimezone(LONDON).date())
    phrases = [f"{days_in_brief(days, year=year)} at {time}" for time, days in by_time.items()]
    return f"{'Reminder' if len(instants) == 1 else 'Reminders'} {and_list(phrases)}."


_ORDINALS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal(n: int) -> str:
    """'first' … 'tenth', then '11th', '22nd'."""
    if 0 < n < len(_ORDINALS):
        return _ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 month', '3 months'."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def recipient(who: str) -> str:
    """Who a notice went to: a username as it is, 'team:luton' as 'the luton team'."""
    group, _, yjs = who.partition(":")
    if yjs and group == "team":
        return f"the {yjs} team"
    if yjs and group == "managers":
        return f"the {yjs} managers"
    return who


def words(code: str) -> str:
    """A stored code in plain words, for codes no table below names: 'no_response' → 'no response'."""
    return code.replace("_", " ")


_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def rule_name_of(description: str) -> str:
    """A rule's name from its description in the pack: the words before any colon or semicolon, less asides
    in brackets.

    'First YJS appointment with the child (then a home visit, …)' → 'First YJS appointment with the child'."""
    name = re.split(r": |; ", _PARENTHESES.sub("", description), maxsplit=1)[0].strip().rstrip(".")
    return name or description


def rule(rule_id: str, names: RuleNames, *, fallback: str | None = None) -> str:
    """A rule's name and then its id: 'First YJS appointment with the child (rule ro.first_contact)'."""
    name = names.get(rule_id) or (rule_name_of(fallback) if fallback else None)
    return f"{name} (rule {rule_id})" if name else f"Rule {rule_id}"


# A rule's type in the rule pack (domain.rules.RuleType), as a worker would say where it comes from.
_STANDING = {
    "statute": "statutory",
    "code": "Victims' Code",
    "guidance": "national guidance",
    "legacy_standard": "national standard",
    "local": "local practice",
    "policy": "service policy",
}


def standing(rule_type: str, *, unconfirmed: bool) -> str:
    """'statutory', 'local practice', 'national guidance, [U] unconfirmed'."""
    said = _STANDING.get(rule_type, words(rule_type))
    return f"{said}, [U] unconfirmed" if unconfirmed else said
