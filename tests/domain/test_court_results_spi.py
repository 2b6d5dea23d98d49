"""Libra SPI results (tests/fixtures/court_results/spi_*.xml, modelled on bichard7-next-core's e2e input
messages and packages/common/schemas/spiResult.ts) translated, and the hardened parser's refusals."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from test_court_results_mapping import CENTRES, MAPPING, TODAY  # the shipped mapping, loaded once

from domain.court_outcome import validate_court_outcome
from domain.court_results import (
    MAX_SPI_BYTES,
    Ignored,
    MessageRefused,
    NeedsCorrection,
    Translated,
    TranslationResult,
    parse_spi,
    translate_spi,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "court_results"


def translate(raw: bytes | str, **kwargs: Any) -> list[TranslationResult]:
    return translate_spi(raw, mapping=MAPPING, court_centres=CENTRES, today=TODAY, **kwargs)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def translated(name: str) -> Translated:
    [result] = translate(fixture(name))
    assert isinstance(result, Translated), result
    assert validate_court_outcome(result.body, today=TODAY) == result.outcome
    return result


def test_a_referral_order_on_two_offences_is_one_order_for_the_child_by_pnc_id() -> None:
    made = translated("spi_referral_order.xml")
    assert made.body["disposal"] == {"kind": "referral_order", "months": 9}
    assert made.body["child"] == {
        "id": "2026-0100001A",
        "given_name": "ALEX",
        "family_name": "EXAMPLE",
        "date_of_birth": "2011-04-02",
    }
    assert made.defendant.id_source == "PNC"
    assert [o["code"] for o in made.body["offences"]] == ["TH68010", "CD71039"]
    assert made.body["court"] == {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"}
    assert (made.body["yjs"], made.body["hearing_date"], made.body["case_reference"]) == (
        "luton",
        "2026-11-16",
        "41CJ2000001",
    )
    assert made.result_codes == ["1097"]


def test_a_youth_rehabilitation_order_with_its_requirements_from_durations_and_text() -> None:
    made = translated("spi_youth_rehabilitation_order.xml")
    assert made.body["disposal"] == {
        "kind": "youth_rehabilitation_order",
        "requirements": [
            {"kind": "supervision"},
            {"kind": "unpaid_work", "hours": 60},  # DurationValue 60, DurationUnit H
            {"kind": "curfew", "hours_per_day": 11.0, "end_date": "2027-02-08"},  # "between 8 pm and 7 am", 12 W
            {"kind": "activity", "days": 20},
        ],
        "iss": False,
        "end_date": "2027-11-15",
    }
    # No PNC id in the message: the ASN (the prosecutor's reference) names the child.
    assert made.body["child"]["id"] == "2641CJ0100000000002B" and made.defendant.id_source == "ASN"


def test_a_detention_and_training_order_on_two_offences_concurrent_is_one_order() -> None:
    made = translated("spi_detention_and_training_order.xml")
    assert made.body["disposal"] == {"kind": "detention_and_training_order", "months": 8}


def test_a_remand_on_bail_from_a_bare_resulted_case_message() -> None:
    assert "DeliverRequest" not in fixture("spi_remand.xml")
    made = translated("spi_remand.xml")
    assert made.body["disposal"] == {
        "kind": "remand",
        "type": "bail",
        "next_hearing_date": "2026-12-07",
        "first_remand": True,
    }
    assert made.body["offences"][0]["plea"] == "not_guilty" and made.body["offences"][0]["convicted"] is False


def test_a_fine_and_costs_are_set_aside_with_the_reason() -> None:
    [result] = translate(fixture("spi_fine.xml"))
    assert isinstance(result, Ignored)
    assert result.reason == "no youth disposal or remand: 1015 a fine; 3011 costs"


def test_a_custodial_remand_from_libra_needs_its_custody_time_limit() -> None:
    # SPI carries no custody time limit, so a remand to youth detention accommodation is kept for correction.
    text = fixture("spi_remand.xml").replace("<DC:ResultCode>4027<", "<DC:ResultCode>4058<")
    [result] = translate(text)
    assert isinstance(result, NeedsCorrection)
    assert [(p.field, p.result_code) for p in result.problems] == [("disposal.ctl_days", "4058")]


def test_an_adult_by_date_of_birth_is_set_aside() -> None:
    text = fixture("spi_youth_rehabilitation_order.xml").replace("2009-08-30", "2007-08-30")
    [result] = translate(text)
    assert isinstance(result, Ignored) and result.reason.startswith("an adult at conviction (19 on 2026-11-16)")


def test_an_unmapped_code_needs_correction_naming_the_code() -> None:
    text = fixture("spi_referral_order.xml").replace("<DC:ResultCode>3117<", "<DC:ResultCode>3999<")
    [result] = translate(text)
    assert isinstance(result, NeedsCorrection)
    assert [(p.field, p.result_code) for p in result.problems] == [("result", "3999")]
    assert result.defendant.child_id == "2026-0100001A" and result.defendant.case_reference == "41CJ2000001"


def test_a_resend_names_the_same_outcome_whatever_its_message_identifier() -> None:
    first = translated("spi_referral_order.xml")
    [again] = translate(fixture("spi_referral_order.xml").replace("SPI-TEST-0001", "SPI-TEST-0999"))
    assert isinstance(again, Translated) and again.body == first.body


def test_an_unknown_court_location_needs_correction_unless_the_service_is_named() -> None:
    text = fixture("spi_detention_and_training_order.xml").replace("B20LU01", "B01EF01")
    [result] = translate(text)
    assert isinstance(result, NeedsCorrection) and [p.field for p in result.problems] == ["court_centre"]
    [named] = translate(text, yjs="luton")
    assert isinstance(named, Translated)
    assert named.body["court"] == {"name": "court centre B01EF01", "kind": "magistrates"}


def test_entity_expansion_is_refused_before_anything_is_parsed() -> None:
    started = time.monotonic()
    with pytest.raises(MessageRefused) as refused:
        translate(fixture("spi_billion_laughs.xml"))
    assert time.monotonic() - started < 1
    [error] = refused.value.errors
    assert error.rule == "spi.unsafe_xml" and "DTD" in error.message


def test_an_external_entity_is_refused_and_never_read() -> None:
    with pytest.raises(MessageRefused) as refused:
        parse_spi(fixture("spi_external_entity.xml"))
    [error] = refused.value.errors
    assert error.rule == "spi.unsafe_xml"
    assert "root:" not in str(refused.value)  # nothing of /etc/passwd found its way into the error


def test_an_undeclared_entity_is_refused_not_resolved() -> None:
    text = fixture("spi_remand.xml").replace("<DC:PTIURN>41CJ2000004<", "<DC:PTIURN>&secret;<")
    with pytest.raises(MessageRefused) as refused:
        translate(text)
    assert [e.rule for e in refused.value.errors] == ["spi.xml"]


def test_a_message_over_the_size_limit_is_refused_unread() -> None:
    padded = fixture("spi_remand.xml").replace("</DC:Session>", "<!--" + "x" * MAX_SPI_BYTES + "--></DC:Session>")
    with pytest.raises(MessageRefused, match="larger than"):
        parse_spi(padded)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("not xml at all", "spi.xml"),
        ("<ResultedCaseMessage><Session>", "spi.xml"),
        ('<?xml version="1.0"?><Something/>', "spi.not_results"),
        (re.sub(r"<DC:Case>.*</DC:Case>", "", fixture("spi_remand.xml"), flags=re.DOTALL), "spi.no_defendant"),
    ],
)
def test_what_is_not_a_results_message_is_refused_whole(text: str, rule: str) -> None:
    with pytest.raises(MessageRefused) as refused:
        translate(text)
    assert [e.rule for e in refused.value.errors] == [rule]
