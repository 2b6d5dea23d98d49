"""Retention as policy: when each kind of personal record is due for erasure, and what a sweep erases.

Pure decisions over facts the activities gather (`activities.retention`): a record's last closure, the
child's date of birth, whether anything is still open, and the legal holds on it. The periods are policy
(`domain/rules/retention.toml`, overridden per service), never constants here.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

RecordKind = Literal["child_record", "victim_details"]
RECORD_KINDS: tuple[RecordKind, ...] = ("child_record", "victim_details")


class RetentionRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    until_age: int | None = Field(default=None, ge=18, le=120)
    years_after_closure: int | None = Field(default=None, ge=0, le=100)
    whichever: Literal["later", "earlier"] = "later"
    unconfirmed: bool = False
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_clock_at_least(self) -> RetentionRule:
        if self.until_age is None and self.years_after_closure is None:
            raise ValueError("a retention rule needs until_age, years_after_closure or both")
        return self

    def describe(self) -> str:
        parts = []
        if self.until_age is not None:
            parts.append(f"until the child's {self.until_age}th birthday")
        if self.years_after_closure is not None:
            parts.append(f"{self.years_after_closure} years after the last closure")
        text = " or ".join(parts) + (f", whichever is {self.whichever}" if len(parts) == 2 else "")
        return text + (" [U]" if self.unconfirmed else "")


class RetentionPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    defaults: dict[RecordKind, RetentionRule]
    services: dict[str, dict[RecordKind, RetentionRule]] = {}

    def rule(self, yjs: str, kind: RecordKind) -> RetentionRule:
        return self.services.get(yjs, {}).get(kind) or self.defaults[kind]


def parse_policy(shipped: str, overrides: str | None = None, *, source_name: str = "retention file") -> RetentionPolicy:
    """The shipped policy with a deployment's per-service rules; a bad file names the field at fault."""
    data = tomllib.loads(shipped)
    if overrides is not None:
        try:
            extra = tomllib.loads(overrides)
        except tomllib.TOMLDecodeError as e:
            raise ValueError(f"{source_name}: not TOML: {e}") from None
        unknown = sorted(set(extra) - {"services"})
        if unknown:
            raise ValueError(f"{source_name}: only [services.<yjs>.<kind>] tables may be set, not {', '.join(unknown)}")
        data["services"] = extra.get("services", {})
    try:
        return RetentionPolicy.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{source_name}: {where}: {first['msg']}") from None


def _birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February in a year without one
        return date(born.year + age, 3, 1)


def _years_after(day: date, years: int) -> date:
    return _birthday(day, years)


class RecordFacts(BaseModel):
    """What the sweep knows of one record."""

    model_config = ConfigDict(frozen=True)

    kind: RecordKind
    yjs: str
    subject: str = Field(description="The child id, or the victim ref.")
    child_id: str
    open: bool = Field(description="An open case (or an open victim contact) keeps the record whatever the rule.")
    last_closed: date | None = None
    date_of_birth: date | None = None
    held: bool = False


class ErasureDue(BaseModel):
    model_config = ConfigDict(frozen=True)

    facts: RecordFacts
    erase_on: date
    rule: str


def erase_on(rule: RetentionRule, facts: RecordFacts) -> date | None:
    """The first day the record may be erased, or None while it must be kept (open, or a clock whose start
    is unknown: a record is never erased on a guess)."""
    if facts.open:
        return None
    dates: list[date] = []
    if rule.until_age is not None:
        if facts.date_of_birth is None:
            return None
        dates.append(_birthday(facts.date_of_birth, rule.until_age))
    if rule.years_after_closure is not None:
        if facts.last_closed is None:
            return None
        dates.append(_years_after(facts.last_closed, rule.years_after_closure))
    return max(dates) if rule.whichever == "later" else min(dates)


def due_within(policy: RetentionPolicy, records: list[RecordFacts], *, today: date, days: int = 0) -> list[ErasureDue]:
    """Records due for erasure by `today + days` (0: due now), soonest first; held records are left out."""
    horizon = today + timedelta(days=days)
    due: list[ErasureDue] = []
    for facts in records:
        if facts.held:
            continue
        rule = policy.rule(facts.yjs, facts.kind)
        day = erase_on(rule, facts)
        if day is not None and day <= horizon:
            due.append(ErasureDue(facts=facts, erase_on=day, rule=rule.describe()))
    return sorted(due, key=lambda d: (d.erase_on, d.facts.kind, d.facts.yjs, d.facts.subject))


class SweepRequest(BaseModel):
    """What the daily sweep workflow asks its activity: the London day it runs for."""

    model_config = ConfigDict(frozen=True)

    day: date


class SweepSummary(BaseModel):
    """What a sweep did: counts by kind, and each failure by subject (ids only, never a detail)."""

    model_config = ConfigDict(frozen=True)

    day: date
    erased: dict[str, int] = {}
    failed: list[str] = []
