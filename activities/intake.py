"""Court outcome intake: validate, then either keep the outcome in the inbox (accepted) or in the
rejected list (refused), each in one transaction that commits before the caller replies.

An accepted outcome is durable before anyone is told "202": the relay starts its workflows later, so
Temporal being down never loses one. A re-delivered `outcome_id` changes nothing and gets the same ids.

An outcome acting on a running order (`remand_ended`, `order_revoked`, `order_extended`,
`breach_outcome`) is checked here, synchronously, against that order's stream in PostgreSQL (its facts
read in one go by `activities.intake_facts`, decided in `domain.intake_acceptance`): an order that does
not exist, or cannot take the decision now, is a 422 and the outcome goes to the rejected list for
correction. An accepted one that the order refuses when the relay delivers it (the order moved on
meanwhile) is marked `refused` in the inbox and copied to the rejected list; the same `outcome_id`,
corrected, may then be submitted again.

A `remand` outcome for a case and child whose remand is already running (its stream exists) is a further
hearing's remand: it acts on that remand as `remand_renewed` (`domain.court_decisions.remand_renewal`),
checked the same way against the remand's stream (refused if the remand has ended), its clear-day
warnings flagged as for any remand, and kept in the inbox naming only that remand's workflow.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal, cast

import structlog
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ValidationError

from activities.child_records import ChildRecordStore, messages_of
from activities.court_messages import SEALED_COLUMNS, MessageSeal, kept_body, sealed_columns
from activities.db import Pool
from activities.intake_facts import gather_outcome_facts
from activities.rule_source import load_calendar
from domain.court_outcome import (
    CourtOutcome,
    FieldError,
    OutcomeRejected,
    court_outcome_warnings,
    validate_court_outcome,
)
from domain.court_outcome.privacy import clear_part
from domain.intake_acceptance import Redelivery, decide_acceptance, running_remand
from domain.intake_decision import Refuse

log = structlog.get_logger(__name__)

INBOX_CHANNEL = "yjflow_inbox"
# Deeper than any outcome needs; deep enough nesting would exhaust Python's recursion while validating.
MAX_NESTING = 32


class IntakeResult(BaseModel):
    status: Literal["accepted", "duplicate", "rejected"]
    outcome_id: str | None
    workflow_ids: list[str] = []
    errors: list[FieldError] = []
    # Accepted, but breaking a limit the court has the last word on (a remand beyond its clear days):
    # flagged to the sender here and recorded in the order's own stream, never refused.
    warnings: list[FieldError] = []
    rejection_id: int | None = None
    note: str | None = None


def parse_body(raw: bytes | str) -> tuple[object | None, list[FieldError]]:
    """JSON text to a value, or the error that names why it is not JSON (or not storable JSON)."""
    try:
        value = json.loads(raw, parse_constant=_not_a_json_number, parse_float=_finite_number)
    except RecursionError:
        return None, [_too_deep()]
    except (ValueError, UnicodeDecodeError) as e:
        return None, [FieldError(field="body", rule="json", message=f"the body is not valid JSON: {e}")]
    if _nesting(value) > MAX_NESTING:
        return None, [_too_deep()]
    return value, []


def _not_a_json_number(name: str) -> object:
    # Python's json reads NaN and Infinity, which RFC 8259 (and PostgreSQL's jsonb) do not have.
    raise ValueError(f"{name} is not a JSON number")


def _finite_number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 reads as infinity, which jsonb cannot hold
        raise ValueError(f"the number {text[:30]} is too large")
    return value


def _too_deep() -> FieldError:
    return FieldError(
        field="body", rule="json.nesting", message=f"the body is nested more than {MAX_NESTING} levels deep"
    )


def _nesting(value: object) -> int:
    """How deeply lists and objects nest in `value` (counted without recursion, so it cannot overflow)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            return deepest
        stack += [(child, depth + 1) for child in children]
    return deepest


async def receive(
    pool: AsyncConnectionPool,
    raw: bytes | str,
    *,
    received_by: str,
    today: date,
    child_records: ChildRecordStore | None = None,
    services: Sequence[str] | None = None,
) -> IntakeResult:
    body, errors = parse_body(raw)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if errors:
        return await keep_rejected(pool, None, text, errors, received_by=received_by, seal=messages_of(child_records))
    return await receive_value(
        pool, body, text=text, received_by=received_by, today=today, services=services, child_records=child_records
    )


def service_not_held(body: object, received_by: str, services: Sequence[str] | None) -> FieldError | None:
    """The refusal of an outcome naming a service its sender does not hold (`services`; None holds
    every service), or None. Rule `yjs.held`: the API answers it 403, naming the service."""
    yjs = body.get("yjs") if isinstance(body, dict) else None
    if services is None or not isinstance(yjs, str) or yjs in services:
        return None
    return FieldError(
        field="yjs",
        rule="yjs.held",
        message=f"{received_by} may not submit outcomes for service {yjs!r}: it submits for {', '.join(services)}",
    )


