"""Remands across hearings as Libra sends them (tests/fixtures/court_results/spi_remand_youth_detention*.xml):
the custody time limit the clerk's result text states is carried into the remand, the first hearing's
remand is a first remand and a later one counts its limit from the days already spent; the age check on
youth detention accommodation applies to what the courts send like to any outcome."""

from __future__ import annotations

from pathlib import Path

from test_court_results_mapping import CENTRES, MAPPING, TODAY

from domain.court_results import NeedsCorrection, Translated, translate_spi

FIXTURES = Path(__file__).parent.parent / "fixtures" / "court_results"


def one(text: str) -> Translated | NeedsCorrection:
    [result] = translate_spi(text, mapping=MAPPING, court_centres=CENTRES, today=TODAY)
    assert isinstance(result, Translated | NeedsCorrection), result
    return result


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_a_first_remand_to_youth_detention_carries_the_custody_time_limit_from_the_result_text() -> None:
    made = one(fixture("spi_remand_youth_detention.xml"))
    assert isinstance(made, Translated), made
    assert made.body["disposal"] == {
        "kind": "remand",
        "type": "youth_detention_accommodation",
        "next_hearing_date": "2026-11-23",
        "first_remand": True,
        "ctl_start_date": "2026-11-16",
        "ctl_days": 56,
    }
    assert made.outcome.outcome_id.startswith("spi:remand:")


def test_the_next_hearings_remand_counts_the_same_limit_from_the_days_already_spent() -> None:
    first = one(fixture("spi_remand_youth_detention.xml"))
    renewed = one(fixture("spi_remand_youth_detention_renewed.xml"))
    assert isinstance(first, Translated) and isinstance(renewed, Translated), renewed
    assert renewed.body["disposal"] == {
        "kind": "remand",
        "type": "youth_detention_accommodation",
        "next_hearing_date": "2026-12-21",
        "first_remand": False,
        "ctl_start_date": "2026-11-16",  # the same limit: 7 days back from 23 November
        "ctl_days": 56,
    }
    # Another hearing, so another outcome; the same case and child, so intake renews the running remand.
    assert renewed.outcome.outcome_id != first.outcome.outcome_id
    assert (renewed.body["case_reference"], renewed.body["child"]["id"]) == (
        first.body["case_reference"],
        first.body["child"]["id"],
    )


def test_a_custodial_remand_without_its_limit_is_kept_for_correction_naming_the_field() -> None:
    text = fixture("spi_remand_youth_detention.xml").replace(" Custody time limit expires on 11/01/2027.", "")
    kept = one(text)
    assert isinstance(kept, NeedsCorrection)
    [problem] = kept.problems
    assert (problem.field, problem.result_code, problem.rule) == (
        "disposal.ctl_days",
        "4058",
        "court_results.custody_time_limit",
    )
    assert kept.body is not None and kept.body["disposal"]["type"] == "youth_detention_accommodation"


def test_no_child_under_12_is_remanded_to_youth_detention_accommodation() -> None:
    text = fixture("spi_remand_youth_detention.xml").replace("2011-03-01", "2015-01-20")  # 11 at the hearing
    kept = one(text)
    assert isinstance(kept, NeedsCorrection)
    assert any(p.field == "disposal.type" and "12" in p.message for p in kept.problems), kept.problems
    assert all(p.result_code == "4058" for p in kept.problems)


def test_a_limit_in_iso_form_and_other_wording_is_read_too() -> None:
    text = fixture("spi_remand_youth_detention.xml").replace(
        "Custody time limit expires on 11/01/2027.", "CTL: custody time limit expiry date: 2027-01-11"
    )
    made = one(text)
    assert isinstance(made, Translated), made
    assert made.body["disposal"]["ctl_days"] == 56
