"""The HTTP API (FastAPI; OpenAPI at /docs). Every call needs a bearer token bound to a user and role."""

import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities import audit, intake, victim_contacts
from activities.event_store import EventStore
from activities.notify import list_notifications
from activities.users import User, authenticate_recent
from activities.victim_details import (
    AccessDenied,
    AccessLogEntry,
    DetailsErased,
    VictimDetailsError,
    VictimDetailsStore,
    VictimNotFound,
    check_victim_ref,
)
from client import steps
from client.order_kinds import OrderKind, kind_of
from domain.access import PERMISSIONS, Permission, allows, why_refused
from domain.messages import VictimContactView
from domain.victim_contact import ContactState, RecordDetailsReceived
from domain.victim_details import VictimDetails
from workflows.victim_contact import VictimContactWorkflow

LONDON = ZoneInfo("Europe/London")
# What a refused or unexplained access to victims' details is logged as, per permission.
DETAILS_ATTEMPT: dict[Permission, Literal["read", "write", "erase", "review_log"]] = {
    Permission.READ_VICTIM_DETAILS: "read",
    Permission.RECORD_VICTIM_DETAILS: "write",
    Permission.ERASE_VICTIM_DETAILS: "erase",
    Permission.READ_VICTIM_ACCESS_LOG: "review_log",
}
DEFAULT_RECORD_PURPOSE = "victim's details received for victim contact and restorative justice"
NO_PURPOSE = "(no purpose given)"
REVIEW_PURPOSE = "review of the victim access log"  # as the store words it


class FieldProblem(BaseModel):
    """One reason a request was refused: the field (as the client sent it), the rule, and why."""

    # A refused query or path parameter also carries FastAPI's own `loc`, `type` and `msg`.
    model_config = ConfigDict(extra="allow")

    field: str
    rule: str
    message: str


class Refused(BaseModel):
    """Every 422 of the API: each failing field named, with its rule."""

    detail: list[FieldProblem]


class OutcomeRefused(BaseModel):
    """A refused court outcome: kept in the rejected list (`rejection_id`) with its field errors."""

    detail: str
    rejection_id: int | None
    outcome_id: str | None
    errors: list[FieldProblem]


class RefuseNulCharacters:
    """ASGI middleware: a path or query parameter holding U+0000 is refused with a 422 naming it before
    any endpoint runs, because PostgreSQL text cannot hold it and every lookup would fail with a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problems = _nul_parameters(scope)
            if problems:
                response = JSONResponse(status_code=422, content={"detail": problems})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _nul_parameters(scope: Scope) -> list[dict[str, str]]:
    """One problem per path or query parameter holding a NUL character, named as the route names it."""
    from urllib.parse import parse_qsl

    names: list[str] = []
    if "\x00" in scope.get("path", ""):
        names += _nul_path_parameters(scope) or ["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    names += [
        key.replace("\x00", "\ufffd") or "query"
        for key, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace")
        if "\x00" in key + value
    ]
    return [
        _error(name, "text.no_nul_character", f"{name} contains a NUL character (\\u0000), which cannot be stored")
        for name in dict.fromkeys(names)
    ]


def _nul_path_parameters(scope: Scope) -> list[str]:
    app = scope.get("app")
    for route in getattr(getattr(app, "router", None), "routes", []):
        match, child = route.matches(scope)
        if match == Match.FULL:
            return [name for name, value in child.get("path_params", {}).items() if "\x00" in str(value)]
    return []


def _request_problem(err: Any) -> dict[str, Any]:
    """FastAPI's validation error in the API's shape (field, rule, message), keeping its `loc`, `type`
    and `msg`; never its `input`, which may be personal data."""
    loc = [str(p) if not isinstance(p, int) else p for p in err.get("loc", ())]
    field = ".".join(str(p) for p in loc[1:]) or (str(loc[0]) if loc else "body")
    return {
        "field": field,
        "rule": str(err.get("type", "invalid")),
        "message": f"{field}: {err.get('msg', 'is not valid')}",
        "loc": loc,
        "type": str(err.get("type", "invalid")),
        "msg": str(err.get("msg", "")),
    }


class AppContext:
    """What the endpoints share: the database pool, a (lazily connected) Temporal client and, when the
    victim master key is configured, the store of victims' details (without it those endpoints are 503)."""

    def __init__(
        self,
        pool: Any,
        connect_temporal: Callable[[], Awaitable[Client]],
        victim_details: VictimDetailsStore | None = None,
    ) -> None:
        self.pool = pool
        self._connect = connect_temporal
        self._client: Client | None = None
        self.victim_details = victim_details

    async def temporal(self) -> Client:
        if self._client is None:
            try:
                self._client = await self._connect()
            except Exception as e:
                raise HTTPException(503, f"Temporal is not reachable: {e}") from e
        return self._client


