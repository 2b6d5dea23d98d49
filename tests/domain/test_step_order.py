"""Steps in date order, for every order kind, over generated sequences of steps and dates.

For each kind Hypothesis records a sequence of steps with dates that wander forwards and back. The test
keeps its own log of the steps the domain accepted and their dates (not the domain's), and checks:
every accepted step is dated on or after every step it follows (its kind's `FOLLOWS`), and every step
refused for coming before one it follows names itself, that step and that step's date.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from domain import custody as cu
from domain import referral_order as ro
from domain import remand as rm
from domain import youth_rehabilitation_order as yro
from domain.decisions import Decision, StepRefused
from domain.step_order import Follows, StepEvents, followed_steps
from tests.domain.test_custody_state import sentenced
from tests.domain.test_referral_order_state import made
from tests.domain.test_remand_state import remanded
from tests.domain.test_youth_rehabilitation_order_state import order

Body = dict[str, Any]
Template = Callable[[Any, date], Body]


@dataclass(frozen=True)
class Kind:
    name: str
    start: Callable[[], Any]
    first_day: Callable[[Any], date]
    decide: Callable[..., Decision]
    evolve: Callable[[Any, Any], Any]
    union: Any
    follows: Follows
    step_events: StepEvents
    closed: Callable[[Any], bool]
    templates: tuple[Template, ...]
    # Dates a step carries besides its effective date that a later step follows (the contract's signing).
    extra_dates: Callable[[Body], dict[str, date]] = lambda body: {}


def _plain(step: str, **extra: Any) -> Template:
    return lambda state, day: {"step": step, **extra}


def _ro_extra(body: Body) -> dict[str, date]:
    return (
        {"contract_signed": date.fromisoformat(body["contract_signed_date"])} if "contract_signed_date" in body else {}
    )


RO = Kind(
    name="referral_order",
    start=lambda: made(12, victims=("V-1",)),
    first_day=lambda s: s.hearing_date,
    decide=ro.decide,
    evolve=ro.evolve,
    union=ro.ReferralOrderStep,
    follows=ro.FOLLOWS,
    step_events=ro.STEP_EVENTS,
    closed=lambda s: s.state in ro.CLOSED_STATES,
    templates=(
        _plain("first_contact_made"),
        _plain("victim_views_recorded", victim_ref="V-1"),
        _plain("panel_adjourned"),
        lambda s, day: {"step": "initial_panel_held", "contract_signed_date": day.isoformat()},
        _plain("progress_panel_held"),
        _plain("progress_panel_held"),
        _plain("contract_varied", summary="reparation moved to Saturdays"),
        _plain("referred_back_to_court", grounds="breach", reason="missed three sessions"),
        _plain("referred_back_to_court", grounds="revocation_good_progress", reason="good progress"),
        _plain("court_decision", decision="continue"),
        _plain("court_decision", decision="extend", extension_months=1),
        _plain("revocation_refused"),
        _plain("extended_by_court", extension_months=1),
        _plain("final_panel_held", discharged=True),
        _plain("order_completed"),
    ),
    extra_dates=_ro_extra,
)

YRO = Kind(
    name="youth_rehabilitation_order",
    start=lambda: order(),
    first_day=lambda s: s.hearing_date,
    decide=yro.decide,
    evolve=yro.evolve,
    union=yro.YroStep,
    follows=yro.FOLLOWS,
    step_events=yro.STEP_EVENTS,
    closed=lambda s: s.state in yro.CLOSED_STATES,
    templates=(
        _plain("first_appointment_attended"),
        _plain("review_held"),
        _plain("requirement_progress", requirement="activity", activity_days=1),
        _plain("appointment_missed"),
        _plain("absence_explained", acceptable=False),
        _plain("absence_explained", acceptable=True),
        _plain("follow_up_contact_made"),
        _plain("warning_issued"),
        _plain("breach_laid", reason="third failure"),
        _plain("court_breach_outcome", decision="continue"),
        _plain("order_amended", summary="curfew hours changed"),
        _plain("order_completed"),
    ),
)

REMAND = Kind(
    name="remand",
    start=lambda: remanded(),
    first_day=lambda s: s.remand_date,
    decide=rm.decide,
    evolve=rm.evolve,
    union=rm.RemandStep,
    follows=rm.FOLLOWS,
    step_events=rm.STEP_EVENTS,
    closed=lambda s: s.status in rm.CLOSED_STATES,
    templates=(
        _plain("lac_review_held"),
        _plain("social_worker_visit_made"),
        lambda s, day: {
            "step": "remand_renewed",
            "type": "local_authority_accommodation",
            "next_hearing_date": (day + timedelta(days=7)).isoformat(),
        },
        lambda s, day: {
            "step": "ctl_extended",
            "new_expiry": ((s.ctl_expiry or day) + timedelta(days=14)).isoformat(),
            "reason": "the prosecution acted with due diligence",
        },
        _plain("remand_ended", how="bail"),
    ),
)

CUSTODY = Kind(
    name="custody",
    start=lambda: sentenced(),
    first_day=lambda s: s.sentence_date,
    decide=cu.decide,
    evolve=cu.evolve,
    union=cu.CustodyStep,
    follows=cu.FOLLOWS,
    step_events=cu.STEP_EVENTS,
    closed=lambda s: s.status in cu.CLOSED_STATES,
    templates=(
        _plain("initial_planning_held"),
        _plain("review_held"),
        _plain("pre_release_confirmed", accommodation=True, ete=True),
        # Release is on the release date, whatever the sequence says: the date order is what is tested.
        lambda s, day: {"step": "released", "effective_date": (s.release_date or day).isoformat()},
        _plain("release_contact_made"),
        lambda s, day: {"step": "supervision_breach_outcome", "breach_date": day.isoformat(), "decision": "none"},
        _plain("completed"),
    ),
)

KINDS = (RO, YRO, REMAND, CUSTODY)
TODAY = date(2031, 12, 31)


def _step_names(union: Any) -> set[str]:
    (members, *_) = typing.get_args(union)
    return {m.model_fields["step"].default for m in typing.get_args(members)}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_followed_step_is_a_step_of_the_kind_and_dated_by_an_event(kind: Kind) -> None:
    """The tables cannot drift: each key is a step the kind takes, each followed step has an event dating it."""
    steps = _step_names(kind.union)
    assert set(kind.follows) <= steps, set(kind.follows) - steps
    dated = {label for label, _ in kind.step_events.values()}
    assert followed_steps(kind.follows) <= dated, followed_steps(kind.follows) - dated
    assert {t(kind.start(), date(2027, 6, 1))["step"] for t in kind.templates} <= steps


def _run(kind: Kind, moves: list[tuple[int, int]]) -> None:
    state = kind.start()
    day = kind.first_day(state)
    first = day
    accepted: dict[str, date] = {}
    adapter: TypeAdapter[Any] = TypeAdapter(kind.union)
    for index, delta in moves:
        day = min(max(first, day + timedelta(days=delta)), TODAY)
        body = {"effective_date": day.isoformat(), **kind.templates[index % len(kind.templates)](state, day)}
        step = adapter.validate_python({"actor": "alice", **body})
        name, on = body["step"], step.effective_date
        later = {p: accepted[p] for p in kind.follows.get(name, ()) if p in accepted and accepted[p] > on}
        was_closed = kind.closed(state)
        try:
            decision = kind.decide(state, step, today=TODAY)
        except StepRefused as refused:
            if later and not was_closed and on >= first:
                why = str(refused)
                assert why.startswith(f"{name} refused"), why
                assert any(f"{p} on {d}" in why for p, d in later.items()), (why, later)
            continue
        assert not later, f"{name} on {on} accepted before {later}"
        for payload in decision.events:
            state = kind.evolve(state, payload)
        for label, d in {name: on, **kind.extra_dates(body)}.items():
            accepted[label] = max(d, accepted.get(label, d))


MOVES = st.lists(st.tuples(st.integers(0, 40), st.integers(-45, 60)), min_size=1, max_size=30)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES)
def test_accepted_steps_keep_date_order_and_refusals_name_both_steps(kind: Kind, moves: list[tuple[int, int]]) -> None:
    _run(kind, moves)


def test_a_step_after_one_it_follows_is_refused_with_both_named_for_each_kind() -> None:
    """One concrete case per kind, so a failure reads as a sentence before any generated example."""
    yro_state = order()
    for body in ({"step": "appointment_missed", "effective_date": "2027-02-10"},):
        for p in yro.decide(
            yro_state, TypeAdapter(yro.YroStep).validate_python({"actor": "a", **body}), today=TODAY
        ).events:
            yro_state = yro.evolve(yro_state, p)
    explain = TypeAdapter(yro.YroStep).validate_python(
        {"actor": "a", "step": "absence_explained", "effective_date": "2027-02-09", "acceptable": True}
    )
    with pytest.raises(
        StepRefused, match="absence_explained refused: it is dated 2027-02-09, before appointment_missed on 2027-02-10"
    ):
        yro.decide(yro_state, explain, today=TODAY)
