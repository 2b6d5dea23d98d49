"""Every row of the shipped mapping (domain/court_results/results.toml and court_centres.toml), exercised
through a Common Platform resulted hearing built around it, and the mapping parser's refusals."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

import pytest

from domain.court_outcome import validate_court_outcome
from domain.court_results import (
    Ignored,
    MappingError,
    NeedsCorrection,
    Translated,
    TranslationResult,
    parse_court_centres,
    parse_result_mapping,
    translate_common_platform,
)
from domain.court_results.mapping import PromptRow, ResultRow, StatusRow

TODAY = date(2026, 12, 2)
HEARING_DAY = "2026-11-16"
MAPPING_TEXT = resources.files("domain").joinpath("court_results/results.toml").read_text(encoding="utf-8")
CENTRES_TEXT = resources.files("domain").joinpath("court_results/court_centres.toml").read_text(encoding="utf-8")
MAPPING = parse_result_mapping(MAPPING_TEXT)
CENTRES = parse_court_centres(CENTRES_TEXT)
YRO_LINE = {
    "cjsCode": "1141",
    "label": "Youth rehabilitation order England / Wales",
    "judicialResultPrompts": [{"label": "End Date", "value": "15/11/2027"}],
}


def line(
    code: str | None = None, label: str = "a result", prompts: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    result: dict[str, Any] = {"label": label, "category": "FINAL", "orderedDate": HEARING_DAY, **extra}
    if code is not None:
        result["cjsCode"] = code
    if prompts:
        result["judicialResultPrompts"] = [{"label": k, "value": v} for k, v in prompts.items()]
    return result


def hearing(
    results: list[dict[str, Any]],
    *,
    dob: str | None = "2010-03-01",
    plea: str | None = "GUILTY",
    bail: str = "U",
    court: str = "B20LU01",
    convicted: bool = True,
) -> dict[str, Any]:
    """A resulted hearing for one child (16 on the hearing day) with `results` on one offence."""
    offence: dict[str, Any] = {
        "id": "o-1",
        "offenceCode": "TH68010",
        "offenceTitle": "Theft from a shop",
        "startDate": "2026-09-20",
        "judicialResults": results,
    }
    if plea is not None:
        offence["plea"] = {"pleaValue": plea}
    if convicted:
        offence["convictionDate"] = HEARING_DAY
    details = {"firstName": "Sam", "lastName": "Example", **({"dateOfBirth": dob} if dob else {})}
    status = {"code": bail, "description": "", "custodyTimeLimit": {"timeLimit": "2027-01-11", "daysSpent": 0}}
    defendant = {
        "id": "d-1",
        "masterDefendantId": "m-1",
        "offences": [offence],
        "personDefendant": {"personDetails": details, "bailStatus": status},
    }
    case = {"id": "c-1", "prosecutionCaseIdentifier": {"caseURN": "41CJ1234526"}, "defendants": [defendant]}
    return {
        "hearing": {
            "id": "h-1",
            "jurisdictionType": "MAGISTRATES",
            "courtCentre": {"code": court, "name": "A court"},
            "hearingDays": [{"sittingDay": f"{HEARING_DAY}T10:00:00.000Z"}],
            "prosecutionCases": [case],
        },
        "sharedTime": f"{HEARING_DAY}T16:00:00.000Z",
    }


def translate(message: dict[str, Any], **kwargs: Any) -> list[TranslationResult]:
    return translate_common_platform(message, mapping=MAPPING, court_centres=CENTRES, today=TODAY, **kwargs)


def only_translated(message: dict[str, Any]) -> Translated:
    [result] = translate(message)
    assert isinstance(result, Translated), result
    validate_court_outcome(result.body, today=TODAY)  # the same validation POST /court-outcomes runs
    return result


def keyed(row: ResultRow, prompts: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """A result line for `row`, sent as the feed would: its definition id, or its CJS code, with its label."""
    if row.definition_id:
        return line(None, row.label, prompts, judicialResultTypeId=row.definition_id, **extra)
    return line(row.code, row.label, prompts, **extra)


def _ids(row: ResultRow | PromptRow | StatusRow) -> str:
    return getattr(row, "code", None) or getattr(row, "definition_id", None) or getattr(row, "letter", "")


DISPOSALS = [r for r in MAPPING.rows if r.means == "disposal"]
REMANDS = [r for r in MAPPING.rows if r.means == "remand"]
REQUIREMENTS = [r for r in MAPPING.rows if r.means == "requirement"]
NOT_OURS = [r for r in MAPPING.rows if r.means == "not_ours"]
ISS_REQUIREMENTS = [
    line("3126", "Extended Activity Requirement", {"Number of days": "90"}),
    line("1044", "Supervision Requirement"),
    line("3105", "Curfew Requirement", {"Curfew period": "6 Months", "Start time": "19:00", "End time": "07:00"}),
]
MEASURES = {
    "hours": {"Number of hours": "60"},
    "days": {"Number of days": "30"},
    "curfew": {"Curfew period": "3 Months", "Start time": "20:00", "End time": "07:00"},
}


def test_every_row_names_its_source_and_each_family_is_present() -> None:
    assert all(r.source.strip() for r in MAPPING.rows)
    assert {"1097", "1141", "1142", "1143", "1081"} <= set(MAPPING.by_code)
    assert {"4027", "4028", "4029", "4047", "4055", "4058", "4539", "4056", "4033"} <= set(MAPPING.by_code)
    assert {str(c) for c in [*range(3101, 3112), *range(3126, 3131)]} <= set(MAPPING.by_code)


def test_every_row_is_in_a_family_a_test_below_exercises_row_by_row() -> None:
    """A new kind of row would otherwise be exercised by none of the parametrised tests."""
    assert {r.means for r in MAPPING.rows} == {"disposal", "remand", "requirement", "not_ours"}
    assert len(DISPOSALS) + len(REMANDS) + len(REQUIREMENTS) + len(NOT_OURS) == len(MAPPING.rows)


@pytest.mark.parametrize("row", DISPOSALS, ids=_ids)
def test_each_disposal_row_makes_its_order(row: ResultRow) -> None:
    if row.kind == "referral_order":
        made = only_translated(hearing([keyed(row, {"Referral period": "6 Months"})]))
        assert made.body["disposal"] == {"kind": "referral_order", "months": 6}
    elif row.kind == "detention_and_training_order":
        made = only_translated(hearing([keyed(row, {"Total detention and training order period": "8 Months"})]))
        assert made.body["disposal"] == {"kind": "detention_and_training_order", "months": 8}
    else:
        requirements = ISS_REQUIREMENTS if row.iss else [line("1044", "Supervision Requirement")]
        made = only_translated(hearing([keyed(row, {"End Date": "15/11/2027"}), *requirements]))
        disposal = made.body["disposal"]
        assert (disposal["kind"], disposal["end_date"], disposal["iss"]) == (row.kind, "2027-11-15", row.iss)
        assert ({"kind": "fostering"} in disposal["requirements"]) == row.fostering


@pytest.mark.parametrize("row", REMANDS, ids=_ids)
def test_each_remand_row_makes_its_remand(row: ResultRow) -> None:
    made = only_translated(hearing([keyed(row, nextHearing={"listedStartDateTime": "2026-11-23T10:00:00.000Z"})]))
    disposal = made.body["disposal"]
    assert (disposal["kind"], disposal["type"], disposal["next_hearing_date"]) == (
        "remand",
        row.remand_type,
        "2026-11-23",
    )
    if row.remand_type in ("local_authority_accommodation", "youth_detention_accommodation"):
        # The custody time limit the feed carries (2027-01-11, none spent yet) counted from this hearing.
        assert (disposal["ctl_start_date"], disposal["ctl_days"]) == (HEARING_DAY, 56)


@pytest.mark.parametrize("row", REQUIREMENTS, ids=_ids)
def test_each_requirement_row_adds_its_requirements_to_the_order(row: ResultRow) -> None:
    made = only_translated(
        hearing([YRO_LINE, keyed(row, MEASURES.get(row.measure or "")), line("1044", "Supervision Requirement")])
    )
    kinds = [r["kind"] for r in made.body["disposal"]["requirements"]]
    assert set(row.requirements) <= set(kinds)
    first = next(r for r in made.body["disposal"]["requirements"] if r["kind"] == row.requirements[0])
    expected = {
        "hours": {"hours": 60},
        "days": {"days": 30},
        "curfew": {"hours_per_day": 11.0, "end_date": "2027-02-16"},
    }.get(row.measure or "", {})
    assert first == {"kind": row.requirements[0], **expected}


@pytest.mark.parametrize("row", REQUIREMENTS, ids=_ids)
def test_a_requirement_without_its_order_needs_correction(row: ResultRow) -> None:
    [result] = translate(hearing([keyed(row, MEASURES.get(row.measure or ""))]))
    assert isinstance(result, NeedsCorrection)
    assert [p.rule for p in result.problems] == ["court_results.requirement_without_order"]


@pytest.mark.parametrize("row", NOT_OURS, ids=_ids)
def test_each_result_that_is_not_ours_is_set_aside_with_its_reason(row: ResultRow) -> None:
    [result] = translate(hearing([keyed(row)]))
    assert isinstance(result, Ignored)
    assert row.reason is not None and row.reason in result.reason


PROMPT_LABELS = [(row, label) for row in MAPPING.prompts for label in row.labels]


@pytest.mark.parametrize(("row", "label"), PROMPT_LABELS, ids=[f"{r.carries}-{label}" for r, label in PROMPT_LABELS])
def test_each_prompt_label_carries_what_the_mapping_says(row: PromptRow, label: str) -> None:
    if row.carries == "term":
        made = only_translated(hearing([line("1081", "DTO", {label: "8 Months"})]))
        assert made.body["disposal"]["months"] == 8
    elif row.carries == "start_date":
        curfew = {label: "01/12/2026", "Curfew period": "3 Months", "Start time": "20:00", "End time": "07:00"}
        made = only_translated(hearing([YRO_LINE, line("3105", "Curfew", curfew)]))
        assert made.body["disposal"]["requirements"][0]["end_date"] == "2027-03-01"
    elif row.carries == "end_date":
        made = only_translated(hearing([line("1141", "YRO", {label: "15/11/2027"}), line("1044", "Supervision")]))
        assert made.body["disposal"]["end_date"] == "2027-11-15"
    else:
        prompts = {
            "days": {label: "30"},
            "hours": {label: "60"},
            "curfew_from": {label: "8 pm", "End time": "7 am", "Curfew period": "3 Months"},
            "curfew_until": {"Start time": "20:00", label: "07:00", "Curfew period": "3 Months"},
        }[row.carries]
        code = {"days": "3102", "hours": "3101"}.get(row.carries, "3105")
        made = only_translated(hearing([YRO_LINE, line(code, "requirement", prompts)]))
        [requirement] = made.body["disposal"]["requirements"]
        assert requirement.get("days") == 30 or requirement.get("hours") == 60 or requirement["hours_per_day"] == 11.0


UNIT_NAMES = [(unit, name) for name, unit in MAPPING.units.items()]


@pytest.mark.parametrize(("unit", "name"), UNIT_NAMES, ids=[n for _, n in UNIT_NAMES])
def test_each_duration_unit_name_reads_as_its_unit(unit: str, name: str) -> None:
    if unit == "months":
        assert (
            only_translated(hearing([line("1097", "RO", {"Referral period": f"6 {name}"})])).body["disposal"]["months"]
            == 6
        )
    elif unit == "years":
        assert (
            only_translated(hearing([line("1081", "DTO", {"Period of detention and training": f"1 {name}"})])).body[
                "disposal"
            ]["months"]
            == 12
        )
    elif unit == "weeks":
        assert (
            only_translated(hearing([line("1081", "DTO", {"Period of detention and training": f"20 {name}"})])).body[
                "disposal"
            ]["weeks"]
            == 20
        )
    else:
        prompts = {"Number of days": f"30 {name}"} if unit == "days" else {"Number of hours": f"60 {name}"}
        made = only_translated(hearing([YRO_LINE, line("3102" if unit == "days" else "3101", "req", prompts)]))
        [requirement] = made.body["disposal"]["requirements"]
        assert requirement.get("days", requirement.get("hours")) in (30, 60)


@pytest.mark.parametrize("row", list(MAPPING.statuses.values()), ids=_ids)
def test_each_status_letter_beside_an_adjournment(row: StatusRow) -> None:
    adjourned = line("4506", "Adjournment", nextHearing={"listedStartDateTime": "2026-11-23T10:00:00.000Z"})
    [result] = translate(hearing([adjourned], bail=row.letter, plea="NOT_GUILTY", convicted=False))
    if row.remand_type is None:
        assert isinstance(result, Ignored) and "adjournment" in result.reason
    else:
        assert isinstance(result, Translated), result
        assert result.body["disposal"]["type"] == row.remand_type


@pytest.mark.parametrize(("value", "plea"), list(MAPPING.pleas.items()), ids=list(MAPPING.pleas))
def test_each_plea_value_reads_as_its_plea(value: str, plea: str) -> None:
    made = only_translated(
        hearing(
            [line("4027", "Remanded on conditional bail", nextHearing={"listedStartDateTime": "2026-11-23"})],
            plea=value,
        )
    )
    assert made.body["offences"][0]["plea"] == plea


@pytest.mark.parametrize("code", list(CENTRES))
def test_each_court_centre_names_its_service_and_court(code: str) -> None:
    made = only_translated(hearing([line("1081", "DTO", {"Period of detention and training": "8 Months"})], court=code))
    centre = CENTRES[code]
    assert (made.body["yjs"], made.body["court"]) == (centre.yjs, {"name": centre.name, "kind": centre.kind})


EMPTY_TABLES = "prompt = []\nunit = []\nstatus = []\nplea = []\n"


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('[[result]]\ncode = "1"\nlabel = "x"\nmeans = "disposal"\nkind = "referral_order"\n', "source"),
        ('[[result]]\ncode = "1"\nlabel = "x"\nmeans = "remand"\nsource = "s"\n', "remand_type"),
        (
            '[[result]]\ncode = "1"\nlabel = "x"\nmeans = "requirement"\nrequirements = ["tagging"]\nsource = "s"\n',
            "tagging",
        ),
        ("[[result]\n", "not valid TOML"),
    ],
)
def test_a_row_without_a_source_or_what_its_kind_needs_is_refused(text: str, complaint: str) -> None:
    with pytest.raises(MappingError, match=complaint):
        parse_result_mapping(EMPTY_TABLES + text)


def test_a_result_mapped_twice_is_refused() -> None:
    row = '[[result]]\ncode = "1097"\nlabel = "x"\nmeans = "not_ours"\nreason = "r"\nsource = "s"\n'
    with pytest.raises(MappingError, match="1097 is mapped twice"):
        parse_result_mapping(EMPTY_TABLES + row + row.replace('"x"', '"y"'))


def test_a_court_centre_listed_twice_is_refused() -> None:
    centre = '[[court_centre]]\ncode = "B20LU01"\nname = "n"\nkind = "youth"\nyjs = "luton"\nsource = "s"\n'
    with pytest.raises(MappingError, match="listed twice"):
        parse_court_centres(centre + centre.replace("B20LU01", "b20lu01"))
