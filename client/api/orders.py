"""Orders: an order's state (a query on its running workflow), its export for a transfer, and a
person's step recorded on it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from temporalio.service import RPCError

from activities import audit
from activities.service_scope import stream_service
from activities.users import User
from client import corrections, steps
from client.api.problems import StepRefusal, StepRefusedHTTP, json_object, rpc_http
from client.app_context import AppContext, Ctx
from client.auth import require, require_service
from client.order_kinds import OrderKind, kind_of
from domain.access import Permission

router = APIRouter()


def _order_kind(workflow_id: str) -> OrderKind:
    kind = kind_of(workflow_id)
    if kind is None:
        raise HTTPException(
            404, f"no order workflow {workflow_id}: an order id starts with its kind, e.g. referral-order:"
        )
    return kind


async def _held_order(ctx: AppContext, user: User, workflow_id: str) -> OrderKind:
    """The order's kind, once the caller is known to hold the order's service (else the unknown order's 404)."""
    kind = _order_kind(workflow_id)
    if user.services is not None:
        require_service(user, await stream_service(ctx.pool, workflow_id), f"no order workflow {workflow_id}")
    return kind


@router.get("/orders/{workflow_id}", tags=["orders"])
async def order(
    workflow_id: str, ctx: Ctx, user: Annotated[User, Depends(require(Permission.READ_ORDER))]
) -> dict[str, Any]:
    kind = await _held_order(ctx, user, workflow_id)
    handle = (await ctx.temporal()).get_workflow_handle(workflow_id)
    try:
        view = await handle.query(kind.workflow.view)
    except RPCError as e:
        raise rpc_http(e, workflow_id) from e
    return {"kind": kind.name, "state": kind.state_of(view), **view.model_dump(mode="json")}


@router.get("/orders/{workflow_id}/export", tags=["orders"])
async def export_order(
    workflow_id: str, ctx: Ctx, user: Annotated[User, Depends(require(Permission.READ_ORDER))]
) -> audit.OrderExport:
    """The order's whole timeline for the service receiving it on transfer: every event of its stream
    with envelope, payload, `prev_hash` and `hash` (recompute the chain with `domain.chain.event_hash`),
    its victims' contacts' events reduced to reference and type, and this store's check of the chain."""
    if user.services is not None:
        require_service(
            user, await stream_service(ctx.pool, workflow_id), f"no events recorded for order {workflow_id}"
        )
    _order_kind(workflow_id)
    result = await audit.order_export(ctx.pool, workflow_id)
    if result is None:
        raise HTTPException(404, f"no events recorded for order {workflow_id}")
    return result


@router.post(
    "/orders/{workflow_id}/steps",
    tags=["orders"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "A step: {'step': 'initial_panel_held', 'effective_date': 'YYYY-MM-DD', "
            "'contract_signed_date': 'YYYY-MM-DD', 'reason': '…'}. The acting user comes from the token.",
        }
    },
    responses={409: {"model": StepRefusal, "description": "The step is out of order or out of law"}},
)
async def record_step(
    workflow_id: str, request: Request, ctx: Ctx, user: Annotated[User, Depends(require(Permission.ACT_ON_ORDER))]
) -> dict[str, Any]:
    await _held_order(ctx, user, workflow_id)
    body = await json_object(request, "the body must be a JSON object naming the step")
    try:
        done = await steps.record_order_step(ctx.temporal, workflow_id, body, user.username, pool=ctx.pool)
    except steps.StepInvalid as e:
        raise HTTPException(422, e.errors) from e
    except steps.StepRefused as e:
        raise StepRefusedHTTP(e.message, e.field) from e
    except steps.StepError as e:
        raise HTTPException(e.status_code, e.message) from e
    return {"kind": done.kind, "state": done.state, **done.view.model_dump(mode="json")}


@router.post(
    "/orders/{workflow_id}/corrections",
    tags=["orders"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": corrections.CorrectionBody.model_json_schema()}},
            "description": "Correct a step recorded by mistake: {'supersedes': <stream version of one of its "
            "events>, 'reason': '…', 'replacement': {'effective_date': 'YYYY-MM-DD', …}}; leave out "
            "'replacement' to void the step. The original stays in the timeline, superseded.",
        }
    },
    responses={409: {"description": "The correction is not allowed (the reason says why)"}},
)
async def correct_step(
    workflow_id: str, request: Request, ctx: Ctx, user: Annotated[User, Depends(require(Permission.ACT_ON_ORDER))]
) -> dict[str, Any]:
    await _held_order(ctx, user, workflow_id)
    body = await json_object(request, "the body must be a JSON object naming the event to correct")
    try:
        done = await corrections.correct_step(ctx.temporal, workflow_id, body, user)
    except steps.StepInvalid as e:
        raise HTTPException(422, e.errors) from e
    except steps.StepError as e:
        raise HTTPException(e.status_code, e.message) from e
    return {"kind": done.kind, "state": done.state, **done.view.model_dump(mode="json")}
