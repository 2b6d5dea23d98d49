"""Retention decisions: the shipped policy, a service's own periods, and when each record falls due."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain import retention as rt

SHIPPED = (Path(__file__).resolve().parents[2] / "domain" / "rules" / "retention.toml").read_text()


def facts(**kw: object) -> rt.RecordFacts:
    base: dict[str, object] = {
        "kind": "child_record",
        "yjs": "luton",
        "subject": "C-1",
        "child_id": "C-1",
        "open": False,
    }
    return rt.RecordFacts.model_validate({**base, **kw})


def test_the_shipped_child_rule_is_the_later_of_the_25th_birthday_and_six_years_after_closure() -> None:
    policy = rt.parse_policy(SHIPPED)
    rule = policy.rule("luton", "child_record")
    assert rule.unconfirmed and "[U]" in rule.describe()
    # Closed at 17: the 25th birthday (2036) is later than six years on (2034).
    assert rt.erase_on(rule, facts(date_of_birth=date(2011, 3, 4), last_closed=date(2028, 6, 1))) == date(2036, 3, 4)
    # Closed at 22 (a transfer kept it open): six years on is later.
    assert rt.erase_on(rule, facts(date_of_birth=date(2011, 3, 4), last_closed=date(2033, 6, 1))) == date(2039, 6, 1)


def test_nothing_is_erased_while_open_or_on_a_guess() -> None:
    rule = rt.parse_policy(SHIPPED).rule("luton", "child_record")
    assert rt.erase_on(rule, facts(open=True, date_of_birth=date(1990, 1, 1), last_closed=date(2000, 1, 1))) is None
    assert rt.erase_on(rule, facts(date_of_birth=None, last_closed=date(2000, 1, 1))) is None
    assert rt.erase_on(rule, facts(date_of_birth=date(1990, 1, 1), last_closed=None)) is None


def test_a_service_sets_its_own_period_and_a_bad_file_names_the_field() -> None:
    own = '[services.bedford.victim_details]\nyears_after_closure = 2\nsource = "Bedford victim policy 2026"\n'
    policy = rt.parse_policy(SHIPPED, own, source_name="bedford.toml")
    victim = facts(kind="victim_details", yjs="bedford", subject="V-1", last_closed=date(2026, 1, 10))
    assert rt.erase_on(policy.rule("bedford", "victim_details"), victim) == date(2028, 1, 10)
    assert rt.erase_on(policy.rule("luton", "victim_details"), victim) == date(2032, 1, 10)
    with pytest.raises(ValueError, match=r"bedford\.toml: services\.bedford\.victim_details\.years_after_closure"):
        rt.parse_policy(SHIPPED, own.replace("= 2", "= -1"), source_name="bedford.toml")
    with pytest.raises(ValueError, match="needs until_age, years_after_closure or both"):
        rt.parse_policy(SHIPPED, '[services.x.child_record]\nsource = "s"\n')
    with pytest.raises(ValueError, match="only \\[services"):
        rt.parse_policy(SHIPPED, '[defaults.child_record]\nuntil_age = 18\nsource = "s"\n')


def test_due_within_lists_the_next_days_soonest_first_and_never_a_held_record() -> None:
    policy = rt.parse_policy(SHIPPED)
    records = [
        facts(subject="C-late", child_id="C-late", date_of_birth=date(2001, 12, 20), last_closed=date(2018, 1, 1)),
        facts(subject="C-now", child_id="C-now", date_of_birth=date(2001, 11, 1), last_closed=date(2018, 1, 1)),
        facts(
            subject="C-held",
            child_id="C-held",
            date_of_birth=date(2001, 11, 1),
            last_closed=date(2018, 1, 1),
            held=True,
        ),
        facts(subject="C-far", child_id="C-far", date_of_birth=date(2005, 1, 1), last_closed=date(2022, 1, 1)),
    ]
    today = date(2026, 12, 2)
    assert [d.facts.subject for d in rt.due_within(policy, records, today=today)] == ["C-now"]
    soon = rt.due_within(policy, records, today=today, days=30)
    assert [(d.facts.subject, d.erase_on) for d in soon] == [
        ("C-now", date(2026, 11, 1)),
        ("C-late", date(2026, 12, 20)),
    ]
