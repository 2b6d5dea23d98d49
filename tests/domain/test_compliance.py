"""The one compliance model: what an unacceptable failure leads to on each order, and warned periods."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.compliance import (
    WARNINGS_BEFORE_COURT,
    ComplianceIncident,
    CompliancePolicy,
    WarnedPeriod,
    after_unacceptable_failure,
    covering_period,
    outcomes_allowed,
    warnings_in_period,
)
from domain.rules import parse_rule_pack

PACK = parse_rule_pack((Path(__file__).resolve().parents[2] / "domain" / "rules" / "default.toml").read_text())
# The warned period's length is [U]: it comes from the rule pack, never from a constant.
MONTHS = PACK.rule("yro.warned_period").amount or 0

YRO = CompliancePolicy.YOUTH_REHABILITATION_ORDER


@pytest.mark.parametrize(
    ("policy", "warnings", "expected"),
    [
        (YRO, 0, "warn"),
        (YRO, 1, "warn"),
        (YRO, 2, "breach_must_be_laid"),
        (YRO, 3, "breach_must_be_laid"),
        (CompliancePolicy.REFERRAL_ORDER, 0, "refer_to_panel"),
        (CompliancePolicy.REFERRAL_ORDER, 2, "refer_to_panel"),
        (CompliancePolicy.DTO_SUPERVISION, 0, "youth_court"),
        (CompliancePolicy.DTO_SUPERVISION, 2, "youth_court"),
    ],
)
def test_each_order_has_its_own_route_after_an_unacceptable_failure(
    policy: CompliancePolicy, warnings: int, expected: str
) -> None:
    """RO: the panel; YRO: warn, then court after two warnings (Sch 7 para 4); DTO supervision: youth court."""
    assert after_unacceptable_failure(policy, warnings) == expected


def test_two_warnings_is_the_statutory_ceiling_and_a_negative_count_is_an_error() -> None:
    assert WARNINGS_BEFORE_COURT == 2
    with pytest.raises(ValueError, match="negative"):
        after_unacceptable_failure(YRO, -1)


def test_the_warned_period_length_comes_from_the_rule_pack() -> None:
    """yro.warned_period is [U]; its amount is what the period is built from."""
    assert PACK.rule("yro.warned_period").unconfirmed
    period = WarnedPeriod.starting(date(2027, 3, 15), months=MONTHS)
    assert period.end == date(2027 + MONTHS // 12, 3 + MONTHS % 12, 15)
    assert period.contains(date(2027, 3, 15))
    assert not period.contains(period.end)
    assert not period.contains(date(2027, 3, 14))


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
    ],
)
def test_warned_periods_at_month_ends_clamp_to_the_last_day(start: date, months: int, end: date) -> None:
    """31 Jan + 1 month is the end of February, as the calendar counts every month."""
    assert WarnedPeriod.starting(start, months=months).end == end


def test_a_warned_period_must_be_a_real_period() -> None:
    with pytest.raises(ValueError, match="at least one month"):
        WarnedPeriod.starting(date(2027, 1, 1), months=0)
    with pytest.raises(ValidationError, match="must end after it starts"):
        WarnedPeriod(start=date(2027, 1, 1), end=date(2027, 1, 1))


def test_the_count_is_of_warnings_whose_period_the_failure_falls_in() -> None:
    """Once the first warning's period runs out, only the second counts; once both have, none do."""
    first = WarnedPeriod.starting(date(2027, 1, 10), months=MONTHS)
    second = WarnedPeriod.starting(date(2027, 6, 10), months=MONTHS)
    warnings = (first, second)
    assert warnings_in_period(warnings, date(2027, 5, 1)) == 1
    assert warnings_in_period(warnings, date(2027, 7, 1)) == 2
    assert warnings_in_period(warnings, first.end) == 1  # the first has run out on its end date
    assert warnings_in_period(warnings, second.end) == 0
    assert covering_period(warnings, date(2027, 7, 1)) == first
    assert covering_period(warnings, first.end) == second
    assert covering_period(warnings, second.end) is None


def test_a_warning_given_after_the_failure_does_not_count_against_it() -> None:
    """Para 4(2): the child must already have been given the further warning when the failure happened."""
    warnings = (
        WarnedPeriod.starting(date(2027, 1, 10), months=MONTHS),
        WarnedPeriod.starting(date(2027, 6, 10), months=MONTHS),
    )
    assert warnings_in_period(warnings, date(2027, 6, 9)) == 1


def test_a_corrected_warned_period_length_changes_the_count() -> None:
    """yro.warned_period is a statute rule with an unconfirmed length: a corrected pack version may change
    the months, and the count follows whatever months it is given."""
    warnings = [WarnedPeriod.starting(d, months=6) for d in (date(2027, 1, 10), date(2027, 3, 10))]
    assert warnings_in_period(warnings, date(2027, 8, 1)) == 1
    assert after_unacceptable_failure(YRO, warnings_in_period(warnings, date(2027, 8, 1))) == "warn"
    long = [WarnedPeriod.starting(d, months=MONTHS) for d in (date(2027, 1, 10), date(2027, 3, 10))]
    assert after_unacceptable_failure(YRO, warnings_in_period(long, date(2027, 8, 1))) == "breach_must_be_laid"


def incident(policy: CompliancePolicy = YRO) -> ComplianceIncident:
    return ComplianceIncident(id="incident-1", order_kind=policy, appointment_date=date(2027, 2, 1))


def test_an_acceptable_explanation_excuses_the_failure() -> None:
    excused = incident().explain(acceptable=True)
    assert (excused.explained, excused.outcome, excused.is_open) == ("acceptable", "excused", False)
    with pytest.raises(ValueError, match="already closed"):
        excused.explain(acceptable=False)


def test_an_unacceptable_explanation_leaves_the_incident_open_for_warning_or_breach() -> None:
    found = incident().explain(acceptable=False)
    assert found.is_open and found.explained == "not_acceptable"
    with pytest.raises(ValueError, match="already explained"):
        found.explain(acceptable=True)
    assert found.resolve("warned").outcome == "warned"
    assert found.resolve("breach_laid").outcome == "breach_laid"


def test_follow_up_is_recorded_once() -> None:
    followed = incident().followed_up()
    assert followed.follow_up_made
    with pytest.raises(ValueError, match="already followed up"):
        followed.followed_up()


@pytest.mark.parametrize(
    ("policy", "outcome", "reason"),
    [
        (CompliancePolicy.REFERRAL_ORDER, "warned", "cannot end warned"),
        (CompliancePolicy.DTO_SUPERVISION, "warned", "cannot end warned"),
        (YRO, "referred_to_panel", "cannot end referred_to_panel"),
    ],
)
def test_an_incident_ends_only_as_its_order_allows(policy: CompliancePolicy, outcome: str, reason: str) -> None:
    """A warning is a YRO measure; the panel is a referral order's."""
    with pytest.raises(ValidationError, match=reason):
        incident(policy).explain(acceptable=False).resolve(outcome)  # type: ignore[arg-type]


def test_an_incident_is_dealt_with_only_after_its_explanation_is_judged() -> None:
    with pytest.raises(ValidationError, match="only after an explanation found not acceptable"):
        incident().resolve("warned")
    assert outcomes_allowed(CompliancePolicy.REFERRAL_ORDER) == {"excused", "referred_to_panel"}
    assert outcomes_allowed(CompliancePolicy.DTO_SUPERVISION) == {"excused", "breach_laid"}
    assert outcomes_allowed(YRO) == {"excused", "warned", "breach_laid"}
