"""The extract's shape against its JSON Schema: what yjflow builds is valid, with or without the outcome
as received; a document that breaks it is named place by place."""

from __future__ import annotations

from datetime import date

import pytest

from activities.yjb_extract import schema_problems
from domain.child_record import ChildRecord, Ethnicity, Sex
from domain.yjb_extract import ChildHeld, OrderHeld, OutcomeHeld, VictimContactHeld, extract, legal_outcome


def test_an_extract_without_the_received_outcome_is_valid_and_says_so() -> None:
    child = ChildHeld(
        child_id="C-1",
        yjs="F00WW00",
        outcomes=[
            OutcomeHeld(outcome_id="O-1", hearing_date=date(2026, 5, 1), court_kind="youth", disposal_kind="remand")
        ],
        orders=[
            OrderHeld(
                stream_id="remand:x",
                kind="remand",
                state="ended",
                opened_on=date(2026, 5, 1),
                closed_on=date(2026, 6, 1),
            )
        ],
        victim_contacts=[
            VictimContactHeld(stream_id="victim-contact:x", fold={"victim_ref": "V-1", "victim_kind": "person"})
        ],
    )
    document = extract("F00WW00", date(2026, 4, 1), date(2026, 7, 1), [child])
    assert schema_problems(document) == []
    (doc,) = document["children"]
    assert doc["person_details"]["date_of_birth"] is None and doc["offence"] == []
    assert doc["intervention_programme"][0]["successfully_completed"] is False
    assert doc["victim_intervention"][0]["consent_to_yjs_contact"] is None
    with pytest.raises(ValueError, match=r"to \(2026-04-01\) must be after from"):
        extract("F00WW00", date(2026, 4, 1), date(2026, 4, 1), [])


def test_a_document_breaking_the_schema_is_named_place_by_place() -> None:
    document = extract("F00WW00", date(2026, 4, 1), date(2026, 7, 1), [])
    document["children"] = [{"ypid": "", "person_details": {}}]
    document["from"] = "1 April"
    problems = schema_problems(document)
    assert any(p.startswith("from: ") for p in problems)
    assert any(p.startswith("children/0: ") and "'offence' is a required property" in p for p in problems)
    assert any(p.startswith("children/0/ypid: ") for p in problems)


def test_legal_outcomes_are_the_yjbs_or_none() -> None:
    assert legal_outcome("remand", "youth_detention_accommodation") == "REMAND_IN_CUSTODY"
    assert legal_outcome("remand", "bail") is None
    assert legal_outcome("detention_and_training_order") == "DETENTION_AND_TRAINING_ORDER"


def test_person_details_come_from_the_childs_record_and_only_what_is_lacking_is_not_held() -> None:
    record = ChildRecord(
        given_name="Ama",
        family_name="Test",
        date_of_birth=date(2010, 3, 4),
        sex=Sex.FEMALE,
        ethnicity=Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN,
        pnc="2010/0046583U",
        ypid="YP-1",
    )
    full = extract(
        "F00WW00", date(2026, 4, 1), date(2026, 7, 1), [ChildHeld(child_id="C-1", yjs="F00WW00", record=record)]
    )
    assert schema_problems(full) == []
    (doc,) = full["children"]
    assert doc["person_details"] == {
        "ypid": "C-1",
        "current_yot_id": "F00WW00",
        "date_of_birth": "2010-03-04",
        "pnc_number": "2010/0046583U",
        "ethnicity": "mixed_white_and_black_caribbean",
        "ethnic_group": "mixed",
        "sex": "female",
        "yjb_ypid": "YP-1",
    }
    assert "person_details" not in full["not_held"]

    unknown = record.model_copy(update={"sex": Sex.NOT_KNOWN, "pnc": None})
    children = [ChildHeld(child_id="C-1", yjs="F", record=unknown), ChildHeld(child_id="C-2", yjs="F")]
    part = extract("F", date(2026, 4, 1), date(2026, 7, 1), children)
    assert schema_problems(part) == []
    said = part["not_held"]["person_details"]
    assert set(said) == {"pnc_number", "sex", "ethnicity", "yjb_ypid"}
    assert said["sex"].startswith("sex is not on the child's record for 2 of the 2 children")
    assert said["ethnicity"].startswith("ethnicity is not on the child's record for 1 of the 2 children")