def create_app(ctx: AppContext) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ctx = ctx
        # Start-up's objects (modules, routes, templates) are never garbage: out of the collector's sight,
        # a full collection scans only what requests made. Without this, a 2,000-event timeline page's
        # churn set off full collections of 100-600 ms under load (bench.timeline_page).
        gc.freeze()
        yield

    app = FastAPI(
        title="yjflow",
        version="0.1.0",
        description="Court outcomes in; youth justice orders carried out to their deadlines; an audited timeline out.",
        lifespan=lifespan,
        responses={422: {"model": Refused, "description": "Refused: each failing field named, with its rule"}},
    )
    app.state.ctx = ctx
    app.add_middleware(RefuseNulCharacters)

    @app.exception_handler(RequestValidationError)
    async def refused(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": [_request_problem(e) for e in exc.errors()]})

    async def current_user(request: Request) -> User:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(
                401, "missing bearer token: send 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"}
            )
        user = await authenticate_recent(ctx.pool, token.strip())
        if user is None:
            raise HTTPException(401, "unknown, revoked or disabled token", {"WWW-Authenticate": "Bearer"})
        return user

    def require(permission: Permission) -> Callable[[User], Awaitable[User]]:
        async def check(user: Annotated[User, Depends(current_user)]) -> User:
            if not allows(user.role, permission):
                raise HTTPException(403, why_refused(user.role, permission))
            return user

        return check

    def guard_details(permission: Permission) -> Callable[..., Awaitable[User]]:
        """`require` for victims' details: a refusal is also written to the access log (`denied`), with
        the victim ref and purpose the caller gave, before the 403 goes back."""

        async def check(request: Request, user: Annotated[User, Depends(current_user)]) -> User:
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

    def details_store() -> VictimDetailsStore:
        if ctx.victim_details is None:
            raise HTTPException(
                503, "victims' details are unavailable: this API has no victim master key (YJFLOW_VICTIM_MASTER_KEY)"
            )
        return ctx.victim_details

    def today() -> date:
        return datetime.now(LONDON).date()

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        async with ctx.pool.connection() as conn:
            await conn.execute("SELECT 1")
        return {"status": "ok"}

    @app.post(
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
            422: {"model": OutcomeRefused, "description": "Refused: kept in the rejected list with its errors"},
        },
    )
    async def submit_outcome(
        request: Request, user: Annotated[User, Depends(require(Permission.SUBMIT_OUTCOME))]
    ) -> JSONResponse:
        result = await intake.receive(ctx.pool, await request.body(), received_by=user.username, today=today())
        if result.status == "rejected":
            return JSONResponse(
                status_code=422,
                content={
                    "detail": "court outcome rejected: see errors; it is kept in the rejected list",
                    "rejection_id": result.rejection_id,
                    "outcome_id": result.outcome_id,
                    "errors": [e.model_dump() for e in result.errors],
                },
            )
        code = 202 if result.status == "accepted" else 200
        return JSONResponse(status_code=code, content=result.model_dump(mode="json", exclude={"errors"}))

    @app.get("/court-outcomes/rejected", tags=["intake"])
    async def rejected(
        user: Annotated[User, Depends(require(Permission.READ_REJECTED))],
        outcome_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[dict[str, Any]]:
        return await intake.list_rejected(ctx.pool, limit=limit, outcome_id=outcome_id)

    @app.get("/children/{child_id}/timeline", tags=["audit"])
    async def child_timeline(
        child_id: str, user: Annotated[User, Depends(require(Permission.READ_TIMELINE))]
    ) -> audit.Timeline:
        result = await audit.timeline(ctx.pool, child_id)
        if not result.events:
            raise HTTPException(404, f"no events recorded for child {child_id}")
        return result

    @app.get("/deadlines", tags=["audit"])
    async def list_deadlines(
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
        )

    @app.get("/orders/{workflow_id}", tags=["orders"])
    async def order(workflow_id: str, user: Annotated[User, Depends(require(Permission.READ_ORDER))]) -> dict[str, Any]:
        kind = _order_kind(workflow_id)
        handle = (await ctx.temporal()).get_workflow_handle(workflow_id)
        try:
            view = await handle.query(kind.workflow.view)
        except RPCError as e:
            raise _rpc_http(e, workflow_id) from e
        return {"kind": kind.name, "state": kind.state_of(view), **view.model_dump(mode="json")}

    @app.get("/orders/{workflow_id}/export", tags=["orders"])
    async def export_order(
        workflow_id: str, user: Annotated[User, Depends(require(Permission.READ_ORDER))]
    ) -> audit.OrderExport:
        """The order's whole timeline for the service receiving it on transfer: every event of its stream
        with envelope, payload, `prev_hash` and `hash` (recompute the chain with `domain.chain.event_hash`),
        its victims' contacts' events reduced to reference and type, and this store's check of the chain."""
        _order_kind(workflow_id)
        result = await audit.order_export(ctx.pool, workflow_id)
        if result is None:
            raise HTTPException(404, f"no events recorded for order {workflow_id}")
        return result

    @app.post(
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
        responses={409: {"description": "The step is out of order or out of law"}},
    )
    async def record_step(
        workflow_id: str, request: Request, user: Annotated[User, Depends(require(Permission.ACT_ON_ORDER))]
    ) -> dict[str, Any]:
        _order_kind(workflow_id)
        body = await _json_object(request, "the body must be a JSON object naming the step")
        try:
            done = await steps.record_order_step(ctx.temporal, workflow_id, body, user.username, pool=ctx.pool)
        except steps.StepInvalid as e:
            raise HTTPException(422, e.errors) from e
        except steps.StepError as e:
            raise HTTPException(e.status_code, e.message) from e
        return {"kind": done.kind, "state": done.state, **done.view.model_dump(mode="json")}

    @app.get("/verify", tags=["audit"])
    async def verify(
        user: Annotated[User, Depends(require(Permission.VERIFY_CHAIN))], stream_id: str | None = None
    ) -> dict[str, Any]:
        report = await EventStore(ctx.pool).verify(stream_id)
        return {"ok": report.first_break is None, "summary": str(report), **_dump(report)}

    @app.get("/notifications", tags=["audit"])
    async def notifications(
        user: Annotated[User, Depends(require(Permission.READ_NOTIFICATIONS))],
        workflow_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[Any]:
        return [_dump(n) for n in await list_notifications(ctx.pool, workflow_id=workflow_id, limit=limit)]

    # --- victims -------------------------------------------------------------------------------------

    @app.post(
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
        user: Annotated[User, Depends(guard_details(Permission.RECORD_VICTIM_DETAILS))],
        purpose: str | None = None,
    ) -> dict[str, Any]:
        """Store the victim's details encrypted, then record `details_received` (effective today) on every
        open contact for this victim ref, which starts the RJ-information clock. The reply lists the
        contacts, never the details."""
        store = details_store()
        ref = _victim_ref(victim_ref)
        body, problems = intake.parse_body(await request.body())
        if problems:  # the parser's message is not echoed: it can quote the details sent
            raise HTTPException(422, [_error("body", problems[0].rule, "the body is not valid JSON")])
        if not isinstance(body, dict):
            raise HTTPException(422, [_error("body", "object", "the body must be a JSON object of the details")])
        try:
            details = VictimDetails.model_validate(body)
        except ValidationError as e:
            raise HTTPException(422, _details_errors(e)) from None  # no chained cause: it holds the input
        contact_ids = await victim_contacts.contacts_for_victim(ctx.pool, ref)
        if not contact_ids:
            raise HTTPException(
                404,
                f"no victim contact has victim ref {ref}: details are recorded only for a victim named in an "
                "accepted court outcome (check the reference)",
            )
        try:
            await store.record(ref, details, user=user, purpose=(purpose or "").strip() or DEFAULT_RECORD_PURPOSE)
        except ValueError as e:
            raise HTTPException(422, [_error("purpose", "invalid", str(e))]) from e
        except VictimDetailsError as e:
            raise _details_http(e) from e
        updated: list[str] = []
        unchanged: list[dict[str, str]] = []
        for wid in contact_ids:
            why = await _details_received(ctx, wid, user, today(), details.enhanced_rights)
            if why is None:
                updated.append(wid)
            else:
                unchanged.append({"workflow_id": wid, "why": why})
        return {"victim_ref": ref, "updated": updated, "unchanged": unchanged}

    @app.get(
        "/victims/{victim_ref}",
        tags=["victims"],
        responses={404: {"description": "No details recorded"}, 410: {"description": "Erased"}},
    )
    async def read_victim_details(
        victim_ref: str,
        user: Annotated[User, Depends(guard_details(Permission.READ_VICTIM_DETAILS))],
        purpose: Annotated[str | None, Query(description="Why you need the details (kept in the access log).")] = None,
    ) -> dict[str, Any]:
        """The victim's decrypted details; the read is logged, with its purpose, before they are returned."""
        store = details_store()
        ref = _victim_ref(victim_ref)
        if not (purpose and purpose.strip()):
            raise HTTPException(
                422,
                [_error("purpose", "missing", "purpose is required: say why you need the details (it is logged)")],
            )
        try:
            details = await store.read(ref, user=user, purpose=purpose)
        except ValueError as e:
            raise HTTPException(422, [_error("purpose", "invalid", str(e))]) from e
        except VictimDetailsError as e:
            raise _details_http(e) from e
        return {"victim_ref": ref, "details": details.model_dump(mode="json")}

    @app.post(
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
        user: Annotated[User, Depends(guard_details(Permission.ERASE_VICTIM_DETAILS))],
    ) -> dict[str, Any]:
        """Destroy the victim's key (crypto-shredding): the details can never be read again; every event
        stays, and still verifies. Erasing an erased victim again is a logged no-op."""
        store = details_store()
        ref = _victim_ref(victim_ref)
        body, _ = intake.parse_body(await request.body())
        reason = body.get("reason") if isinstance(body, dict) else None
        if not isinstance(reason, str) or not reason.strip():
            raise HTTPException(422, [_error("reason", "missing", "reason is required: why the details are erased")])
        if "\x00" in reason:
            raise HTTPException(422, [e.model_dump() for e in intake.nul_character_errors(reason, "reason")])
        try:
            await store.erase(ref, user=user, reason=reason)
        except ValueError as e:
            raise HTTPException(422, [_error("reason", "invalid", str(e))]) from e
        except VictimDetailsError as e:
            raise _details_http(e) from e
        return {"victim_ref": ref, "erased": True}

    @app.get("/access-log", tags=["victims"])
    async def access_log(
        user: Annotated[User, Depends(guard_details(Permission.READ_VICTIM_ACCESS_LOG))],
        victim_ref: str | None = None,
        since: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[AccessLogEntry]:
        """Every access to victims' details (reads, writes, erasures and refusals), newest first."""
        store = details_store()
        if victim_ref is not None:
            victim_ref = _victim_ref(victim_ref)
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=LONDON)  # a wall time, as a YJS reads it
        try:
            return await store.access_log(user=user, victim_ref=victim_ref, since=since, limit=limit)
        except VictimDetailsError as e:
            raise _details_http(e) from e

    @app.get("/victim-contacts", tags=["victims"])
    async def list_victim_contacts(
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

    @app.get("/victim-contacts/{workflow_id}", tags=["victims"])
    async def victim_contact(
        workflow_id: str, user: Annotated[User, Depends(require(Permission.READ_VICTIM_CONTACTS))]
    ) -> victim_contacts.ContactHistory:
        """The contact's whole history: every step, who recorded it, when and why; references only."""
        history = await victim_contacts.contact_history(ctx.pool, workflow_id)
        if history is None:
            raise HTTPException(404, f"no victim contact {workflow_id}")
        return history

    @app.post(
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
        user: Annotated[User, Depends(require(Permission.ACT_ON_VICTIM_CONTACT))],
    ) -> VictimContactView:
        if not victim_contacts.is_contact_id(workflow_id):
            raise HTTPException(404, f"no victim contact {workflow_id}")
        body = await _json_object(request, "the body must be a JSON object naming the step")
        try:
            done = await steps.record_victim_step(ctx.temporal, ctx.pool, workflow_id, body, user.username)
        except steps.StepInvalid as e:
            raise HTTPException(422, e.errors) from e
        except steps.StepError as e:
            raise HTTPException(e.status_code, e.message) from e
        assert isinstance(done.view, VictimContactView)
        return done.view

    from client.web import add_pages

    add_pages(app, ctx)
    return app


async def _json_object(request: Request, not_object: str) -> dict[str, Any]:
    """The request's JSON object body, or a 422 naming the body and the rule it broke."""
    body, problems = intake.parse_body(await request.body())
    if problems:  # not JSON, NaN or Infinity, or nested too deeply to validate
        raise HTTPException(422, [e.model_dump() for e in problems])
    if not isinstance(body, dict):
        raise HTTPException(422, [_error("body", "object", not_object)])
    return body


def _error(field: str, rule: str, message: str) -> dict[str, str]:
    return {"field": field, "rule": rule, "message": message}


def _victim_ref(victim_ref: str) -> str:
    try:
        return check_victim_ref(victim_ref)
    except ValueError as e:
        raise HTTPException(422, [_error("victim_ref", "victim_ref", str(e))]) from None


def _details_errors(e: ValidationError) -> list[dict[str, str]]:
    """Each failing field of the details, by name; never the value given (`include_input=False`, and the
    models' messages do not quote values)."""
    return [
        _error(".".join(str(p) for p in err["loc"]) or "body", err["type"], err["msg"])
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
            await ctx.victim_details._require(user, PERMISSIONS[permission], attempt, ref, purpose)
        except AccessDenied:
            return
    # No store (no master key here), or the store let this user through where the API did not: log it all the same.
    async with ctx.pool.connection() as conn:
        await conn.execute(
            "INSERT INTO access_log (username, role, action, victim_ref, purpose, outcome)"
            " VALUES (%s, %s, 'denied', %s, %s, %s)",
            (user.username, str(user.role), ref, purpose, attempt),
        )


async def _details_received(
    ctx: AppContext, workflow_id: str, user: User, on: date, enhanced_rights: bool
) -> str | None:
    """Record `details_received` on one contact; None when recorded, else why it was left as it was
    (already received: the new details are simply kept; closed; withdrawn; not running)."""
    state = await victim_contacts.contact_state(ctx.pool, workflow_id)
    if state is None:
        return "no such contact"
    if state.state == ContactState.CLOSED:
        return f"the contact is closed ({state.closed_outcome}); the details are kept"
    if state.details_received_on is not None:
        return f"details were already received on {state.details_received_on}; the new details replace them"
    step = RecordDetailsReceived(actor=user.username, effective_date=on, enhanced_rights=enhanced_rights)
    handle = (await ctx.temporal()).get_workflow_handle(workflow_id)
    try:
        await handle.execute_update(VictimContactWorkflow.record_step, step)
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        return str(getattr(cause, "message", None) or cause or e)
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            return "the contact's workflow is not running"
        raise _rpc_http(e, workflow_id) from e
    return None


def _dump(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if hasattr(obj, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(obj)
    return obj


def _order_kind(workflow_id: str) -> OrderKind:
    kind = kind_of(workflow_id)
    if kind is None:
        raise HTTPException(
            404, f"no order workflow {workflow_id}: an order id starts with its kind, e.g. referral-order:"
        )
    return kind


def _rpc_http(e: RPCError, workflow_id: str) -> HTTPException:
    if e.status == RPCStatusCode.NOT_FOUND:
        return HTTPException(404, f"no order workflow {workflow_id}")
    if e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return HTTPException(503, f"Temporal is not reachable: {e.message}")
    return HTTPException(502, f"Temporal refused: {e.message}")
