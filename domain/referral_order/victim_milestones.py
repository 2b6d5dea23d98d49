"""Which recorded events on the order a victim who opted in is kept informed of."""

from __future__ import annotations

from domain import events as ev


def victim_milestone(payload: ev.EventPayload) -> str | None:
    """Which recorded events a victim who opted in is kept informed of (Victims' Code: case progress)."""
    match payload:
        case ev.InitialPanelHeld():
            return "panel_held"
        case ev.ContractSigned():
            return "contract_signed"
        case ev.ReferredBackToCourt() if payload.grounds == "breach":
            return "breach"
        case ev.OrderCompleted() | ev.OrderRevoked():
            return "order_ended"
    return None
