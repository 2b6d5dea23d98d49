"""Computing a recorded deadline from a rule, a clock-start date and the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import WorkingCalendar
from domain.deadlines import compute_deadline
from domain.events import DeadlineScheduled, parse_payload
from domain.rules import RulePack, apply_overrides, parse_rule_pack

CALENDAR = WorkingCalendar.england_and_wales()
PACK = parse_rule_pack((Path(__file__).resolve().parents[2] / "domain" / "rules" / "default.toml").read_text())


def _utc(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _deadline(
    rule_id: str, clock_start: date, *, amount: int | None = None, pack: RulePack = PACK, **kwargs: date
) -> DeadlineScheduled:
    return compute_deadline(
        pack.rule(rule_id),
        clock_start,
        CALENDAR,
        deadline_id=f"d-{rule_id}",
        rule_pack_version=pack.version,
        amount=amount,
        **kwargs,
    )


def test_first_contact_is_five_working_days_with_default_reminders() -> None:
    """ro.first_contact from Mon 13 May 2024 is due Mon 20 May, reminded at 5 WD, 1 WD and on the day."""
    deadline = _deadline("ro.first_contact", date(2024, 5, 13))
    assert deadline.due_date == date(2024, 5, 20)
    assert deadline.period_end is None
    assert deadline.due_at == _utc(2024, 5, 20, 23)
    assert deadline.escalate_at == _utc(2024, 5, 21, 8)
    assert deadline.reminders == [_utc(2024, 5, 13, 8), _utc(2024, 5, 17, 8), _utc(2024, 5, 20, 8)]


def test_deadline_records_provenance_and_versions() -> None:
    """The recorded deadline copies the rule's provenance and both versions in force."""
    deadline = _deadline("ro.initial_panel", date(2024, 3, 1))
    rule = PACK.rule("ro.initial_panel")
    assert deadline.deadline_id == "d-ro.initial_panel"
    assert deadline.rule_id == "ro.initial_panel"
    assert deadline.rule_pack_version == "2026.11-1"
    assert deadline.calendar_version == CALENDAR.version
    assert deadline.rule_type == "guidance"
    assert deadline.rule_kind == "deadline"
    assert (deadline.confidence, deadline.unconfirmed) == ("U", True)
    assert (deadline.source, deadline.description) == (rule.source, rule.description)
    assert deadline.clock_start == date(2024, 3, 1)


def test_initial_panel_over_easter_with_reminders_in_gmt_and_bst() -> None:
    """ro.initial_panel from Fri 1 Mar 2024 skips Easter to Tue 2 Apr; 09:00 moves to BST after 31 Mar."""
    deadline = _deadline("ro.initial_panel", date(2024, 3, 1))
    assert deadline.due_date == date(2024, 4, 2)
    assert deadline.reminders == [
        _utc(2024, 3, 22, 9),  # 5 WD before, GMT
        _utc(2024, 3, 28, 9),  # 1 WD before (Thu: Good Friday and Easter Monday are closed), GMT
        _utc(2024, 4, 2, 8),  # the due day, 09:00 BST
    ]
    assert deadline.due_at == _utc(2024, 4, 2, 23)
    assert deadline.escalate_at == _utc(2024, 4, 3, 8)


def test_progress_panel_landing_on_a_saturday_rolls_back() -> None:
    """Three months from Fri 1 Mar 2024 is Sat 1 Jun, so the progress panel is due Fri 31 May."""
    deadline = _deadline("ro.progress_panel", date(2024, 3, 1))
    assert deadline.period_end == date(2024, 6, 1)
    assert deadline.due_date == date(2024, 5, 31)
    assert deadline.due_at == _utc(2024, 5, 31, 23)
    assert deadline.escalate_at == _utc(2024, 6, 3, 8)


def test_progress_panel_landing_on_a_bank_holiday_rolls_back() -> None:
    """Three months from 27 Feb 2024 is the Spring bank holiday, Mon 27 May, so it is due Fri 24 May."""
    deadline = _deadline("ro.progress_panel", date(2024, 2, 27))
    assert deadline.period_end == date(2024, 5, 27)
    assert deadline.due_date == date(2024, 5, 24)


