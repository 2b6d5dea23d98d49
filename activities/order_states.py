"""Read side of orders for intake: an order's state folded from its own event stream, and whether a
court outcome acting on it can be taken now.

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
from datetime import date
from typing import Any

from psycopg_pool import AsyncConnectionPool

from activities.event_reads import EventReader
from domain import custody as cu
from domain import events as ev
from domain import referral_order as ro
from domain import remand as rm
from domain import youth_rehabilitation_order as yro
from domain.calendar import WorkingCalendar
from domain.court_decisions import CourtStep, court_step, order_kind_of, outcome_reason, remand_renewal
from domain.court_outcome import (
    ActingDisposal,
    CourtOutcome,
    FieldError,
    OutcomeRejected,
    RemandDisposal,
    order_workflow_id,
)
from domain.decisions import StepRefused

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


def refusal(order: Order, step: CourtStep, *, today: date) -> str | None:
    """Why the order's domain would refuse the step now, or None when it would take it."""
    try:
        _DECIDE[order.kind](order.state, step, today=today)
    except StepRefused as refused:
        return str(refused)
    return None


# --- reading ------------------------------------------------------------------------------------------


async def read_order(pool: AsyncConnectionPool[Any], order_ref: str) -> Order | None:
    """The order named by `order_ref` as its stream tells it, or None when there is no such order."""
    if order_kind_of(order_ref) is None:
        return None
    return fold(order_ref, await EventReader(pool).read_stream(order_ref))


async def stream_exists(pool: AsyncConnectionPool[Any], stream_id: str) -> bool:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT 1 FROM events WHERE stream_id = %s LIMIT 1", (stream_id,))
        return await cur.fetchone() is not None


async def outcome_recorded(pool: AsyncConnectionPool[Any], order_ref: str, outcome_id: str) -> bool:
    """Whether the order's stream already holds the step of this court outcome (its events carry the
    outcome's id as their reason, recorded by the court)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT 1 FROM events WHERE stream_id = %s AND actor = %s AND reason = %s LIMIT 1",
            (order_ref, ev.COURT_INTAKE, outcome_reason(outcome_id)),
        )
        return await cur.fetchone() is not None


async def acting_outcome_errors(
    pool: AsyncConnectionPool[Any], outcome: CourtOutcome, *, today: date
) -> list[FieldError]:
    """Every reason intake refuses an outcome acting on an order, or [] when the order can take it now.

    The decision's fields must fit the order's kind (`domain.court_decisions`); the order must exist,
    be the same child's and held by the same service; and its domain must allow the step today. A
    remand ended in a sentence must not name a sentence whose order already exists.
    """
    disposal = outcome.disposal
    assert isinstance(disposal, ActingDisposal)
    errors: list[FieldError] = []
    kind = order_kind_of(disposal.order_ref)
    step: CourtStep | None = None
    order = await read_order(pool, disposal.order_ref)
    if kind is not None:
        try:
            step = court_step(outcome, kind, order=order.state if order is not None else None)
        except OutcomeRejected as rejected:
            errors += rejected.errors
    if order is None:
        errors.append(
            FieldError(
                field="disposal.order_ref",
                rule="disposal.order_ref.no_such_order",
                message=(
                    "no order has this order_ref: it must be the workflow id of an order yjflow has started "
                    "(e.g. youth-rehabilitation-order:<yjs>:<case reference>:<child id>), as given when that "
                    "order's outcome was accepted"
                ),
            )
        )
        return errors
    if order.child_id != outcome.child.id:
        errors.append(
            FieldError(
                field="child.id",
                rule="disposal.order_ref.same_child",
                message="disposal.order_ref names an order for another child than child.id",
            )
        )
    if order.yjs != outcome.yjs:
        errors.append(
            FieldError(
                field="yjs",
                rule="disposal.order_ref.same_service",
                message="disposal.order_ref names an order held by another service than yjs",
            )
        )
    if step is None or errors:
        return errors
    why = refusal(order, step, today=today)
    if why is not None:
        errors.append(
            FieldError(field="disposal", rule="disposal.refused_by_order", message=f"the order cannot take it: {why}")
        )
    sentence_id = step.sentence_order_id if isinstance(step, rm.RecordRemandEnded) else None
    if sentence_id is not None and await stream_exists(pool, sentence_id):
        errors.append(
            FieldError(
                field="disposal.sentence",
                rule="remand_ended.sentence_order_exists",
                message=(
                    "an order of this kind already exists for this case and child; a sentence starts a new "
                    "order, so record a change to that one with its own outcome"
                ),
            )
        )
    return errors


async def remand_renewed_by(pool: AsyncConnectionPool[Any], outcome: CourtOutcome) -> Order | None:
    """The running remand a `remand` outcome renews, or None when it starts one.

    A remand outcome's workflow id is the case's and child's (`order_workflow_id`); when that remand's
    stream already exists, opened by another outcome, this one is a further hearing's remand and acts on
    it (`domain.court_decisions.remand_renewal`). The stream opened by this very outcome is its own start
    (the relay retrying after the workflow wrote its first events)."""
    if not isinstance(outcome.disposal, RemandDisposal):
        return None
    order = await read_order(pool, order_workflow_id(outcome))
    if order is None or order.opened_by == outcome.outcome_id:
        return None
    return order


async def remand_claimed_earlier(pool: AsyncConnectionPool[Any], outcome: CourtOutcome) -> str | None:
    """The remand's id when another accepted outcome (not refused) already starts that remand, though
    its workflow may not have recorded its opening yet: two remands of one case ingested together must
    not both count as its start, or the second is lost. None otherwise."""
    if not isinstance(outcome.disposal, RemandDisposal):
        return None
    wid = order_workflow_id(outcome)
    if await stream_exists(pool, wid):
        return None  # the remand has opened: its stream says who started it (`remand_renewed_by`)
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT 1 FROM inbox WHERE workflow_ids[1] = %(wid)s AND outcome_id <> %(oid)s "
            "AND relay_status IN ('pending', 'started') AND received_at <= coalesce("
            "(SELECT received_at FROM inbox WHERE outcome_id = %(oid)s), clock_timestamp()) LIMIT 1",
            {"wid": wid, "oid": outcome.outcome_id},
        )
        return wid if await cur.fetchone() is not None else None


def remand_renewal_errors(
    order: Order, outcome: CourtOutcome, *, calendar: WorkingCalendar, today: date
) -> list[FieldError]:
    """Why intake refuses a further remand of the running `order` (e.g. it has ended), or [] when the
    remand can take it now. The order is the same case's and child's by its id, and so the same service's."""
    step = remand_renewal(outcome, calendar=calendar, order=order.state)
    why = refusal(order, step, today=today)
    if why is None:
        return []
    return [
        FieldError(
            field="disposal",
            rule="disposal.refused_by_order",
            message=f"a further remand of the running remand {order.order_ref}, which cannot take it: {why}",
        )
    ]
