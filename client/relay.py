"""The relay: starts the workflows of accepted outcomes, and delivers those acting on running orders,
retrying until Temporal answers.

It wakes on NOTIFY from intake (fast path) or every `relay_interval_seconds` (safety net), takes a
batch from the inbox (`client.relay_inbox`; SKIP LOCKED, so several relays can run), and marks each
outcome started only after Temporal has the workflow or the order took the step.

For each outcome it reads the facts in one go and decides in the domain (`domain.intake_decision`):
start the order's workflows (`client.workflow_starts`), deliver its step to the order it acts on as
that order's `record_step` Update (`client.delivery`), wait, or refuse. An order that refuses the outcome
at delivery (it moved on after intake accepted it, or has ended) gets nothing recorded; the refusal is
kept, never lost: the inbox row is marked `refused` with the order's reason in `last_error`, and the
outcome is copied whole to the rejected list with that reason, in the same transaction, for correction
and resubmission.
"""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import structlog
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.court_messages import MessageSeal, seal_from_settings, seal_kept_in_clear
from activities.db import Pool
from activities.metrics import RELAYED
from activities.relay_inbox import (
    InboxListener,
    PendingOutcome,
    mark_failed,
    mark_started,
    move_to_rejected,
    take_pending,
)
from activities.rule_source import load_calendar
from activities.settings import Settings
from client.delivery import DeliveryRefused, carry_out, decide
from client.workflow_starts import dto_input, remand_input, start_for_outcome, yro_input
from domain.calendar import WorkingCalendar
from domain.court_outcome import ActingDisposal, CourtOutcome, RemandDisposal
from domain.intake_decision import StartWorkflows

# Where callers have always found them.
__all__ = ["dto_input", "relay_pending", "remand_input", "run_relay", "start_for_outcome", "yro_input"]

log = structlog.get_logger("yjflow.relay")

# How many outcomes of one batch are started at once: starts of different outcomes are independent
# (their workflow ids differ), and one at a time left the relay waiting on a round trip per workflow.
CONCURRENT_STARTS = 16


async def relay_pending(
    pool: Pool, client: Client, task_queue: str, *, batch: int = 50, seal: MessageSeal | None = None
) -> int:
    """Start workflows for up to `batch` pending outcomes, opening sealed ones with `seal`; returns how
    many were started. A sealed outcome with no `seal` here stays pending, its error naming the key.

    New orders in the batch start concurrently. Outcomes acting on a running order (and further remands)
    are delivered after them, one at a time in arrival order, each decided again on facts read just before
    its delivery: a later outcome for an order may depend on an earlier one, including a remand started
    earlier in the same batch."""
    async with pool.connection() as conn, conn.transaction():
        rows = await take_pending(conn, batch)
        results: dict[str, BaseException | None] = {}
        starts: list[tuple[str, StartWorkflows]] = []
        acting: list[tuple[str, CourtOutcome]] = []
        calendar: WorkingCalendar | None = None
        for row in rows:
            try:
                outcome = CourtOutcome.model_validate(row.whole(seal))
                if isinstance(outcome.disposal, RemandDisposal) and calendar is None:
                    # The calendar deadlines are scheduled on, so the remand's CTL expiry and its
                    # remand.ctl deadline agree; read once per batch, and only when a remand needs it.
                    calendar = await load_calendar(pool)
                if isinstance(outcome.disposal, ActingDisposal):
                    acting.append((row.outcome_id, outcome))  # decided at its turn, on the facts then
                    continue
                decision = await decide(pool, outcome, calendar=calendar)
                if isinstance(decision, StartWorkflows):
                    starts.append((row.outcome_id, decision))
                else:  # a further remand
                    acting.append((row.outcome_id, outcome))
            except Exception as e:
                results[row.outcome_id] = e

        limit = asyncio.Semaphore(CONCURRENT_STARTS)

        async def start(outcome_id: str, decision: StartWorkflows) -> None:
            async with limit:
                try:
                    await carry_out(client, pool, decision, task_queue, calendar=calendar)
                    results[outcome_id] = None
                except Exception as e:
                    results[outcome_id] = e

        await asyncio.gather(*(start(oid, d) for oid, d in starts))
        for outcome_id, outcome in acting:
            if any(_temporal_down(e) for e in results.values()):
                results[outcome_id] = _NotTried("Temporal was unavailable for an earlier outcome of this batch")
                continue
            try:
                decision = await decide(pool, outcome, calendar=calendar)
                await carry_out(client, pool, decision, task_queue, calendar=calendar)
                results[outcome_id] = None
            except Exception as e:
                results[outcome_id] = e

        started = 0
        for row in rows:
            if await _mark(conn, row, results.get(row.outcome_id)):
                started += 1
    if started:
        log.info("relay.started", count=started)
    return started


async def _mark(conn: psycopg.AsyncConnection[Any], row: PendingOutcome, error: BaseException | None) -> bool:
    """Record what became of the outcome; True when it was started or delivered."""
    if isinstance(error, DeliveryRefused):
        await move_to_rejected(conn, row, error.errors)
        log.warning("relay.refused_by_order", outcome_id=row.outcome_id)
        RELAYED.labels(result="refused_by_order").inc()
        return False
    if error is not None:  # Temporal down or refusing, or the outcome must wait: keep it pending, say why
        await mark_failed(conn, row.outcome_id, str(error))
        log.warning("relay.start_failed", outcome_id=row.outcome_id, error=type(error).__name__)
        RELAYED.labels(result="failed_will_retry").inc()
        return False
    await mark_started(conn, row.outcome_id)
    RELAYED.labels(result="started").inc()
    return True


class _NotTried(Exception):
    """An acting outcome left for the next round because Temporal was down for this batch."""


def _temporal_down(error: BaseException | None) -> bool:
    return isinstance(error, RPCError) and error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


async def run_relay(pool: Pool, client: Client, settings: Settings) -> None:
    """Relay forever; survives PostgreSQL and Temporal outages with a capped backoff."""
    backoff = settings.relay_interval_seconds
    listener = InboxListener(settings.database_url or "")
    seal = seal_from_settings(settings)
    if seal is None:
        log.warning("relay.no_master_key", detail="sealed court outcomes wait until YJFLOW_VICTIM_MASTER_KEY is set")
    else:
        try:
            if sealed := await seal_kept_in_clear(pool, seal):
                log.info("court_messages.sealed", count=sealed)
        except Exception as e:  # the relay must run regardless; the next start tries again
            log.warning("court_messages.seal_failed", error=type(e).__name__, detail=str(e)[:200])
    while True:
        try:
            await listener.listen()
            while await relay_pending(pool, client, settings.task_queue, seal=seal) > 0:
                pass
            backoff = settings.relay_interval_seconds
            await listener.wait(settings.relay_interval_seconds)
        except asyncio.CancelledError:
            await listener.close()
            raise
        except Exception as e:
            log.warning("relay.error", error=type(e).__name__, detail=str(e)[:200])
            await listener.close()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
