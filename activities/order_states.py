"""Read side of orders for intake: an order's state folded from its own event stream (whether a court
outcome acting on it can be taken now is decided in `domain.intake_acceptance` and `domain.intake_decision`).

An order's stream (its workflow id) opens with `CourtOutcomeRecorded` and the order's own opening event
(`ReferralOrderMade`, `YouthRehabilitationOrderMade`, `RemandStarted`, `CustodialSentenceMade`), whose
payload and the stream's child and service give the starting state; every event is then folded through
the domain's `evolve`, exactly as the workflow did when it recorded them. The state is read from
PostgreSQL, not asked of Temporal, so intake answers while Temporal is down; the workflow decides again
when the relay delivers the outcome (the order may have moved on meanwhile).

The fold answers one question: can this order take this court decision. Two things a YRO's workflow
holds are not in its stream, and no court decision reads them: the warned period's length (the rule
pack's amount when the order opened; only a warning reads it) and the child's 18th birthday (only a
transfer to probation reads it). Likewise a DTO's date of birth and offence date (only s.247 further
supervision reads them). The fold leaves them at a stand-in and None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg_pool import AsyncConnectionPool

from domain import custody as cu
from domain import events as ev
from domain import referral_order as ro
from domain import remand as rm
from domain import youth_rehabilitation_order as yro
from domain.court_decisions import order_kind_of, outcome_reason

OrderState = ro.ReferralOrderState | yro.YroState | rm.RemandState | cu.CustodyState

# Not in a YRO's stream, and read by no court decision (see the module's docstring).
_WARNED_PERIOD_STAND_IN = 1


@dataclass(frozen=True)
class Order:
    """A running or closed order as its stream tells it."""

    order_ref: str
    kind: str
    child_id: str
    state: OrderState
    # The outcome whose `CourtOutcomeRecorded` opened the stream: a later outcome of the same kind for
    # the same case and child (a further remand) acts on this order rather than starting it.
    opened_by: str | None = None

    @property
    def yjs(self) -> str:
        return self.state.yjs


# --- folding ------------------------------------------------------------------------------------------


def _opening(events: Sequence[ev.RecordedEvent], payload_type: type[ev.EventPayload]) -> Any:
    for e in events:
        if e.event_type == payload_type.event_type:
            return ev.parse_payload(e.event_type, e.payload)
    return None


def _start(kind: str, events: Sequence[ev.RecordedEvent]) -> OrderState | None:
    child_id, yjs = events[0].child_id, events[0].yjs
    if kind == "referral_order":
        made = _opening(events, ev.ReferralOrderMade)
        if made is None:
            return None
        return ro.ReferralOrderState(
            child_id=child_id,
            yjs=yjs,
            hearing_date=made.hearing_date,
            months=made.months,
            victim_refs=tuple(made.victim_refs),
        )
    if kind == "youth_rehabilitation_order":
        made = _opening(events, ev.YouthRehabilitationOrderMade)
        if made is None:
            return None
        # Hearing, end date, ISS and requirements are set again when the fold reaches this event.
        return yro.YroState(
            child_id=child_id,
            yjs=yjs,
            hearing_date=made.hearing_date,
            end_date=made.end_date,
            warned_period_months=_WARNED_PERIOD_STAND_IN,
        )
    if kind == "remand":
        started = _opening(events, ev.RemandStarted)
        if started is None:
            return None
        return rm.RemandState(
            child_id=child_id,
            yjs=yjs,
            remand_date=started.remand_date,
            type=started.type,
            next_hearing_date=started.next_hearing_date,
            first_remand=started.first_remand,
            ctl_start_date=started.ctl_start_date,
            ctl_days=started.ctl_days,
            ctl_expiry=started.ctl_expiry,
        )
    if kind == "detention_and_training_order":
        made = _opening(events, ev.CustodialSentenceMade)
        if made is None:
            return None
        return cu.CustodyState(
            child_id=child_id,
            yjs=yjs,
            sentence_date=made.sentence_date,
            kind=made.kind,
            months=made.months,
            secure_estate_release_date=made.secure_estate_release_date,
        )
    return None


_EVOLVE: dict[str, Callable[[Any, ev.EventPayload], Any]] = {
    "referral_order": ro.evolve,
    "youth_rehabilitation_order": yro.evolve,
    "remand": rm.evolve,
    "detention_and_training_order": cu.evolve,
}
_DECIDE: dict[str, Callable[..., Any]] = {
    "referral_order": ro.decide,
    "youth_rehabilitation_order": yro.decide,
    "remand": rm.decide,
    "detention_and_training_order": cu.decide,
}


def fold(order_ref: str, events: Sequence[ev.RecordedEvent]) -> Order | None:
    """The order's state from its stream's events (in stream order), as its workflow holds it; None
    when the stream is not an order's (no events, an unknown prefix, or no opening event)."""
    kind = order_kind_of(order_ref)
    if kind is None or not events:
        return None
    state = _start(kind, events)
    if state is None:
        return None
    evolve = _EVOLVE[kind]
    for e in events:
        state = evolve(state, ev.parse_payload(e.event_type, e.payload))
    opening = _opening(events, ev.CourtOutcomeRecorded)
    opened_by = opening.outcome_id if opening is not None else None
    return Order(order_ref=order_ref, kind=kind, child_id=events[0].child_id, state=state, opened_by=opened_by)


# --- reading ------------------------------------------------------------------------------------------


async def outcome_recorded(pool: AsyncConnectionPool[Any], order_ref: str, outcome_id: str) -> bool:
    """Whether the order's stream already holds the step of this court outcome (its events carry the
    outcome's id as their reason, recorded by the court)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT 1 FROM events WHERE stream_id = %s AND actor = %s AND reason = %s LIMIT 1",
            (order_ref, ev.COURT_INTAKE, outcome_reason(outcome_id)),
        )
        return await cur.fetchone() is not None
