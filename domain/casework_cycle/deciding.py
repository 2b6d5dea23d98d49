"""Deciding a cycle step (refused with the reason, or its events and clocks), starting the cycle's
clocks, and the two gates it puts on an order's closing.

Each order kind's `decide` has already refused a step on a closed order or out of its dates before it
hands a cycle step here, so this module decides only what the cycle itself knows."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date

from domain import events as ev
from domain.access import Role
from domain.casework_cycle.state import Classifications, CycleState
from domain.casework_cycle.steps import (
    MANAGER_STEPS,
    CycleStep,
    RecordAssessment,
    RecordClosureWithoutOversight,
    RecordCountersignature,
    RecordOversight,
    RecordPlanAgreed,
    RecordPlanReviewed,
    RecordSignificantChange,
)
from domain.decisions import (
    DeadlineEffect,
    Decision,
    MeetDeadline,
    MissDeadline,
    ScheduleDeadline,
    Step,
    StepRefused,
)

__all__ = ["COURT_CLOSINGS", "around", "closing_by_court", "completion_refusal", "decide", "raised", "start"]

# Where each classification's scale stands; a rise to one of `_RAISED_TO` starts oversight.risk_rise.
_ORDER = {"low": 0, "medium": 1, "high": 2, "very_high": 3}
_RAISED_TO = frozenset({"high", "very_high"})
_LENSES = ("likelihood_of_reoffending", "risk_of_serious_harm", "safety_and_wellbeing")
# A court's decision that ends an order: it takes effect whatever oversight is still owed.
COURT_CLOSINGS = (ev.OrderRevoked, ev.YroRevoked, ev.RemandEnded)
_COVERS_MEET = {"allocation": "oversight.allocation", "risk": "oversight.risk_rise", "closure": "oversight.closure"}


def _refuse(step: str, why: str) -> StepRefused:
    return StepRefused(f"{step} refused: {why}")


def start(state: CycleState, *, clocks_from: date) -> Decision:
    """The cycle's first clocks: the manager's oversight of the allocation, and the initial assessment
    unless one is already recorded (a running order whose first step after this landed was one)."""
    clocks = [ScheduleDeadline(rule_id="oversight.allocation", clock_start=clocks_from)]
    if state.assessments == 0:
        clocks.insert(0, ScheduleDeadline(rule_id="assessment.initial", clock_start=clocks_from))
    return Decision(events=(ev.CaseworkCycleStarted(clocks_from=clocks_from),), deadlines=tuple(clocks))


def raised(before: Classifications | None, step: RecordAssessment) -> list[str]:
    """The classifications this assessment puts at high or very high from lower (or from none)."""
    out = []
    for lens in _LENSES:
        now = getattr(step, lens)
        was = getattr(before, lens) if before is not None else None
        if now in _RAISED_TO and (was is None or _ORDER[now] > _ORDER[was]):
            out.append(lens)
    return out


def decide(state: CycleState, step: CycleStep) -> Decision:
    """Refuse the cycle step with a reason, or return its events and deadline effects."""
    name = step.step
    day = step.effective_date
    if name in MANAGER_STEPS and step.actor_role != Role.MANAGER:
        role = step.actor_role or "unknown"
        raise _refuse(name, f"this is for managers only; {step.actor} has the role {role}")
    match step:
        case RecordAssessment():
            return _assessment(state, step)
        case RecordCountersignature():
            if not state.awaiting_countersign or state.last_assessment_on is None:
                raise _refuse(name, "there is no assessment awaiting a countersignature")
            if state.last_assessment_by == step.actor:
                raise _refuse(name, f"{step.actor} completed this assessment; another manager must countersign it")
            if day < state.last_assessment_on:
                raise _refuse(name, f"it is dated before the assessment ({state.last_assessment_on})")
            return Decision(
                events=(
                    ev.AssessmentCountersigned(
                        assessed_on=state.last_assessment_on,
                        author=state.last_assessment_by or "unknown",
                        countersigned_on=day,
                        direction=step.direction,
                    ),
                ),
                deadlines=(MeetDeadline(rule_id="oversight.countersign", met_on=day),),
            )
        case RecordPlanAgreed():
            if state.last_assessment_on is None:
                raise _refuse(name, "a plan follows an assessment: record assessment_completed first")
            first = state.plan_agreed_on is None
            return Decision(
                events=(
                    ev.PlanAgreed(
                        agreed_on=day,
                        child_participated=step.child_participated,
                        parent_participated=step.parent_participated,
                    ),
                ),
                deadlines=(MeetDeadline(rule_id="plan.initial", met_on=day),) if first else (),
            )
        case RecordPlanReviewed():
            if state.plan_agreed_on is None:
                raise _refuse(name, "there is no plan to review: record plan_agreed first")
            if step.trigger == "significant_change" and state.open_changes == 0:
                raise _refuse(name, "no significant change awaits a review; use trigger scheduled")
            effects: tuple[DeadlineEffect, ...] = ()
            if step.trigger == "significant_change":
                effects = (MeetDeadline(rule_id="review.significant_change", met_on=day),)
            return Decision(events=(ev.PlanReviewed(reviewed_on=day, trigger=step.trigger),), deadlines=effects)
        case RecordSignificantChange():
            changes: list[DeadlineEffect] = [ScheduleDeadline(rule_id="review.significant_change", clock_start=day)]
            if step.kind == "risk_classification_raised":
                changes.append(ScheduleDeadline(rule_id="oversight.risk_rise", clock_start=day))
            return Decision(events=(ev.SignificantChangeRecorded(on=day, kind=step.kind),), deadlines=tuple(changes))
        case RecordOversight():
            meets = tuple(
                MeetDeadline(rule_id=_COVERS_MEET[c], met_on=day)
                for c in dict.fromkeys(step.covers)
                if c in _COVERS_MEET
            )
            return Decision(
                events=(
                    ev.OversightRecorded(
                        on=day, manager=step.actor, covers=step.covers, summary=step.summary, direction=step.direction
                    ),
                ),
                deadlines=meets,
            )
        case RecordClosureWithoutOversight():
            if state.closure_overseen:
                raise _refuse(name, "the closure is already overseen; nothing needs allowing")
            return Decision(events=(ev.ClosureWithoutOversight(on=day, manager=step.actor, why=step.reason),))
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive


def _assessment(state: CycleState, step: RecordAssessment) -> Decision:
    day = step.effective_date
    if state.last_assessment_on is not None and day < state.last_assessment_on:
        raise _refuse(step.step, f"it is dated before the last assessment ({state.last_assessment_on})")
    rises = raised(state.current, step)
    effects: list[DeadlineEffect] = []
    if state.assessments == 0:
        effects.append(MeetDeadline(rule_id="assessment.initial", met_on=day))
    effects.append(ScheduleDeadline(rule_id="oversight.countersign", clock_start=day))
    if state.plan_agreed_on is None and state.assessments == 0:
        effects.append(ScheduleDeadline(rule_id="plan.initial", clock_start=day))
    events: list[ev.EventPayload] = [
        ev.AssessmentCompleted(
            assessed_on=day,
            assessor=step.actor,
            tool=step.tool,
            stage=step.stage,
            likelihood_of_reoffending=step.likelihood_of_reoffending,
            risk_of_serious_harm=step.risk_of_serious_harm,
            safety_and_wellbeing=step.safety_and_wellbeing,
            mappa_level=step.mappa_level,
            raised=rises,
        )
    ]
    if rises:
        # A rise is a significant change: oversight at once, and the plan reviewed if there is one.
        effects.append(ScheduleDeadline(rule_id="oversight.risk_rise", clock_start=day))
        if state.plan_agreed_on is not None:
            events.append(ev.SignificantChangeRecorded(on=day, kind="risk_classification_raised"))
            effects.append(ScheduleDeadline(rule_id="review.significant_change", clock_start=day))
    if step.stage == "end" and not state.closure_clock and not state.closure_overseen:
        effects.append(ScheduleDeadline(rule_id="oversight.closure", clock_start=day))
    return Decision(events=tuple(events), deadlines=tuple(effects))


def _closure_owed(state: CycleState) -> bool:
    return state.closure_clock and not state.closure_overseen and state.closure_allowed_by is None


def completion_refusal(state: CycleState, step_name: str) -> StepRefused | None:
    """Why a worker's completion of the order must wait for the manager, or None when it need not: the
    closure's oversight is owed once its clock runs (from the end-of-order assessment)."""
    if not _closure_owed(state):
        return None
    return _refuse(
        step_name,
        "management oversight of the closure is not recorded (rule oversight.closure): a manager records "
        "oversight_recorded covering closure, or closure_without_oversight with the reason",
    )


def closing_by_court(state: CycleState, decision: Decision) -> Decision:
    """A court's decision closes the order whatever is owed; an unmet closure oversight is left missed."""
    if not _closure_owed(state):
        return decision
    return decision.model_copy(update={"deadlines": (MissDeadline(rule_id="oversight.closure"), *decision.deadlines)})


def around(
    state: CycleState, step: Step, decided: Callable[[], Decision], *, completion_steps: Collection[str]
) -> Decision:
    """An order kind's decision with the cycle's gates on closing: a worker's completion waits for the
    closure's oversight (after the kind's own refusals, which say more), and a court's closing decision
    leaves an unmet closure oversight missed."""
    decision = decided()
    if getattr(step, "step", None) in completion_steps:
        refusal = completion_refusal(state, str(getattr(step, "step", "")))
        if refusal is not None:
            raise refusal
    if any(isinstance(p, COURT_CLOSINGS) for p in decision.events):
        return closing_by_court(state, decision)
    return decision