async def receive_value(
    pool: AsyncConnectionPool,
    body: object,
    *,
    text: str | None = None,
    received_by: str,
    today: date,
    services: Sequence[str] | None = None,
    child_records: ChildRecordStore | None = None,
) -> IntakeResult:
    """Validate and keep one outcome (a JSON value): in the inbox, or in the rejected list with why.
    With `services`, an outcome for any other service is refused (rule `yjs.held`) and kept. With
    `child_records`, an accepted outcome's child gets a record from the court's names if they have none
    (after the outcome is kept: a record that cannot be made never loses the outcome), and the outcome is
    kept sealed under the personal-data master key (`activities.court_messages`)."""
    text = text if text is not None else json.dumps(body)
    seal = messages_of(child_records)
    not_held = service_not_held(body, received_by, services)
    if not_held is not None:
        return await keep_rejected(pool, body, text, [not_held], received_by=received_by, seal=seal)
    # PostgreSQL text and jsonb cannot hold U+0000: refuse it with a reason instead of failing to store.
    unstorable = nul_character_errors(body)
    try:
        outcome = validate_court_outcome(body, today=today)
    except OutcomeRejected as rejected:
        return await keep_rejected(
            pool, body, text, [*rejected.errors, *unstorable], received_by=received_by, seal=seal
        )
    if unstorable:
        return await keep_rejected(pool, body, text, unstorable, received_by=received_by, seal=seal)
    # The facts in one read (none for an outcome that opens a new order other than a remand: any
    # re-delivery of one is answered by the INSERT below finding its row, which saves a round trip).
    facts = await gather_outcome_facts(pool, outcome, with_kept=True, seal=seal)
    if services is not None and facts.order is not None and facts.order.yjs not in services:
        # An order of a service the sender does not hold is, to that sender, no order at all: a refusal
        # naming its service would confirm that it exists.
        facts = dataclasses.replace(facts, order=None, stream_opened=False, court_reasons=frozenset())
    running = running_remand(facts)
    # The calendar the relay counts a further remand's CTL expiry on, read only for one.
    calendar = await load_calendar(cast(Pool, pool)) if running is not None else None
    decision = decide_acceptance(facts, calendar=calendar, today=today)
    if isinstance(decision, Redelivery):
        assert facts.kept is not None
        return _duplicate(outcome, body, facts.kept.body, list(facts.kept.workflow_ids))
    if isinstance(decision, Refuse):
        return await keep_rejected(pool, body, text, decision.errors, received_by=received_by, seal=seal)
    ids = decision.workflow_ids
    sealed = seal.seal(body, None) if seal is not None else None
    async with pool.connection() as conn:
        # One statement in autocommit, so one round trip: the row and its NOTIFY commit together, and
        # the NOTIFY is sent only when a row was written. An outcome the order refused at delivery may
        # come back corrected under the same id: it takes the refused row's place (the refusal stays in
        # the rejected list).
        await conn.set_autocommit(True)
        try:
            cur = await conn.execute(
                "WITH kept AS (INSERT INTO inbox (outcome_id, received_by, body, workflow_ids, sealed, sealed_key, "
                "sealed_key_id) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (outcome_id) DO UPDATE SET received_at = now(), received_by = EXCLUDED.received_by, "
                "body = EXCLUDED.body, workflow_ids = EXCLUDED.workflow_ids, sealed = EXCLUDED.sealed, "
                "sealed_key = EXCLUDED.sealed_key, sealed_key_id = EXCLUDED.sealed_key_id, relay_status = 'pending', "
                "relay_attempts = 0, relayed_at = NULL, last_error = NULL WHERE inbox.relay_status = 'refused' "
                "RETURNING outcome_id) "
                "SELECT outcome_id, pg_notify(%s, '') FROM kept",
                (
                    outcome.outcome_id,
                    received_by,
                    Jsonb(sealed.clear if sealed is not None else body),
                    ids,
                    *sealed_columns(sealed),
                    INBOX_CHANNEL,
                ),
            )
            written = await cur.fetchone() is not None
        finally:
            await conn.set_autocommit(False)
    if written:
        if child_records is not None:
            await _fill_child_record(child_records, outcome, received_by)
        return IntakeResult(
            status="accepted",
            outcome_id=outcome.outcome_id,
            workflow_ids=ids,
            warnings=court_outcome_warnings(outcome),
        )
    duplicate = await _redelivery(pool, outcome, body, seal)  # kept already, or another delivery won meanwhile
    assert duplicate is not None
    return duplicate


async def _fill_child_record(store: ChildRecordStore, outcome: CourtOutcome, received_by: str) -> None:
    try:
        await store.fill_from_court(
            yjs=outcome.yjs,
            child_id=outcome.child.id,
            given_name=outcome.child.given_name,
            family_name=outcome.child.family_name,
            date_of_birth=outcome.child.date_of_birth,
            actor=received_by,
        )
    except Exception as e:  # the outcome is kept; only the names wait for the child's next outcome
        log.warning("child record not made", child_id=outcome.child.id, yjs=outcome.yjs, error=type(e).__name__)


