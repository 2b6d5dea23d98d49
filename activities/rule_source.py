"""Where the rule pack and the calendar in force come from: the shipped pack, the YJS's overrides file,
and the `calendar_overrides` table. Overrides are read fresh for each schedule so a change applies to
new deadlines without a restart (the shipped pack is parsed once, an overrides file once per text);
deadlines already scheduled keep the versions recorded with them. The table's writes (`yjflow calendar`)
sit beside its read so its columns are named in one module.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal, NamedTuple

import psycopg

from activities.db import Pool
from domain.calendar import HolidayOverride, WorkingCalendar
from domain.corrections import CorrectionPolicy
from domain.corrections import load_policy as load_correction_policy
from domain.court_results import CourtCentre, ResultMapping, parse_court_centres, parse_result_mapping
from domain.inspection import SamplePolicy, load_policy
from domain.retention import RetentionPolicy, parse_policy
from domain.rules import RulePack, apply_overrides, parse_rule_pack


@lru_cache(maxsize=1)
def default_rule_pack() -> RulePack:
    """The shipped pack (it never changes while a process runs), parsed once."""
    return parse_rule_pack(resources.files("domain").joinpath("rules/default.toml").read_text(encoding="utf-8"))


def inspection_policy() -> SamplePolicy:
    """The inspection sample's sizes in force: the shipped `domain/rules/inspection.toml`."""
    return load_policy(resources.files("domain").joinpath("rules/inspection.toml").read_text(encoding="utf-8"))


def correction_policy(configured: Path | None) -> CorrectionPolicy:
    """Which corrections need a manager: the YJS's file (`configured`), else the shipped policy; read on
    each correction, so a change applies without a restart."""
    if configured is not None:
        return load_correction_policy(configured.read_text(encoding="utf-8"), source_name=configured.name)
    shipped = resources.files("domain").joinpath("rules/corrections.toml").read_text(encoding="utf-8")
    return load_correction_policy(shipped)


@lru_cache(maxsize=1)
def court_result_mapping() -> ResultMapping:
    """The shipped mapping of the courts' result codes, prompts and status letters (it never changes)."""
    text = resources.files("domain").joinpath("court_results/results.toml").read_text(encoding="utf-8")
    return parse_result_mapping(text)


def court_centres(configured: Path | None) -> dict[str, CourtCentre]:
    """The deployment's court centres (`configured`), else the shipped examples; read on each message, as
    the rule pack is for each schedule, so a change applies without a restart."""
    if configured is not None:
        return parse_court_centres(configured.read_text(encoding="utf-8"), source_name=configured.name)
    shipped = resources.files("domain").joinpath("court_results/court_centres.toml")
    return parse_court_centres(shipped.read_text(encoding="utf-8"))


def retention_policy(overrides_file: Path | None) -> RetentionPolicy:
    """The shipped retention periods with the deployment's per-service ones (YJFLOW_RETENTION_FILE), read
    at each sweep and preview so a change applies the next day without a restart."""
    shipped = resources.files("domain").joinpath("rules/retention.toml").read_text(encoding="utf-8")
    if overrides_file is None:
        return parse_policy(shipped)
    return parse_policy(shipped, overrides_file.read_text(encoding="utf-8"), source_name=overrides_file.name)


def load_rule_pack(overrides_file: Path | None) -> RulePack:
    """The shipped pack with the YJS's overrides applied; a bad or statute override is a loud error."""
    if overrides_file is None:
        return default_rule_pack()
    return _overridden_pack(overrides_file.read_text(encoding="utf-8"), overrides_file.name)


# The overrides file is read at every schedule, so an edit applies to the next deadline; the same text
# gives the same (frozen) pack, so it is parsed once. Parsing and validating the pack at every schedule
# was a tenth of the worker's CPU at intake.
@lru_cache(maxsize=8)
def _overridden_pack(overrides: str, source_name: str) -> RulePack:
    return apply_overrides(default_rule_pack(), overrides, source_name=source_name)


async def load_calendar(pool: Pool) -> WorkingCalendar:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT day, action, reason, source FROM calendar_overrides ORDER BY day")
        rows = await cur.fetchall()
    return _calendar(tuple((r["day"], r["action"], r["reason"], r["source"]) for r in rows))


@lru_cache(maxsize=4)
def _calendar(rows: tuple[tuple[date, str, str, str], ...]) -> WorkingCalendar:
    # Building the calendar walks sixty years of days and the holidays library (about 40 ms, 85% of a
    # child's timeline on 10M events). The overrides are still read on every call, so a new one applies
    # at once; the same overrides give the same (immutable) calendar.
    overrides = [HolidayOverride(day=d, action=a, reason=r, source=s) for d, a, r, s in rows]
    return WorkingCalendar.england_and_wales(overrides)


OverrideAction = Literal["add_holiday", "remove_holiday"]


class OverrideRow(NamedTuple):
    """One row of `calendar_overrides` as stored, with who made it."""

    day: date
    action: OverrideAction  # the table's CHECK holds it to these two
    reason: str
    source: str
    created_by: str


# The two below are synchronous and take a URL: the `yjflow calendar` commands run one statement and exit,
# and a pool would wait out its timeout on a bad DATABASE_URL where a plain connection fails at once.


def set_calendar_override(
    url: str, day: date, action: OverrideAction, reason: str, source: str, created_by: str
) -> None:
    """Make `day` a bank holiday or a working day; a second override of the same day replaces the first."""
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO calendar_overrides (day, action, reason, source, created_by) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (day) DO UPDATE SET action = EXCLUDED.action, reason = EXCLUDED.reason, "
            "source = EXCLUDED.source, created_by = EXCLUDED.created_by, created_at = now()",
            (day, action, reason, source, created_by),
        )


def list_calendar_overrides(url: str) -> list[OverrideRow]:
    """Every override, by day."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT day, action, reason, source, created_by FROM calendar_overrides ORDER BY day"
        ).fetchall()
    return [OverrideRow(*r) for r in rows]
