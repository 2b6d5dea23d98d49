"""The HTTP API (FastAPI; OpenAPI at /docs). Every call needs a bearer token bound to a user and role."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Annotated, Any, get_args
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, TypeAdapter, ValidationError
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities import audit, intake
from activities.event_store import EventStore
from activities.notify import list_notifications
from activities.users import User, authenticate
from domain.access import Permission, allows, why_refused
from domain.referral_order import ReferralOrderStep
from workflows.messages import ReferralOrderView
from workflows.referral_order import ReferralOrderWorkflow

LONDON = ZoneInfo("Europe/London")
STEP = TypeAdapter(ReferralOrderStep)


class AppContext:
    """What the endpoints share: the database pool and a (lazily connected) Temporal client."""

    def __init__(self, pool: Any, connect_temporal: Callable[[], Awaitable[Client]]) -> None:
        self.pool = pool
        self._connect = connect_temporal
        self._client: Client | None = None

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
        yield

    app = FastAPI(
        title="yjflow",
        version="0.1.0",
        description="Court outcomes in; youth justice orders carried out to their deadlines; an audited timeline out.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx

    async def current_user(request: Request) -> User:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(
                401, "missing bearer token: send 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"}
            )
        user = await authenticate(ctx.pool, token.strip())
        if user is None:
            raise HTTPException(401, "unknown, revoked or disabled token", {"WWW-Authenticate": "Bearer"})
        return user

    def require(permission: Permission) -> Callable[[User], Awaitable[User]]:
        async def check(user: Annotated[User, Depends(current_user)]) -> User:
            if not allows(user.role, permission):
                raise HTTPException(403, why_refused(user.role, permission))
            return user

        return check

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
        responses={200: {"description": "A re-delivery: nothing new started"}, 422: {"description": "Refused"}},
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
    async def order(
        workflow_id: str, user: Annotated[User, Depends(require(Permission.READ_ORDER))]
    ) -> ReferralOrderView:
        handle = (await ctx.temporal()).get_workflow_handle(workflow_id)
        try:
            return await handle.query(ReferralOrderWorkflow.view)
        except RPCError as e:
            raise _rpc_http(e, workflow_id) from e

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
    ) -> ReferralOrderView:
        try:
            body = await request.json()
        except ValueError as e:
            raise HTTPException(422, f"the body is not valid JSON: {e}") from e
        if not isinstance(body, dict):
            raise HTTPException(422, "the body must be a JSON object naming the step")
        unstorable = intake.nul_character_errors(body)
        if unstorable:
            # Refused here: the order would accept the step, then retry forever to record what
            # PostgreSQL cannot store, holding the order (and every later step and deadline) meanwhile.
            raise HTTPException(422, [e.model_dump() for e in unstorable])
        try:
            step = STEP.validate_python({**body, "actor": user.username})
        except ValidationError as e:
            raise HTTPException(422, _step_errors(e)) from e
        handle = (await ctx.temporal()).get_workflow_handle(workflow_id)
        try:
            return await handle.execute_update(ReferralOrderWorkflow.record_step, step)
        except WorkflowUpdateFailedError as e:
            cause = e.cause
            raise HTTPException(409, getattr(cause, "message", None) or str(cause or e)) from e
        except RPCError as e:
            if e.status == RPCStatusCode.NOT_FOUND:
                # Temporal says "not found" for an order that has ended, too: say which it is.
                ended = await _ended_order(handle, step.step)
                if ended is not None:
                    raise ended from e
            raise _rpc_http(e, workflow_id) from e

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

    return app


STEP_NAMES = tuple(model.model_fields["step"].default for model in get_args(get_args(ReferralOrderStep)[0]))


def _step_errors(e: ValidationError) -> list[dict[str, str]]:
    """Each failing field of a step, named as the client sent it: pydantic puts the step's name (the
    union's tag) first in every location, and an absent or unknown step has no location at all."""
    errors = []
    for err in e.errors():
        if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
            field = "step"
            message = (
                "step is required" if err["type"] == "union_tag_not_found" else "step is not a known step"
            ) + f": one of {', '.join(STEP_NAMES)}"
        else:
            field = ".".join(str(p) for p in err["loc"][1:]) or "body"
            message = err["msg"]
        errors.append({"field": field, "rule": err["type"], "message": message})
    return errors


def _dump(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if hasattr(obj, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(obj)
    return obj


async def _ended_order(handle: WorkflowHandle[Any, Any], step_name: str) -> HTTPException | None:
    """A 409 for a step on an order whose workflow has closed (completed, revoked), else None."""
    try:
        description = await handle.describe()
    except RPCError:
        return None
    if description.status in (None, WorkflowExecutionStatus.RUNNING):
        return None
    try:
        state = (await handle.query(ReferralOrderWorkflow.view)).order.state.value
    except Exception:  # a query on a closed run can fail (no worker): the run's status still explains
        state = f"closed ({description.status.name.lower()})"
    return HTTPException(409, f"{step_name} refused: the order is {state}; nothing more can be recorded on it")


def _rpc_http(e: RPCError, workflow_id: str) -> HTTPException:
    if e.status == RPCStatusCode.NOT_FOUND:
        return HTTPException(404, f"no order workflow {workflow_id}")
    if e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return HTTPException(503, f"Temporal is not reachable: {e.message}")
    return HTTPException(502, f"Temporal refused: {e.message}")
