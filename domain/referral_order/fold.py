"""Folding a recorded event into the order's state (`evolve`)."""

from __future__ import annotations

from domain import casework_cycle as cycle
from domain import events as ev
from domain.allocation import allocated
from domain.referral_order.checks import STEP_EVENTS
from domain.referral_order.state import OrderState, ReferralOrderState
from domain.step_order import keeping_dates
from domain.victims_added import victim_added


def evolve(state: ReferralOrderState, payload: ev.EventPayload) -> ReferralOrderState:
    """The state after a recorded event; events that do not change the order leave it as it was."""
    return keeping_dates(state, _evolve(state, payload), payload, STEP_EVENTS)


def _evolve(state: ReferralOrderState, payload: ev.EventPayload) -> ReferralOrderState:
    if cycle.is_cycle_event(payload):
        return state.model_copy(update={"cycle": cycle.evolve(state.cycle, payload)})
    match payload:
        case ev.CaseWorkerAllocated():
            return allocated(state, payload)
        case ev.VictimAdded():
            return victim_added(state, payload)
        case ev.FirstContactMade():
            return state.model_copy(update={"first_contact_date": payload.contact_date})
        case ev.VictimViewsRecorded():
            return state.model_copy(update={"victims_with_views": (*state.victims_with_views, payload.victim_ref)})
        case ev.PanelAdjourned():
            return state.model_copy(update={"state": OrderState.PANEL_ADJOURNED})
        case ev.InitialPanelHeld():
            return state.model_copy(update={"last_panel_date": payload.panel_date})
        case ev.ContractSigned():
            return state.model_copy(
                update={
                    "state": OrderState.CONTRACT_AGREED,
                    "contract_signed_date": payload.signed_date,
                    "compliance_end": payload.compliance_end,
                }
            )
        case ev.ProgressPanelHeld():
            return state.model_copy(update={"last_panel_date": payload.panel_date})
        case ev.ReferredBackToCourt():
            return state.model_copy(update={"state": OrderState.REFERRED_BACK, "referral_grounds": payload.grounds})
        case ev.CourtDecisionRecorded() if payload.decision in ("continue", "extend"):
            back = OrderState.CONTRACT_AGREED if state.contract_signed_date else OrderState.ORDER_MADE
            return state.model_copy(update={"state": back, "referral_grounds": None})
        case ev.OrderExtended():
            return state.model_copy(
                update={
                    "extension_months": payload.total_months - state.months,
                    "compliance_end": payload.compliance_end,
                }
            )
        case ev.RevocationRefused():
            return state.model_copy(
                update={
                    "state": OrderState.CONTRACT_AGREED,
                    "referral_grounds": None,
                    "revocation_bar_until": payload.bar_until,
                }
            )
        case ev.OrderRevoked():
            return state.model_copy(update={"state": OrderState.REVOKED})
        case ev.FinalPanelHeld():
            after = OrderState.FINAL_PANEL_HELD if payload.discharged else OrderState.REFERRED_BACK
            return state.model_copy(
                update={
                    "state": after,
                    "final_panel_date": payload.panel_date,
                    "last_panel_date": payload.panel_date,
                    "referral_grounds": None if payload.discharged else "other",
                }
            )
        case ev.OrderCompleted():
            return state.model_copy(update={"state": OrderState.COMPLETED})
        case ev.OrderTransferred() if payload.to == "yjs" and payload.to_yjs is not None:
            return state.model_copy(update={"yjs": payload.to_yjs})
    return state
