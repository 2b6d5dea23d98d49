"""Court outcomes in: submit one (kept in the inbox, or in the rejected list with its errors), list the
rejected ones; and the health check an operator's probe calls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from activities import intake, rejected_reads
from activities.db import check_connection
from activities.metrics import OUTCOMES_RECEIVED
from activities.users import User
from client.api.problems import OutcomeRefused
from client.app_context import Ctx, today
from client.auth import require, user_services_filter
from domain.access import Permission
from domain.court_outcome.limits import MAX_BODY_BYTES, body_too_large

router = APIRouter()


@router.get("/health", tags=["operations"])
async def health(ctx: Ctx) -> dict[str, str]:
    await check_connection(ctx.pool)
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
        413: {"model": OutcomeRefused, "description": "The body is over the limit (its start is kept)"},
        422: {"model": OutcomeRefused, "description": "Refused: kept in the rejected list with its errors"},
    },
)
async def submit_outcome(
    request: Request, ctx: Ctx, user: Annotated[User, Depends(require(Permission.SUBMIT_OUTCOME))]
) -> JSONResponse:
    raw, start = await _body_within(request, MAX_BODY_BYTES)
    if raw is None:
        return await _too_large(ctx, request, user, start)
    result = await intake.receive(
        ctx.pool,
        raw,
        received_by=user.username,
        today=today(),
        services=user_services_filter(user),
        child_records=ctx.child_records,
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


# What is kept of a body over the limit: enough to tell the sender's feed which outcome it was.
KEPT_OF_LARGE_BODY = 4096


async def _body_within(request: Request, limit: int) -> tuple[bytes | None, bytes]:
    """(the body, its start) or, once it passes `limit` bytes, (None, its start): the rest is never read."""
    declared = request.headers.get("content-length", "")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        chunks.append(chunk)
        if size > limit or (declared.isdigit() and int(declared) > limit):
            return None, b"".join(chunks)[:KEPT_OF_LARGE_BODY]
    return b"".join(chunks), b""


async def _too_large(ctx: Ctx, request: Request, user: User, start: bytes) -> JSONResponse:
    declared = request.headers.get("content-length", "")
    error = body_too_large(int(declared) if declared.isdigit() else None)
    text = start.decode("utf-8", "replace") + f"\n[cut: over {MAX_BODY_BYTES} bytes received]"
    kept = await intake.keep_rejected(ctx.pool, None, text, [error], received_by=user.username, seal=ctx.seal)
    OUTCOMES_RECEIVED.labels(feed="court-outcome", status="rejected").inc()
    return JSONResponse(
        status_code=413,
        content={
            "detail": f"court outcome refused: {error.message}; its first {KEPT_OF_LARGE_BODY} bytes are kept",
            "rejection_id": kept.rejection_id,
            "outcome_id": None,
            "errors": [error.model_dump()],
        },
    )


@router.get("/court-outcomes/rejected", tags=["intake"])
async def rejected(
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.READ_REJECTED))],
    outcome_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Refused outcomes, newest first, each as it was sent: only those of the caller's services (an outcome
    refused for naming a service its sender does not hold is seen only by users holding every service).
    Each is opened from its seal, and logged as the caller's read of the child's record; one erased with
    its child's record shows only what names nobody (`erased`: true)."""
    return await rejected_reads.list_rejected(
        ctx.pool,
        limit=limit,
        outcome_id=outcome_id,
        services=user_services_filter(user),
        seal=ctx.seal,
        reader=user.username,
    )
