"""Carrying out the relay's decision for one court outcome (`domain.intake_decision`): start its
workflows, or deliver its step to the order as the order's `record_step` Update, or say why not.

The Update's id is the outcome's, so Temporal answers a repeat to a running order with the first
result; a step the order's stream already holds is not sent again. An order that refuses the step gets
nothing recorded (`DeliveryRefused`); any other error (Temporal unreachable) leaves it to be retried.
"""

from __future__ import annotations

from typing import Any

from psycopg_pool import AsyncConnectionPool
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities.intake_facts import gather_outcome_facts
from activities.order_states import outcome_recorded
from client.workflow_starts import start_for_outcome
from domain.calendar import WorkingCalendar
from domain.court_outcome import CourtOutcome, FieldError
from domain.intake_decision import (
    DeliverStep,
    Delivery,
    Refuse,
    StartWorkflows,
    Wait,
    decide_delivery,
    refused_at_delivery,
)
from workflows.custody import CustodyWorkflow
from workflows.referral_order import ReferralOrderWorkflow
from workflows.remand import RemandWorkflow
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

# The workflow that runs each kind of order, for delivering a court outcome to it.
ORDER_WORKFLOWS: dict[str, Any] = {
    "referral_order": ReferralOrderWorkflow,
    "youth_rehabilitation_order": YouthRehabilitationOrderWorkflow,
    "remand": RemandWorkflow,
    "detention_and_training_order": CustodyWorkflow,
}


class DeliveryRefused(Exception):
    """The order an accepted outcome acts on refused it when the relay delivered it: nothing was
    recorded, and retrying would be refused the same way, so the outcome goes back for correction."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors)
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(e.message for e in self.errors)


class DeliveryWaits(RuntimeError):
    """Nothing can be done for the outcome yet (a further remand of a remand not yet opened)."""


async def decide(
    pool: AsyncConnectionPool[Any], outcome: CourtOutcome, *, calendar: WorkingCalendar | None = None
) -> Delivery:
    """The decision for `outcome` now: its facts in one read, decided in the domain."""
    facts = await gather_outcome_facts(pool, outcome)
    return decide_delivery(facts, calendar=calendar)


async def carry_out(
    client: Client,
    pool: AsyncConnectionPool[Any],
    decision: Delivery,
    task_queue: str,
    *,
    calendar: WorkingCalendar | None = None,
) -> list[str]:
    """Do what `decision` says; the ids of the workflows started or acted on. `DeliveryRefused` when the
    order refuses, `DeliveryWaits` when the outcome must wait."""
    if isinstance(decision, StartWorkflows):
        return await start_for_outcome(client, decision.outcome, task_queue, calendar=calendar)
    if isinstance(decision, Refuse):
        raise DeliveryRefused(decision.errors)
    if isinstance(decision, Wait):
        raise DeliveryWaits(decision.why)
    await _deliver(client, pool, decision)
    ids = [decision.order_ref]
    if decision.then_start is not None:
        # After the order took the step, so a refused outcome starts nothing.
        ids += await start_for_outcome(client, decision.then_start, task_queue, calendar=calendar)
    return ids


async def _deliver(client: Client, pool: AsyncConnectionPool[Any], step: DeliverStep) -> None:
    if step.already_recorded:
        return
    handle = client.get_workflow_handle(step.order_ref)
    try:
        await handle.execute_update(ORDER_WORKFLOWS[step.kind].record_step, step.step, id=step.update_id)
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        raise _refused(str(getattr(cause, "message", None) or cause or e)) from e
    except RPCError as e:
        # Temporal says "not found" for an order that has ended, too. Ended by this very outcome
        # (its step recorded after the facts were read, the row not yet marked) counts as delivered.
        if e.status != RPCStatusCode.NOT_FOUND:
            raise
        if not await outcome_recorded(pool, step.order_ref, step.outcome_id):
            raise _refused("the order's workflow is not running: it has ended") from e


def _refused(why: str) -> DeliveryRefused:
    return DeliveryRefused(refused_at_delivery(why).errors)
