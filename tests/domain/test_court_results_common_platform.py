"""A Common Platform resulted hearing (tests/fixtures/court_results/, modelled on the HMCTS core courts model
as the LAA adaptor and court-hearing-event-receiver carry it) translated per defendant."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from test_court_results_mapping import CENTRES, MAPPING, TODAY  # the shipped mapping, loaded once

from domain.court_outcome import validate_court_outcome, workflow_ids
from domain.court_results import (
    Ignored,
    MessageRefused,
    NeedsCorrection,
    Translated,
    TranslationResult,
    translate_common_platform,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "court_results"
SAM, JO, PAT = (
    "8d2f4a61-3c5b-4e7d-9f1a-2b3c4d5e6f70",
    "3e9b1c27-5d4f-4a8e-b6c1-7f2e3d4c5b6a",
    "6c5d4e3f-2a1b-4c9d-8e7f-0a1b2c3d4e5f",
)


def message(name: str = "cp_resulted_hearing.json") -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


def translate(body: object, **kwargs: Any) -> list[TranslationResult]:
    return translate_common_platform(body, mapping=MAPPING, court_centres=CENTRES, today=TODAY, **kwargs)


def by_child(results: list[TranslationResult]) -> dict[str | None, TranslationResult]:
    return {r.defendant.child_id: r for r in results}


def defendants(body: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = body["hearing"]["prosecutionCases"][0]["defendants"]
    return found


def test_two_youth_defendants_each_get_their_own_outcome_and_the_adult_is_set_aside() -> None:
    results = by_child(translate(message()))
    assert set(results) == {SAM, JO, PAT}
    sam, jo, pat = results[SAM], results[JO], results[PAT]
    assert isinstance(sam, Translated) and isinstance(jo, Translated)
    # Two offences resulted with a referral order make one order of 6 months; the victim surcharge is not ours.
    assert sam.body["disposal"] == {"kind": "referral_order", "months": 6}
    assert [o["code"] for o in sam.body["offences"]] == ["TH68010", "CD71039"]
    assert jo.body["disposal"] == {
        "kind": "youth_rehabilitation_order",
        "requirements": [
            {"kind": "supervision"},
            {"kind": "activity", "days": 30},
            {"kind": "curfew", "hours_per_day": 12.0, "end_date": "2027-02-16"},
            {"kind": "electronic_monitoring"},
        ],
        "iss": False,
        "end_date": "2027-11-15",
    }
    # The feed's youth flag says the adult is a youth and Sam is not; the dates of birth decide.
    assert isinstance(pat, Ignored) and pat.reason.startswith("an adult at conviction (36 on 2026-11-16)")


def test_each_translated_outcome_passes_the_intake_contracts_own_validation() -> None:
    for result in translate(message()):
        if isinstance(result, Translated):
            assert validate_court_outcome(result.body, today=TODAY) == result.outcome
            assert result.body["yjs"] == "luton"
            assert result.body["court"] == {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"}
            assert result.body["hearing_date"] == "2026-11-16"
            assert result.body["case_reference"] == "41CJ1234526"


def test_the_childs_id_is_the_master_defendant_id_never_a_name() -> None:
    body = message()
    for d in defendants(body):
        d["personDefendant"]["personDetails"]["firstName"] = "Changed"
    first, again = by_child(translate(message())), by_child(translate(body))
    assert set(first) == set(again)
    sam = again[SAM]
    assert isinstance(sam, Translated) and sam.body["child"]["id"] == SAM
    assert sam.defendant.id_source == "masterDefendantId"


def test_a_resend_unchanged_names_the_same_outcomes_and_a_changed_result_the_same_ids() -> None:
    first = [r.body["outcome_id"] for r in translate(message()) if isinstance(r, Translated)]
    resent = [r.body["outcome_id"] for r in translate(message()) if isinstance(r, Translated)]
    assert first == resent and len(set(first)) == 2
    changed = message()
    prompts = defendants(changed)[0]["offences"][0]["judicialResults"][0]["judicialResultPrompts"]
    prompts[0]["value"] = "9 Months"
    defendants(changed)[0]["offences"][1]["judicialResults"][0]["judicialResultPrompts"][0]["value"] = "9 Months"
    amended = {r.defendant.child_id: r for r in translate(changed) if isinstance(r, Translated)}
    # The amendment arrives under the same outcome id, so intake keeps the first and notes the difference.
    assert amended[SAM].body["outcome_id"] == first[0] and amended[SAM].body["disposal"]["months"] == 9


def test_another_hearing_day_is_another_outcome() -> None:
    day_two = message()
    day_two["hearingDay"] = "2026-11-17"
    first = {r.body["outcome_id"] for r in translate(message()) if isinstance(r, Translated)}
    second = {r.body["outcome_id"] for r in translate(day_two) if isinstance(r, Translated)}
    assert first.isdisjoint(second)


def test_the_workflows_are_those_of_the_order_kinds_for_each_child() -> None:
    results = by_child(translate(message()))
    sam, jo = results[SAM], results[JO]
    assert isinstance(sam, Translated) and isinstance(jo, Translated)
    assert workflow_ids(sam.outcome) == [f"referral-order:luton:41CJ1234526:{SAM}"]
    assert workflow_ids(jo.outcome) == [f"youth-rehabilitation-order:luton:41CJ1234526:{JO}"]


def test_a_remand_carried_only_as_a_custody_status_beside_an_adjournment() -> None:
    [result] = translate(message("cp_remand_custody_status.json"))
    assert isinstance(result, Translated), result
    assert result.body["disposal"] == {
        "kind": "remand",
        "type": "youth_detention_accommodation",
        "next_hearing_date": "2026-11-23",
        "first_remand": True,
        "ctl_start_date": "2026-11-16",
        "ctl_days": 56,
    }
    assert result.body["offences"] == [
        {
            "code": "TH68023",
            "description": "Robbery",
            "offence_date": "2026-09-20",
            "plea": "not_guilty",
            "convicted": False,
        }
    ]


def test_an_adjournment_on_bail_is_not_a_remand() -> None:
    body = message("cp_remand_custody_status.json")
    d = body["hearing"]["prosecutionCases"][0]["defendants"][0]
    d["personDefendant"]["bailStatus"]["code"] = "B"
    d["offences"][0]["judicialResults"][0]["postHearingCustodyStatus"] = "B"
    [result] = translate(body)
    assert isinstance(result, Ignored) and "4506 an adjournment without a remand" in result.reason


def test_a_custodial_remand_without_a_custody_time_limit_needs_correction() -> None:
    body = message("cp_remand_custody_status.json")
    del body["hearing"]["prosecutionCases"][0]["defendants"][0]["personDefendant"]["bailStatus"]["custodyTimeLimit"]
    [result] = translate(body)
    assert isinstance(result, NeedsCorrection)
    assert [(p.field, p.result_code) for p in result.problems] == [("disposal.ctl_days", None)]
    assert result.body is not None and result.body["disposal"]["type"] == "youth_detention_accommodation"


def test_an_unmapped_result_needs_correction_naming_defendant_result_and_field() -> None:
    body = message()
    defendants(body)[1]["offences"][0]["judicialResults"].append(
        {"label": "Some new youth order", "cjsCode": "9999", "category": "FINAL", "orderedDate": "2026-11-16"}
    )
    result = by_child(translate(body))[JO]
    assert isinstance(result, NeedsCorrection)
    [problem] = result.problems
    assert (problem.field, problem.result_code, problem.rule) == ("result", "9999", "court_results.unmapped_result")
    assert result.defendant.child_id == JO and result.defendant.case_reference == "41CJ1234526"
    assert result.defendant.position == "case 1, defendant 2"


def test_a_missing_date_of_birth_needs_correction_even_when_the_flag_says_youth() -> None:
    body = message()
    del defendants(body)[1]["personDefendant"]["personDetails"]["dateOfBirth"]
    result = by_child(translate(body))[JO]
    assert isinstance(result, NeedsCorrection)
    assert [(p.field, p.result_code) for p in result.problems] == [("child.date_of_birth", "1141")]


def test_an_unknown_court_centre_needs_correction_unless_the_service_is_named() -> None:
    body = message()
    body["hearing"]["courtCentre"]["code"] = "B99ZZ00"
    results = translate(body)
    corrections = [r for r in results if isinstance(r, NeedsCorrection)]
    assert {r.defendant.child_id for r in corrections} == {SAM, JO}
    assert all(p.field == "court_centre" and "B99ZZ00" in p.message for r in corrections for p in r.problems)
    # The outcome is built all the same, without a service, for the clerk to correct and resubmit.
    bodies = [r.body for r in corrections]
    assert all(b is not None and "yjs" not in b and b["outcome_id"].startswith("cp:") for b in bodies)
    named = [r for r in translate(body, yjs="milton-keynes") if isinstance(r, Translated)]
    assert [r.body["yjs"] for r in named] == ["milton-keynes", "milton-keynes"]
    assert named[0].body["court"] == {"name": "Luton and South Bedfordshire Youth Court", "kind": "magistrates"}


def test_offences_with_different_terms_need_correction_not_a_guess() -> None:
    body = message()
    defendants(body)[0]["offences"][1]["judicialResults"][0]["judicialResultPrompts"][0]["value"] = "9 Months"
    result = by_child(translate(body))[SAM]
    assert isinstance(result, NeedsCorrection)
    assert [(p.field, p.rule) for p in result.problems] == [("disposal.months", "court_results.terms_differ")]


def test_a_result_the_contract_refuses_needs_correction_with_the_contracts_errors() -> None:
    body = message()
    defendants(body)[0]["offences"][0]["judicialResults"][0]["judicialResultPrompts"][0]["value"] = "18 Months"
    defendants(body)[0]["offences"][1]["judicialResults"][0]["judicialResultPrompts"][0]["value"] = "18 Months"
    result = by_child(translate(body))[SAM]
    assert isinstance(result, NeedsCorrection)
    assert [(p.field, p.result_code) for p in result.problems] == [("disposal.months", "1097")]
    assert result.problems[0].rule.startswith("referral_order.")


def test_a_deleted_result_line_is_not_a_result() -> None:
    body = message()
    for offence in defendants(body)[0]["offences"]:
        offence["judicialResults"][0]["isDeleted"] = True
    result = by_child(translate(body))[SAM]
    assert isinstance(result, Ignored) and "3117 the victim surcharge" in result.reason


def test_a_defendant_result_on_the_hearing_is_the_defendants() -> None:
    body = message()
    moved = defendants(body)[0]["offences"][0]["judicialResults"].pop(0)
    defendants(body)[0]["offences"][1]["judicialResults"].clear()
    body["hearing"]["defendantJudicialResults"] = [{"masterDefendantId": SAM, "judicialResult": copy.deepcopy(moved)}]
    result = by_child(translate(body))[SAM]
    assert isinstance(result, Translated) and result.body["disposal"] == {"kind": "referral_order", "months": 6}


@pytest.mark.parametrize("body", [{}, {"hearing": []}, {"hearing": {"courtCentre": {}}}, [], "text"])
def test_a_message_with_no_hearing_is_refused_whole(body: object) -> None:
    with pytest.raises(MessageRefused):
        translate(body)


def test_a_result_with_only_a_label_is_read_by_its_label() -> None:
    body = message()
    for offence in defendants(body)[0]["offences"]:
        result = offence["judicialResults"][0]
        del result["cjsCode"], result["judicialResultTypeId"]
    sam = by_child(translate(body))[SAM]
    assert isinstance(sam, Translated) and sam.body["disposal"] == {"kind": "referral_order", "months": 6}


def test_a_defendant_without_a_stable_identifier_needs_correction_and_is_never_named_by_name() -> None:
    body = message()
    del defendants(body)[0]["masterDefendantId"]
    [result] = [r for r in translate(body) if r.defendant.position == "case 1, defendant 1"]
    assert isinstance(result, NeedsCorrection)
    assert (result.defendant.child_id, result.defendant.id_source) == (None, "none")
    assert [p.field for p in result.problems] == ["child.id"]
    assert result.body is not None and "id" not in result.body["child"]
