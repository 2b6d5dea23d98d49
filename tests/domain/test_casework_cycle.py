"""The casework cycle alone (assessment, countersignature, plan, review, change, oversight), as every order
kind takes it: refused out of order or out of role, and the clocks each step starts or meets."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter

from domain import casework_cycle as cycle
from domain import custody, remand
from domain import events as ev
from domain import referral_order as ro
from domain import youth_rehabilitation_order as yro
from domain.decisions import MeetDeadline, MissDeadline, ScheduleDeadline

STEP: TypeAdapter[ro.ReferralOrderStep] = TypeAdapter(ro.ReferralOrderStep)
TODAY = date(2027, 9, 30)
ASSESSMENT = {
    "step": "assessment_completed",
    "effective_date": "2027-01-11",
    "tool": "asset_plus",
    "stage": "start",
    "likelihood_of_reoffending": "medium",
    "risk_of_serious_harm": "medium",
    "safety_and_wellbeing": "low",
}
WORKER = {"actor": "cw.jones", "actor_role": "case_worker"}
MANAGER = {"actor": "mgr.patel", "actor_role": "manager"}


def started() -> ro.ReferralOrderState:
    state = ro.ReferralOrderState(child_id="C-1", yjs="luton", hearing_date=date(2027, 1, 4), months=6)
    for payload in cycle.start(cycle.CycleState(), clocks_from=date(2027, 1, 4)).events:
        state = ro.evolve(state, payload)
    return state


def step(**body: Any) -> ro.ReferralOrderStep:
    who = WORKER if body["step"] in cycle.CYCLE_STEP_NAMES else {"actor": WORKER["actor"]}
    return STEP.validate_python({**who, **body})


def decide(state: ro.ReferralOrderState, **body: Any) -> Any:
    return ro.decide(state, step(**body), today=TODAY)


def apply(state: ro.ReferralOrderState, **body: Any) -> ro.ReferralOrderState:
    for payload in decide(state, **body).events:
        state = ro.evolve(state, payload)
    return state


def refused(state: ro.ReferralOrderState, **body: Any) -> str:
    with pytest.raises(ro.StepRefused) as e:
        decide(state, **body)
    return str(e.value)


def rules(decision: Any, kind: type) -> list[str]:
    return [d.rule_id for d in decision.deadlines if isinstance(d, kind)]


def assessed(state: ro.ReferralOrderState | None = None, **changes: Any) -> ro.ReferralOrderState:
    return apply(state or started(), **{**ASSESSMENT, **changes})


def test_the_cycle_starts_the_initial_assessment_and_allocation_oversight_clocks() -> None:
    decision = cycle.start(cycle.CycleState(), clocks_from=date(2027, 1, 4))
    assert rules(decision, ScheduleDeadline) == ["assessment.initial", "oversight.allocation"]
    assert started().cycle.started


def test_an_assessment_meets_the_initial_clock_and_starts_countersign_and_plan() -> None:
    decision = decide(started(), **ASSESSMENT)
    assert rules(decision, MeetDeadline) == ["assessment.initial"]
    assert rules(decision, ScheduleDeadline) == ["oversight.countersign", "plan.initial"]
    state = assessed()
    assert state.cycle.current is not None and state.cycle.current.risk_of_serious_harm == "medium"
    assert state.cycle.awaiting_countersign and state.cycle.last_assessment_by == "cw.jones"
    # A second assessment meets nothing new and starts no second plan clock.
    again = decide(state, **{**ASSESSMENT, "stage": "review", "effective_date": "2027-02-01"})
    assert rules(again, MeetDeadline) == [] and rules(again, ScheduleDeadline) == ["oversight.countersign"]


def test_a_rise_to_high_starts_risk_rise_oversight_at_once_and_a_review_when_a_plan_exists() -> None:
    planned = apply(assessed(), step="plan_agreed", effective_date="2027-01-15")
    decision = decide(planned, **{**ASSESSMENT, "effective_date": "2027-02-01", "risk_of_serious_harm": "very_high"})
    assert "oversight.risk_rise" in rules(decision, ScheduleDeadline)
    assert "review.significant_change" in rules(decision, ScheduleDeadline)
    completed = decision.events[0]
    assert isinstance(completed, ev.AssessmentCompleted) and completed.raised == ["risk_of_serious_harm"]
    assert any(isinstance(p, ev.SignificantChangeRecorded) for p in decision.events)
    # Staying at high is no new rise.
    high = assessed(planned, effective_date="2027-02-01", risk_of_serious_harm="high")
    same = decide(high, **{**ASSESSMENT, "effective_date": "2027-03-01", "risk_of_serious_harm": "high"})
    assert "oversight.risk_rise" not in rules(same, ScheduleDeadline)


def test_countersigning_is_for_a_manager_who_did_not_write_the_assessment() -> None:
    state = assessed()
    said = refused(state, step="assessment_countersigned", effective_date="2027-01-12")
    assert "for managers only" in said and "case_worker" in said
    own = assessed(started(), **MANAGER)
    said = refused(own, step="assessment_countersigned", effective_date="2027-01-12", **MANAGER)
    assert "mgr.patel completed this assessment" in said
    decision = decide(
        state, step="assessment_countersigned", effective_date="2027-01-12", direction="See weekly", **MANAGER
    )
    assert rules(decision, MeetDeadline) == ["oversight.countersign"]
    signed = decision.events[0]
    assert isinstance(signed, ev.AssessmentCountersigned) and signed.author == "cw.jones"
    after = ro.evolve(state, signed)
    assert "no assessment awaiting" in refused(
        after, step="assessment_countersigned", effective_date="2027-01-13", **MANAGER
    )


def test_steps_out_of_order_are_refused_with_what_comes_first() -> None:
    assert "record assessment_completed first" in refused(started(), step="plan_agreed", effective_date="2027-01-15")
    assert "record plan_agreed first" in refused(
        assessed(), step="plan_reviewed", effective_date="2027-01-20", trigger="scheduled"
    )
    planned = apply(assessed(), step="plan_agreed", effective_date="2027-01-15")
    said = refused(planned, step="plan_reviewed", effective_date="2027-01-20", trigger="significant_change")
    assert "no significant change awaits a review" in said


def test_a_significant_change_starts_the_review_clock_and_its_review_meets_it() -> None:
    planned = apply(assessed(), step="plan_agreed", effective_date="2027-01-15")
    decision = decide(planned, step="significant_change", effective_date="2027-02-02", kind="exploitation_concern")
    assert rules(decision, ScheduleDeadline) == ["review.significant_change"]
    risky = decide(planned, step="significant_change", effective_date="2027-02-02", kind="risk_classification_raised")
    assert rules(risky, ScheduleDeadline) == ["review.significant_change", "oversight.risk_rise"]
    changed = apply(planned, step="significant_change", effective_date="2027-02-02", kind="exploitation_concern")
    review = decide(changed, step="plan_reviewed", effective_date="2027-02-09", trigger="significant_change")
    assert rules(review, MeetDeadline) == ["review.significant_change"]


def test_oversight_is_for_managers_and_meets_the_clocks_it_covers() -> None:
    body = {"step": "oversight_recorded", "effective_date": "2027-01-08", "summary": "Read the file"}
    said = refused(started(), **body, covers=["allocation"], direction="Visit weekly")
    assert "for managers only; cw.jones has the role case_worker" in said
    decision = decide(started(), **body, covers=["allocation", "risk", "plan"], direction="Visit weekly", **MANAGER)
    assert rules(decision, MeetDeadline) == ["oversight.allocation", "oversight.risk_rise"]
    recorded = decision.events[0]
    assert isinstance(recorded, ev.OversightRecorded) and recorded.manager == "mgr.patel"


def test_oversight_without_a_direction_or_cover_is_invalid_naming_the_field() -> None:
    with pytest.raises(Exception) as e:
        step(step="oversight_recorded", effective_date="2027-01-08", summary="s", covers=[], direction="", **MANAGER)
    assert "covers" in str(e.value) and "direction" in str(e.value)


def test_a_worker_cannot_complete_until_closure_is_overseen_or_a_manager_says_why() -> None:
    state = apply(started(), step="initial_panel_held", effective_date="2027-01-20", contract_signed_date="2027-01-20")
    state = apply(state, step="final_panel_held", effective_date="2027-06-01", discharged=True)
    completion = {"step": "order_completed", "effective_date": "2027-08-02"}
    # No closure clock yet (no end-of-order assessment): nothing is owed, so nothing holds it up.
    assert decide(state, **completion).events
    state = assessed(state, stage="end", effective_date="2027-06-01")
    said = refused(state, **completion)
    assert "oversight.closure" in said and "closure_without_oversight" in said
    overseen = apply(
        state, step="oversight_recorded", effective_date="2027-06-02", covers=["closure"], summary="s",
        direction="Close", **MANAGER,
    )  # fmt: skip
    assert decide(overseen, **completion).events
    allowed = apply(state, step="closure_without_oversight", effective_date="2027-06-02", reason="On leave", **MANAGER)
    assert decide(allowed, **completion).events
    # An order whose cycle never started (running before this landed) closes as it always did.
    old = ro.ReferralOrderState(child_id="C-1", yjs="luton", hearing_date=date(2027, 1, 4), months=6)
    old = apply(old, step="initial_panel_held", effective_date="2027-01-20", contract_signed_date="2027-01-20")
    old = apply(old, step="final_panel_held", effective_date="2027-06-01", discharged=True)
    assert decide(old, **completion).events


def test_a_court_revocation_takes_effect_and_leaves_closure_oversight_missed() -> None:
    state = assessed(stage="end")
    decision = decide(state, step="revoked_by_court", effective_date="2027-02-01")
    assert any(isinstance(p, ev.OrderRevoked) for p in decision.events)
    assert isinstance(decision.deadlines[0], MissDeadline) and decision.deadlines[0].rule_id == "oversight.closure"
    overseen = apply(
        state, step="oversight_recorded", effective_date="2027-01-12", covers=["closure"], summary="s",
        direction="d", **MANAGER,
    )  # fmt: skip
    assert not any(
        isinstance(d, MissDeadline)
        for d in decide(overseen, step="revoked_by_court", effective_date="2027-02-01").deadlines
    )


def test_an_end_assessment_starts_the_closure_clock() -> None:
    assert "oversight.closure" in rules(decide(assessed(), **{**ASSESSMENT, "stage": "end"}), ScheduleDeadline)


def test_every_order_kind_takes_the_cycle_steps() -> None:
    """The same steps and state on a YRO, a remand and a custodial sentence (one copy of the rules)."""
    for adapter_type, module in (
        (yro.YroStep, yro),
        (remand.RemandStep, remand),
        (custody.CustodyStep, custody),
    ):
        parsed = TypeAdapter(adapter_type).validate_python({**WORKER, **ASSESSMENT})
        assert isinstance(parsed, cycle.RecordAssessment), module.__name__


def test_notices_of_oversight_go_up_the_management_line() -> None:
    assert cycle.levels_up("plan.initial", "reminder") == 0
    assert cycle.levels_up("plan.initial", "escalation") == 1
    assert cycle.levels_up("oversight.countersign", "reminder") == 1
    assert cycle.levels_up("oversight.risk_rise", "escalation") == 2


class _E:
    def __init__(self, event_type: str, **payload: Any) -> None:
        self.event_type, self.payload = event_type, payload


class _D:
    def __init__(self, rule_id: str, status: str, days_late: int | None = None) -> None:
        self.rule_id, self.status, self.days_late = rule_id, status, days_late


def test_the_four_questions_group_entries_and_oversight_goes_under_each_it_covers() -> None:
    from domain.casework_cycle.questions import questions_of

    assert questions_of("AssessmentCompleted", {}) == ["assessment"]
    assert questions_of("PlanAgreed", {}) == ["planning"]
    assert questions_of("PlanReviewed", {}) == ["reviewing"]
    assert questions_of("FirstContactMade", {}) == ["implementation_and_delivery"]
    assert questions_of("DeadlineMissed", {}) == []
    assert questions_of("OversightRecorded", {"covers": ["plan", "risk", "review"]}) == ["planning", "reviewing"]


def test_the_four_flags_are_raised_by_the_gaps_and_cleared_by_the_work() -> None:
    from domain.casework_cycle.questions import flags

    raised = [_E("AssessmentCompleted", raised=["risk_of_serious_harm"])]
    codes = [f.code for f in flags(raised, [_D("oversight.allocation", "missed")])]
    assert codes == ["no_oversight", "oversight_late", "not_countersigned", "raised_without_review"]
    done = [
        *raised,
        _E("AssessmentCountersigned"),
        _E("OversightRecorded", covers=["risk"]),
        _E("PlanReviewed", trigger="significant_change"),
    ]
    assert flags(done, [_D("oversight.allocation", "met", 0), _D("plan.initial", "missed")]) == []
    late = flags(done, [_D("oversight.risk_rise", "met", 2)])
    assert [f.code for f in late] == ["oversight_late"] and "oversight.risk_rise" in late[0].detail
