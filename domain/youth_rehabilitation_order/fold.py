"""Folding a recorded event into the order's state (`evolve`)."""

from __future__ import annotations

from domain import casework_cycle as cycle
from domain import events as ev
from domain.allocation import allocated
from domain.compliance import ComplianceIncident, WarnedPeriod
from domain.step_order import keeping_dates
from domain.victims_added import victim_added
from domain.youth_rehabilitation_order.checks import STEP_EVENTS
from domain.youth_rehabilitation_order.state import POLICY, SupervisedPeriod, YroState, YroStatus, _with_refs


def _with_incident(state: YroState, incident_id: str, update: ComplianceIncident) -> YroState:
    return (
        state.model_copy(update={"incident": update}) if state.incident and state.incident.id == incident_id else state
    )


def _update_requirement(state: YroState, ref: str, **changes: object) -> YroState:
    requirements = tuple(r.model_copy(update=changes) if r.ref == ref else r for r in state.requirements)
    return state.model_copy(update={"requirements": requirements})


def _after_court(state: YroState) -> YroStatus:
    return YroStatus.ACTIVE if state.first_appointment_date is not None else YroStatus.ORDER_MADE


def evolve(state: YroState, payload: ev.EventPayload) -> YroState:
    """The state after a recorded event; events that do not change the order leave it as it was."""
    return keeping_dates(state, _evolve(state, payload), payload, STEP_EVENTS)


def _evolve(state: YroState, payload: ev.EventPayload) -> YroState:
    if cycle.is_cycle_event(payload):
        return state.model_copy(update={"cycle": cycle.evolve(state.cycle, payload)})
    match payload:
        case ev.YouthRehabilitationOrderMade():
            return state.model_copy(
                update={
                    "hearing_date": payload.hearing_date,
                    "end_date": payload.end_date,
                    "iss": payload.iss,
                    "requirements": _with_refs((), payload.requirements),
                }
            )
        case ev.CaseWorkerAllocated():
            return allocated(state, payload)
        case ev.VictimAdded():
            return victim_added(state, payload)
        case ev.FirstAppointmentAttended():
            after = YroStatus.ACTIVE if state.state == YroStatus.ORDER_MADE else state.state
            return state.model_copy(update={"first_appointment_date": payload.appointment_date, "state": after})
        case ev.ReviewHeld():
            return state.model_copy(update={"last_review_date": payload.review_date})
        case ev.RequirementProgressRecorded():
            return _evolve_progress(state, payload)
        case ev.AppointmentMissed():
            incident = ComplianceIncident(
                id=payload.incident_id, order_kind=POLICY, appointment_date=payload.appointment_date
            )
            return state.model_copy(update={"incidents": state.incidents + 1, "incident": incident})
        case ev.AbsenceExplained() if state.incident is not None:
            return _with_incident(state, payload.incident_id, state.incident.explain(acceptable=payload.acceptable))
        case ev.FollowUpContactMade() if state.incident is not None:
            return _with_incident(state, payload.incident_id, state.incident.followed_up())
        case ev.WarningIssued() if state.incident is not None:
            warned = WarnedPeriod(start=payload.warning_date, end=payload.warned_period_ends)
            state = _with_incident(state, payload.incident_id, state.incident.resolve("warned"))
            return state.model_copy(update={"warnings": (*state.warnings, warned)})
        case ev.BreachLaid() if state.incident is not None:
            state = _with_incident(state, payload.incident_id, state.incident.resolve("breach_laid"))
            return state.model_copy(update={"state": YroStatus.BREACH_LAID, "breach_laid_date": payload.laid_date})
        case ev.CourtBreachOutcome() if payload.decision != "revoke_and_resentence":
            update: dict[str, object] = {"state": _after_court(state), "breach_laid_date": None}
            if payload.added_requirement is not None:
                update["requirements"] = _with_refs(state.requirements, [payload.added_requirement])
            if payload.new_end_date is not None:
                update["end_date"] = payload.new_end_date
                update["breach_extension_used"] = True
            return state.model_copy(update=update)
        case ev.OrderAmended():
            removed = set(payload.removed_requirements)
            kept = tuple(
                r.model_copy(update={"removed_on": payload.amended_date}) if r.ref in removed else r
                for r in state.requirements
            )
            update = {"requirements": _with_refs(kept, payload.added_requirements)}
            if payload.new_end_date is not None:
                update["end_date"] = payload.new_end_date
            return state.model_copy(update=update)
        case ev.YroRevoked():
            return state.model_copy(update={"state": YroStatus.REVOKED})
        case ev.YroCompleted():
            return state.model_copy(update={"state": YroStatus.COMPLETED})
        case ev.OrderTransferred():
            if payload.to == "probation":
                return state.model_copy(update={"state": YroStatus.TRANSFERRED_TO_PROBATION})
            assert payload.to_yjs is not None  # decide requires it for a transfer between services
            return state.model_copy(update={"yjs": payload.to_yjs})
    return state


def _evolve_progress(state: YroState, p: ev.RequirementProgressRecorded) -> YroState:
    if p.activity_days_used is not None:
        return _update_requirement(state, p.requirement, activity_days_used=p.activity_days_used)
    if p.unpaid_work_hours_done is not None:
        return _update_requirement(state, p.requirement, unpaid_work_hours_done=p.unpaid_work_hours_done)
    current = next((r for r in state.requirements if r.ref == p.requirement), None)
    if current is None:
        return state
    periods = current.periods
    if p.period_started is not None:
        periods = (*periods, SupervisedPeriod(start=p.period_started))
    elif p.period_ended is not None and periods:
        periods = (*periods[:-1], periods[-1].model_copy(update={"end": p.period_ended}))
    return _update_requirement(state, p.requirement, periods=periods)
