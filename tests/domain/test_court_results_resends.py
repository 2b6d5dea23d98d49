"""A court's later message about an outcome already kept (pure): the sentence that ends a running remand,
an unchanged resend, and a changed one with its difference and the court decision that would apply it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from domain.court_outcome import validate_court_outcome
from domain.court_results import resends
from tests.domain.test_court_results_mapping import TODAY

RO: dict[str, Any] = {
    "outcome_id": "spi:ro:abc",
    "yjs": "luton",
    "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
    "hearing_date": "2026-11-16",
    "case_reference": "41CJ2000001",
    "child": {"id": "2026-0100001A", "given_name": "ALEX", "family_name": "EXAMPLE", "date_of_birth": "2011-04-02"},
    "offences": [
        {"code": "TH68010", "description": "Theft", "offence_date": "2026-09-20", "plea": "guilty", "convicted": True}
    ],
    "disposal": {"kind": "referral_order", "months": 6},
    "victims": [],
}


def changed(body: dict[str, Any], **disposal: Any) -> dict[str, Any]:
    made = copy.deepcopy(body)
    made["disposal"].update(disposal)
    return made


def test_a_sentence_ends_the_running_remand_of_its_case_and_child_and_the_contract_takes_it() -> None:
    remand = resends.remand_ref(RO)
    assert remand == "remand:luton:41CJ2000001:2026-0100001A"
    assert resends.sentence_ends_remand(RO, remand_open=True)
    assert not resends.sentence_ends_remand(RO, remand_open=False)
    assert not resends.sentence_ends_remand(changed(RO, kind="remand"), remand_open=True)
    ending = resends.ending_the_remand(RO, remand)
    assert ending["disposal"] == {
        "kind": "remand_ended",
        "order_ref": remand,
        "how": "convicted_and_sentenced",
        "sentence": RO["disposal"],
    }
    assert validate_court_outcome(ending, today=TODAY).disposal.kind == "remand_ended"
    # The kept form and the court's own agree: an unchanged resend of the sentence is the same body.
    assert resends.plain(ending) == RO
    assert resends.as_kept(copy.deepcopy(RO), ending) == ending
    assert resends.difference(resends.plain(ending), RO) == []
    assert resends.order_ref(ending) == "referral-order:luton:41CJ2000001:2026-0100001A"


def test_the_difference_names_each_changed_field_with_before_and_after() -> None:
    new = changed(RO, months=9)
    new["offences"] = [*RO["offences"], {"code": "CD71039"}]
    changes = resends.difference(RO, new)
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("disposal.months", 6, 9),
        ("offences", RO["offences"], new["offences"]),
    ]
    assert str(changes[0]) == "disposal.months: 6 → 9"
    assert str(resends.Change(field="disposal.iss", before=None, after=True)) == "disposal.iss: (none) → True"


def test_a_longer_referral_order_is_applied_as_its_extension() -> None:
    applied = resends.amendment_outcome(RO, changed(RO, months=9), amendment_id=7)
    assert applied["outcome_id"] == "spi:ro:abc:amendment-7"
    assert applied["disposal"] == {
        "kind": "order_extended",
        "extension_months": 3,
        "order_ref": "referral-order:luton:41CJ2000001:2026-0100001A",
    }
    assert validate_court_outcome(applied, today=TODAY).disposal.kind == "order_extended"


def test_a_later_yro_end_date_is_applied_as_the_new_end_date() -> None:
    yro = changed(RO, kind="youth_rehabilitation_order", end_date="2027-11-15", requirements=[{"kind": "supervision"}])
    del yro["disposal"]["months"]
    applied = resends.amendment_outcome(yro, changed(yro, end_date="2028-02-15"), amendment_id=1)
    assert applied["disposal"]["new_end_date"] == "2028-02-15"
    assert applied["disposal"]["order_ref"].startswith("youth-rehabilitation-order:")
    with pytest.raises(resends.NotApplicable, match="moved later"):
        resends.amendment_outcome(yro, changed(yro, end_date="2027-10-15"), amendment_id=1)
    with pytest.raises(resends.NotApplicable, match=r"disposal\.requirements"):
        resends.amendment_outcome(yro, changed(yro, requirements=[{"kind": "activity", "days": 10}]), amendment_id=1)


@pytest.mark.parametrize(
    ("new", "why"),
    [
        (changed(RO, months=4), "only ever extended"),
        (changed(RO, kind="detention_and_training_order"), "order kind changed"),
        ({**RO, "hearing_date": "2026-11-17"}, "hearing_date"),
    ],
)
def test_a_change_no_court_decision_carries_is_not_applicable_with_the_reason(new: dict[str, Any], why: str) -> None:
    with pytest.raises(resends.NotApplicable, match=why):
        resends.amendment_outcome(RO, new, amendment_id=1)
