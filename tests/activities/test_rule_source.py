"""The rule pack and calendar in force: the shipped pack, a YJS's overrides file, the override table."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from activities.db import open_pool
from activities.rule_source import load_calendar, load_rule_pack
from domain.deadlines import compute_deadline
from domain.rules import RuleOverrideError


def yjflow(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "YJFLOW_DATA_DIR": "/nonexistent-yjflow-data"}
    return subprocess.run(
        [sys.executable, "-m", "client.cli", *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_overrides_file_changes_a_local_rule_and_the_pack_version(tmp_path: Path) -> None:
    """A YJS may shorten ro.first_contact; the version records which file did it."""
    f = tmp_path / "luton.toml"
    f.write_text('[rules."ro.first_contact"]\namount = 3\n')
    pack = load_rule_pack(f)
    assert pack.rule("ro.first_contact").amount == 3
    assert pack.version.startswith(load_rule_pack(None).version + "+luton.toml:")


def test_an_edited_overrides_file_applies_at_the_next_load(tmp_path: Path) -> None:
    """The parsed pack is kept by the files' text, never by the path: an edit to the YJS's file applies to
    the next deadline scheduled without a restart, and a bad edit is refused every time it is loaded."""
    f = tmp_path / "luton.toml"
    f.write_text('[rules."ro.first_contact"]\namount = 3\n')
    assert load_rule_pack(f) is load_rule_pack(f)  # the same text: parsed once
    f.write_text('[rules."ro.first_contact"]\namount = 4\n')
    assert load_rule_pack(f).rule("ro.first_contact").amount == 4
    f.write_text('[rules."ro.final_panel"]\namount = -5\n')
    for _ in range(2):
        with pytest.raises(RuleOverrideError, match="statute"):
            load_rule_pack(f)
    f.write_text('[rules."ro.first_contact"]\namount = 3\n')
    assert load_rule_pack(f).rule("ro.first_contact").amount == 3


def test_overrides_file_cannot_touch_a_statute_rule(tmp_path: Path) -> None:
    """A statute rule is refused with the reason."""
    f = tmp_path / "bad.toml"
    f.write_text('[rules."ro.final_panel"]\namount = -5\n')
    with pytest.raises(RuleOverrideError, match="statute"):
        load_rule_pack(f)


async def test_calendar_override_added_by_cli_moves_new_deadlines(fresh_database_url: str) -> None:
    """`yjflow calendar add-holiday` makes a day a bank holiday for deadlines computed afterwards, and
    the calendar version changes so each DeadlineScheduled says which calendar it used."""
    pool = await open_pool(fresh_database_url)
    try:
        before = await load_calendar(pool)
        rule = load_rule_pack(None).rule("ro.first_contact")
        due_before = compute_deadline(rule, date(2027, 6, 7), before, deadline_id="x#1", rule_pack_version="v").due_date
        result = yjflow(
            "calendar",
            "add-holiday",
            "2027-06-09",
            "--reason",
            "one-off holiday",
            "--source",
            "proclamation",
            database_url=fresh_database_url,
        )
        assert result.returncode == 0, result.stderr
        after = await load_calendar(pool)
        assert after.is_bank_holiday(date(2027, 6, 9))
        assert after.version != before.version
        due_after = compute_deadline(rule, date(2027, 6, 7), after, deadline_id="x#1", rule_pack_version="v").due_date
        assert (due_before, due_after) == (date(2027, 6, 14), date(2027, 6, 15))
        listed = yjflow("calendar", "list", database_url=fresh_database_url)
        assert "2027-06-09" in listed.stdout and after.version in listed.stdout
    finally:
        await pool.close()
