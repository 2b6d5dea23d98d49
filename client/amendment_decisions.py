"""A manager's decision on a held amendment of a court result, for the API and the page alike: confirming
applies the change through the court decision that carries it (an outcome of its own, received by the
confirming manager, so the order's step is recorded as the court's and the inbox says who confirmed it);
rejecting keeps the order as it is and records who and why."""

from __future__ import annotations

from typing import Any

from psycopg_pool import AsyncConnectionPool

from activities import court_result_amendments as amendments
from activities import intake
from activities.child_records import ChildRecordStore, messages_of
from activities.court_messages import MessageSeal
from client.app_context import today
from domain.court_results import resends


class DecisionRefused(Exception):
    """Why the decision cannot be made: an HTTP status and the API's detail for it."""

    def __init__(self, status: int, detail: Any, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


def _problem(field: str, rule: str, message: str) -> list[dict[str, str]]:
    return [{"field": field, "rule": rule, "message": message}]


def _meanwhile(amendment_id: int) -> list[dict[str, str]]:
    return _problem("amendment_id", "amendment.decided", f"amendment {amendment_id} was decided meanwhile")


async def _held(
    pool: AsyncConnectionPool, amendment_id: int, services: list[str] | None = None, seal: MessageSeal | None = None
) -> amendments.Amendment:
    """The amendment still held, opened with `seal`; another service's answers as one that does not exist."""
    found = await amendments.amendment(pool, amendment_id, seal=seal)
    if found is None or (services is not None and found.new_body.get("yjs") not in services):
        raise DecisionRefused(404, f"no amendment {amendment_id}", f"There is no amendment {amendment_id}")
    if found.status != "held":
        why = f"amendment {amendment_id} was already {found.status} by {found.decided_by}"
        raise DecisionRefused(409, _problem("amendment_id", "amendment.decided", why), why[0].upper() + why[1:])
    return found


async def confirm(
    pool: AsyncConnectionPool,
    amendment_id: int,
    *,
    by: str,
    reason: str | None,
    services: list[str] | None = None,
    child_records: ChildRecordStore | None = None,
) -> tuple[amendments.Amendment, list[str]]:
    seal = messages_of(child_records)
    held = await _held(pool, amendment_id, services, seal)
    try:
        body = resends.amendment_outcome(held.previous_body, held.new_body, amendment_id=held.id)
    except resends.NotApplicable as e:
        detail = _problem("difference", "court_results.amendment_not_applicable", str(e))
        raise DecisionRefused(409, detail, f"This change cannot be applied by a court decision: {e}") from e
    kept = await intake.receive_value(pool, body, received_by=by, today=today(), child_records=child_records)
    if kept.status == "rejected":
        errors = [e.model_dump() for e in kept.errors]
        refused: dict[str, Any] = {
            "detail": "the order cannot take the amendment now: see errors; it stays held",
            "rejection_id": kept.rejection_id,
            "outcome_id": kept.outcome_id,
            "errors": errors,
        }
        said = "; ".join(e["message"] for e in errors)
        raise DecisionRefused(422, refused, f"The order cannot take the amendment now: {said}")
    confirmed = await amendments.decide(
        pool, held.id, status="confirmed", by=by, reason=reason, applied_outcome_id=kept.outcome_id, seal=seal
    )
    if confirmed is None:  # decided by another manager meanwhile: their decision stands
        raise DecisionRefused(409, _meanwhile(amendment_id), "It was decided meanwhile")
    return confirmed, kept.workflow_ids


async def reject(
    pool: AsyncConnectionPool,
    amendment_id: int,
    *,
    by: str,
    reason: str | None,
    services: list[str] | None = None,
    child_records: ChildRecordStore | None = None,
) -> amendments.Amendment:
    seal = messages_of(child_records)
    if not (reason or "").strip():
        raise DecisionRefused(
            422, _problem("reason", "amendment.reason", "say why the amendment is rejected"), "Say why you reject it"
        )
    await _held(pool, amendment_id, services, seal)
    rejected = await amendments.decide(pool, amendment_id, status="rejected", by=by, reason=reason, seal=seal)
    if rejected is None:
        raise DecisionRefused(409, _meanwhile(amendment_id), "It was decided meanwhile")
    return rejected
