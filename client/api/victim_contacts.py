"""Victims' contacts over HTTP: a victim worker's list, one contact's history, and a step recorded on
it. References only: a victim's details are behind `client.api.victim_details`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from activities import victim_contacts
from activities.users import User
from client import corrections, steps
from client.api.problems import json_object
from client.app_context import Ctx
from client.auth import require
from domain.access import Permission
from domain.messages import VictimContactView

router = APIRouter()


@router.get("/victim-contacts", tags=["victims"])
async def list_victim_contacts(
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.READ_VICTIM_CONTACTS))],
    worker: Annotated[str | None, Query(description="Only this victim worker's contacts (username).")] = None,
    due_before: Annotated[date | None, Query(description="Only contacts with a deadline due before.")] = None,
    yjs: str | None = None,
    include_closed: bool = False,
) -> list[victim_contacts.ContactSummary]:
    """Victims' contacts with their state, next step(s) and next deadline (references only)."""
    return await victim_contacts.list_contacts(
        ctx.pool, yjs=yjs, worker=worker, due_before=due_before, include_closed=include_closed
    )


@router.get("/victim-contacts/{workflow_id}", tags=["victims"])
async def victim_contact(
    workflow_id: str, ctx: Ctx, user: Annotated[User, Depends(require(Permission.READ_VICTIM_CONTACTS))]
) -> victim_contacts.ContactHistory:
    """The contact's whole history: every step, who recorded it, when and why; references only."""
    history = await victim_contacts.contact_history(ctx.pool, workflow_id)
    if history is None:
        raise HTTPException(404, f"no victim contact {workflow_id}")
    return history


@router.post(
    "/victim-contacts/{workflow_id}/steps",
    tags=["victims"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "A step: {'step': 'contact_attempted', 'effective_date': 'YYYY-MM-DD', "
            "'channel': 'phone', 'result': 'no_answer', 'reason': '…'}. The acting user comes from the token.",
        }
    },
    responses={409: {"description": "The step is out of order or not consented to"}},
)
async def record_victim_step(
    workflow_id: str,
    request: Request,
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.ACT_ON_VICTIM_CONTACT))],
) -> VictimContactView:
    if not victim_contacts.is_contact_id(workflow_id):
        raise HTTPException(404, f"no victim contact {workflow_id}")
    body = await json_object(request, "the body must be a JSON object naming the step")
    try:
        done = await steps.record_victim_step(ctx.temporal, ctx.pool, workflow_id, body, user.username)
    except steps.StepInvalid as e:
        raise HTTPException(422, e.errors) from e
    except steps.StepError as e:
        raise HTTPException(e.status_code, e.message) from e
    assert isinstance(done.view, VictimContactView)
    return done.view


@router.post(
    "/victim-contacts/{workflow_id}/corrections",
    tags=["victims"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": corrections.CorrectionBody.model_json_schema()}},
            "description": "Correct a step recorded by mistake, as for an order: {'supersedes': N, 'reason': '…', "
            "'replacement': {…}} (no 'replacement' voids the step).",
        }
    },
    responses={409: {"description": "The correction is not allowed (the reason says why)"}},
)
async def correct_victim_step(
    workflow_id: str,
    request: Request,
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.ACT_ON_VICTIM_CONTACT))],
) -> VictimContactView:
    if not victim_contacts.is_contact_id(workflow_id):
        raise HTTPException(404, f"no victim contact {workflow_id}")
    body = await json_object(request, "the body must be a JSON object naming the event to correct")
    try:
        done = await corrections.correct_step(ctx.temporal, workflow_id, body, user)
    except steps.StepInvalid as e:
        raise HTTPException(422, e.errors) from e
    except steps.StepError as e:
        raise HTTPException(e.status_code, e.message) from e
    assert isinstance(done.view, VictimContactView)
    return done.view
