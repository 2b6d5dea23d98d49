"""The inspection sample's rules, without a server: sizing by the policy file, proportional strata, and
the same sample from the same seed (domain/inspection.py is pure, so these run in milliseconds)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from activities.rule_source import inspection_policy
from domain.inspection import (
    Candidate,
    InspectionError,
    SampleRequest,
    allocate,
    choose_sample,
    load_policy,
    sample_size,
)

POLICY = inspection_policy()


def cases(kind: str, n: int) -> list[Candidate]:
    opened = date(2026, 1, 5)
    return [
        Candidate(
            workflow_id=f"{kind}:luton:{i}",
            kind=kind,
            child_id=f"C-{kind}-{i}",
            yjs="luton",
            opened_on=opened + timedelta(days=i % 200),
        )
        for i in range(n)
    ]


def test_the_shipped_policy_is_the_inspectorates_guidance() -> None:
    assert (POLICY.children.minimum, POLICY.children.maximum) == (14, 91)
    assert (POLICY.victims.minimum, POLICY.victims.maximum) == (9, 24)


def test_a_policy_with_minimum_above_maximum_is_refused() -> None:
    text = 'version = "x"\nsource = "y"\n[children]\nminimum = 30\nmaximum = 10\nshare = 0.5\n'
    text += "[victims]\nminimum = 1\nmaximum = 2\nshare = 0.5\n"
    with pytest.raises(ValueError, match=r"minimum \(30\) must not exceed maximum \(10\)"):
        load_policy(text)


@pytest.mark.parametrize(
    ("eligible", "expected"), [(0, 0), (5, 5), (14, 14), (40, 14), (100, 25), (400, 91), (1000, 91)]
)
def test_size_follows_the_share_within_minimum_and_maximum(eligible: int, expected: int) -> None:
    assert sample_size(eligible, POLICY.children, None, "children") == expected


def test_a_requested_size_outside_the_policy_names_the_field() -> None:
    with pytest.raises(InspectionError, match="victims: 30 is outside the policy's range 9–24"):
        sample_size(100, POLICY.victims, 30, "victims")
    assert sample_size(5, POLICY.victims, 10, "victims") == 5  # never more than there are


def test_strata_are_proportional_and_add_up() -> None:
    assert allocate({"referral_order": 60, "youth_rehabilitation_order": 30, "remand": 10}, 20) == {
        "referral_order": 12,
        "youth_rehabilitation_order": 6,
        "remand": 2,
    }
    shares = allocate({"a": 1, "b": 1, "c": 1}, 2)
    assert sum(shares.values()) == 2 and sorted(shares.values()) == [0, 1, 1]


def test_the_same_seed_gives_the_same_sample_and_another_seed_another() -> None:
    pool = cases("referral_order", 120) + cases("remand", 40) + cases("victim_contact", 80)
    request = SampleRequest(start=date(2026, 1, 1), end=date(2026, 12, 31), seed=11)
    first = choose_sample(pool, request, POLICY)
    assert choose_sample(list(reversed(pool)), request, POLICY) == first  # input order does not matter
    other = choose_sample(pool, request.model_copy(update={"seed": 12}), POLICY)
    assert {c.workflow_id for c in other.children.cases} != {c.workflow_id for c in first.children.cases}
    assert first.children.size == 40 and first.victims.size == 20
    assert {s.kind: s.chosen for s in first.children.strata} == {"referral_order": 30, "remand": 10}
    assert all(c.kind == "victim_contact" for c in first.victims.cases)