def test_order_end_is_a_fixed_date_never_moved() -> None:
    """A 6-month referral order from a contract signed 1 Mar 2024 ends Sun 1 Sep 2024, unmoved."""
    deadline = _deadline("ro.end", date(2024, 3, 1), amount=6)
    assert deadline.rule_kind == "fixed_date"
    assert deadline.due_date == deadline.period_end == date(2024, 9, 1)
    assert deadline.reminders == []
    assert deadline.due_at == _utc(2024, 9, 1, 23)
    assert deadline.escalate_at == _utc(2024, 9, 2, 8)


def test_order_end_clamps_to_the_month_end() -> None:
    """A 1-month order from 31 Jan 2024 ends on 29 Feb 2024."""
    assert _deadline("ro.end", date(2024, 1, 31), amount=1).due_date == date(2024, 2, 29)


def test_order_end_needs_the_orders_months() -> None:
    """A rule with no default amount refuses to compute without one."""
    with pytest.raises(ValueError, match=r"ro\.end has no default amount"):
        _deadline("ro.end", date(2024, 3, 1))


def test_final_panel_reminders_at_twenty_and_five_working_days() -> None:
    """A compliance end of Mon 2 Sep 2024 puts the final panel on Fri 30 Aug, reminded 20 and 5 WD before."""
    deadline = _deadline("ro.final_panel", date(2024, 9, 2))
    assert deadline.due_date == date(2024, 8, 30)
    assert deadline.reminders == [
        _utc(2024, 8, 1, 8),  # 20 WD before, skipping the Summer bank holiday on 26 Aug
        _utc(2024, 8, 22, 8),  # 5 WD before
        _utc(2024, 8, 30, 8),  # the due day
    ]


def test_not_before_drops_reminders_already_past() -> None:
    """Reminders on days before `not_before` are dropped (a final panel scheduled late)."""
    deadline = _deadline("ro.final_panel", date(2024, 9, 2), not_before=date(2024, 8, 15))
    assert deadline.reminders == [_utc(2024, 8, 22, 8), _utc(2024, 8, 30, 8)]


def test_ctl_expiring_on_easter_monday_rolls_back() -> None:
    """A 56-day CTL from Mon 5 Feb 2024 would end on Easter Monday; it expires Thu 28 Mar."""
    deadline = _deadline("remand.ctl", date(2024, 2, 5), amount=56)
    assert deadline.period_end == date(2024, 4, 1)
    assert deadline.due_date == date(2024, 3, 28)
    assert deadline.due_at == _utc(2024, 3, 29, 0)
    assert deadline.escalate_at == _utc(2024, 4, 2, 8)


def test_ctl_on_a_working_day_is_not_moved() -> None:
    """A 56-day CTL from Fri 1 Mar 2024 expires on Fri 26 Apr 2024."""
    deadline = _deadline("remand.ctl", date(2024, 3, 1), amount=56)
    assert deadline.due_date == deadline.period_end == date(2024, 4, 26)


def test_next_hearing_check_in_clear_days_is_not_moved() -> None:
    """Remanded on Fri 1 Mar 2024, the next appearance must be by Sun 10 Mar: a limit, not rolled."""
    deadline = _deadline("remand.next_hearing", date(2024, 3, 1))
    assert deadline.due_date == deadline.period_end == date(2024, 3, 10)


def test_one_week_is_seven_calendar_days() -> None:
    """The first social-worker visit after a placement starting Mon 3 Jun 2024 is due Mon 10 Jun."""
    deadline = _deadline("remand.sw_first_visit", date(2024, 6, 3))
    assert deadline.due_date == deadline.period_end == date(2024, 6, 10)


def test_revocation_bar_is_a_block_without_reminders() -> None:
    """The 3-month bar from 1 Mar 2024 ends Sat 1 Jun; it has no default reminders."""
    deadline = _deadline("ro.revocation_bar", date(2024, 3, 1))
    assert deadline.rule_kind == "block"
    assert deadline.period_end == date(2024, 6, 1)
    assert deadline.due_date == date(2024, 5, 31)
    assert deadline.reminders == []


def test_short_deadline_is_reminded_only_on_the_due_day() -> None:
    """A 1-WD follow-up after an appointment missed on Fri 5 Jul 2024 is reminded on Mon 8 Jul only."""
    deadline = _deadline("yro.missed_followup", date(2024, 7, 5))
    assert deadline.due_date == date(2024, 7, 8)
    assert deadline.reminders == [_utc(2024, 7, 8, 8)]


