"""Organisation accounts' claims to a yjflow role and services: what is granted, what is refused and why."""

from __future__ import annotations

import pytest

from domain.access import Role
from domain.sign_in_mapping import Granted, MappingError, Refused, decide, parse_mapping, username_from

MAPPING = parse_mapping(
    {
        "groups": {
            "yjs-luton-caseworkers": {"role": "case_worker", "services": ["luton"]},
            "yjs-bedford-caseworkers": {"role": "case_worker", "services": ["bedford"]},
            "yjs-luton-managers": {"role": "manager", "services": ["luton"]},
        },
        "department": {"Inspectorate": {"role": "inspector"}},
    },
    "test mapping",
)


def test_a_group_gives_its_role_and_services() -> None:
    decided = decide(MAPPING, {"sub": "a", "groups": ["all-staff", "yjs-luton-caseworkers"]})
    assert decided == Granted(role=Role.CASE_WORKER, services=("luton",), matched=("groups=yjs-luton-caseworkers",))


def test_groups_of_one_role_add_their_services_up() -> None:
    decided = decide(MAPPING, {"groups": ["yjs-bedford-caseworkers", "yjs-luton-caseworkers"]})
    assert isinstance(decided, Granted)
    assert decided.role is Role.CASE_WORKER
    assert decided.services == ("bedford", "luton")


def test_a_single_valued_claim_maps_like_a_list() -> None:
    decided = decide(MAPPING, {"department": "Inspectorate"})
    assert decided == Granted(role=Role.INSPECTOR, services=(), matched=("department=Inspectorate",))


def test_an_account_the_mapping_does_not_know_is_refused_naming_what_it_has_and_what_is_known() -> None:
    decided = decide(MAPPING, {"groups": ["all-staff", "finance"]})
    assert isinstance(decided, Refused)
    assert "groups: all-staff, finance" in decided.reason
    assert "department: none" in decided.reason
    assert "yjs-luton-caseworkers" in decided.reason and "Inspectorate" in decided.reason


def test_no_claims_at_all_is_refused_not_given_a_default_role() -> None:
    decided = decide(MAPPING, {"sub": "x"})
    assert isinstance(decided, Refused)
    assert "groups: none" in decided.reason


def test_two_roles_at_once_are_refused_naming_both() -> None:
    decided = decide(MAPPING, {"groups": ["yjs-luton-caseworkers", "yjs-luton-managers"]})
    assert isinstance(decided, Refused)
    assert "yjs-luton-caseworkers (case_worker)" in decided.reason
    assert "yjs-luton-managers (manager)" in decided.reason


def test_values_of_other_types_are_not_matched() -> None:
    assert isinstance(decide(MAPPING, {"groups": {"yjs-luton-caseworkers": True}}), Refused)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], "must be a JSON object of claims"),
        ({}, "must be a JSON object of claims"),
        ({"groups": []}, "claim 'groups' must map its values"),
        ({"groups": {"g": {"role": "caseworker"}}}, "groups='g': role:"),
        ({"groups": {"g": {"role": "manager", "services": [" luton"]}}}, "invalid service ' luton'"),
        ({"groups": {"g": {"role": "manager", "service": ["luton"]}}}, "service: Extra inputs"),
    ],
)
def test_a_broken_mapping_is_refused_naming_the_entry(document: object, expected: str) -> None:
    with pytest.raises(MappingError, match=r"^the file: ") as raised:
        parse_mapping(document, "the file")
    assert expected in str(raised.value)


def test_an_unknown_role_lists_the_roles() -> None:
    with pytest.raises(MappingError, match="roles are intake, case_worker"):
        parse_mapping({"groups": {"g": {"role": "boss"}}}, "m")


def test_the_username_comes_from_the_configured_claim_then_email_then_subject() -> None:
    assert username_from({"preferred_username": "casey", "email": "c@x", "sub": "1"}, "preferred_username") == "casey"
    assert username_from({"preferred_username": " ", "email": "c@x", "sub": "1"}, "preferred_username") == "c@x"
    assert username_from({"sub": "1"}, "upn") == "1"
    assert username_from({}, "upn") is None
