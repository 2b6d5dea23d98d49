"""The rule pack: the shipped defaults, parsing errors and a YJS's overrides."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from domain.rules import (
    Rule,
    RuleOverrideError,
    RulePack,
    RulePackError,
    RuleType,
    UnknownRule,
    apply_overrides,
    parse_rule_pack,
)

DEFAULT_TOML = (Path(__file__).resolve().parents[2] / "domain" / "rules" / "default.toml").read_text()
PACK = parse_rule_pack(DEFAULT_TOML)

# Every rule id in the table of default-rules.md.
DOCUMENTED_IDS = {
    "ro.first_contact",
    "ro.initial_panel",
    "ro.victim_views",
    "ro.progress_panel",
    "ro.final_panel",
    "ro.end",
    "ro.revocation_bar",
    "yro.first_appointment",
    "yro.review",
    "yro.missed_followup",
    "yro.warned_period",
    "yro.end",
    "remand.lac_review_1",
    "remand.lac_review_2",
    "remand.lac_review_n",
    "remand.sw_first_visit",
    "remand.sw_visit",
    "remand.next_hearing",
    "remand.ctl",
    "custody.initial_planning",
    "custody.review",
    "custody.pre_release",
    "custody.release_contact",
    "dto.release",
    "dto.further_supervision",
    "victim.rj_information",
    "victim.keep_informed",
    "victim.conclusion",
    "victim.vcs_referral",
}
# Splits of a documented rule whose second figure deserves its own configurable rule.
EXTRA_IDS = {"remand.next_hearing_later", "victim.rj_information_enhanced"}
# The casework cycle's clocks (oversight.md), every one [U] service policy.
OVERSIGHT_IDS = {
    "assessment.initial",
    "oversight.countersign",
    "plan.initial",
    "review.significant_change",
    "oversight.allocation",
    "oversight.risk_rise",
    "oversight.closure",
}
UNCONFIRMED_IDS = {
    "ro.initial_panel",
    "yro.first_appointment",
    "yro.review",
    "yro.warned_period",
    "custody.initial_planning",
    "custody.review",
    "custody.pre_release",
    "custody.release_contact",
}

MINIMAL_RULE = """
[rules."ro.first_contact"]
order = "referral_order"
clock_start = "order_made"
amount = 5
unit = "working_days"
kind = "deadline"
description = "First contact"
type = "local"
confidence = "L✓"
unconfirmed = false
source = "somewhere"
"""


def _pack_with(body: str) -> str:
    return f'version = "t-1"\n{body}'


# --- the shipped pack -----------------------------------------------------------------------------


def test_default_pack_parses_with_its_version() -> None:
    """The shipped default.toml parses as rule pack 2026.11-1."""
    assert PACK.version == "2026.11-1"


def test_default_pack_has_every_documented_rule() -> None:
    """Every rule id in default-rules.md is in the shipped pack, and nothing unexplained besides."""
    assert set(PACK.rules) >= DOCUMENTED_IDS
    assert set(PACK.rules) == DOCUMENTED_IDS | EXTRA_IDS | OVERSIGHT_IDS


def test_every_unconfirmed_rule_is_flagged() -> None:
    """Exactly the rules whose number is [U] ship with the unconfirmed flag."""
    assert {rule.id for rule in PACK.rules.values() if rule.unconfirmed} == UNCONFIRMED_IDS | OVERSIGHT_IDS


def test_statute_rules_are_the_s_tick_rules() -> None:
    """A rule is statute exactly when its confidence starts with S✓."""
    for rule in PACK.rules.values():
        assert (rule.type is RuleType.STATUTE) == rule.confidence.startswith("S✓"), rule.id


def test_types_follow_the_sources() -> None:
    """Local practice is local, the Victims' Code is code, the 2013 standards are legacy."""
    assert PACK.rule("ro.first_contact").type is RuleType.LOCAL
    assert PACK.rule("yro.missed_followup").type is RuleType.LOCAL
    assert PACK.rule("ro.progress_panel").type is RuleType.GUIDANCE
    assert PACK.rule("ro.initial_panel").type is RuleType.GUIDANCE
    assert PACK.rule("custody.initial_planning").type is RuleType.LEGACY_STANDARD
    assert PACK.rule("victim.rj_information").type is RuleType.CODE
    assert PACK.rule("victim.vcs_referral").type is RuleType.CODE
    assert PACK.rule("victim.keep_informed").type is RuleType.POLICY


