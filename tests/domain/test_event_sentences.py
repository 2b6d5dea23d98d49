"""Every event type has a title and a sentence, written beside its fields, in plain GOV.UK English:
London dates in one format, rule names before ids, no stored codes, lists, ISO times or Python values.

The examples are keyed by event type and the registry is walked, so a new event type without a
sentence (or without an example in tests/domain/event_examples.py) fails."""

from __future__ import annotations

import enum
import re
import types
import typing
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain import events as ev
from domain.deadlines import compute_deadline
from domain.events import sentences, wording
from domain.events.envelope import EventPayload
from tests.domain.event_examples import CALENDAR, EXAMPLES, FIRST_CONTACT, HEARING, NAMES, PACK

_RULE_ID = re.compile(r"\b[a-z]+(?:\.[a-z0-9_]+)+\b")
_NOT_PLAIN = {
    "an ISO date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "an ISO timestamp": re.compile(r"\dT\d|\d\d:\d\d|\+\d\d:\d\d|\dZ\b"),
    "a list or mapping": re.compile(r"[\[\]{}]"),
    "a Python value": re.compile(r"\b(True|False|None)\b"),
    "a stored code": re.compile(r"\b[a-z]+_[a-z0-9_]+\b"),
}


def assert_plain(text: str) -> None:
    """No ISO date or time, list, mapping, Python value or snake_case code (rule ids, shown second, aside)."""
    checked = _RULE_ID.sub("rule-id", text.replace("[U] unconfirmed", "unconfirmed"))
    for what, pattern in _NOT_PLAIN.items():
        found = pattern.search(checked)
        assert found is None, f"{what} ({found.group()!r}) in {text!r}"


def test_every_event_type_has_an_example_here() -> None:
    assert sorted(EXAMPLES) == sorted(ev.PAYLOAD_TYPES)


@pytest.mark.parametrize("event_type", sorted(ev.PAYLOAD_TYPES))
def test_every_event_type_has_its_own_title_and_sentence(event_type: str) -> None:
    cls = ev.PAYLOAD_TYPES[event_type]
    assert "describe" in vars(cls) and "title" in vars(cls), f"{event_type}: write title and describe beside its fields"
    assert cls.title and cls.title[0].isupper() and not cls.title.endswith(".")
    assert_plain(cls.title)
    payload, facts = EXAMPLES[event_type]
    said = sentences.sentence(event_type, payload, NAMES)
    assert said is not None
    assert said[0].isupper() and said.endswith("."), said
    assert_plain(said)
    for fact in facts:
        assert fact in said