async def _redelivery(
    pool: AsyncConnectionPool, outcome: CourtOutcome, body: object, seal: MessageSeal | None
) -> IntakeResult | None:
    """The answer to a re-delivery of an outcome the inbox keeps (not refused), or None."""
    kept = await _kept(pool, outcome.outcome_id, seal)
    if kept is None or kept[2] == "refused":
        return None
    return _duplicate(outcome, body, kept[0], kept[1])


async def _kept(
    pool: AsyncConnectionPool, outcome_id: str, seal: MessageSeal | None
) -> tuple[Any, list[str], str] | None:
    """The inbox's body (whole where it can be opened), workflow ids and relay status for an outcome id,
    if it holds one."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            f"SELECT body, workflow_ids, relay_status, {', '.join(SEALED_COLUMNS)} FROM inbox WHERE outcome_id = %s",
            (outcome_id,),
        )
        row = await cur.fetchone()
    if row is None:
        return None
    names = ("body", "workflow_ids", "relay_status", *SEALED_COLUMNS)
    values = dict(zip(names, row_values(row, *names), strict=True))
    return kept_body(values, seal), list(values["workflow_ids"]), values["relay_status"]


def _duplicate(outcome: CourtOutcome, body: object, stored_body: Any, stored_ids: list[str]) -> IntakeResult:
    # A kept outcome that cannot be opened here (erased, or no master key) is compared by its clear part.
    same = stored_body == body or stored_body == clear_part(body)
    note = None if same else "a different body arrived under this outcome_id; the first is kept"
    return IntakeResult(
        status="duplicate",
        outcome_id=outcome.outcome_id,
        workflow_ids=list(stored_ids),
        warnings=court_outcome_warnings(outcome) if same else _kept_warnings(stored_body),
        note=note,
    )


def _kept_warnings(stored_body: object) -> list[FieldError]:
    """The warnings of the outcome kept under an id, since its workflows were started from it."""
    try:
        return court_outcome_warnings(CourtOutcome.model_validate(stored_body))
    except ValidationError:  # kept under an older contract: nothing to flag that is worth a failed reply
        return []


async def keep_rejected(
    pool: AsyncConnectionPool,
    body: object | None,
    text: str,
    errors: list[FieldError],
    *,
    received_by: str,
    seal: MessageSeal | None = None,
) -> IntakeResult:
    """Keep a refused message whole in the rejected list, with the field errors, for correction: sealed
    with `seal` (its clear part beside it), or in clear where no master key is configured."""
    outcome_id = body.get("outcome_id") if isinstance(body, dict) else None
    outcome_id = outcome_id if isinstance(outcome_id, str) and "\x00" not in outcome_id else None
    if body is not None and nul_character_errors(body):
        body = None  # jsonb cannot hold it; body_text keeps it (JSON escapes it as \u0000)
    text = text.replace("\x00", "\ufffd")  # a raw NUL byte cannot be stored in text
    errors = [_without_nul(e) for e in errors]
    sealed = seal.seal(body, text) if seal is not None else None
    if sealed is not None:
        body = sealed.clear
    async with pool.connection() as conn, conn.transaction():
        cur = await conn.execute(
            "INSERT INTO rejected_outcomes (outcome_id, received_by, body, body_text, errors, sealed, sealed_key, "
            "sealed_key_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                outcome_id,
                received_by,
                Jsonb(body) if body is not None else None,
                None if sealed is not None else text,
                Jsonb([e.model_dump() for e in errors]),
                *sealed_columns(sealed),
            ),
        )
        row = await cur.fetchone()
    assert row is not None
    (rejection_id,) = row_values(row, "id")
    return IntakeResult(status="rejected", outcome_id=outcome_id, errors=errors, rejection_id=rejection_id)


def nul_character_errors(value: object, path: str = "") -> list[FieldError]:
    """PostgreSQL text and jsonb cannot hold U+0000: one error per string (key or value) holding it,
    named by its path as the validator names fields."""
    errors: list[FieldError] = []
    if isinstance(value, str):
        if "\x00" in value:
            field = path or "body"
            errors.append(
                FieldError(
                    field=field,
                    rule="text.no_nul_character",
                    message=f"{field} contains a NUL character (\\u0000), which cannot be stored: remove it",
                )
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            safe_key = str(key).replace("\x00", "\ufffd")
            child = f"{path}.{safe_key}" if path else safe_key
            if "\x00" in str(key):
                errors += nul_character_errors(str(key), child)
            errors += nul_character_errors(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors += nul_character_errors(item, f"{path}[{index}]")
    return errors


def _without_nul(error: FieldError) -> FieldError:
    # A field name can come from a submitted key; jsonb would refuse a NUL in it.
    if "\x00" not in error.field + error.message:
        return error
    return FieldError(
        field=error.field.replace("\x00", "\ufffd"), rule=error.rule, message=error.message.replace("\x00", "\ufffd")
    )


def row_values(row: Any, *names: str) -> tuple[Any, ...]:
    """Rows may come as dicts or tuples depending on the pool's row factory."""
    if isinstance(row, dict):
        return tuple(row[n] for n in names)
    return tuple(row)