def test_shipped_shapes_of_the_special_rules() -> None:
    """The final panel, order end, bar, next-hearing check and CTL have the shapes the design needs."""
    final = PACK.rule("ro.final_panel")
    assert (final.kind, final.unit, final.amount, final.reminders_wd_before) == (
        "deadline",
        "working_days",
        -1,
        (20, 5),
    )
    end = PACK.rule("ro.end")
    assert (end.kind, end.unit, end.amount) == ("fixed_date", "order_months", None)
    bar = PACK.rule("ro.revocation_bar")
    assert (bar.kind, bar.unit, bar.amount) == ("block", "calendar_months", 3)
    hearing = PACK.rule("remand.next_hearing")
    assert (hearing.kind, hearing.unit, hearing.amount) == ("check", "clear_days", 8)
    assert PACK.rule("remand.next_hearing_later").amount == 28
    ctl = PACK.rule("remand.ctl")
    assert (ctl.unit, ctl.amount) == ("ctl_days", None)
    assert PACK.rule("yro.end").kind == "fixed_date"
    assert PACK.rule("dto.release").kind == "fixed_date"


def test_every_rule_names_a_source() -> None:
    """Each shipped rule carries a non-empty source and description."""
    for rule in PACK.rules.values():
        assert rule.source.strip() and rule.description.strip(), rule.id


def test_unknown_rule_id_is_a_key_error_with_a_clear_message() -> None:
    """Asking for a rule the pack lacks raises UnknownRule naming it and the pack."""
    with pytest.raises(UnknownRule, match=r"no rule 'ro\.nope' in rule pack 2026\.11-1") as raised:
        PACK.rule("ro.nope")
    assert isinstance(raised.value, KeyError)


def test_rules_are_frozen() -> None:
    """A parsed rule cannot be changed in place."""
    with pytest.raises(ValueError):
        PACK.rule("ro.first_contact").amount = 3  # type: ignore[misc]


# --- parse errors ---------------------------------------------------------------------------------


def test_minimal_pack_parses() -> None:
    """A pack with one valid rule parses, its id taken from the table name."""
    pack = parse_rule_pack(_pack_with(MINIMAL_RULE))
    assert pack.rule("ro.first_contact").id == "ro.first_contact"


def test_bad_field_value_names_the_rule_and_field() -> None:
    """A non-numeric amount is reported with the rule id and the field."""
    text = _pack_with(MINIMAL_RULE.replace("amount = 5", 'amount = "five"'))
    with pytest.raises(RulePackError, match=r"rule ro\.first_contact: field amount"):
        parse_rule_pack(text)


def test_unknown_unit_names_the_rule_and_field() -> None:
    """A unit the engine cannot count is refused naming the field."""
    text = _pack_with(MINIMAL_RULE.replace('"working_days"', '"fortnights"'))
    with pytest.raises(RulePackError, match=r"rule ro\.first_contact: field unit"):
        parse_rule_pack(text)


def test_unknown_field_is_refused() -> None:
    """A misspelt field is an error, not silently ignored."""
    text = _pack_with(MINIMAL_RULE + "reminder_days = [3]\n")
    with pytest.raises(RulePackError, match=r"rule ro\.first_contact: field reminder_days"):
        parse_rule_pack(text)


