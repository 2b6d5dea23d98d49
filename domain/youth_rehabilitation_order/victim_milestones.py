"""Which recorded events on the order a victim who opted in is kept informed of."""

from __future__ import annotations

from domain import events as ev


def victim_milestone(payload: ev.EventPayload) -> str | None:
    """Which recorded events a victim who opted in is kept informed of."""
    match payload:
        case ev.BreachLaid():
            return "breach"
        case ev.OrderAmended() | ev.CourtBreachOutcome() if getattr(payload, "new_end_date", None) is not None:
            return "order_extended"
        case ev.YroCompleted() | ev.YroRevoked():
            return "order_ended"
    return None
