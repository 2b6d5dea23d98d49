"""Retention through the API: what the next days' sweeps will erase, and legal holds placed and lifted
with a reason (`activities.retention`; the daily sweep itself is a Temporal Schedule, `workflows.retention`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from activities import retention
from activities.rule_source import retention_policy
from activities.settings import Settings
from activities.users import User
from client.api.children import store_of
from client.app_context import Ctx, today
from client.auth import require, require_service, user_services_filter
from domain.access import Permission
from domain.retention import RecordKind

router = APIRouter(tags=["retention"])


class ErasureItem(BaseModel):
    record_kind: RecordKind
    yjs: str
    subject: str
    child_id: str
    erase_on: date
    rule: str


class HoldRequest(BaseModel):
    record_kind: RecordKind
    yjs: str = Field(min_length=1, max_length=64)
    subject: str = Field(min_length=1, max_length=128, description="The child id, or the victim ref.")
    reason: str = Field(min_length=1, max_length=2000)


@router.get("/retention/preview")
async def preview(
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.READ_RETENTION))],
    days: Annotated[int, Query(ge=0, le=366)] = 30,
) -> list[ErasureItem]:
    """What the daily sweeps of the next `days` days will erase (held records are not listed), soonest first."""
    due = await retention.preview(
        ctx.pool,
        store_of(ctx),
        retention_policy(Settings().retention_file),
        today=today(),
        days=days,
        services=_held(user),
    )
    return [
        ErasureItem(
            record_kind=d.facts.kind,
            yjs=d.facts.yjs,
            subject=d.facts.subject,
            child_id=d.facts.child_id,
            erase_on=d.erase_on,
            rule=d.rule,
        )
        for d in due
    ]


@router.get("/retention/holds")
async def list_holds(
    ctx: Ctx, user: Annotated[User, Depends(require(Permission.READ_RETENTION))]
) -> list[retention.Hold]:
    return await retention.holds(ctx.pool, services=_held(user))


def _held(user: User) -> frozenset[str] | None:
    held = user_services_filter(user)
    return None if held is None else frozenset(held)


def _own(user: User, yjs: str) -> None:
    require_service(user, yjs, f"no such record in {yjs}")


@router.post("/retention/holds", status_code=201)
async def place_hold(
    body: HoldRequest, ctx: Ctx, user: Annotated[User, Depends(require(Permission.HOLD_RECORDS))]
) -> retention.Hold:
    """Stop a record's erasure until the hold is lifted; recorded as an event on the record's stream."""
    _own(user, body.yjs)
    try:
        return await retention.place_hold(
            ctx.pool, kind=body.record_kind, yjs=body.yjs, subject=body.subject, reason=body.reason, by=user.username
        )
    except retention.HoldError as e:
        raise HTTPException(409 if "already" in str(e) else 404, str(e)) from None


@router.post("/retention/holds/lift")
async def lift_hold(
    body: HoldRequest, ctx: Ctx, user: Annotated[User, Depends(require(Permission.HOLD_RECORDS))]
) -> retention.Hold:
    """Lift the hold in force on a record, saying why; its retention rule applies again from the next sweep."""
    _own(user, body.yjs)
    try:
        return await retention.lift_hold(
            ctx.pool, kind=body.record_kind, yjs=body.yjs, subject=body.subject, reason=body.reason, by=user.username
        )
    except retention.HoldError as e:
        raise HTTPException(404, str(e)) from None
