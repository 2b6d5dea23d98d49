"""The rule pack: every deadline the engine knows, as data with its provenance.

A pack is parsed from TOML text (the shipped `rules/default.toml`, read by the caller). A YJS may
override the amount, reminders or wording of any rule whose type is not `statute`; a statute rule
changes only in a new pack version. Every change shows in the pack's version, which is recorded on
each scheduled deadline.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

__all__ = [
    "OVERRIDABLE_FIELDS",
    "Kind",
    "Rule",
    "RuleOverrideError",
    "RulePack",
    "RulePackError",
    "RuleType",
    "Unit",
    "UnknownRule",
    "apply_overrides",
    "parse_rule_pack",
]

RULE_ID_PATTERN = r"^[a-z]+(\.[a-z0-9_]+)+$"
_UNCONFIRMED_TAG = re.compile(r"\bU\b")
OVERRIDABLE_FIELDS = ("amount", "description", "reminders_wd_before")

Unit = Literal["working_days", "calendar_months", "calendar_days", "weeks", "clear_days", "ctl_days", "order_months"]
Kind = Literal["deadline", "fixed_date", "block", "check"]


class RuleType(StrEnum):
    STATUTE = "statute"
    CODE = "code"
    GUIDANCE = "guidance"
    LEGACY_STANDARD = "legacy_standard"
    LOCAL = "local"
    POLICY = "policy"


class UnknownRule(KeyError):
    """A rule id the pack does not hold."""

    def __str__(self) -> str:
        # KeyError's own __str__ would wrap the message in quotes.
        return str(self.args[0]) if self.args else ""


class RulePackError(ValueError):
    """A rule pack that cannot be used, with the rule id and field at fault."""


class RuleOverrideError(ValueError):
    """A YJS override the pack refuses, naming the rule and why."""


class Rule(BaseModel):
    """One deadline rule: what starts its clock, how long it runs, and where the number comes from.

    `kind` says what the date means: a `deadline` is work due; a `fixed_date` is a date the law fixes
    and is never moved; a `block` is a bar on acting until it ends; a `check` validates a date
    another party (a court) sets.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=RULE_ID_PATTERN)
    order: str = Field(min_length=1)
    clock_start: str = Field(min_length=1)
    # Strict so a quoted "5" in a TOML file is an error rather than quietly a number.
    amount: StrictInt | None = None
    unit: Unit
    kind: Kind
    description: str = Field(min_length=1)
    type: RuleType
    confidence: str = Field(min_length=1)
    unconfirmed: StrictBool
    source: str = Field(min_length=1)
    reminders_wd_before: tuple[StrictInt, ...] | None = None

    @field_validator("reminders_wd_before")
    @classmethod
    def _reminders_are_distinct_working_days(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is None:
            return value
        if any(days < 1 for days in value):
            raise ValueError("each reminder must be a whole number of working days of at least 1")
        if len(set(value)) != len(value):
            raise ValueError("reminders must not repeat a day")
        return value

    @model_validator(mode="after")
    def _amount_left_out_only_when_supplied_per_case(self) -> Self:
        # TOML has no null, so a forgotten amount would look like "supplied per case": allow that
        # only where the length really comes from the order, sentence or remand.
        if self.amount is None and self.kind != "fixed_date" and self.unit != "ctl_days":
            raise ValueError(f"amount is required for a {self.kind} counted in {self.unit}")
        return self

    @model_validator(mode="after")
    def _unconfirmed_numbers_are_flagged(self) -> Self:
        # Every reminder a [U] rule fires must say so, so the flag cannot be forgotten in the pack.
        if _UNCONFIRMED_TAG.search(self.confidence) and not self.unconfirmed:
            raise ValueError(f"confidence {self.confidence!r} is unconfirmed, so unconfirmed must be true")
        return self


class RulePack(BaseModel):
    """A versioned set of rules keyed by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    rules: dict[str, Rule]

    @model_validator(mode="after")
    def _keys_are_rule_ids(self) -> Self:
        for key, rule in self.rules.items():
            if key != rule.id:
                raise ValueError(f"rule filed under {key!r} has id {rule.id!r}")
        return self

    def rule(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise UnknownRule(f"no rule {rule_id!r} in rule pack {self.version}") from None


def parse_rule_pack(toml_text: str) -> RulePack:
    """Parse and validate a rule pack: a top-level `version` and one `[rules."<id>"]` table per rule."""
    document = _load_toml(toml_text, what="rule pack", error=RulePackError)
    unknown = set(document) - {"version", "rules"}
    if unknown:
        raise RulePackError(f"rule pack has unknown top-level keys: {', '.join(sorted(unknown))}")
    version = document.get("version")
    if not isinstance(version, str) or not version:
        raise RulePackError("rule pack needs a top-level version string")
    tables = document.get("rules")
    if not isinstance(tables, dict) or not tables:
        raise RulePackError('rule pack has no [rules."<id>"] tables')
    rules = {rule_id: _parse_rule(rule_id, body) for rule_id, body in tables.items()}
    return RulePack(version=version, rules=rules)


def apply_overrides(pack: RulePack, overrides_toml: str, *, source_name: str) -> RulePack:
    """The pack with a YJS's overrides applied, or a `RuleOverrideError` naming what was refused.

    Only `amount`, `reminders_wd_before` and `description` of non-statute rules may change. The new
    version appends `source_name` and a hash of the overrides text, so a deadline's record shows
    which local configuration chose its date.
    """
    if not source_name or any(ch.isspace() for ch in source_name):
        raise RuleOverrideError(f"override source name {source_name!r} must be non-empty with no spaces")
    document = _load_toml(overrides_toml, what=f"overrides {source_name}", error=RuleOverrideError)
    unknown = set(document) - {"rules"}
    if unknown:
        raise RuleOverrideError(f"overrides {source_name} have unknown top-level keys: {', '.join(sorted(unknown))}")
    tables = document.get("rules", {})
    if not isinstance(tables, dict):
        raise RuleOverrideError(f'overrides {source_name}: rules must be tables like [rules."<id>"]')
    if not tables:
        return pack
    rules = dict(pack.rules)
    for rule_id, changes in tables.items():
        rules[rule_id] = _overridden(pack, rule_id, changes, source_name)
    digest = hashlib.sha256(overrides_toml.encode()).hexdigest()[:8]
    return RulePack(version=f"{pack.version}+{source_name}:{digest}", rules=rules)


def _load_toml(text: str, *, what: str, error: type[ValueError]) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} is not valid TOML: {exc}") from None


def _parse_rule(rule_id: str, body: object) -> Rule:
    if not isinstance(body, dict):
        raise RulePackError(f"rule {rule_id}: expected a table of fields")
    if "id" in body and body["id"] != rule_id:
        raise RulePackError(f"rule {rule_id}: field id is {body['id']!r}, which differs from its table name")
    try:
        return Rule.model_validate({**body, "id": rule_id})
    except ValidationError as exc:
        raise RulePackError(f"rule {rule_id}: {_describe(exc)}") from None


def _overridden(pack: RulePack, rule_id: str, changes: object, source_name: str) -> Rule:
    if rule_id not in pack.rules:
        raise RuleOverrideError(f"{rule_id} (in {source_name}) is not a rule in rule pack {pack.version}")
    rule = pack.rules[rule_id]
    if rule.type is RuleType.STATUTE:
        raise RuleOverrideError(
            f"{rule_id} is statute [{rule.confidence}]: a statute rule can only change in a new rule-pack version"
        )
    if not isinstance(changes, dict):
        raise RuleOverrideError(f"{rule_id}: expected a table of fields to change")
    for field in changes:
        if field not in OVERRIDABLE_FIELDS:
            reason = "cannot be changed by a YJS" if field in Rule.model_fields else "is not a rule field"
            raise RuleOverrideError(
                f"{rule_id}: field {field!r} {reason} (a YJS may change: {', '.join(OVERRIDABLE_FIELDS)})"
            )
    if "amount" in changes:
        _check_amount(rule, changes["amount"])
    if "reminders_wd_before" in changes and not isinstance(changes["reminders_wd_before"], list):
        raise RuleOverrideError(f"{rule_id}: reminders_wd_before must be a list of working days, e.g. [10, 2]")
    try:
        return Rule.model_validate({**rule.model_dump(), **changes})
    except ValidationError as exc:
        raise RuleOverrideError(f"{rule_id}: {_describe(exc)}") from None


def _check_amount(rule: Rule, amount: object) -> None:
    # Booleans are ints in Python; TOML `true` must not become 1 working day.
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise RuleOverrideError(f"{rule.id}: amount must be a whole number, not {amount!r}")
    shipped = rule.amount or 0
    # An override may lengthen or shorten a period but not turn "before" into "after".
    if shipped > 0 and amount < 1:
        raise RuleOverrideError(f"{rule.id}: amount must be a positive whole number, not {amount}")
    if shipped < 0 and amount > -1:
        raise RuleOverrideError(
            f"{rule.id}: amount counts back from {rule.clock_start}, so it must be a negative whole number, "
            f"not {amount}"
        )
    if shipped == 0 and amount < 0:
        raise RuleOverrideError(f"{rule.id}: amount must be zero or a positive whole number, not {amount}")


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"field {'.'.join(str(part) for part in error['loc']) or '(rule)'}: {error['msg']}" for error in exc.errors()
    )
