"""Victims' details over HTTP: record (encrypted), read (with a purpose), erase (crypto-shredding) and
the access log. Every refusal is written to the access log before the 403 goes back, and no reply or
error ever echoes a detail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import ValidationError

from activities import intake, victim_contacts
from activities.service_scope import victim_services
from activities.users import User
from activities.victim_access_log import log_access
from activities.victim_details import (
    AccessDenied,
    AccessLogEntry,
    DetailsErased,
    VictimDetailsError,
    VictimDetailsStore,
    VictimNotFound,
    check_victim_ref,
)
from client.api.problems import error, rpc_http
from client.app_context import LONDON, AppContext, Ctx, today
from client.auth import current_user, user_services_filter
from client.victim_records import DEFAULT_RECORD_PURPOSE, ContactUnreachable, record_and_mark
from domain.access import PERMISSIONS, Permission, allows, why_refused
from domain.victim_details import VictimDetails

# What a refused or unexplained access to victims' details is logged as, per permission.
DETAILS_ATTEMPT: dict[Permission, Literal["read", "write", "erase", "review_log"]] = {
    Permission.READ_VICTIM_DETAILS: "read",
    Permission.RECORD_VICTIM_DETAILS: "write",
    Permission.ERASE_VICTIM_DETAILS: "erase",
    Permission.READ_VICTIM_ACCESS_LOG: "review_log",
}
NO_PURPOSE = "(no purpose given)"
REVIEW_PURPOSE = "review of the victim access log"  # as the store words it

router = APIRouter()


def guard_details(permission: Permission) -> Callable[..., Awaitable[User]]:
    """`require` for victims' details: a refusal is also written to the access log (`denied`), with
    the victim ref and purpose the caller gave, before the 403 goes back."""

    async def check(request: Request, ctx: Ctx, user: Annotated[User, Depends(current_user)]) -> User:
        if allows(user.role, permission):
            return user
        ref = request.path_params.get("victim_ref") or request.query_params.get("victim_ref")
        purpose = request.query_params.get("purpose") or NO_PURPOSE
        if permission == Permission.ERASE_VICTIM_DETAILS:
            # An erasure's reason is in its body (never read for a record: that body is the details).
            body, _ = intake.parse_body(await request.body())
            reason = body.get("reason") if isinstance(body, dict) else None
            purpose = reason.replace("\x00", "\ufffd") if isinstance(reason, str) and reason.strip() else NO_PURPOSE
        elif permission == Permission.READ_VICTIM_ACCESS_LOG:
            purpose = REVIEW_PURPOSE
        await _log_denied(ctx, user, permission, ref, purpose)
        raise HTTPException(403, why_refused(user.role, permission))

    return check


def _details_store(ctx: AppContext) -> VictimDetailsStore:
    if ctx.victim_details is None:
        raise HTTPException(
            503, "victims' details are unavailable: this API has no victim master key (YJFLOW_VICTIM_MASTER_KEY)"
        )
    return ctx.victim_details


@router.post(
    "/victims/{victim_ref}",
    tags=["victims"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": VictimDetails.model_json_schema()}},
            "description": "The victim's details (stored encrypted, never echoed back).",
        }
    },
    responses={
        404: {"description": "No victim contact has this victim ref"},
        410: {"description": "The victim was erased"},
        422: {"description": "Invalid details: each failing field named, no value echoed"},
    },
)
async def record_victim_details(
    victim_ref: str,
    request: Request,
    ctx: Ctx,
    user: Annotated[User, Depends(guard_details(Permission.RECORD_VICTIM_DETAILS))],
    purpose: str | None = None,
    received_on: Annotated[
        date | None,
        Query(description="When the YJS received the details: the date of details_received (today if not given)."),
    ] = None,
) -> dict[str, Any]:
    """Store the victim's details encrypted, then record `details_received` (dated `received_on`, else
    today) on every open contact for this victim ref, which starts the RJ-information clock. The reply
    lists the contacts, never the details."""
    store = _details_store(ctx)
    ref = _victim_ref(victim_ref)
    body, problems = intake.parse_body(await request.body())
    if problems:  # the parser's message is not echoed: it can quote the details sent
        raise HTTPException(422, [error("body", problems[0].rule, "the body is not valid JSON")])
    if not isinstance(body, dict):
        raise HTTPException(422, [error("body", "object", "the body must be a JSON object of the details")])
    try:
        details = VictimDetails.model_validate(body)
    except ValidationError as e:
        raise HTTPException(422, _details_errors(e)) from None  # no chained cause: it holds the input
    not_found = (
        f"no victim contact has victim ref {ref}: details are recorded only for a victim named in an "
        "accepted court outcome (check the reference)"
    )
    chosen = (purpose or "").strip() or DEFAULT_RECORD_PURPOSE
    await _require_held_victim(ctx, user, Permission.RECORD_VICTIM_DETAILS, ref, chosen, not_found)
    contact_ids = await victim_contacts.contacts_for_victim(ctx.pool, ref, services=user_services_filter(user))
    if not contact_ids:
        raise HTTPException(404, not_found)
    on = received_on or today()
    if on > today():
        raise HTTPException(
            422, [error("received_on", "not_in_future", f"received_on: {on} is in the future (today is {today()})")]
        )
    try:
        return await record_and_mark(ctx, store, ref, details, user, purpose, on, contact_ids)
    except ContactUnreachable as e:
        raise rpc_http(e.error, e.workflow_id) from e
    except ValueError as e:
        raise HTTPException(422, [error("purpose", "invalid", str(e))]) from e
    except VictimDetailsError as e:
        raise _details_http(e) from e


@router.get(
    "/victims/{victim_ref}",
    tags=["victims"],
    responses={404: {"description": "No details recorded"}, 410: {"description": "Erased"}},
)
async def read_victim_details(
    victim_ref: str,
    ctx: Ctx,
    user: Annotated[User, Depends(guard_details(Permission.READ_VICTIM_DETAILS))],
    purpose: Annotated[str | None, Query(description="Why you need the details (kept in the access log).")] = None,
) -> dict[str, Any]:
    """The victim's decrypted details; the read is logged, with its purpose, before they are returned."""
    store = _details_store(ctx)
    ref = _victim_ref(victim_ref)
    if not (purpose and purpose.strip()):
        raise HTTPException(
            422,
            [error("purpose", "missing", "purpose is required: say why you need the details (it is logged)")],
        )
    not_found = f"no details are recorded for victim {ref}"
    await _require_held_victim(ctx, user, Permission.READ_VICTIM_DETAILS, ref, purpose, not_found)
    try:
        details = await store.read(ref, user=user, purpose=purpose)
    except ValueError as e:
        raise HTTPException(422, [error("purpose", "invalid", str(e))]) from e
    except VictimDetailsError as e:
        raise _details_http(e) from e
    return {"victim_ref": ref, "details": details.model_dump(mode="json")}


