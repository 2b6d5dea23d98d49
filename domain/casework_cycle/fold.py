"""Folding a recorded cycle event into the cycle's state."""

from __future__ import annotations

from domain import events as ev
from domain.casework_cycle.state import Classifications, CycleState

__all__ = ["CYCLE_EVENTS", "evolve"]

CYCLE_EVENTS = (
    ev.CaseworkCycleStarted,
    ev.AssessmentCompleted,
    ev.AssessmentCountersigned,
    ev.PlanAgreed,
    ev.PlanReviewed,
    ev.SignificantChangeRecorded,
    ev.OversightRecorded,
    ev.ClosureWithoutOversight,
)


def evolve(state: CycleState, payload: ev.EventPayload) -> CycleState:
    """The cycle after a recorded event; other events leave it as it was."""
    match payload:
        case ev.CaseworkCycleStarted():
            return state.model_copy(update={"started": True})
        case ev.AssessmentCompleted():
            return state.model_copy(
                update={
                    "current": Classifications(
                        likelihood_of_reoffending=payload.likelihood_of_reoffending,
                        risk_of_serious_harm=payload.risk_of_serious_harm,
                        safety_and_wellbeing=payload.safety_and_wellbeing,
                        mappa_level=payload.mappa_level,
                    ),
                    "assessments": state.assessments + 1,
                    "last_assessment_on": payload.assessed_on,
                    "last_assessment_by": payload.assessor,
                    "awaiting_countersign": True,
                    "risk_rise_open": state.risk_rise_open or bool(payload.raised),
                    "closure_clock": state.closure_clock or payload.stage == "end",
                }
            )
        case ev.AssessmentCountersigned():
            return state.model_copy(update={"awaiting_countersign": False})
        case ev.PlanAgreed():
            return state.model_copy(update={"plan_agreed_on": payload.agreed_on})
        case ev.PlanReviewed() if payload.trigger == "significant_change":
            return state.model_copy(update={"open_changes": max(state.open_changes - 1, 0)})
        case ev.SignificantChangeRecorded():
            rise = payload.kind == "risk_classification_raised"
            return state.model_copy(
                update={"open_changes": state.open_changes + 1, "risk_rise_open": state.risk_rise_open or rise}
            )
        case ev.OversightRecorded():
            update: dict[str, object] = {"last_oversight_on": payload.on}
            if "risk" in payload.covers:
                update["risk_rise_open"] = False
            if "closure" in payload.covers:
                update["closure_overseen"] = True
            return state.model_copy(update=update)
        case ev.ClosureWithoutOversight():
            return state.model_copy(update={"closure_allowed_by": payload.manager})
    return state
