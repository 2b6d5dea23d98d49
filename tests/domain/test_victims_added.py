"""Adding a victim to a running order: the same step and event on every order kind (pure domain)."""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from domain import events as ev
from domain.decisions import StepRefused
from domain.victims_added import AddVictim, with_victims
from tests.domain.test_allocation import BY_NAME, MADE, TODAY, Kind

ADDED = date(2027, 3, 15)


def body(ref: str = "V-9", on: date = ADDED, **extra: Any) -> dict[str, Any]:
    return {"step": "victim_added", "effective_date": on.isoformat(), "victim_ref": ref, **extra}


@BY_NAME
def test_every_kind_takes_the_one_victim_added_step(kind: Kind) -> None:
    members = get_args(get_args(kind.union)[0])
    assert [m for m in members if m.model_fields["step"].default == "victim_added"] == [AddVictim]


@BY_NAME
def test_a_victim_added_is_recorded_and_joins_the_orders_victims(kind: Kind) -> None:
    state = kind.fresh()
    decision = kind.decide(state, body("V-9", victim_kind="organisation", under_18=False))
    assert decision.events == (
        ev.VictimAdded(victim_ref="V-9", victim_kind="organisation", under_18=False, added_date=ADDED),
    )
    if kind.name != "referral_order":  # a referral order's first victim owes views by the panel (below)
        assert decision.deadlines == ()
    assert kind.fold(state, decision).victim_refs == ("V-9",)


@BY_NAME
def test_a_victim_already_on_the_order_is_refused(kind: Kind) -> None:
    """Whether the court named them or a step added them, the same victim is not added twice."""
    named = with_victims(kind.fresh(), ["V-1"])
    with pytest.raises(StepRefused, match="V-1 is already a victim on this order"):
        kind.decide(named, body("V-1"))
    added = kind.fold(named, kind.decide(named, body("V-2")))
    assert added.victim_refs == ("V-1", "V-2")
    with pytest.raises(StepRefused, match="V-2 is already a victim"):
        kind.decide(added, body("V-2"))


@BY_NAME
def test_no_victim_is_added_to_a_closed_order_or_in_the_future_or_before_the_order(kind: Kind) -> None:
    closed = kind.module.evolve(kind.fresh(), kind.closing)
    with pytest.raises(StepRefused, match="victim_added refused"):
        kind.decide(closed, body())
    with pytest.raises(StepRefused, match="in the future"):
        kind.decide(kind.fresh(), body(on=date(2027, 7, 1)), today=TODAY)
    with pytest.raises(StepRefused, match="before"):
        kind.decide(kind.fresh(), body(on=date(2027, 2, 28)))


@BY_NAME
def test_a_victim_reference_must_be_a_reference(kind: Kind) -> None:
    for bad in ({"victim_ref": ""}, {"victim_ref": "V\n1"}, {"victim_kind": "company"}, {"under_18": "maybe"}):
        with pytest.raises(ValidationError) as refused:
            kind.decide(kind.fresh(), {**body(), **bad})
        assert next(iter(bad)) in str(refused.value)


def test_an_order_begun_before_orders_kept_victims_learns_the_courts_from_its_start() -> None:
    """A state carried across continue-as-new from older code has no victims of its own: the start
    input's are merged in, in the court's order, without duplicates."""
    from domain import referral_order as ro

    state = ro.ReferralOrderState(child_id="C-1", yjs="luton", hearing_date=MADE, months=6, victim_refs=("V-2",))
    assert with_victims(state, ["V-1", "V-2"]).victim_refs == ("V-1", "V-2")
    assert with_victims(state, []) is state


def test_a_referral_orders_first_victim_before_the_panel_owes_their_views_by_it() -> None:
    """ro.victim_views runs from the order made, as when the court names the victim; once the panel has
    been held, or while the clock already runs for the court's victims, nothing more is scheduled."""
    from domain import referral_order as ro
    from domain.decisions import ScheduleDeadline
    from tests.domain.test_allocation import KINDS

    kind = next(k for k in KINDS if k.name == "referral_order")
    first = kind.decide(kind.fresh(), body("V-1"))
    assert first.deadlines == (ScheduleDeadline(rule_id="ro.victim_views", clock_start=MADE),)
    second = kind.decide(kind.fold(kind.fresh(), first), body("V-2"))
    assert second.deadlines == ()
    panel_held = kind.fresh().model_copy(update={"state": ro.OrderState.CONTRACT_AGREED})
    assert kind.decide(panel_held, body("V-1")).deadlines == ()


def test_a_victim_of_a_violent_offence_added_to_a_years_custody_is_owed_a_vcs_referral() -> None:
    """As an outcome's victim is (Code Right 11): violent or sexual, and 12 months' custody or more."""
    from domain import custody as cu
    from tests.domain.test_allocation import KINDS

    dto = next(k for k in KINDS if k.name == "dto")
    year = cu.CustodyState(child_id="C-1", yjs="luton", sentence_date=MADE, kind="dto", months=12)
    [owed] = dto.decide(year, body("V-1", violent_or_sexual=True)).events
    assert isinstance(owed, ev.VictimAdded) and owed.vcs_referral_needed
    assert "Victim Contact Scheme is owed" in owed.describe({})
    [not_violent] = dto.decide(year, body("V-1")).events
    [short] = dto.decide(dto.fresh(), body("V-1", violent_or_sexual=True)).events  # 8 months
    weeks_52 = cu.CustodyState(child_id="C-1", yjs="luton", sentence_date=MADE, kind="dto", weeks=52)
    [under_a_year] = dto.decide(weeks_52, body("V-1", violent_or_sexual=True)).events
    assert isinstance(not_violent, ev.VictimAdded) and isinstance(short, ev.VictimAdded)
    assert isinstance(under_a_year, ev.VictimAdded)
    assert not (not_violent.vcs_referral_needed or short.vcs_referral_needed or under_a_year.vcs_referral_needed)
    referral = next(k for k in KINDS if k.name == "referral_order")
    [community] = referral.decide(referral.fresh(), body("V-1", violent_or_sexual=True)).events
    assert isinstance(community, ev.VictimAdded) and not community.vcs_referral_needed
