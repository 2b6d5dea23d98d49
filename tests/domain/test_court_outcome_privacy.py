"""What of a court message may be kept in clear: an allow-list, so a field nobody has read stays sealed."""

from __future__ import annotations

from domain.court_outcome.privacy import clear_part


def test_the_childs_names_and_anything_unknown_leave_the_clear_part() -> None:
    body = {
        "outcome_id": "O-1",
        "yjs": "luton",
        "court": {"name": "Luton Youth Court", "kind": "youth"},
        "hearing_date": "2026-05-01",
        "case_reference": "41CJ1",
        "child": {
            "id": "C-1",
            "given_name": "Sam",
            "family_name": "Example",
            "date_of_birth": "2011-01-01",
            "address": "1 Secret Row",
        },
        "offences": [
            {
                "code": "TH68010",
                "description": "Theft",
                "offence_date": "2026-04-01",
                "plea": "guilty",
                "convicted": True,
                "co_defendant": "Alex Other",
            }
        ],
        "disposal": {"kind": "referral_order", "months": 6},
        "victims": [{"ref": "V-1", "kind": "person", "under_18": False, "name": "Pat Victim"}],
        "child_address": "1 Secret Row",
    }
    clear = clear_part(body)
    assert clear is not None
    assert clear["child"] == {"id": "C-1"}
    assert "child_address" not in clear
    assert clear["offences"][0] == {k: v for k, v in body["offences"][0].items() if k != "co_defendant"}
    assert clear["victims"] == [{"ref": "V-1", "kind": "person", "under_18": False}]
    for field in ("outcome_id", "yjs", "court", "hearing_date", "case_reference", "disposal"):
        assert clear[field] == body[field]
    assert "Sam" not in repr(clear) and "Secret" not in repr(clear) and "Pat" not in repr(clear)


def test_a_broken_body_keeps_only_what_can_be_told_apart() -> None:
    assert clear_part(["Sam Example"]) is None and clear_part("Sam") is None and clear_part(None) is None
    assert clear_part({"child": "Sam Example", "yjs": "luton"}) == {"yjs": "luton"}
    assert clear_part({"offences": ["Sam", {"code": "X", "note": "Sam"}, [1]]}) == {
        "offences": [None, {"code": "X"}, None]
    }