def test_missing_field_is_refused() -> None:
    """A rule without its source is refused naming the field."""
    text = _pack_with(MINIMAL_RULE.replace('source = "somewhere"\n', ""))
    with pytest.raises(RulePackError, match=r"rule ro\.first_contact: field source"):
        parse_rule_pack(text)


def test_missing_amount_on_a_deadline_is_refused() -> None:
    """Leaving out the amount is only allowed where each case supplies it."""
    text = _pack_with(MINIMAL_RULE.replace("amount = 5\n", ""))
    with pytest.raises(RulePackError, match="amount is required"):
        parse_rule_pack(text)


def test_unconfirmed_confidence_must_be_flagged() -> None:
    """A [U] rule shipped without the unconfirmed flag is refused."""
    text = _pack_with(MINIMAL_RULE.replace('confidence = "L✓"', 'confidence = "U"'))
    with pytest.raises(RulePackError, match="unconfirmed must be true"):
        parse_rule_pack(text)


def test_mismatched_id_is_refused() -> None:
    """An id field that differs from its table name is refused."""
    text = _pack_with(MINIMAL_RULE + 'id = "ro.other"\n')
    with pytest.raises(RulePackError, match="differs from its table name"):
        parse_rule_pack(text)


def test_repeated_reminder_days_are_refused() -> None:
    """Reminder days must be distinct positive working days."""
    text = _pack_with(MINIMAL_RULE + "reminders_wd_before = [5, 5]\n")
    with pytest.raises(RulePackError, match="reminders_wd_before"):
        parse_rule_pack(text)


def test_invalid_toml_and_missing_version_are_refused() -> None:
    """Text that is not TOML, or has no version, is not a rule pack."""
    with pytest.raises(RulePackError, match="not valid TOML"):
        parse_rule_pack("version = ")
    with pytest.raises(RulePackError, match="version"):
        parse_rule_pack(MINIMAL_RULE)
    with pytest.raises(RulePackError, match="no \\[rules"):
        parse_rule_pack('version = "t-1"\n')


# --- overrides ------------------------------------------------------------------------------------


def test_statute_rule_refuses_an_override() -> None:
    """Overriding a statute rule is refused with a message naming the rule and why."""
    with pytest.raises(RuleOverrideError) as raised:
        apply_overrides(PACK, '[rules."ro.final_panel"]\nreminders_wd_before = [10]\n', source_name="yjs-a")
    assert str(raised.value) == (
        "ro.final_panel is statute [S✓]: a statute rule can only change in a new rule-pack version"
    )


def test_statute_ctl_refuses_an_override() -> None:
    """The custody time limit is statute and cannot be shortened locally."""
    with pytest.raises(RuleOverrideError, match=r"remand\.ctl is statute"):
        apply_overrides(PACK, '[rules."remand.ctl"]\ndescription = "x"\n', source_name="yjs-a")


def test_non_statute_override_changes_the_rule_and_the_version() -> None:
    """A local amount change applies, and the version records the source and a hash of the text."""
    text = '[rules."ro.first_contact"]\namount = 3\n'
    pack = apply_overrides(PACK, text, source_name="yjs-leeds")
    assert pack.rule("ro.first_contact").amount == 3
    assert pack.version == f"2026.11-1+yjs-leeds:{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    assert PACK.rule("ro.first_contact").amount == 5
    assert pack.rule("ro.initial_panel") == PACK.rule("ro.initial_panel")


def test_override_of_reminders_and_description() -> None:
    """A YJS may change a rule's reminders and wording."""
    text = '[rules."ro.initial_panel"]\nreminders_wd_before = [10, 2]\ndescription = "Panel held"\n'
    rule = apply_overrides(PACK, text, source_name="yjs-a").rule("ro.initial_panel")
    assert rule.reminders_wd_before == (10, 2)
    assert rule.description == "Panel held"
    assert rule.unconfirmed


