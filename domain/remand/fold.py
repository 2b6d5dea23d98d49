"""Folding a recorded event into the remand's state (`evolve`)."""

from __future__ import annotations

from domain import casework_cycle as cycle
from domain import events as ev
from domain.allocation import allocated
from domain.court_outcome import CUSTODIAL_REMANDS
from domain.remand.checks import STEP_EVENTS
from domain.remand.deadlines import _check_rule
from domain.remand.state import RemandState
from domain.step_order import keeping_dates
from domain.victims_added import victim_added


def evolve(state: RemandState, payload: ev.EventPayload) -> RemandState:
    """The state after a recorded event; events that do not change the remand leave it as it was."""
    return keeping_dates(state, _evolve(state, payload), payload, STEP_EVENTS)


def _evolve(state: RemandState, payload: ev.EventPayload) -> RemandState:
    if cycle.is_cycle_event(payload):
        return state.model_copy(update={"cycle": cycle.evolve(state.cycle, payload)})
    match payload:
        case ev.RemandStarted():
            custodial = payload.type in CUSTODIAL_REMANDS
            return state.model_copy(
                update={
                    "last_remand_date": payload.remand_date,
                    "remanded_in_custody_before": custodial,
                    "open_hearing_check": _check_rule(payload.first_remand) if custodial else None,
                    "looked_after_since": payload.remand_date if payload.looked_after else None,
                    "placement_start": payload.remand_date if payload.looked_after else None,
                }
            )
        case ev.CaseWorkerAllocated():
            return allocated(state, payload)
        case ev.VictimAdded():
            return victim_added(state, payload)
        case ev.RemandRenewed():
            return _after_renewal(state, payload)
        case ev.LacReviewHeld():
            return state.model_copy(update={"lac_reviews_held": payload.number, "last_lac_review": payload.review_date})
        case ev.SocialWorkerVisitMade():
            return state.model_copy(update={"sw_visits_made": payload.number, "last_sw_visit": payload.visit_date})
        case ev.CtlExtended():
            return state.model_copy(update={"ctl_expiry": payload.new_expiry})
        case ev.RemandEnded():
            return state.model_copy(
                update={
                    "ended_how": payload.how,
                    "ended_on": payload.ended_on,
                    "sentence_order_id": payload.sentence_order_id,
                    "open_hearing_check": None,
                }
            )
        case ev.OrderTransferred() if payload.to == "yjs" and payload.to_yjs is not None:
            return state.model_copy(update={"yjs": payload.to_yjs})
    return state


def _after_renewal(state: RemandState, payload: ev.RemandRenewed) -> RemandState:
    into_custody = payload.type in CUSTODIAL_REMANDS
    update: dict[str, object] = {
        "type": payload.type,
        "next_hearing_date": payload.next_hearing_date,
        "last_remand_date": payload.remand_date,
        "ctl_start_date": payload.ctl_start_date,
        "ctl_days": payload.ctl_days,
        "ctl_expiry": payload.ctl_expiry,
        "remanded_in_custody_before": state.remanded_in_custody_before or into_custody,
        "open_hearing_check": _check_rule(payload.first_custodial_remand) if into_custody else None,
    }
    if not payload.looked_after:
        update |= {"looked_after_since": None, "placement_start": None}
    elif not state.looked_after:
        # A new period of being looked after: its reviews and visits count from one again.
        update |= {
            "looked_after_since": payload.remand_date,
            "placement_start": payload.remand_date,
            "lac_reviews_held": 0,
            "last_lac_review": None,
            "sw_visits_made": 0,
            "last_sw_visit": None,
        }
    elif payload.type != state.type:
        update |= {"placement_start": payload.remand_date, "sw_visits_made": 0, "last_sw_visit": None}
    return state.model_copy(update=update)
