"""Whether intake accepts a validated court outcome, decided in one pure step from the facts read for
it in one go (`activities.intake_facts`); intake then writes the inbox row or the rejection
(`activities.intake`).

An outcome acting on a running order is checked against that order's stream: the order must exist, be
the same child's and held by the same service, and its domain must allow the step today; a remand ended
in a sentence must not name a sentence whose order already exists. A `remand` outcome for a case and
child whose remand another outcome opened is a further remand, checked the same way against the
remand's stream (refused if the remand has ended), and kept naming only that remand's workflow; one
whose remand another accepted outcome starts, not yet opened, renews it too (the remand checks the
renewal when it is delivered). A re-delivery of an outcome the inbox keeps is answered from its row
before the order is checked again: the order has moved on since, because of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain import custody as cu
from domain import referral_order as ro
from domain import remand as rm
from domain import youth_rehabilitation_order as yro
from domain.calendar import WorkingCalendar
from domain.court_decisions import CourtStep, court_step, order_kind_of, outcome_workflow_ids, remand_renewal
from domain.court_outcome import (
    ActingDisposal,
    FieldError,
    OutcomeRejected,
    RemandDisposal,
    order_workflow_id,
)
from domain.decisions import StepRefused
from domain.intake_decision import OutcomeFacts, RecordedOrder, Refuse


@dataclass(frozen=True)
class Accept:
    """Keep the outcome in the inbox naming `workflow_ids`: those it starts, or the order it acts on."""

    workflow_ids: list[str]


@dataclass(frozen=True)
class Redelivery:
    """The inbox keeps this outcome id already (not refused): answer from its row, change nothing."""


Acceptance = Accept | Redelivery | Refuse

_DECIDE: dict[str, Callable[..., Any]] = {
    "referral_order": ro.decide,
    "youth_rehabilitation_order": yro.decide,
    "remand": rm.decide,
    "detention_and_training_order": cu.decide,
}


def checked_against_an_order(facts: OutcomeFacts) -> bool:
    """Whether the outcome is checked against a running order's stream (acting outcomes and remands)."""
    return isinstance(facts.outcome.disposal, ActingDisposal | RemandDisposal)


def running_remand(facts: OutcomeFacts) -> RecordedOrder | None:
    """The running remand a `remand` outcome renews: its stream opened by another outcome. (The stream
    opened by this very outcome is its own start, read again when the relay retries.)"""
    order = facts.order
    if not isinstance(facts.outcome.disposal, RemandDisposal) or order is None:
        return None
    return order if order.opened_by != facts.outcome.outcome_id else None


def decide_acceptance(facts: OutcomeFacts, *, calendar: WorkingCalendar | None = None, today: date) -> Acceptance:
    """Accept, answer as a re-delivery, or refuse with every reason. `calendar` counts a further
    remand's custody time limit (read only for one; left out, England and Wales without overrides)."""
    outcome = facts.outcome
    checked = checked_against_an_order(facts)
    if checked and facts.kept is not None and facts.kept.relay_status != "refused":
        return Redelivery()
    if isinstance(outcome.disposal, ActingDisposal):
        errors = acting_outcome_errors(facts, today=today)
        if errors:
            return Refuse(errors)
    running = running_remand(facts)
    if running is not None:
        errors = _renewal_errors(running, facts, calendar=calendar or WorkingCalendar.england_and_wales(), today=today)
        if errors:
            return Refuse(errors)
    # A remand another accepted outcome starts but has not opened yet: this renews it.
    pending = (
        order_workflow_id(outcome)
        if running is None
        and isinstance(outcome.disposal, RemandDisposal)
        and not facts.stream_opened
        and facts.remand_claimed
        else None
    )
    renews = running.order_ref if running is not None else pending
    if renews is not None:
        # A further remand acts on the running remand alone: its victims' contacts started with it.
        return Accept([renews])
    try:
        return Accept(outcome_workflow_ids(outcome))
    except OutcomeRejected as rejected:  # a remand's sentence: already checked with the order, kept as a guard
        return Refuse(rejected.errors)


def refusal(order: RecordedOrder, step: CourtStep, *, today: date) -> str | None:
    """Why the order's domain would refuse the step now, or None when it would take it."""
    try:
        _DECIDE[order.kind](order.state, step, today=today)
    except StepRefused as refused:
        return str(refused)
    return None


def acting_outcome_errors(facts: OutcomeFacts, *, today: date) -> list[FieldError]:
    """Every reason intake refuses an outcome acting on an order, or [] when the order can take it now."""
    outcome, order = facts.outcome, facts.order
    disposal = outcome.disposal
    assert isinstance(disposal, ActingDisposal)
    errors: list[FieldError] = []
    kind = order_kind_of(disposal.order_ref)
    step: CourtStep | None = None
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
    if isinstance(step, rm.RecordRemandEnded) and step.sentence_order_id is not None and facts.sentence_opened:
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


def _renewal_errors(
    order: RecordedOrder, facts: OutcomeFacts, *, calendar: WorkingCalendar, today: date
) -> list[FieldError]:
    """Why intake refuses a further remand of the running `order` (e.g. it has ended), or []. The order
    is the same case's and child's by its id, and so the same service's."""
    step = remand_renewal(facts.outcome, calendar=calendar, order=order.state)
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