def test_no_overrides_leave_the_pack_unchanged() -> None:
    """Empty overrides, or only comments, return the same pack and version."""
    assert apply_overrides(PACK, "", source_name="yjs-a") is PACK
    assert apply_overrides(PACK, "# nothing local\n[rules]\n", source_name="yjs-a") is PACK


def test_unknown_rule_override_is_refused() -> None:
    """Overriding a rule the pack lacks names the rule and the source."""
    with pytest.raises(RuleOverrideError, match=r"ro\.nope \(in yjs-a\) is not a rule"):
        apply_overrides(PACK, '[rules."ro.nope"]\namount = 3\n', source_name="yjs-a")


@pytest.mark.parametrize(
    ("field", "reason"),
    [("amout", "is not a rule field"), ("unit", "cannot be changed by a YJS"), ("type", "cannot be changed")],
)
def test_unknown_or_unchangeable_field_is_refused(field: str, reason: str) -> None:
    """Only amount, reminders and description may change; others are refused with the reason."""
    text = f'[rules."ro.first_contact"]\n{field} = "statute"\n'
    with pytest.raises(RuleOverrideError, match=rf"ro\.first_contact: field '{field}' {reason}"):
        apply_overrides(PACK, text, source_name="yjs-a")


@pytest.mark.parametrize("value", ["0", "-3", "2.5", "true", '"3"'])
def test_bad_amount_is_refused(value: str) -> None:
    """An amount must be a positive whole number for a rule that counts forward."""
    with pytest.raises(RuleOverrideError, match=r"ro\.first_contact: amount must be"):
        apply_overrides(PACK, f'[rules."ro.first_contact"]\namount = {value}\n', source_name="yjs-a")


def test_backward_rule_keeps_its_direction() -> None:
    """A rule counted back from a later date may lengthen but not flip to counting forward."""
    pack = apply_overrides(PACK, '[rules."custody.pre_release"]\namount = -2\n', source_name="yjs-a")
    assert pack.rule("custody.pre_release").amount == -2
    with pytest.raises(RuleOverrideError, match="negative whole number"):
        apply_overrides(PACK, '[rules."custody.pre_release"]\namount = 2\n', source_name="yjs-a")


@pytest.mark.parametrize("value", ["[0]", "[3, 3]", '"5"', '["5"]'])
def test_bad_reminders_are_refused(value: str) -> None:
    """Reminders must be a list of distinct working days of at least 1."""
    with pytest.raises(RuleOverrideError, match=r"ro\.first_contact: .*reminders_wd_before"):
        apply_overrides(PACK, f'[rules."ro.first_contact"]\nreminders_wd_before = {value}\n', source_name="yjs-a")


def test_empty_description_is_refused() -> None:
    """A rule's description cannot be blanked."""
    with pytest.raises(RuleOverrideError, match=r"ro\.first_contact: field description"):
        apply_overrides(PACK, '[rules."ro.first_contact"]\ndescription = ""\n', source_name="yjs-a")


def test_bad_override_text_is_refused() -> None:
    """Overrides that are not TOML, or have other top-level keys, are refused naming the source."""
    with pytest.raises(RuleOverrideError, match="overrides yjs-a is not valid TOML"):
        apply_overrides(PACK, "[rules.", source_name="yjs-a")
    with pytest.raises(RuleOverrideError, match="unknown top-level keys: version"):
        apply_overrides(PACK, 'version = "9"\n', source_name="yjs-a")
    with pytest.raises(RuleOverrideError, match="source name"):
        apply_overrides(PACK, "", source_name="my yjs")


def test_pack_keys_must_match_rule_ids() -> None:
    """A pack built by hand cannot file a rule under another id."""
    with pytest.raises(ValueError, match="filed under"):
        RulePack(version="x", rules={"ro.other": PACK.rule("ro.first_contact")})


def test_rule_model_round_trips() -> None:
    """A rule dumped to JSON validates back to an equal rule."""
    rule = PACK.rule("ro.final_panel")
    assert Rule.model_validate_json(rule.model_dump_json()) == rule