@router.post(
    "/victims/{victim_ref}/erase",
    tags=["victims"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object", "properties": {"reason": {}}}}},
            "description": "{'reason': 'end of retention'}",
        }
    },
    responses={404: {"description": "No details recorded"}},
)
async def erase_victim_details(
    victim_ref: str,
    request: Request,
    ctx: Ctx,
    user: Annotated[User, Depends(guard_details(Permission.ERASE_VICTIM_DETAILS))],
) -> dict[str, Any]:
    """Destroy the victim's key (crypto-shredding): the details can never be read again; every event
    stays, and still verifies. Erasing an erased victim again is a logged no-op."""
    store = _details_store(ctx)
    ref = _victim_ref(victim_ref)
    body, _ = intake.parse_body(await request.body())
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        raise HTTPException(422, [error("reason", "missing", "reason is required: why the details are erased")])
    if "\x00" in reason:
        raise HTTPException(422, [e.model_dump() for e in intake.nul_character_errors(reason, "reason")])
    not_found = f"no details are recorded for victim {ref}"
    await _require_held_victim(ctx, user, Permission.ERASE_VICTIM_DETAILS, ref, reason, not_found)
    try:
        await store.erase(ref, user=user, reason=reason)
    except ValueError as e:
        raise HTTPException(422, [error("reason", "invalid", str(e))]) from e
    except VictimDetailsError as e:
        raise _details_http(e) from e
    return {"victim_ref": ref, "erased": True}


