"""The audited record: a child's timeline, deadlines from the projection, the hash chains' check, and
the notices sent."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from activities import audit
from activities.event_chain import verify as verify_chain
from activities.notify import list_notifications
from activities.service_scope import stream_service
from activities.users import User
from client.api.children import child_summary
from client.api.problems import dump
from client.app_context import Ctx
from client.auth import require, require_service, user_services_filter
from domain.access import Permission

router = APIRouter()


@router.get("/children/{child_id}/timeline", tags=["audit"])
async def child_timeline(
    child_id: str, ctx: Ctx, user: Annotated[User, Depends(require(Permission.READ_TIMELINE))]
) -> audit.Timeline:
    result = await audit.timeline(ctx.pool, child_id, services=user_services_filter(user))
    if not result.events:
        raise HTTPException(404, f"no events recorded for child {child_id}")
    summary = await child_summary(ctx, user, child_id)
    if summary is not None:
        result.child = audit.ChildName.model_validate(summary)
    return result


@router.get("/deadlines", tags=["audit"])
async def list_deadlines(
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.READ_DEADLINES))],
    child_id: str | None = None,
    status: audit.DeadlineStatus | None = None,
    rule_id: str | None = None,
    yjs: str | None = None,
    workflow_id: str | None = None,
    due_before: date | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> list[audit.DeadlineItem]:
    return await audit.deadlines(
        ctx.pool,
        child_id=child_id,
        status=status,
        rule_id=rule_id,
        yjs=yjs,
        workflow_id=workflow_id,
        due_before=due_before,
        limit=limit,
        services=user_services_filter(user, yjs),
    )


@router.get("/verify", tags=["audit"])
async def verify(
    ctx: Ctx, user: Annotated[User, Depends(require(Permission.VERIFY_CHAIN))], stream_id: str | None = None
) -> dict[str, Any]:
    """Check the hash chains: one stream's, or every stream of the caller's services."""
    if stream_id is not None:
        require_service(user, await stream_service(ctx.pool, stream_id), f"no stream {stream_id}")
    report = await verify_chain(ctx.pool, stream_id, services=user_services_filter(user))
    return {"ok": report.first_break is None, "summary": str(report), **dump(report)}


@router.get("/notifications", tags=["audit"])
async def notifications(
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.READ_NOTIFICATIONS))],
    workflow_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Any]:
    found = await list_notifications(
        ctx.pool, workflow_id=workflow_id, limit=limit, services=user_services_filter(user)
    )
    return [dump(n) for n in found]
