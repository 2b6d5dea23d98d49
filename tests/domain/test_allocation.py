"""Allocating a case worker, the same step and event on every order kind (pure domain, no I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any, get_args

import pytest
from pydantic import TypeAdapter, ValidationError

from domain import allocation
from domain import custody as cu
from domain import events as ev
from domain import referral_order as ro
from domain import remand as rm
from domain import youth_rehabilitation_order as yro
from domain.calendar import WorkingCalendar
from domain.court_outcome import RemandDisposal, YouthRehabilitationOrderDisposal
from domain.decisions import Decision, StepRefused

MADE = date(2027, 3, 1)  # a Monday: the day every order below was made
TODAY = date(2027, 6, 30)


def _referral_order() -> ro.ReferralOrderState:
    return ro.ReferralOrderState(child_id="C-1", yjs="luton", hearing_date=MADE, months=6)


def _yro() -> yro.YroState:
    disposal = YouthRehabilitationOrderDisposal.model_validate(
        {
            "kind": "youth_rehabilitation_order",
            "end_date": "2028-03-01",
            "requirements": [{"kind": "supervision"}],
            "iss": False,
        }
    )
    return yro.new_order(child_id="C-1", yjs="luton", hearing_date=MADE, disposal=disposal, warned_period_months=12)


def _remand() -> rm.RemandState:
    disposal = RemandDisposal.model_validate(
        {
            "kind": "remand",
            "type": "youth_detention_accommodation",
            "next_hearing_date": "2027-03-08",
            "first_remand": True,
            "ctl_start_date": MADE.isoformat(),
            "ctl_days": 56,
        }
    )
    return rm.start_remand(
        child_id="C-1",
        yjs="luton",
        remand_date=MADE,
        disposal=disposal,
        calendar=WorkingCalendar.england_and_wales(),
    )


def _dto() -> cu.CustodyState:
    return cu.CustodyState(child_id="C-1", yjs="luton", sentence_date=MADE, kind="dto", months=8)


@dataclass(frozen=True)
class Kind:
    """One order kind as the allocation sees it: its domain module, a fresh order, and an event closing it."""

    name: str
    module: ModuleType
    union: Any
    fresh: Callable[[], Any]
    closing: ev.EventPayload

    def decide(self, state: Any, body: dict[str, Any], today: date = TODAY) -> Decision:
        step = TypeAdapter(self.union).validate_python({"actor": "alice", **body})
        decision: Decision = self.module.decide(state, step, today=today)
        return decision

    def fold(self, state: Any, decision: Decision) -> Any:
        for payload in decision.events:
            state = self.module.evolve(state, payload)
        return state


REVOKED = ev.OrderRevoked(revoked_date=MADE, grounds="resentenced")
KINDS = [
    Kind("referral_order", ro, ro.ReferralOrderStep, _referral_order, REVOKED),
    Kind("youth_rehabilitation_order", yro, yro.YroStep, _yro, ev.YroRevoked(revoked_date=MADE, grounds="breach")),
    Kind("remand", rm, rm.RemandStep, _remand, ev.RemandEnded(how="bail", ended_on=MADE)),
    Kind("dto", cu, cu.CustodyStep, _dto, ev.CustodyCompleted(completed_date=MADE)),
]  # fmt: skip
BY_NAME = pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])


def allocation_body(worker: str, on: date = MADE) -> dict[str, Any]:
    return {"step": "case_worker_allocated", "effective_date": on.isoformat(), "case_worker": worker}


@BY_NAME
def test_every_kind_takes_the_one_allocation_step_first(kind: Kind) -> None:
    """Each kind's step union lists the shared allocation model first, so forms and next-step lists offer
    it first; there is one model, not a copy per kind."""
    members = get_args(get_args(kind.union)[0])
    assert members[0] is allocation.AllocateCaseWorker
    assert sum(1 for m in members if m.model_fields["step"].default == "case_worker_allocated") == 1


@BY_NAME
def test_an_allocation_records_the_worker_and_the_order_then_holds_them(kind: Kind) -> None:
    """Allocating records `CaseWorkerAllocated` naming the worker, changes no deadline, and the order's
    state then says who holds it."""
    state = kind.fresh()
    assert state.case_worker is None
    decision = kind.decide(state, allocation_body("amy"))
    assert decision.events == (ev.CaseWorkerAllocated(case_worker="amy"),)
    assert decision.deadlines == ()
    assert kind.fold(state, decision).case_worker == "amy"


@BY_NAME
def test_a_reallocation_replaces_the_worker_and_is_recorded_as_its_own_event(kind: Kind) -> None:
    """A second allocation is recorded too, and the later worker replaces the earlier one."""
    state = kind.fold(kind.fresh(), kind.decide(kind.fresh(), allocation_body("amy")))
    again = kind.decide(state, allocation_body("ben", date(2027, 4, 1)))
    assert again.events == (ev.CaseWorkerAllocated(case_worker="ben"),)
    assert kind.fold(state, again).case_worker == "ben"


@BY_NAME
def test_allocating_the_same_worker_again_is_recorded_not_refused(kind: Kind) -> None:
    """Running referral orders already hold repeated allocations; refusing one now would change how their
    histories replay, so the rule for every kind is to record it."""
    state = kind.fold(kind.fresh(), kind.decide(kind.fresh(), allocation_body("amy")))
    assert kind.decide(state, allocation_body("amy")).events == (ev.CaseWorkerAllocated(case_worker="amy"),)


@BY_NAME
def test_an_allocation_in_the_future_or_before_the_order_is_refused(kind: Kind) -> None:
    """The same date rules as every other step: not after today, not before the order was made."""
    state = kind.fresh()
    with pytest.raises(StepRefused, match=r"^case_worker_allocated refused: .*in the future"):
        kind.decide(state, allocation_body("amy", date(2027, 7, 1)))
    with pytest.raises(StepRefused, match=r"^case_worker_allocated refused: .*before"):
        kind.decide(state, allocation_body("amy", date(2027, 2, 26)))


@BY_NAME
def test_a_closed_order_takes_no_allocation(kind: Kind) -> None:
    """Once the order has ended nothing more is recorded on it, an allocation included."""
    closed = kind.module.evolve(kind.fresh(), kind.closing)
    with pytest.raises(StepRefused, match=r"^case_worker_allocated refused: .*(nothing more|ended)"):
        kind.decide(closed, allocation_body("amy"))


@BY_NAME
def test_an_allocation_names_a_worker(kind: Kind) -> None:
    """An empty or missing worker is refused by the step model, naming the field."""
    adapter = TypeAdapter(kind.union)
    for body in ({"case_worker": ""}, {}):
        with pytest.raises(ValidationError) as refused:
            adapter.validate_python({"actor": "alice", "step": "case_worker_allocated", "effective_date": MADE, **body})
        (error,) = refused.value.errors()
        assert error["loc"][-1] == "case_worker"


@BY_NAME
def test_an_allocation_leaves_the_rest_of_the_order_as_it_was(kind: Kind) -> None:
    """Only who holds the order changes: every other field of the state is untouched."""
    state = kind.fresh()
    after = kind.fold(state, kind.decide(state, allocation_body("amy")))
    assert after.model_dump(exclude={"case_worker"}) == state.model_dump(exclude={"case_worker"})


def test_a_state_carried_before_allocation_existed_reads_as_unallocated() -> None:
    """Continue-as-new carries the state as JSON; one written before the field existed has no
    `case_worker`, and reads back as held by nobody rather than failing."""
    for state in (_yro(), _remand(), _dto()):
        carried = state.model_dump(mode="json")
        del carried["case_worker"]
        assert type(state).model_validate(carried).case_worker is None
