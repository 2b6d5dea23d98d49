"""The intake contract (shared/domain/court-outcome.md): what is accepted, and every rule that refuses."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.court_outcome import (
    DISPOSAL_KINDS,
    SUPPORTED_KINDS,
    CourtOutcome,
    FieldError,
    OrderExtendedDisposal,
    OutcomeRejected,
    ReferralOrderDisposal,
    age_on,
    court_outcome_warnings,
    order_workflow_id,
    validate_court_outcome,
    victim_workflow_id,
    workflow_ids,
)

TODAY = date(2026, 11, 22)
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "client" / "sample_data"

Body = dict[str, Any]

CONTRACT_EXAMPLE: Body = {
    "outcome_id": "LUT-2026-000123-1",
    "yjs": "luton",
    "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
    "hearing_date": "2026-03-02",
    "case_reference": "41CJ1234526",
    "child": {"id": "C-1001", "given_name": "Sam", "family_name": "Example", "date_of_birth": "2010-05-14"},
    "offences": [
        {
            "code": "TH68010",
            "description": "Theft from a shop",
            "offence_date": "2026-01-10",
            "plea": "guilty",
            "convicted": True,
        }
    ],
    "disposal": {"kind": "referral_order", "months": 6},
    "victims": [{"ref": "V-77", "kind": "person", "under_18": False}],
}


def referral_order() -> Body:
    return copy.deepcopy(CONTRACT_EXAMPLE)


def with_disposal(disposal: Body) -> Body:
    body = referral_order()
    body["disposal"] = disposal
    return body


def youth_rehabilitation_order() -> Body:
    return with_disposal(
        {
            "kind": "youth_rehabilitation_order",
            "end_date": "2027-03-01",
            "iss": False,
            "requirements": [{"kind": "supervision"}, {"kind": "activity", "days": 30}],
        }
    )


def iss_order() -> Body:
    return with_disposal(
        {
            "kind": "youth_rehabilitation_order",
            "end_date": "2026-09-02",
            "iss": True,
            "requirements": [
                {"kind": "extended_activity", "days": 120},
                {"kind": "supervision"},
                {"kind": "curfew", "hours_per_day": 12, "end_date": "2026-06-02"},
                {"kind": "electronic_monitoring"},
            ],
        }
    )


def remand() -> Body:
    # Hearing 2 March; back on 11 March is 8 clear days.
    return with_disposal(
        {
            "kind": "remand",
            "type": "local_authority_accommodation",
            "next_hearing_date": "2026-03-11",
            "first_remand": True,
            "ctl_start_date": "2026-03-02",
            "ctl_days": 56,
        }
    )


def detention_and_training_order() -> Body:
    return with_disposal({"kind": "detention_and_training_order", "months": 8})


def order_extended() -> Body:
    return with_disposal(
        {
            "kind": "order_extended",
            "order_ref": "referral-order:luton:41CJ1234526:C-1001",
            "extension_months": 3,
        }
    )


BASES: dict[str, Callable[[], Body]] = {
    "referral_order": referral_order,
    "youth_rehabilitation_order": youth_rehabilitation_order,
    "iss_order": iss_order,
    "remand": remand,
    "detention_and_training_order": detention_and_training_order,
    "order_extended": order_extended,
}


def rejection(body: object, *, supported: frozenset[str] = DISPOSAL_KINDS) -> list[FieldError]:
    with pytest.raises(OutcomeRejected) as info:
        validate_court_outcome(body, today=TODAY, supported_kinds=supported)
    return info.value.errors


def pairs(errors: list[FieldError]) -> set[tuple[str, str]]:
    return {(e.field, e.rule) for e in errors}


def put(path: str, value: Any) -> Callable[[Body], None]:
    """A change that sets `path` (dotted, with list indexes as numbers) in a body."""
    keys: list[str | int] = [int(k) if k.isdigit() else k for k in path.split(".")]

    def change(body: Body) -> None:
        target: Any = body
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def drop(path: str) -> Callable[[Body], None]:
    keys: list[str | int] = [int(k) if k.isdigit() else k for k in path.split(".")]

    def change(body: Body) -> None:
        target: Any = body
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return change


def both(*changes: Callable[[Body], None]) -> Callable[[Body], None]:
    def change(body: Body) -> None:
        for c in changes:
            c(body)

    return change


# --- what is accepted ---------------------------------------------------------------------------


def test_the_contract_example_is_accepted() -> None:
    outcome = validate_court_outcome(referral_order(), today=TODAY)

    assert outcome.outcome_id == "LUT-2026-000123-1"
    assert outcome.hearing_date == date(2026, 3, 2)
    assert outcome.child.date_of_birth == date(2010, 5, 14)
    assert outcome.disposal == ReferralOrderDisposal(kind="referral_order", months=6)
    assert [v.ref for v in outcome.victims] == ["V-77"]


@pytest.mark.parametrize("base", sorted(BASES))
def test_every_base_body_is_valid_when_its_kind_is_supported(base: str) -> None:
    validate_court_outcome(BASES[base](), today=TODAY, supported_kinds=DISPOSAL_KINDS)


def test_victims_may_be_left_out() -> None:
    body = referral_order()
    del body["victims"]

    assert validate_court_outcome(body, today=TODAY).victims == []


def test_extra_optional_fields_are_accepted_and_ignored() -> None:
    body = referral_order()
    body["local_justice_area"] = "Bedfordshire"
    body["court"]["code"] = "2570"
    body["child"]["pnc_id"] = "2026/0000000X"
    body["offences"][0]["conviction_date"] = "2026-03-02"
    body["disposal"]["parental_order"] = True

    outcome = validate_court_outcome(body, today=TODAY)

    assert "local_justice_area" not in outcome.model_dump()
    assert outcome.disposal == ReferralOrderDisposal(kind="referral_order", months=6)


@pytest.mark.parametrize("months", [3, 12])
def test_referral_order_bounds_are_inclusive(months: int) -> None:
    body = referral_order()
    body["disposal"]["months"] = months

    assert validate_court_outcome(body, today=TODAY).disposal == ReferralOrderDisposal(
        kind="referral_order", months=months
    )


def test_a_hearing_today_is_accepted() -> None:
    body = referral_order()
    body["hearing_date"] = TODAY.isoformat()

    validate_court_outcome(body, today=TODAY)


def test_a_referral_order_needs_only_one_guilty_plea_among_the_offences() -> None:
    body = referral_order()
    body["offences"].append(
        {
            "code": "CD71039",
            "description": "Destroy or damage property",
            "offence_date": "2026-01-10",
            "plea": "not_guilty",
            "convicted": False,
        }
    )

    validate_court_outcome(body, today=TODAY)


def test_magistrates_court_may_make_a_referral_order() -> None:
    body = referral_order()
    body["court"] = {"name": "Luton and South Bedfordshire Magistrates' Court", "kind": "magistrates"}

    validate_court_outcome(body, today=TODAY)


@pytest.mark.parametrize(
    ("first_remand", "next_hearing", "remand_type"),
    [
        (True, "2026-03-11", "local_authority_accommodation"),  # 8 clear days
        (True, "2026-03-11", "youth_detention_accommodation"),
        (False, "2026-03-31", "local_authority_accommodation"),  # 28 clear days
        (True, "2026-05-01", "bail"),  # the clear-day limits are for custody only
    ],
)
def test_remand_next_hearing_limits_are_inclusive(first_remand: bool, next_hearing: str, remand_type: str) -> None:
    body = remand()
    body["disposal"].update(first_remand=first_remand, next_hearing_date=next_hearing, type=remand_type)

    outcome = validate_court_outcome(body, today=TODAY, supported_kinds=DISPOSAL_KINDS)

    assert court_outcome_warnings(outcome) == []


@pytest.mark.parametrize(("next_hearing", "within"), [("2026-10-10", True), ("2026-10-11", False)])
def test_remanded_on_the_1st_for_8_clear_days_means_back_by_the_10th(next_hearing: str, within: bool) -> None:
    body = remand()
    body["hearing_date"] = "2026-10-01"
    body["disposal"].update(next_hearing_date=next_hearing, ctl_start_date="2026-10-01")

    outcome = validate_court_outcome(body, today=TODAY, supported_kinds=DISPOSAL_KINDS)

    expected = set() if within else {("disposal.next_hearing_date", "remand.first_custodial_remand_8_clear_days")}
    assert pairs(court_outcome_warnings(outcome)) == expected


# The court has fixed the date and the child is held on its order: a date beyond the clear-day limit is
# accepted and flagged (the issue's "a breach of them is flagged at intake"), never refused.
CLEAR_DAY_BREACHES = [
    (
        "first custodial remand for 9 clear days",
        put("disposal.next_hearing_date", "2026-03-12"),
        "remand.first_custodial_remand_8_clear_days",
        "9 clear days",
    ),
    (
        "first YDA remand for 9 clear days",
        both(put("disposal.type", "youth_detention_accommodation"), put("disposal.next_hearing_date", "2026-03-12")),
        "remand.first_custodial_remand_8_clear_days",
        "9 clear days",
    ),
    (
        "later custodial remand for 29 clear days",
        both(put("disposal.first_remand", False), put("disposal.next_hearing_date", "2026-04-01")),
        "remand.later_custodial_remand_28_clear_days",
        "29 clear days",
    ),
]


@pytest.mark.parametrize(
    ("change", "rule", "says"),
    [pytest.param(change, rule, says, id=name) for name, change, rule, says in CLEAR_DAY_BREACHES],
)
def test_a_next_hearing_beyond_the_clear_day_limit_is_accepted_and_flagged(
    change: Callable[[Body], None], rule: str, says: str
) -> None:
    body = remand()
    change(body)

    outcome = validate_court_outcome(body, today=TODAY)

    (warning,) = court_outcome_warnings(outcome)
    assert (warning.field, warning.rule) == ("disposal.next_hearing_date", rule)
    assert says in warning.message and "flagged" in warning.message


def test_a_bail_remand_far_off_and_other_kinds_carry_no_warnings() -> None:
    bail = remand()
    bail["disposal"].update(type="bail_with_support", next_hearing_date="2026-06-01")

    for body in (bail, referral_order(), youth_rehabilitation_order(), detention_and_training_order()):
        assert court_outcome_warnings(validate_court_outcome(body, today=TODAY)) == []


def test_bail_needs_no_custody_time_limit() -> None:
    body = remand()
    body["disposal"].update(type="bail")
    del body["disposal"]["ctl_start_date"]
    del body["disposal"]["ctl_days"]

    validate_court_outcome(body, today=TODAY, supported_kinds=DISPOSAL_KINDS)


def test_an_iss_order_of_exactly_6_months_with_a_long_activity_is_accepted() -> None:
    body = iss_order()
    body["disposal"]["requirements"][0] = {"kind": "activity", "days": 91}

    validate_court_outcome(body, today=TODAY, supported_kinds=DISPOSAL_KINDS)


def test_a_yro_may_end_exactly_3_years_after_the_hearing() -> None:
    body = youth_rehabilitation_order()
    body["disposal"]["end_date"] = "2029-03-02"

    validate_court_outcome(body, today=TODAY, supported_kinds=DISPOSAL_KINDS)


def test_unpaid_work_at_16_is_accepted() -> None:
    body = youth_rehabilitation_order()
    body["child"]["date_of_birth"] = "2010-03-02"
    body["disposal"]["requirements"].append({"kind": "unpaid_work", "hours": 40})

    validate_court_outcome(body, today=TODAY, supported_kinds=DISPOSAL_KINDS)


def test_an_acting_outcome_keeps_the_decisions_own_fields() -> None:
    outcome = validate_court_outcome(order_extended(), today=TODAY, supported_kinds=DISPOSAL_KINDS)

    assert isinstance(outcome.disposal, OrderExtendedDisposal)
    assert outcome.disposal.decision == {"extension_months": 3}
    assert order_workflow_id(outcome) == "referral-order:luton:41CJ1234526:C-1001"


@pytest.mark.parametrize("base", sorted(BASES))
def test_an_outcome_survives_a_round_trip_through_json_and_python(base: str) -> None:
    outcome = validate_court_outcome(BASES[base](), today=TODAY, supported_kinds=DISPOSAL_KINDS)

    again = validate_court_outcome(outcome.model_dump(mode="json"), today=TODAY, supported_kinds=DISPOSAL_KINDS)

    assert again == outcome
    assert CourtOutcome.model_validate(outcome.model_dump()) == outcome


# --- each rule refused with its field and rule id -----------------------------------------------

REFUSALS: list[tuple[str, str, Callable[[Body], None], set[tuple[str, str]]]] = [
    # shape
    ("missing outcome_id", "referral_order", drop("outcome_id"), {("outcome_id", "required")}),
    ("missing court", "referral_order", drop("court"), {("court", "required")}),
    (
        "missing date of birth",
        "referral_order",
        drop("child.date_of_birth"),
        {("child.date_of_birth", "required")},
    ),
    ("missing plea", "referral_order", drop("offences.0.plea"), {("offences[0].plea", "required")}),
    ("missing months", "referral_order", drop("disposal.months"), {("disposal.months", "required")}),
    ("months 6.5", "referral_order", put("disposal.months", 6.5), {("disposal.months", "type.integer")}),
    ("months as text", "referral_order", put("disposal.months", "6"), {("disposal.months", "type.integer")}),
    ("months true", "referral_order", put("disposal.months", True), {("disposal.months", "type.integer")}),
    ("months 6.0", "referral_order", put("disposal.months", 6.0), {("disposal.months", "type.integer")}),
    ("date d/m/y", "referral_order", put("hearing_date", "02/03/2026"), {("hearing_date", "type.date")}),
    ("date unpadded", "referral_order", put("hearing_date", "2026-3-2"), {("hearing_date", "type.date")}),
    ("date 30 Feb", "referral_order", put("hearing_date", "2026-02-30"), {("hearing_date", "type.date")}),
    (
        "date with a time",
        "referral_order",
        put("hearing_date", "2026-03-02T00:00:00"),
        {("hearing_date", "type.date")},
    ),
    ("date as a number", "referral_order", put("hearing_date", 20260302), {("hearing_date", "type.date")}),
    (
        "offence date compact",
        "referral_order",
        put("offences.0.offence_date", "20260110"),
        {("offences[0].offence_date", "type.date")},
    ),
    ("outcome_id a number", "referral_order", put("outcome_id", 123), {("outcome_id", "type.string")}),
    ("plea unknown", "referral_order", put("offences.0.plea", "admitted"), {("offences[0].plea", "one_of")}),
    (
        "convicted as text",
        "referral_order",
        put("offences.0.convicted", "yes"),
        {("offences[0].convicted", "type.boolean")},
    ),
    ("court kind unknown", "referral_order", put("court.kind", "high"), {("court.kind", "one_of")}),
    ("offences not a list", "referral_order", put("offences", {"code": "x"}), {("offences", "type.list")}),
    ("child not an object", "referral_order", put("child", "C-1001"), {("child", "type.object")}),
    (
        "victim kind unknown",
        "referral_order",
        put("victims.0.kind", "company"),
        {("victims[0].kind", "one_of")},
    ),
    (
        "victim under_18 as text",
        "referral_order",
        put("victims.0.under_18", "no"),
        {("victims[0].under_18", "type.boolean")},
    ),
    (
        "disposal kind unknown",
        "referral_order",
        put("disposal", {"kind": "fine", "amount": 50}),
        {("disposal.kind", "disposal.kind.unknown")},
    ),
    (
        "disposal without kind",
        "referral_order",
        put("disposal", {"months": 6}),
        {("disposal.kind", "required")},
    ),
    (
        "disposal not an object",
        "referral_order",
        put("disposal", "referral_order"),
        {("disposal", "type.object")},
    ),
    (
        "requirement kind unknown",
        "youth_rehabilitation_order",
        put("disposal.requirements.1", {"kind": "community_service"}),
        {("disposal.requirements[1].kind", "one_of")},
    ),
    (
        "curfew hours as text",
        "iss_order",
        put("disposal.requirements.2.hours_per_day", "ten"),
        {("disposal.requirements[2].hours_per_day", "type.number")},
    ),
    (
        "activity days zero",
        "youth_rehabilitation_order",
        put("disposal.requirements.1.days", 0),
        {("disposal.requirements[1].days", "minimum")},
    ),
    ("iss missing", "youth_rehabilitation_order", drop("disposal.iss"), {("disposal.iss", "required")}),
    (
        "first_remand missing",
        "remand",
        drop("disposal.first_remand"),
        {("disposal.first_remand", "required")},
    ),
    (
        "remand type unknown",
        "remand",
        put("disposal.type", "custody"),
        {("disposal.type", "one_of")},
    ),
    # every outcome
    ("outcome_id empty", "referral_order", put("outcome_id", ""), {("outcome_id", "outcome_id.format")}),
    (
        "outcome_id with a space",
        "referral_order",
        put("outcome_id", "LUT 2026"),
        {("outcome_id", "outcome_id.format")},
    ),
    (
        "outcome_id too long",
        "referral_order",
        put("outcome_id", "L" * 101),
        {("outcome_id", "outcome_id.format")},
    ),
    ("yjs capitalised", "referral_order", put("yjs", "Luton"), {("yjs", "yjs.slug")}),
    ("yjs with a space", "referral_order", put("yjs", "milton keynes"), {("yjs", "yjs.slug")}),
    (
        "case reference empty",
        "referral_order",
        put("case_reference", ""),
        {("case_reference", "case_reference.not_empty")},
    ),
    (
        "case reference with a space",
        "referral_order",
        put("case_reference", "41CJ 1234526"),
        {("case_reference", "case_reference.workflow_id_safe")},
    ),
    (
        "case reference with a colon",
        "referral_order",
        put("case_reference", "41CJ:1234526"),
        {("case_reference", "case_reference.workflow_id_safe")},
    ),
    ("child id empty", "referral_order", put("child.id", ""), {("child.id", "child.id.not_empty")}),
    (
        "child id with a colon",
        "referral_order",
        put("child.id", "C:1001"),
        {("child.id", "child.id.workflow_id_safe")},
    ),
    (
        "child id with a tab",
        "referral_order",
        put("child.id", "C-1001\t"),
        {("child.id", "child.id.workflow_id_safe")},
    ),
    (
        "hearing tomorrow",
        "referral_order",
        put("hearing_date", "2026-11-23"),
        {("hearing_date", "hearing_date.not_in_future")},
    ),
    (
        "born on the hearing day",
        "referral_order",
        put("child.date_of_birth", "2026-03-02"),
        {("child.date_of_birth", "child.date_of_birth.before_hearing")},
    ),
    ("no offences", "referral_order", put("offences", []), {("offences", "offences.at_least_one")}),
    (
        "victim refs repeated",
        "referral_order",
        put("victims", [{"ref": "V-77", "kind": "person", "under_18": False}] * 2),
        {("victims[1].ref", "victims.ref.unique")},
    ),
    (
        "victim ref with a space",
        "referral_order",
        put("victims.0.ref", "V 77"),
        {("victims[0].ref", "victims.ref.workflow_id_safe")},
    ),
    (
        "victim ref empty",
        "referral_order",
        put("victims.0.ref", ""),
        {("victims[0].ref", "victims.ref.not_empty")},
    ),
    # referral order
    (
        "RO 2 months",
        "referral_order",
        put("disposal.months", 2),
        {("disposal.months", "referral_order.months_range")},
    ),
    (
        "RO 13 months",
        "referral_order",
        put("disposal.months", 13),
        {("disposal.months", "referral_order.months_range")},
    ),
    (
        "RO at 18",
        "referral_order",
        put("child.date_of_birth", "2008-03-02"),
        {("child.date_of_birth", "referral_order.under_18_at_conviction")},
    ),
    (
        "RO on a not-guilty plea",
        "referral_order",
        put("offences.0.plea", "not_guilty"),
        {("offences", "referral_order.guilty_plea")},
    ),
    (
        "RO in the Crown Court",
        "referral_order",
        put("court", {"name": "Luton Crown Court", "kind": "crown"}),
        {("court.kind", "referral_order.youth_or_magistrates_court")},
    ),
    # youth rehabilitation order
    (
        "YRO at 18",
        "youth_rehabilitation_order",
        put("child.date_of_birth", "2008-01-01"),
        {("child.date_of_birth", "youth_rehabilitation_order.under_18_at_conviction")},
    ),
    (
        "YRO ending on the hearing day",
        "youth_rehabilitation_order",
        put("disposal.end_date", "2026-03-02"),
        {("disposal.end_date", "youth_rehabilitation_order.end_date_after_hearing")},
    ),
    (
        "YRO over 3 years",
        "youth_rehabilitation_order",
        put("disposal.end_date", "2029-03-03"),
        {("disposal.end_date", "youth_rehabilitation_order.end_date_within_3_years")},
    ),
    (
        "ISS under 6 months",
        "iss_order",
        put("disposal.end_date", "2026-09-01"),
        {("disposal.end_date", "youth_rehabilitation_order.iss_at_least_6_months")},
    ),
    (
        "ISS without supervision",
        "iss_order",
        put("disposal.requirements.1", {"kind": "education"}),
        {("disposal.requirements", "youth_rehabilitation_order.iss_requirements")},
    ),
    (
        "ISS with only a 90-day activity",
        "iss_order",
        put("disposal.requirements.0", {"kind": "activity", "days": 90}),
        {("disposal.requirements", "youth_rehabilitation_order.iss_requirements")},
    ),
    (
        "ISS without curfew",
        "iss_order",
        put("disposal.requirements.2", {"kind": "programme"}),
        {("disposal.requirements", "youth_rehabilitation_order.iss_requirements")},
    ),
    (
        "unpaid work at 15",
        "youth_rehabilitation_order",
        put("disposal.requirements.1", {"kind": "unpaid_work", "hours": 40}),
        {("disposal.requirements[1]", "youth_rehabilitation_order.unpaid_work_age")},
    ),
    (
        "curfew 1 hour",
        "iss_order",
        put("disposal.requirements.2.hours_per_day", 1),
        {("disposal.requirements[2].hours_per_day", "youth_rehabilitation_order.curfew_hours")},
    ),
    (
        "curfew 16.5 hours",
        "iss_order",
        put("disposal.requirements.2.hours_per_day", 16.5),
        {("disposal.requirements[2].hours_per_day", "youth_rehabilitation_order.curfew_hours")},
    ),
    (
        "YRO without requirements",
        "youth_rehabilitation_order",
        put("disposal.requirements", []),
        {("disposal.requirements", "youth_rehabilitation_order.at_least_one_requirement")},
    ),
    # remand
    (
        "remand at 18",
        "remand",
        put("child.date_of_birth", "2008-03-01"),
        {("child.date_of_birth", "remand.under_18")},
    ),
    (
        "YDA at 11",
        "remand",
        both(put("child.date_of_birth", "2014-06-01"), put("disposal.type", "youth_detention_accommodation")),
        {("disposal.type", "remand.youth_detention_age_12")},
    ),
    (
        "next hearing the same day",
        "remand",
        put("disposal.next_hearing_date", "2026-03-02"),
        {("disposal.next_hearing_date", "remand.next_hearing_after_hearing")},
    ),
    ("CTL of 60 days", "remand", put("disposal.ctl_days", 60), {("disposal.ctl_days", "remand.ctl_days")}),
    (
        "custodial remand without a CTL",
        "remand",
        drop("disposal.ctl_days"),
        {("disposal.ctl_days", "remand.custody_time_limit_required")},
    ),
    # detention and training order
    (
        "DTO at 11",
        "detention_and_training_order",
        put("child.date_of_birth", "2014-06-01"),
        {("child.date_of_birth", "detention_and_training_order.age_12_to_17")},
    ),
    (
        "DTO at 18",
        "detention_and_training_order",
        put("child.date_of_birth", "2008-03-01"),
        {("child.date_of_birth", "detention_and_training_order.age_12_to_17")},
    ),
    (
        "DTO 3 months",
        "detention_and_training_order",
        put("disposal.months", 3),
        {("disposal.months", "detention_and_training_order.months_range")},
    ),
    (
        "DTO 25 months",
        "detention_and_training_order",
        put("disposal.months", 25),
        {("disposal.months", "detention_and_training_order.months_range")},
    ),
    # decisions on a running order
    (
        "order_ref empty",
        "order_extended",
        put("disposal.order_ref", ""),
        {("disposal.order_ref", "disposal.order_ref.not_empty")},
    ),
    (
        "order_ref with a space",
        "order_extended",
        put("disposal.order_ref", "referral order:luton"),
        {("disposal.order_ref", "disposal.order_ref.workflow_id_safe")},
    ),
    ("order_ref missing", "order_extended", drop("disposal.order_ref"), {("disposal.order_ref", "required")}),
]


@pytest.mark.parametrize(
    ("base", "change", "expected"),
    [pytest.param(base, change, expected, id=name) for name, base, change, expected in REFUSALS],
)
def test_each_rule_refuses_with_its_field_and_rule_id(
    base: str, change: Callable[[Body], None], expected: set[tuple[str, str]]
) -> None:
    body = BASES[base]()
    change(body)

    assert pairs(rejection(body)) == expected


@pytest.mark.parametrize("key", ["name", "phone", "address", "email"])
def test_victims_with_contact_details_are_refused(key: str) -> None:
    body = referral_order()
    body["victims"].append({"ref": "V-78", "kind": "person", "under_18": True, key: "Jo Bloggs"})

    errors = rejection(body)

    assert pairs(errors) == {("victims[1]", "victims.contact_details_forbidden")}
    assert key in errors[0].message
    assert "Jo Bloggs" not in str(OutcomeRejected(errors))


def test_several_contact_details_on_one_victim_are_one_error() -> None:
    body = referral_order()
    body["victims"][0].update(name="Jo Bloggs", phone="07700 900000")

    errors = rejection(body)

    assert pairs(errors) == {("victims[0]", "victims.contact_details_forbidden")}
    assert "name" in errors[0].message
    assert "phone" in errors[0].message


def test_a_body_that_is_not_an_object_is_refused() -> None:
    assert pairs(rejection([CONTRACT_EXAMPLE])) == {("body", "type.object")}
    assert pairs(rejection(None)) == {("body", "type.object")}


def test_messages_name_the_law() -> None:
    body = referral_order()
    body["disposal"]["months"] = 14

    (error,) = rejection(body)

    assert error.message.startswith("a referral order must be 3–12 whole months (Sentencing Act 2020 s.83)")


# --- several errors at once ---------------------------------------------------------------------


def test_every_failure_is_reported_at_once() -> None:
    body = referral_order()
    body["hearing_date"] = "2026-12-01"
    body["court"]["kind"] = "crown"
    body["disposal"]["months"] = 14
    del body["offences"][0]["plea"]
    body["victims"][0]["email"] = "someone@example.org"
    body["child"]["id"] = "C 1001"

    errors = rejection(body, supported=SUPPORTED_KINDS)

    assert pairs(errors) == {
        ("offences[0].plea", "required"),
        ("victims[0]", "victims.contact_details_forbidden"),
        ("hearing_date", "hearing_date.not_in_future"),
        ("child.id", "child.id.workflow_id_safe"),
        ("disposal.months", "referral_order.months_range"),
        ("court.kind", "referral_order.youth_or_magistrates_court"),
    }
    text = str(OutcomeRejected(errors))
    assert text.startswith("court outcome rejected (6 problems)")
    assert all(e.field in text and e.rule in text for e in errors)


def test_shape_errors_elsewhere_do_not_hide_the_disposal_law() -> None:
    body = youth_rehabilitation_order()
    body["hearing_date"] = "yesterday"
    body["disposal"]["requirements"] = []

    assert pairs(rejection(body)) == {
        ("hearing_date", "type.date"),
        ("disposal.requirements", "youth_rehabilitation_order.at_least_one_requirement"),
    }


def test_messages_never_carry_the_childs_name_or_birth_date() -> None:
    body = referral_order()
    body["child"].update(given_name="Zebedee", family_name="Quixotic", date_of_birth="2007-01-31")
    body["disposal"]["months"] = 20

    text = str(OutcomeRejected(rejection(body)))

    assert "Zebedee" not in text
    assert "Quixotic" not in text
    assert "2007-01-31" not in text


def test_outcome_rejected_pickles_with_its_errors() -> None:
    errors = [FieldError(field="disposal.months", rule="referral_order.months_range", message="m")]

    again = pickle.loads(pickle.dumps(OutcomeRejected(errors)))

    assert isinstance(again, OutcomeRejected)
    assert again.errors == errors


# --- kinds supported, and the switch to refuse some for now -------------------------------------


def test_every_disposal_kind_is_supported() -> None:
    assert SUPPORTED_KINDS == DISPOSAL_KINDS
    assert {"remand_ended", "order_revoked", "order_extended", "breach_outcome"} <= SUPPORTED_KINDS


@pytest.mark.parametrize("base", ["remand", "detention_and_training_order", "order_extended"])
def test_remands_detention_and_training_orders_and_acting_outcomes_are_accepted(base: str) -> None:
    assert validate_court_outcome(BASES[base](), today=TODAY).disposal.kind == base


def test_a_valid_outcome_of_a_kind_not_supported_is_refused() -> None:
    supported = SUPPORTED_KINDS - {"order_extended"}

    (error,) = rejection(order_extended(), supported=supported)

    assert (error.field, error.rule) == ("disposal.kind", "disposal.kind.not_supported_yet")
    accepted = ", ".join(sorted(supported))
    assert error.message == f"order_extended outcomes are not supported yet: this yjflow accepts {accepted}"


def test_a_kind_not_supported_yet_still_has_its_law_checked() -> None:
    body = detention_and_training_order()
    body["disposal"]["months"] = 30
    unsupported = SUPPORTED_KINDS - {"detention_and_training_order"}

    assert pairs(rejection(body, supported=unsupported)) == {
        ("disposal.months", "detention_and_training_order.months_range"),
        ("disposal.kind", "disposal.kind.not_supported_yet"),
    }


def test_a_kind_not_supported_yet_is_reported_even_when_its_shape_is_broken() -> None:
    body = detention_and_training_order()
    body["disposal"]["months"] = "eight"
    unsupported = SUPPORTED_KINDS - {"detention_and_training_order"}

    assert pairs(rejection(body, supported=unsupported)) == {
        ("disposal.months", "type.integer"),
        ("disposal.kind", "disposal.kind.not_supported_yet"),
    }


def test_an_already_built_outcome_of_a_kind_not_supported_yet_is_refused_too() -> None:
    built = validate_court_outcome(order_extended(), today=TODAY)

    refused = rejection(built, supported=SUPPORTED_KINDS - {"order_extended"})

    assert pairs(refused) == {("disposal.kind", "disposal.kind.not_supported_yet")}


def test_an_unknown_kind_is_refused_naming_the_kinds() -> None:
    (error,) = rejection(with_disposal({"kind": "order_suspended", "order_ref": "referral-order:luton:41CJ1:C-1"}))

    assert (error.field, error.rule) == ("disposal.kind", "disposal.kind.unknown")
    assert all(kind in error.message for kind in DISPOSAL_KINDS)


def test_supporting_a_kind_lets_it_through() -> None:
    outcome = validate_court_outcome(
        youth_rehabilitation_order(),
        today=TODAY,
        supported_kinds=frozenset({"referral_order", "youth_rehabilitation_order"}),
    )

    assert outcome.disposal.kind == "youth_rehabilitation_order"


# --- age at conviction --------------------------------------------------------------------------


def test_an_18th_birthday_on_the_hearing_date_is_too_old_for_a_referral_order() -> None:
    body = referral_order()
    body["child"]["date_of_birth"] = "2008-03-02"

    assert pairs(rejection(body)) == {("child.date_of_birth", "referral_order.under_18_at_conviction")}


def test_the_day_before_the_18th_birthday_is_still_17() -> None:
    body = referral_order()
    body["child"]["date_of_birth"] = "2008-03-03"

    validate_court_outcome(body, today=TODAY)


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2010, 5, 14), date(2026, 5, 13), 15),
        (date(2010, 5, 14), date(2026, 5, 14), 16),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2010, 12, 31), date(2011, 1, 1), 0),
    ],
)
def test_age_on(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


# --- workflow ids -------------------------------------------------------------------------------


def outcome_of(body: Body) -> CourtOutcome:
    return validate_court_outcome(body, today=TODAY, supported_kinds=DISPOSAL_KINDS)


def test_the_order_workflow_id_names_service_case_and_child() -> None:
    outcome = outcome_of(referral_order())

    assert order_workflow_id(outcome) == "referral-order:luton:41CJ1234526:C-1001"
    assert workflow_ids(outcome) == [
        "referral-order:luton:41CJ1234526:C-1001",
        *(f"victim-contact:luton:41CJ1234526:C-1001:{v.ref}" for v in outcome.victims),
    ]
    assert victim_workflow_id(outcome, "V-77") == "victim-contact:luton:41CJ1234526:C-1001:V-77"


@pytest.mark.parametrize(
    ("base", "prefix"),
    [
        ("youth_rehabilitation_order", "youth-rehabilitation-order"),
        ("remand", "remand"),
        ("detention_and_training_order", "detention-and-training-order"),
    ],
)
def test_each_order_kind_has_its_own_prefix(base: str, prefix: str) -> None:
    assert order_workflow_id(outcome_of(BASES[base]())) == f"{prefix}:luton:41CJ1234526:C-1001"


def test_a_redelivered_outcome_gets_the_same_ids() -> None:
    first = outcome_of(referral_order())
    again = referral_order()
    again["court"]["name"] = "Luton Youth Court"  # a resend may differ in detail, never in identity

    assert workflow_ids(outcome_of(again)) == workflow_ids(first)
    assert workflow_ids(outcome_of(referral_order())) == workflow_ids(first)


@pytest.mark.parametrize(
    "change",
    [
        put("child.id", "C-1002"),
        put("case_reference", "41CJ1234527"),
        put("yjs", "milton-keynes"),
        put("disposal", {"kind": "detention_and_training_order", "months": 8}),
    ],
)
def test_a_different_child_case_service_or_kind_gets_a_different_id(change: Callable[[Body], None]) -> None:
    body = referral_order()
    change(body)

    assert order_workflow_id(outcome_of(body)) != order_workflow_id(outcome_of(referral_order()))


def test_ids_carry_no_whitespace() -> None:
    outcome = outcome_of(referral_order())

    for wid in [*workflow_ids(outcome), victim_workflow_id(outcome, "V-77")]:
        assert not any(ch.isspace() for ch in wid)


# --- sample data --------------------------------------------------------------------------------


def lines(name: str) -> list[Body]:
    return [json.loads(line) for line in (SAMPLE_DATA / name).read_text().splitlines() if line.strip()]


def test_sample_outcomes_are_six_valid_referral_orders_for_luton() -> None:
    outcomes = [validate_court_outcome(body, today=TODAY) for body in lines("outcomes.jsonl")]

    assert [o.child.id for o in outcomes] == [f"C-{n}" for n in range(1001, 1007)]
    assert {o.yjs for o in outcomes} == {"luton"}
    assert {o.court.kind for o in outcomes} == {"youth", "magistrates"}
    assert all(date(2026, 10, 1) <= o.hearing_date <= TODAY for o in outcomes)
    assert any(len(o.victims) == 2 for o in outcomes)
    assert len({order_workflow_id(o) for o in outcomes}) == 6
    assert len({o.outcome_id for o in outcomes}) == 6


def test_bad_sample_outcomes_are_each_refused_for_one_reason() -> None:
    refused = [pairs(rejection(body, supported=SUPPORTED_KINDS)) for body in lines("bad_outcomes.jsonl")]

    assert refused == [
        {("disposal.months", "referral_order.months_range")},
        {("offences", "referral_order.guilty_plea")},
        {("court.kind", "referral_order.youth_or_magistrates_court")},
    ]


# --- nothing but OutcomeRejected ----------------------------------------------------------------

CONTRACT_KEYS = sorted(
    {
        "outcome_id", "yjs", "court", "hearing_date", "case_reference", "child", "offences", "disposal",
        "victims", "kind", "name", "id", "date_of_birth", "plea", "convicted", "months", "end_date",
        "requirements", "iss", "type", "next_hearing_date", "first_remand", "ctl_days", "order_ref", "ref",
        "under_18", "hours_per_day", "days", "hours",
    }
)  # fmt: skip
KINDS = [*sorted(DISPOSAL_KINDS), "curfew", "unpaid_work", "activity", "supervision", "youth", "crown"]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(KINDS)
    | st.dates().map(date.isoformat)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(CONTRACT_KEYS) | st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=25,
)


def expect_only_rejection(body: object) -> None:
    try:
        outcome = validate_court_outcome(body, today=TODAY, supported_kinds=DISPOSAL_KINDS)
    except OutcomeRejected as exc:
        assert exc.errors
        assert all(e.field and e.rule and e.message for e in exc.errors)
        str(exc)
    else:
        assert isinstance(outcome, CourtOutcome)
        workflow_ids(outcome)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_random_json_never_raises_anything_but_outcome_rejected(body: object) -> None:
    expect_only_rejection(body)


def leaf_paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            paths += leaf_paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            paths += leaf_paths(inner, (*prefix, i))
    return paths


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_valid_body_with_random_damage_never_raises_anything_but_outcome_rejected(
    data: st.DataObject,
) -> None:
    body = BASES[data.draw(st.sampled_from(sorted(BASES)))]()
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        paths = leaf_paths(body)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        target: Any = body
        for key in path[:-1]:
            target = target[key]
        if data.draw(st.booleans()):
            target[path[-1]] = data.draw(json_values)
        elif isinstance(target, dict):
            del target[path[-1]]
    expect_only_rejection(body)
