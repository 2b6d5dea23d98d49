"""The relay: starts the workflows of accepted outcomes, and delivers those acting on running orders,
retrying until Temporal answers.

It wakes on NOTIFY from intake (fast path) or every `relay_interval_seconds` (safety net), takes a
batch with SKIP LOCKED so several relays can run, and marks each outcome started only after Temporal
has the workflow. Starting is idempotent: workflow ids come from the outcome, and an id that already
exists (running or closed) counts as started.

An outcome acting on an order is delivered as that order's `record_step` Update, the step
`domain.court_decisions` maps it to, and marked started only after the Update succeeded. Delivery is
idempotent twice over: the Update's id is the outcome's, so Temporal answers a repeat to a running order
with the first result, and every event of the step carries the outcome's id as its reason, so an outcome
already in the order's stream (the Update succeeded, even closing the order, but the relay stopped before
marking the row) is not delivered again. An order that refuses the outcome at delivery (it moved on
after intake accepted it, or has ended) gets nothing recorded; the refusal is kept, never lost: the inbox
row is marked `refused` with the order's reason in `last_error`, and the outcome is copied whole to the
rejected list with that reason, in the same transaction, for correction and resubmission.

A `remand` outcome for a case and child whose remand is already running (its stream exists, opened by
another outcome) is a further remand: delivered the same way, as that remand's `remand_renewed` step,
its custody time limit's expiry counted on the calendar in force as at the remand's start.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import psycopg
import structlog
from psycopg.types.json import Jsonb
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.db import Pool
from activities.intake import INBOX_CHANNEL, _row
from activities.order_states import outcome_recorded, read_order, remand_claimed_earlier, remand_renewed_by
from activities.rule_source import load_calendar, load_rule_pack
from activities.settings import Settings
from domain.calendar import WorkingCalendar, add_calendar_months
from domain.court_decisions import CourtStep, court_step, order_kind_of, remand_renewal, sentence_outcome
from domain.court_outcome import (
    ActingDisposal,
    CourtOutcome,
    DetentionAndTrainingOrderDisposal,
    FieldError,
    OutcomeRejected,
    ReferralOrderDisposal,
    RemandDisposal,
    YouthRehabilitationOrderDisposal,
    custodial_months,
    order_workflow_id,
    victim_workflow_id,
)
from domain.messages import (
    CustodyInput,
    ReferralOrderInput,
    RemandInput,
    VictimContactInput,
    YouthRehabilitationOrderInput,
)
from domain.remand import start_remand
from domain.victim_contact import vcs_referral_due
from workflows.custody import CustodyWorkflow
from workflows.referral_order import ReferralOrderWorkflow
from workflows.remand import RemandWorkflow
from workflows.victim_contact import VictimContactWorkflow
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

log = structlog.get_logger("yjflow.relay")

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


def _refused_at_delivery(why: str) -> DeliveryRefused:
    return DeliveryRefused(
        [
            FieldError(
                field="disposal",
                rule="disposal.refused_by_order_at_delivery",
                message=f"accepted at intake, but refused when delivered to the order; nothing was recorded: {why}",
            )
        ]
    )


def update_id(outcome_id: str) -> str:
    """The id of the Update that delivers a court outcome: one per outcome, so a repeat is a no-op."""
    return f"court-outcome:{outcome_id}"


async def act_on_order(
    client: Client, pool: Pool, outcome: CourtOutcome, task_queue: str, *, calendar: WorkingCalendar | None = None
) -> list[str]:
    """Deliver an outcome acting on an order as the order's `record_step` Update (once), then, for a
    remand ended in a sentence, start the sentence's workflow (after the remand took it, so a refused
    outcome starts nothing). A `remand` outcome is a further remand of the running remand its id names,
    its CTL expiry counted on `calendar` (left out, England and Wales without overrides).
    `DeliveryRefused` when the order refuses it; any other error (Temporal unreachable) leaves it to be
    retried."""
    disposal = outcome.disposal
    step: CourtStep
    sentence: CourtOutcome | None = None
    if isinstance(disposal, RemandDisposal):
        order_ref = order_workflow_id(outcome)
        kind = "remand"
        order = await read_order(pool, order_ref)
        if order is None:
            # The remand it renews was accepted first but has not recorded its opening yet: try again
            # later (kept pending), never treat this hearing's remand as lost or as a second start.
            raise RuntimeError(f"the remand {order_ref} has not recorded its opening yet; the renewal waits")
        step = remand_renewal(outcome, calendar=calendar or WorkingCalendar.england_and_wales(), order=order.state)
    else:
        assert isinstance(disposal, ActingDisposal)
        order_ref = disposal.order_ref
        named = order_kind_of(order_ref)
        if named is None:
            raise _refused_at_delivery("disposal.order_ref names no kind of order yjflow runs")
        kind = named
        # The order's state as its stream tells it: which step some outcomes are depends on it.
        order = await read_order(pool, order_ref)
        try:
            step = court_step(outcome, kind, order=order.state if order is not None else None)
            sentence = sentence_outcome(outcome)
        except OutcomeRejected as rejected:  # accepted under other rules: say what no longer fits
            raise DeliveryRefused(rejected.errors) from None
    if not await outcome_recorded(pool, order_ref, outcome.outcome_id):
        handle = client.get_workflow_handle(order_ref)
        try:
            await handle.execute_update(ORDER_WORKFLOWS[kind].record_step, step, id=update_id(outcome.outcome_id))
        except WorkflowUpdateFailedError as e:
            cause = e.cause
            raise _refused_at_delivery(str(getattr(cause, "message", None) or cause or e)) from e
        except RPCError as e:
            # Temporal says "not found" for an order that has ended, too. Ended by this very outcome
            # (its step recorded, the row not yet marked) counts as delivered.
            if e.status != RPCStatusCode.NOT_FOUND:
                raise
            if not await outcome_recorded(pool, order_ref, outcome.outcome_id):
                raise _refused_at_delivery("the order's workflow is not running: it has ended") from e
    ids = [order_ref]
    if sentence is not None:
        ids += await start_for_outcome(client, sentence, task_queue, calendar=calendar)
    return ids


async def _start(client: Client, run: Any, arg: Any, *, wid: str, task_queue: str) -> None:
    try:
        await client.start_workflow(
            run,
            arg,
            id=wid,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
    except WorkflowAlreadyStartedError:
        pass  # a closed workflow of this id: this outcome was relayed before


async def start_for_outcome(
    client: Client, outcome: CourtOutcome, task_queue: str, *, calendar: WorkingCalendar | None = None
) -> list[str]:
    """Start every workflow the outcome names: the order, then each victim's contact. The order's
    first milestone needs a person's step days later, so its victims' contacts exist by then; a retry
    after a partial start starts only what is missing.

    `calendar` counts a remand's custody time limit: the relay passes the one in force (bank holidays
    with the service's overrides, as deadlines are scheduled on); left out, the England and Wales
    calendar without overrides.
    """
    disposal = outcome.disposal
    if isinstance(disposal, ActingDisposal):
        raise ValueError(f"a {disposal.kind} outcome acts on an order (act_on_order); it starts none")
    wid = order_workflow_id(outcome)
    if isinstance(disposal, YouthRehabilitationOrderDisposal):
        await _start(
            client, YouthRehabilitationOrderWorkflow.run, yro_input(outcome, disposal), wid=wid, task_queue=task_queue
        )
        return [wid, *await _start_victims(client, outcome, wid, task_queue)]
    if isinstance(disposal, RemandDisposal):
        arg = remand_input(outcome, disposal, calendar or WorkingCalendar.england_and_wales())
        await _start(client, RemandWorkflow.run, arg, wid=wid, task_queue=task_queue)
        return [wid, *await _start_victims(client, outcome, wid, task_queue)]
    if isinstance(disposal, DetentionAndTrainingOrderDisposal):
        await _start(client, CustodyWorkflow.run, dto_input(outcome, disposal), wid=wid, task_queue=task_queue)
        return [wid, *await _start_victims(client, outcome, wid, task_queue)]
    if not isinstance(disposal, ReferralOrderDisposal):
        raise ValueError(f"no workflow for {disposal.kind} yet")
    await _start(
        client,
        ReferralOrderWorkflow.run,
        ReferralOrderInput(
            outcome_id=outcome.outcome_id,
            case_reference=outcome.case_reference,
            court_kind=outcome.court.kind,
            child_id=outcome.child.id,
            yjs=outcome.yjs,
            hearing_date=outcome.hearing_date,
            months=disposal.months,
            victim_refs=[v.ref for v in outcome.victims],
        ),
        wid=wid,
        task_queue=task_queue,
    )
    return [wid, *await _start_victims(client, outcome, wid, task_queue)]


async def _start_victims(client: Client, outcome: CourtOutcome, wid: str, task_queue: str) -> list[str]:
    ids = []
    months = custodial_months(outcome.disposal)
    violent = any(o.violent_or_sexual and o.convicted for o in outcome.offences)
    vcs = months is not None and vcs_referral_due(months, violent)
    for victim in outcome.victims:
        vid = victim_workflow_id(outcome, victim.ref)
        await _start(
            client,
            VictimContactWorkflow.run,
            VictimContactInput(
                victim_ref=victim.ref,
                victim_kind=victim.kind,
                under_18=victim.under_18,
                linked_order_id=wid,
                child_id=outcome.child.id,
                yjs=outcome.yjs,
                opened_on=outcome.hearing_date,
                outcome_id=outcome.outcome_id,
                vcs_referral_needed=vcs,
                sentence_date=outcome.hearing_date if vcs else None,
            ),
            wid=vid,
            task_queue=task_queue,
        )
        ids.append(vid)
    return ids


def yro_input(outcome: CourtOutcome, disposal: YouthRehabilitationOrderDisposal) -> YouthRehabilitationOrderInput:
    """The YRO's start, with the warned period read from the rule pack now (it is [U] and may change;
    a running order keeps the length it started with)."""
    pack = load_rule_pack(Settings().rules_file)
    months = pack.rule("yro.warned_period").amount
    if months is None:
        raise ValueError("rule yro.warned_period has no amount in the rule pack in force")
    dob = outcome.child.date_of_birth
    return YouthRehabilitationOrderInput(
        outcome_id=outcome.outcome_id,
        case_reference=outcome.case_reference,
        court_kind=outcome.court.kind,
        child_id=outcome.child.id,
        yjs=outcome.yjs,
        hearing_date=outcome.hearing_date,
        disposal=disposal,
        warned_period_months=months,
        eighteenth_birthday=add_calendar_months(dob, 18 * 12),
        victim_refs=[v.ref for v in outcome.victims],
    )


def remand_input(outcome: CourtOutcome, disposal: RemandDisposal, calendar: WorkingCalendar) -> RemandInput:
    """The remand's start: its opening state with the custody time limit's expiry counted now, on
    `calendar`, and recorded once (a later holiday override never moves a running remand's expiry)."""
    return RemandInput(
        outcome_id=outcome.outcome_id,
        case_reference=outcome.case_reference,
        court_kind=outcome.court.kind,
        hearing_date=outcome.hearing_date,
        remand=start_remand(
            child_id=outcome.child.id,
            yjs=outcome.yjs,
            remand_date=outcome.hearing_date,
            disposal=disposal,
            calendar=calendar,
        ),
        victim_refs=[v.ref for v in outcome.victims],
    )


def dto_input(outcome: CourtOutcome, disposal: DetentionAndTrainingOrderDisposal) -> CustodyInput:
    """A DTO's start: the term and the secure estate's date if the court sent one; the release dates
    are the domain's to compute. Of the child and offences, only what s.247 needs (see CustodyInput)."""
    return CustodyInput(
        outcome_id=outcome.outcome_id,
        case_reference=outcome.case_reference,
        court_kind=outcome.court.kind,
        child_id=outcome.child.id,
        yjs=outcome.yjs,
        sentence_date=outcome.hearing_date,
        kind="dto",
        months=disposal.months,
        weeks=disposal.weeks,
        remand_days=disposal.remand_days,
        tagged_bail_days=disposal.tagged_bail_days,
        secure_estate_release_date=disposal.release_date,
        date_of_birth=outcome.child.date_of_birth,
        offence_date=min(o.offence_date for o in outcome.offences),
        victim_refs=[v.ref for v in outcome.victims],
    )


# How many outcomes of one batch are started at once: starts of different outcomes are independent
# (their workflow ids differ), and one at a time left the relay waiting on a round trip per workflow.
CONCURRENT_STARTS = 16


async def relay_pending(pool: Pool, client: Client, task_queue: str, *, batch: int = 50) -> int:
    """Start workflows for up to `batch` pending outcomes; returns how many were started.

    New orders in the batch start concurrently. Outcomes acting on a running order (and further remands)
    are delivered after them, one at a time in arrival order: a later outcome for an order may depend on
    an earlier one, including a remand started earlier in the same batch."""
    async with pool.connection() as conn, conn.transaction():
        # Least-tried first, then oldest: rows that keep failing must not fill every batch and starve
        # the outcomes accepted after them.
        cur = await conn.execute(
            "SELECT outcome_id, body, received_by FROM inbox WHERE relay_status = 'pending' "
            "ORDER BY relay_attempts, received_at LIMIT %s FOR UPDATE SKIP LOCKED",
            (batch,),
        )
        rows = [_row(row, "outcome_id", "body", "received_by") for row in await cur.fetchall()]
        results: dict[str, BaseException | None] = {}
        starts: list[tuple[str, CourtOutcome]] = []
        acting: list[tuple[str, CourtOutcome]] = []
        calendar: WorkingCalendar | None = None
        for outcome_id, body, _ in rows:
            try:
                outcome = CourtOutcome.model_validate(body)
                if isinstance(outcome.disposal, RemandDisposal) and calendar is None:
                    # The calendar deadlines are scheduled on, so the remand's CTL expiry and its
                    # remand.ctl deadline agree; read once per batch, and only when a remand needs it.
                    calendar = await load_calendar(pool)
                renews = await remand_renewed_by(pool, outcome) or await remand_claimed_earlier(pool, outcome)
                (acting if isinstance(outcome.disposal, ActingDisposal) or renews else starts).append(
                    (outcome_id, outcome)
                )
            except Exception as e:
                results[outcome_id] = e

        limit = asyncio.Semaphore(CONCURRENT_STARTS)

        async def start(outcome_id: str, outcome: CourtOutcome) -> None:
            async with limit:
                try:
                    await start_for_outcome(client, outcome, task_queue, calendar=calendar)
                    results[outcome_id] = None
                except Exception as e:
                    results[outcome_id] = e

        await asyncio.gather(*(start(oid, o) for oid, o in starts))
        for outcome_id, outcome in acting:
            if any(_temporal_down(e) for e in results.values()):
                results[outcome_id] = _NotTried("Temporal was unavailable for an earlier outcome of this batch")
                continue
            try:
                await act_on_order(client, pool, outcome, task_queue, calendar=calendar)
                results[outcome_id] = None
            except Exception as e:
                results[outcome_id] = e

        started = 0
        for outcome_id, body, received_by in rows:
            error = results.get(outcome_id)
            if isinstance(error, DeliveryRefused):
                await _move_to_rejected(conn, outcome_id, received_by, body, error.errors)
                log.warning("relay.refused_by_order", outcome_id=outcome_id)
            elif error is not None:  # Temporal down or refusing: keep it pending and say why
                await conn.execute(
                    "UPDATE inbox SET relay_attempts = relay_attempts + 1, last_error = %s WHERE outcome_id = %s",
                    (str(error)[:2000], outcome_id),
                )
                log.warning("relay.start_failed", outcome_id=outcome_id, error=type(error).__name__)
            else:
                await conn.execute(
                    "UPDATE inbox SET relay_status = 'started', relayed_at = now(), "
                    "relay_attempts = relay_attempts + 1, last_error = NULL WHERE outcome_id = %s",
                    (outcome_id,),
                )
                started += 1
    if started:
        log.info("relay.started", count=started)
    return started


class _NotTried(Exception):
    """An acting outcome left for the next round because Temporal was down for this batch."""


def _temporal_down(error: BaseException | None) -> bool:
    return isinstance(error, RPCError) and error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


async def _move_to_rejected(conn: Any, outcome_id: str, received_by: str, body: Any, errors: list[FieldError]) -> None:
    """Keep an outcome the order refused at delivery: the inbox row says `refused` and why, and the
    outcome goes whole to the rejected list with the reason, both in the relay's transaction."""
    reason = "; ".join(e.message for e in errors)
    await conn.execute(
        "UPDATE inbox SET relay_status = 'refused', relay_attempts = relay_attempts + 1, last_error = %s "
        "WHERE outcome_id = %s",
        (reason[:2000], outcome_id),
    )
    await conn.execute(
        "INSERT INTO rejected_outcomes (outcome_id, received_by, body, body_text, errors) VALUES (%s, %s, %s, %s, %s)",
        (outcome_id, received_by, Jsonb(body), json.dumps(body), Jsonb([e.model_dump() for e in errors])),
    )


async def run_relay(pool: Pool, client: Client, settings: Settings) -> None:
    """Relay forever; survives PostgreSQL and Temporal outages with a capped backoff."""
    backoff = settings.relay_interval_seconds
    listener: psycopg.AsyncConnection[Any] | None = None
    while True:
        try:
            if listener is None or listener.closed:
                listener = await psycopg.AsyncConnection.connect(settings.database_url or "", autocommit=True)
                await listener.execute(f"LISTEN {INBOX_CHANNEL}")
            while await relay_pending(pool, client, settings.task_queue) > 0:
                pass
            backoff = settings.relay_interval_seconds
            async for _ in listener.notifies(timeout=settings.relay_interval_seconds, stop_after=1):
                pass
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.warning("relay.error", error=type(e).__name__, detail=str(e)[:200])
            if listener is not None:
                await listener.close()
                listener = None
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
