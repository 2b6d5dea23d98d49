"""Amendments of court results: a court's resend of a hearing with a changed result is held, never applied
silently (`client.api.court_results`). A manager lists them with the difference, confirms one, which applies
it through the court decision an outcome acting on the order takes (its own outcome in the inbox, recorded
with who confirmed it), or rejects one with the reason."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from activities import court_result_amendments as amendments
from activities.court_messages import log_message_reads
from activities.users import User
from client import amendment_decisions as decisions
from client.api.problems import FieldProblem, OutcomeRefused, Refused
from client.app_context import Ctx
from client.auth import require, user_services_filter
from domain.access import Permission

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
    """Not now: the amendment was decided already, or no court decision carries its change."""

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
    """Changed resends of court results, each with the previous and new outcome and the difference, opened
    from their seal (each logged as the caller's read of the child's record)."""
    found = await amendments.amendments(
        ctx.pool,
        status=None if status == "all" else status,
        limit=limit,
        services=user_services_filter(user),
        seal=ctx.seal,
    )
    await log_message_reads(ctx.pool, user.username, [{"body": a.new_body} for a in found if a.erased_at is None])
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
    try:
        confirmed, ids = await decisions.confirm(
            ctx.pool,
            amendment_id,
            by=user.username,
            reason=decision.reason if decision else None,
            services=user_services_filter(user),
            child_records=ctx.child_records,
        )
    except decisions.DecisionRefused as e:
        if isinstance(e.detail, dict):  # refused by the order: answered as any refused court outcome is
            return JSONResponse(status_code=e.status, content=e.detail)
        raise HTTPException(e.status, e.detail) from e
    return Confirmed(amendment=confirmed, workflow_ids=ids)


@router.post(
    "/court-results/amendments/{amendment_id}/reject",
    response_model=amendments.Amendment,
    responses={409: {"model": Unappliable}, 422: {"model": Refused}},
)
async def reject_amendment(ctx: Ctx, user: Manager, amendment_id: AmendmentId, decision: Decision) -> Any:
    """Keep the order as it is; the court's changed result stays on record with who rejected it and why."""
    try:
        return await decisions.reject(
            ctx.pool,
            amendment_id,
            by=user.username,
            reason=decision.reason,
            services=user_services_filter(user),
            child_records=ctx.child_records,
        )
    except decisions.DecisionRefused as e:
        raise HTTPException(e.status, e.detail) from e
