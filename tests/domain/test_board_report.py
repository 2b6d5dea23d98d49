"""The board report's pure parts: financial-year quarters, how a remand ended, the population file, and
the cohort's lines where yjflow holds no ethnicity or sex."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from domain.board_report import (
    CohortRecords,
    PopulationError,
    Quarter,
    build_board_report,
    cohort_lines,
    cohort_records,
    load_population,
    remand_outcome,
)
from domain.child_record import ChildRecord


def test_quarters_are_the_financial_years() -> None:
    q1 = Quarter.parse("2026-27-Q1")
    assert (q1.start, q1.end, q1.label) == (date(2026, 4, 1), date(2026, 7, 1), "Q1 2026-27 (April to June 2026)")
    q4 = Quarter.parse("2026-27-Q4")
    assert (q4.start, q4.end, q4.label) == (date(2027, 1, 1), date(2027, 4, 1), "Q4 2026-27 (January to March 2027)")
    assert Quarter.containing(date(2027, 3, 31)) == q4 and Quarter.containing(date(2026, 4, 1)) == q1
    assert q1.previous().id == "2025-26-Q4" and q4.following().id == "2027-28-Q1"
    assert Quarter.containing(date(2026, 12, 2)).id == "2026-27-Q3"
    assert Quarter.parse("2999-00-Q4").end == date(3000, 4, 1)  # the last quarter it takes still ends


@pytest.mark.parametrize("bad", ["2026-Q1", "2026-28-Q1", "2026-27-Q5", "Q1 2026", ""])
def test_a_bad_quarter_says_the_form_expected(bad: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY-YY-Qn, for example 2026-27-Q1"):
        Quarter.parse(bad)


def test_how_a_remand_ended() -> None:
    assert remand_outcome("convicted_and_sentenced", "detention_and_training_order") == "custodial_sentence"
    assert remand_outcome("convicted_and_sentenced", "youth_rehabilitation_order") == "community_sentence"
    assert remand_outcome("convicted_and_sentenced", None) == "community_sentence"
    assert remand_outcome("acquitted", None) == "acquitted"
    with pytest.raises(ValueError, match="unknown way for a remand to end"):
        remand_outcome("escaped", None)


def test_population_file_is_checked_and_names_the_field() -> None:
    shipped = load_population(Path("domain/rules/population.toml").read_text(encoding="utf-8"))
    mk = shipped.of("milton-keynes")
    assert mk is not None and mk.ethnicity == {"black": 0.097, "mixed": 0.041} and "[U]" in mk.confidence
    assert shipped.of(None) is None and shipped.of("nowhere") is None
    bad = 'version = "x"\n[services.a]\nsource = "ONS"\nconfidence = "[U]"\nsex = { female = 0.6, male = 0.6 }\n'
    with pytest.raises(PopulationError, match=r"services\.a.*sex's shares add up to more than 1"):
        load_population(bad, source_name="mine.toml")
    with pytest.raises(PopulationError, match=r"mine.toml is not valid TOML"):
        load_population("version = ", source_name="mine.toml")
    with pytest.raises(PopulationError, match=r"services\.a\.source"):
        load_population('version = "x"\n[services.a]\nconfidence = "[U]"\n', source_name="mine.toml")


def test_cohort_lines_say_not_held_rather_than_zero() -> None:
    assert [(c.group, c.population_pct, c.cohort, c.cohort_pct) for c in cohort_lines({"black": 0.097}, None)] == [
        ("black", 9.7, None, None)
    ]
    held = cohort_lines({"black": 0.097, "white": 0.8}, {"black": 11, "mixed": 9})
    assert [(c.group, c.population_pct, c.cohort, c.cohort_pct) for c in held] == [
        ("black", 9.7, 11, 55.0),
        ("mixed", None, 9, 45.0),
        ("white", 80.0, 0, 0.0),
    ]


def test_cohort_records_count_groups_and_keep_not_held_apart() -> None:
    def child(sex: str, ethnicity: str) -> ChildRecord:
        return ChildRecord.model_validate(
            {"given_name": "A", "family_name": "B", "date_of_birth": "2010-01-01", "sex": sex, "ethnicity": ethnicity}
        )

    cohort = cohort_records(
        [
            child("female", "black_african"),
            child("male", "black_caribbean"),
            child("male", "not_stated"),
            child("not_known", "not_known"),
            None,
        ]
    )
    assert cohort.ethnicity == {"black": 2, "not_stated": 1}
    assert cohort.sex == {"female": 1, "male": 2}
    assert (cohort.ethnicity_not_held, cohort.sex_not_held) == (2, 2)


def test_report_shares_girls_of_children_whose_sex_is_held() -> None:
    cohort = CohortRecords(ethnicity={"white": 3}, sex={"female": 1, "male": 3}, ethnicity_not_held=2, sex_not_held=1)
    report = build_board_report(
        Quarter.parse("2025-26-Q1"), "y", orders=[], compliance={}, remands=[], cohort_size=5, population=None,
        cohort=cohort,
    )  # fmt: skip
    assert report.girls_pct == 25.0
    assert [(c.group, c.cohort, c.cohort_pct) for c in report.sex] == [("female", 1, 25.0), ("male", 3, 75.0)]
    assert report.not_held == [
        "ethnicity of 2 of the 5 children in the statutory cohort (no record of the child, or their ethnicity "
        "recorded as not known)",
        "sex of 1 of the 5 children in the statutory cohort (no record of the child, or their sex recorded as "
        "not known)",
    ]