def _values(annotation: Any) -> list[Any]:
    """Every value a field of this type can hold, where there are few: literals, enums, booleans, None."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return list(typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return [v for arg in typing.get_args(annotation) for v in _values(arg)]
    if annotation is type(None):
        return [None]
    if annotation is bool:
        return [True, False]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [member.value for member in annotation]
    if origin is list:
        return [[v] for v in _values(typing.get_args(annotation)[0])]
    if origin is typing.Annotated:
        return _values(typing.get_args(annotation)[0])
    return []


@pytest.mark.parametrize("event_type", sorted(ev.PAYLOAD_TYPES))
def test_every_code_an_event_can_store_has_words(event_type: str) -> None:
    """Each literal, enum, yes-or-no and blank a payload can hold reads as words (a code missing from a
    vocabulary would be a KeyError or show through)."""
    cls = ev.PAYLOAD_TYPES[event_type]
    payload, _ = EXAMPLES[event_type]
    tried = 0
    for name, field in cls.model_fields.items():
        for value in _values(field.annotation):
            said = cls.model_validate({**payload, name: value}).describe(NAMES)
            assert_plain(said)
            tried += 1
    assert tried or not any(_values(f.annotation) for f in cls.model_fields.values())


def test_a_deadline_reads_as_the_issue_asks() -> None:
    said = sentences.sentence("DeadlineScheduled", FIRST_CONTACT.model_dump(mode="json"), NAMES)
    assert said == (
        "First YJS appointment with the child: due by the end of Tuesday 13 October 2026"
        " (local practice, rule ro.first_contact). Reminders 6, 12 and 13 October at 9am."
    )


def test_every_rule_in_the_pack_reads_as_a_deadline() -> None:
    """A deadline of each rule of the shipped pack (each kind, type and confidence) is plain."""
    for rule in PACK.rules.values():
        amount = 56 if rule.unit == "ctl_days" else None if rule.amount is not None else 6
        due = compute_deadline(
            rule, date(2026, 12, 21), CALENDAR, deadline_id="d", rule_pack_version=PACK.version, amount=amount
        )
        said = due.describe(NAMES)
        assert_plain(said)
        assert f"rule {rule.id})" in said and said.startswith(wording.rule_name_of(rule.description))
        assert ("[U] unconfirmed" in said) is rule.unconfirmed


def test_a_calendar_period_ending_on_a_closed_day_says_both_days() -> None:
    # Three months from Friday 13 November 2026 end on Saturday 13 February 2027: due the Friday before.
    due = compute_deadline(
        PACK.rule("ro.progress_panel"), date(2026, 11, 13), CALENDAR, deadline_id="d", rule_pack_version="v"
    )
    said = due.describe(NAMES)
    assert "due by the end of Friday 12 February 2027, as the period ends on Saturday 13 February 2027" in said


def test_times_dates_and_lists_in_one_format() -> None:
    summer, winter = datetime(2026, 9, 6, 23, 30, tzinfo=UTC), datetime(2026, 12, 7, 14, 30, tzinfo=UTC)
    assert wording.at(summer) == "12:30am on Monday 7 September 2026"  # BST: the London day, not UTC's
    assert wording.at(winter) == "2:30pm on Monday 7 December 2026"
    assert [wording.clock(datetime(2026, 12, 7, h, tzinfo=UTC)) for h in (0, 9, 12, 13)] == [
        "midnight",
        "9am",
        "midday",
        "1pm",
    ]
    assert wording.days_in_brief([date(2026, 12, 30), date(2027, 1, 4), date(2026, 12, 29)], year=2026) == (
        "29 and 30 December and 4 January 2027"
    )
    winter_reminders = [datetime(2026, 12, d, 9, tzinfo=UTC) for d in (14, 18)] + [
        datetime(2026, 12, 21, 8, tzinfo=UTC)
    ]
    assert (
        wording.reminders(winter_reminders, year=2026) == "Reminders 14 and 18 December at 9am and 21 December at 8am."
    )
    assert wording.and_list(["a"]) == "a" and wording.and_list([]) == ""
    assert [wording.ordinal(n) for n in (1, 10, 11, 12, 21, 22, 23, 111)] == [
        "first",
        "tenth",
        "11th",
        "12th",
        "21st",
        "22nd",
        "23rd",
        "111th",
    ]


def test_days_kept_in_an_events_text_read_as_days() -> None:
    # A reason the system wrote, or a court's summary, may hold an ISO day: the sentence gives it in words.
    why = "the case closed on 2026-10-05, before this fell due"
    cancelled = sentences.sentence(
        "DeadlineCancelled", {"deadline_id": "d-1", "rule_id": "remand.lac_review_1", "why": why}, NAMES
    )
    assert cancelled is not None and "closed on Monday 5 October 2026, before" in cancelled
    amended = sentences.sentence(
        "OrderAmended",
        {"amended_date": "2026-12-01", "summary": "end date extended to 2028-02-15 by the court"},
        NAMES,
    )
    assert amended is not None and "extended to Tuesday 15 February 2028 by the court" in amended
    assert wording.days_in_words("on 2026-02-30 and x2026-01-01") == "on 2026-02-30 and x2026-01-01"


def test_titles_and_sentences_for_what_a_reader_may_not_see_in_full() -> None:
    # A victim's step on a child's timeline is its reference only, for most roles: its title, no sentence.
    assert sentences.sentence("SuitabilityDecided", {"victim_ref": "V-102"}, NAMES) is None
    assert sentences.title("VcsReferralMade") == "Referral to the Victim Contact Scheme made"
    assert sentences.title("RjInformationGiven") == "Restorative justice information given"
    # A type a newer writer stored, which this build does not know: words, not a class name.
    assert sentences.title("PanelRescheduledByChair") == "Panel rescheduled by chair"
    assert sentences.sentence("PanelRescheduledByChair", {}, NAMES) is None
    # A rule the names do not hold reads by its id alone.
    missed = ev.DeadlineMissed(deadline_id="d", rule_id="local.extra_visit", due_date=date(2026, 10, 13))
    assert missed.describe({}) == "Rule local.extra_visit: missed. It was due by the end of Tuesday 13 October 2026."


def test_the_base_payload_refuses_to_go_unsaid() -> None:
    class Unsaid(EventPayload):
        on: date

    try:
        with pytest.raises(NotImplementedError, match="Unsaid has no sentence"):
            Unsaid(on=HEARING).describe(NAMES)
    finally:
        del ev.PAYLOAD_TYPES["Unsaid"]  # the registry is global: leave it as the schema has it