def test_reminder_before_the_clock_start_day_is_dropped() -> None:
    """A 5-WD rule started on Sat 2 Mar 2024 drops the 5-WD reminder, which would fall on Fri 1 Mar."""
    deadline = _deadline("ro.first_contact", date(2024, 3, 2))
    assert deadline.due_date == date(2024, 3, 8)
    assert deadline.reminders == [_utc(2024, 3, 7, 9), _utc(2024, 3, 8, 9)]


def test_month_before_release_counts_back_and_keeps_reminders() -> None:
    """The pre-release review for release on Wed 1 Oct 2025 is due Mon 1 Sep, with default reminders."""
    deadline = _deadline("custody.pre_release", date(2025, 10, 1))
    assert deadline.period_end == deadline.due_date == date(2025, 9, 1)
    assert deadline.reminders == [_utc(2025, 8, 22, 8), _utc(2025, 8, 29, 8), _utc(2025, 9, 1, 8)]


def test_same_day_contact_on_release() -> None:
    """A release-day contact is due on the release day; a Saturday release makes it due on Monday
    (a workflow once hung retrying the old ValueError here)."""
    assert _deadline("custody.release_contact", date(2025, 10, 1)).due_date == date(2025, 10, 1)
    assert _deadline("custody.release_contact", date(2025, 10, 4)).due_date == date(2025, 10, 6)


def test_local_override_changes_the_due_date_and_recorded_version() -> None:
    """A YJS setting first contact to 3 WD moves the due date and records the overridden pack version."""
    local = apply_overrides(PACK, '[rules."ro.first_contact"]\namount = 3\n', source_name="yjs-leeds")
    deadline = _deadline("ro.first_contact", date(2024, 5, 13), pack=local)
    assert deadline.due_date == date(2024, 5, 16)
    assert deadline.rule_pack_version.startswith("2026.11-1+yjs-leeds:")
    assert deadline.rule_pack_version != _deadline("ro.first_contact", date(2024, 5, 13)).rule_pack_version


def test_local_reminders_replace_the_default_policy() -> None:
    """A rule's own reminder days replace the 5-and-1 default."""
    local = apply_overrides(PACK, '[rules."ro.initial_panel"]\nreminders_wd_before = [10]\n', source_name="yjs-a")
    deadline = _deadline("ro.initial_panel", date(2024, 3, 1), pack=local)
    assert deadline.reminders == [_utc(2024, 3, 15, 9), _utc(2024, 4, 2, 8)]


def test_amount_argument_replaces_the_rules_amount() -> None:
    """A CTL of 70 days is supplied per remand."""
    deadline = _deadline("remand.ctl", date(2024, 3, 1), amount=70)
    assert deadline.period_end == date(2024, 5, 10)


def test_deadline_round_trips_as_an_event_payload() -> None:
    """A computed deadline survives being stored as JSON and read back by its event type."""
    deadline = _deadline("ro.initial_panel", date(2024, 3, 1))
    restored = parse_payload(deadline.event_type, deadline.model_dump(mode="json"))
    assert restored == deadline


rule_ids = st.sampled_from(
    sorted(rule_id for rule_id, rule in PACK.rules.items() if rule.amount is not None and rule.amount != 0)
)


@given(rule_ids, st.dates(min_value=date(2001, 1, 1), max_value=date(2058, 12, 31)))
def test_every_shipped_rule_gives_a_consistent_deadline(rule_id: str, clock_start: date) -> None:
    """Every dated rule gives sorted UTC reminders no later than its due day and escalation after it."""
    rule = PACK.rule(rule_id)
    deadline = _deadline(rule_id, clock_start)
    if rule.kind != "fixed_date" and rule.unit not in ("clear_days", "ctl_days"):
        assert CALENDAR.is_working_day(deadline.due_date)
    if deadline.period_end is not None and rule.kind != "fixed_date":
        assert deadline.due_date <= deadline.period_end
    assert deadline.reminders == sorted(set(deadline.reminders))
    assert all(r.utcoffset() == timedelta(0) for r in deadline.reminders)
    assert all(r < deadline.due_at for r in deadline.reminders)
    if deadline.due_date >= clock_start:
        # 09:00 London is 08:00 or 09:00 UTC, so the UTC date is the London date.
        assert all(r.date() >= clock_start for r in deadline.reminders)
    assert deadline.due_at < deadline.escalate_at
