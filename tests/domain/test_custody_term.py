"""A DTO's term and counted days in the court contract: months or weeks (s.236 as PCSCA 2022 s.158 left
it), and the days on remand or tagged bail the court directs to count (from 28 June 2022)."""

from __future__ import annotations

from typing import Any

import pytest

from domain.court_outcome import DetentionAndTrainingOrderDisposal, custodial_months, validate_court_outcome
from tests.domain.test_court_outcome import TODAY, detention_and_training_order, pairs, rejection


def dto(hearing: str = "2026-03-02", **disposal: Any) -> dict[str, Any]:
    body = detention_and_training_order()
    body["hearing_date"] = hearing
    body["disposal"] = {"kind": "detention_and_training_order", **disposal}
    return body


@pytest.mark.parametrize("weeks", [18, 30, 78, 104])
def test_a_term_in_weeks_within_4_to_24_months_is_accepted(weeks: int) -> None:
    disposal = validate_court_outcome(dto(weeks=weeks), today=TODAY).disposal
    assert isinstance(disposal, DetentionAndTrainingOrderDisposal)
    assert (disposal.weeks, disposal.months) == (weeks, None)


@pytest.mark.parametrize("weeks", [16, 17, 105])
def test_a_term_in_weeks_outside_4_to_24_months_is_refused_naming_s236(weeks: int) -> None:
    errors = rejection(dto(weeks=weeks))
    assert pairs(errors) == {("disposal.weeks", "detention_and_training_order.weeks_range")}
    assert "s.236" in errors[0].message and "18–104" in errors[0].message


def test_weeks_before_any_term_was_lawful_are_refused() -> None:
    """Before 28 June 2022 the term was one of 4, 6, 8, 10, 12, 18 or 24 months."""
    errors = rejection(dto("2022-06-27", weeks=30))
    assert pairs(errors) == {("disposal.weeks", "detention_and_training_order.weeks_from_28_june_2022")}
    validate_court_outcome(dto("2022-06-28", weeks=30), today=TODAY)


@pytest.mark.parametrize("term", [{}, {"months": 8, "weeks": 30}])
def test_the_term_is_in_months_or_in_weeks_exactly_one(term: dict[str, int]) -> None:
    assert ("disposal.months", "detention_and_training_order.term_in_months_or_weeks") in pairs(rejection(dto(**term)))


def test_days_on_remand_and_tagged_bail_are_carried() -> None:
    disposal = validate_court_outcome(dto(months=8, remand_days=12, tagged_bail_days=3), today=TODAY).disposal
    assert isinstance(disposal, DetentionAndTrainingOrderDisposal)
    assert (disposal.remand_days, disposal.tagged_bail_days) == (12, 3)


@pytest.mark.parametrize(
    ("hearing", "days", "rule"),
    [
        ("2022-06-27", {"remand_days": 10}, "detention_and_training_order.remand_days_from_28_june_2022"),
        ("2022-06-27", {"tagged_bail_days": 10}, "detention_and_training_order.tagged_bail_days_from_28_june_2022"),
        ("2026-03-02", {"remand_days": -1}, "detention_and_training_order.remand_days_not_negative"),
    ],
)
def test_counted_days_the_law_does_not_allow_are_refused(hearing: str, days: dict[str, int], rule: str) -> None:
    field = f"disposal.{next(iter(days))}"
    assert pairs(rejection(dto(hearing, months=8, **days))) == {(field, rule)}


@pytest.mark.parametrize(("weeks", "months"), [(52, 11), (53, 12), (104, 23)])
def test_weeks_count_as_the_whole_months_they_always_reach_for_the_victim_contact_scheme(
    weeks: int, months: int
) -> None:
    """52 weeks (364 days) never make 12 months; 53 (371) always do."""
    disposal = validate_court_outcome(dto(weeks=weeks), today=TODAY).disposal
    assert custodial_months(disposal) == months