@router.get("/access-log", tags=["victims"])
async def access_log(
    ctx: Ctx,
    user: Annotated[User, Depends(guard_details(Permission.READ_VICTIM_ACCESS_LOG))],
    victim_ref: str | None = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AccessLogEntry]:
    """Every access to victims' details (reads, writes, erasures and refusals), newest first."""
    store = _details_store(ctx)
    if victim_ref is not None:
        victim_ref = _victim_ref(victim_ref)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=LONDON)  # a wall time, as a YJS reads it
    try:
        return await store.access_log(
            user=user, victim_ref=victim_ref, since=since, limit=limit, services=user_services_filter(user)
        )
    except VictimDetailsError as e:
        raise _details_http(e) from e


async def _require_held_victim(
    ctx: AppContext, user: User, permission: Permission, ref: str, purpose: str, not_found: str
) -> None:
    """The route's own 404 (logged as a refused access) unless one of the user's services holds a
    contact of this victim: a victim of another service is answered as one never recorded."""
    if user.services is None or await victim_services(ctx.pool, ref) & user.services:
        return
    await _log_denied(ctx, user, permission, ref, purpose)
    raise HTTPException(404, not_found)


def _victim_ref(victim_ref: str) -> str:
    try:
        return check_victim_ref(victim_ref)
    except ValueError as e:
        raise HTTPException(422, [error("victim_ref", "victim_ref", str(e))]) from None


def _details_errors(e: ValidationError) -> list[dict[str, str]]:
    """Each failing field of the details, by name; never the value given (`include_input=False`, and the
    models' messages do not quote values)."""
    return [
        error(".".join(str(p) for p in err["loc"]) or "body", err["type"], err["msg"])
        for err in e.errors(include_input=False, include_url=False, include_context=False)
    ]


def _details_http(e: VictimDetailsError) -> HTTPException:
    """The store's refusals as HTTP: its messages name the victim ref, never a detail."""
    if isinstance(e, AccessDenied):
        return HTTPException(403, str(e))
    if isinstance(e, VictimNotFound):
        return HTTPException(404, str(e))
    if isinstance(e, DetailsErased):
        return HTTPException(410, f"{e}: they can no longer be read by anyone (crypto-shredded)")
    return HTTPException(500, str(e))  # a key or integrity problem: an operator must look


async def _log_denied(ctx: AppContext, user: User, permission: Permission, ref: str | None, purpose: str) -> None:
    """Write the `denied` row for a refused access to victims' details. The store writes it (the one
    writer of the access log) when there is one; the ref is kept only if it is a valid ref (a name typed
    into the wrong box must not reach the log)."""
    try:
        ref = check_victim_ref(ref) if ref is not None else None
    except ValueError:
        ref = None
    purpose = purpose.strip()[:500] or NO_PURPOSE
    attempt = DETAILS_ATTEMPT[permission]
    if ctx.victim_details is not None:
        try:
            await ctx.victim_details.require_role(user, PERMISSIONS[permission], attempt, ref, purpose)
        except AccessDenied:
            return
    # No store (no master key here), or the store let this user through where the API did not: log it all the same.
    async with ctx.pool.connection() as conn:
        await log_access(conn, user, "denied", ref, purpose, attempt)
