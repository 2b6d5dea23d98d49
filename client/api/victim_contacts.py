"""Victims' contacts over HTTP: a victim worker's list, one contact's history, and a step recorded on
it. References only: a victim's details are behind `client.api.victim_details`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from activities import victim_contacts
from activities.service_scope import stream_service
from activities.users import User
from client import corrections, steps
from client.api.problems import StepRefusal, StepRefusedHTTP, json_object
from client.app_context import Ctx
from client.auth import require, require_service, user_services_filter
from domain.access import Permission, allows
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
        ctx.pool,
        yjs=yjs,
        worker=worker,
        due_before=due_before,
        include_closed=include_closed,
        services=user_services_filter(user),
    )


@router.get("/victim-contacts/{workflow_id}", tags=["victims"])
async def victim_contact(
    workflow_id: str, ctx: Ctx, user: Annotated[User, Depends(require(Permission.READ_VICTIM_CONTACTS))]
) -> victim_contacts.ContactHistory:
    """The contact's whole history: every step, who recorded it and when. A step's reason or note is
    sealed under the victim's key: it is opened (and the opening logged) for victim workers and their
    managers, and withheld from everyone else (`note` says which), as on the pages."""
    history = await victim_contacts.contact_history(ctx.pool, workflow_id)
    if history is None:
        raise HTTPException(404, f"no victim contact {workflow_id}")
    require_service(user, await stream_service(ctx.pool, workflow_id), f"no victim contact {workflow_id}")
    opened = await victim_contacts.open_notes(history, ctx.victim_details, user)
    if allows(user.role, Permission.READ_VICTIM_STEP_DETAILS):
        return opened
    # Others get the step, its dates and actor: the step's fields (choices, options) are victim work's.
    reference = {"victim_ref": opened.summary.victim_ref}
    return opened.model_copy(update={"events": [e.model_copy(update={"payload": reference}) for e in opened.events]})


@router.post(
    "/victim-contacts/{workflow_id}/steps",
    tags=["victims"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "A step: {'step': 'contact_attempted', 'effective_date': 'YYYY-MM-DD', "
            "'channel': 'phone', 'result': 'no_answer', 'reason': '…'}. The acting user comes from the token. "
            "A reason is personal data: it is sealed under the victim's key and the event keeps only its "
            "reference; without a victim master key a step with a reason is refused (503).",
        }
    },
    responses={409: {"model": StepRefusal, "description": "The step is out of order or not consented to"}},
)
async def record_victim_step(
    workflow_id: str,
    request: Request,
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.ACT_ON_VICTIM_CONTACT))],
) -> VictimContactView:
    if not victim_contacts.is_contact_id(workflow_id):
        raise HTTPException(404, f"no victim contact {workflow_id}")
    if user.services is not None:
        require_service(user, await stream_service(ctx.pool, workflow_id), f"no victim contact {workflow_id}")
    body = await json_object(request, "the body must be a JSON object naming the step")
    try:
        done = await steps.record_victim_step(
            ctx.temporal, ctx.pool, workflow_id, body, user.username, notes=ctx.victim_details
        )
    except steps.StepInvalid as e:
        raise HTTPException(422, e.errors) from e
    except steps.StepRefused as e:
        raise StepRefusedHTTP(e.message, e.field) from e
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
    require_service(user, await stream_service(ctx.pool, workflow_id), f"no victim contact {workflow_id}")
    body = await json_object(request, "the body must be a JSON object naming the event to correct")
    try:
        done = await corrections.correct_step(ctx.temporal, workflow_id, body, user)
    except steps.StepInvalid as e:
        raise HTTPException(422, e.errors) from e
    except steps.StepError as e:
        raise HTTPException(e.status_code, e.message) from e
    assert isinstance(done.view, VictimContactView)
    return done.view
