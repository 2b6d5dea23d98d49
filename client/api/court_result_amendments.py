"""Amendments of court results: a court's resend of a hearing with a changed result is held, never applied
silently (`client.api.court_results`). A manager lists them with the difference, confirms one, which applies
it through the court decision an outcome acting on the order takes (its own outcome in the inbox, recorded
with who confirmed it), or rejects one with the reason."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ConfigDict, Field

from activities import court_result_amendments as amendments
from activities import intake
from activities.users import User
from client.api.problems import FieldProblem, OutcomeRefused, Refused
from client.app_context import Ctx, today
from client.auth import require
from domain.access import Permission
from domain.court_results import resends

router = APIRouter(tags=["intake"])
Manager = Annotated[User, Depends(require(Permission.DECIDE_AMENDMENT))]
AmendmentId = Annotated[
    int, Path(ge=1, le=2**62, description="the amendment's id, as the court results answer gave it")
]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000, description="why (required to reject)")


class Confirmed(BaseModel):
    amendment: amendments.Amendment
    workflow_ids: list[str]


class Unappliable(BaseModel):
    detail: list[FieldProblem]


@router.get("/court-results/amendments", response_model=list[amendments.Amendment])
async def list_amendments(
    ctx: Ctx,
    user: Manager,
    status: Annotated[
        Literal["held", "confirmed", "rejected", "all"], Query(description="held (the default): those waiting")
    ] = "held",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[amendments.Amendment]:
    """Changed resends of court results, each with the previous and new outcome and the difference."""
    return await amendments.amendments(ctx.pool, status=None if status == "all" else status, limit=limit)


async def _held(pool: AsyncConnectionPool, amendment_id: int) -> amendments.Amendment:
    found = await amendments.amendment(pool, amendment_id)
    if found is None:
        raise HTTPException(404, f"no amendment {amendment_id}")
    if found.status != "held":
        raise HTTPException(409, f"amendment {amendment_id} was already {found.status} by {found.decided_by}")
    return found


@router.post(
    "/court-results/amendments/{amendment_id}/confirm",
    response_model=Confirmed,
    responses={409: {"model": Unappliable}, 422: {"model": Refused | OutcomeRefused}},
)
async def confirm_amendment(
    ctx: Ctx, user: Manager, amendment_id: AmendmentId, decision: Decision | None = None
) -> Any:
    """Apply the changed result to the order through the court decision that carries it (`order_extended`)."""
    held = await _held(ctx.pool, amendment_id)
    try:
        body = resends.amendment_outcome(held.previous_body, held.new_body, amendment_id=held.id)
    except resends.NotApplicable as e:
        problem = FieldProblem(field="difference", rule="court_results.amendment_not_applicable", message=str(e))
        raise HTTPException(409, [problem.model_dump()]) from e
    kept = await intake.receive_value(ctx.pool, body, received_by=user.username, today=today())
    if kept.status == "rejected":
        raise HTTPException(
            422,
            {
                "detail": "the order cannot take the amendment now: see errors; it stays held",
                "rejection_id": kept.rejection_id,
                "outcome_id": kept.outcome_id,
                "errors": [e.model_dump() for e in kept.errors],
            },
        )
    reason = decision.reason if decision else None
    confirmed = await amendments.decide(
        ctx.pool, held.id, status="confirmed", by=user.username, reason=reason, applied_outcome_id=kept.outcome_id
    )
    if confirmed is None:  # decided by another manager meanwhile: their decision stands
        raise HTTPException(409, f"amendment {amendment_id} was decided meanwhile")
    return Confirmed(amendment=confirmed, workflow_ids=kept.workflow_ids)


@router.post(
    "/court-results/amendments/{amendment_id}/reject",
    response_model=amendments.Amendment,
    responses={422: {"model": Refused}},
)
async def reject_amendment(ctx: Ctx, user: Manager, amendment_id: AmendmentId, decision: Decision) -> Any:
    """Keep the order as it is; the court's changed result stays on record with who rejected it and why."""
    if not (decision.reason or "").strip():
        problem = FieldProblem(field="reason", rule="amendment.reason", message="say why the amendment is rejected")
        raise HTTPException(422, [problem.model_dump()])
    await _held(ctx.pool, amendment_id)
    rejected = await amendments.decide(
        ctx.pool, amendment_id, status="rejected", by=user.username, reason=decision.reason
    )
    if rejected is None:
        raise HTTPException(409, f"amendment {amendment_id} was decided meanwhile")
    return rejected
