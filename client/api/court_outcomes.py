"""Court outcomes in: submit one (kept in the inbox, or in the rejected list with its errors), list the
rejected ones; and the health check an operator's probe calls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from activities import intake
from activities.metrics import OUTCOMES_RECEIVED
from activities.users import User
from client.api.problems import OutcomeRefused
from client.app_context import Ctx, today
from client.auth import require, user_services_filter
from domain.access import Permission

router = APIRouter()


@router.get("/health", tags=["operations"])
async def health(ctx: Ctx) -> dict[str, str]:
    async with ctx.pool.connection() as conn:
        await conn.execute("SELECT 1")
    return {"status": "ok"}


@router.post(
    "/court-outcomes",
    status_code=202,
    tags=["intake"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "One court outcome as in the intake contract (court-outcome.md).",
        }
    },
    responses={
        200: {"description": "A re-delivery: nothing new started"},
        403: {"description": "The caller may not submit, or not for the service the outcome names (kept)"},
        422: {"model": OutcomeRefused, "description": "Refused: kept in the rejected list with its errors"},
    },
)
async def submit_outcome(
    request: Request, ctx: Ctx, user: Annotated[User, Depends(require(Permission.SUBMIT_OUTCOME))]
) -> JSONResponse:
    result = await intake.receive(
        ctx.pool, await request.body(), received_by=user.username, today=today(), services=user_services_filter(user)
    )
    OUTCOMES_RECEIVED.labels(feed="court-outcome", status=result.status).inc()
    if result.status == "rejected":
        not_held = next((e for e in result.errors if e.rule == "yjs.held"), None)
        return JSONResponse(
            status_code=422 if not_held is None else 403,
            content={
                "detail": "court outcome rejected: see errors; it is kept in the rejected list"
                if not_held is None
                else f"court outcome refused: {not_held.message}; it is kept in the rejected list",
                "rejection_id": result.rejection_id,
                "outcome_id": result.outcome_id,
                "errors": [e.model_dump() for e in result.errors],
            },
        )
    code = 202 if result.status == "accepted" else 200
    return JSONResponse(status_code=code, content=result.model_dump(mode="json", exclude={"errors"}))


@router.get("/court-outcomes/rejected", tags=["intake"])
async def rejected(
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.READ_REJECTED))],
    outcome_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Refused outcomes, newest first: only those of the caller's services (an outcome refused for naming
    a service its sender does not hold is seen only by users holding every service)."""
    return await intake.list_rejected(ctx.pool, limit=limit, outcome_id=outcome_id, services=user_services_filter(user))
