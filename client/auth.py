"""Who is calling the HTTP API: a bearer token bound to a user, the role's permission for the call, and
the services the user holds.

FastAPI dependencies and helpers shared by every router of the API (`client.api`) and the pages.

Service boundaries, for every route that reads or writes a service's records:

- `require_service(user, yjs, not_found)`: call it with the service (`yjs`) of the record asked for (an
  order's, a child's, a victim contact's; None when it has none or is unknown) and the exact 404 detail
  the route answers for an id that does not exist. A record of a service the user does not hold answers
  that same 404, so a refusal never confirms that the id exists elsewhere.
- `user_services_filter(user, asked=None)`: for lists and reports, the services to filter by in SQL
  (`yjs = ANY(%(services)s)`), or None for no limit (the user holds every service). `asked` is a `?yjs=`
  the caller sent: a service the user does not hold gives an empty list, not an error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import Depends, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from activities.users import User, authenticate_recent, log_inspector_read, token_owner
from client.app_context import Ctx, today
from client.throttle import record_failure, refuse_if_throttled
from domain.access import Permission, Role, allows, holds_service, services_in_view, why_refused, window_refusal

log = structlog.get_logger(__name__)


def access_refusal(user: User) -> str | None:
    """Why `user`'s time-boxed access is refused today (an inspector outside their dates), or None."""
    return window_refusal(user.valid_from, user.valid_until, today())


async def current_user(request: Request, ctx: Ctx) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            401, "missing bearer token: send 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"}
        )
    refuse_if_throttled(request)
    user = await authenticate_recent(ctx.pool, token.strip())
    if user is None:
        record_failure(request, "bad token", await token_owner(ctx.pool, token.strip()))
        raise HTTPException(401, "unknown, revoked or disabled token", {"WWW-Authenticate": "Bearer"})
    # Kept for the inspectors' read log (`InspectorReadLog`), which runs once the answer is known.
    request.state.user = user
    refusal = access_refusal(user)
    if refusal is not None:
        raise HTTPException(401, f"user {user.username}: {refusal}", {"WWW-Authenticate": "Bearer"})
    return user


def require(permission: Permission) -> Callable[[User], Awaitable[User]]:
    async def check(user: Annotated[User, Depends(current_user)]) -> User:
        if not allows(user.role, permission):
            raise HTTPException(403, why_refused(user.role, permission))
        return user

    return check


def holds(user: User, yjs: str | None) -> bool:
    """True when `user` may see and act on records of service `yjs` (None: a record of no known service,
    which only those holding every service see)."""
    return holds_service(user.services, yjs)


def require_service(user: User, yjs: str | None, not_found: str) -> None:
    """Raise the route's own 404 (`not_found`) unless `user` holds service `yjs`: a record of another
    service answers exactly as one that does not exist."""
    if not holds(user, yjs):
        raise HTTPException(404, not_found)


def user_services_filter(user: User, asked: str | None = None) -> list[str] | None:
    """The services a list or report of `user`'s may hold, for SQL (`yjs = ANY(%s)`); None is no limit.
    With `asked` (a `?yjs=`), only that service, and none at all when the user does not hold it."""
    services = services_in_view(user.services, asked)
    return None if services is None else sorted(services)


def one_service_of(user: User, yjs: str | None) -> str | None:
    """The service a one-service report covers (the board's): the one asked for, which the user must hold
    (another's answers 404 as an unknown one would); unasked, every service (None) for a user holding every
    one, their only service for a user of one, and a 422 asking which for a user of several."""
    if user.services is None:
        return yjs
    if yjs is not None:
        require_service(user, yjs, f"no service {yjs}")
        return yjs
    if len(user.services) == 1:
        return next(iter(user.services))
    choices = ", ".join(sorted(user.services))
    raise HTTPException(
        422, [{"field": "yjs", "rule": "yjs.required", "message": f"yjs: say which service, one of {choices}"}]
    )


def holds_every_service(user: User) -> bool:
    return user.services is None


class InspectorReadLog:
    """Records every request an inspector makes (API and pages), with the answer's status, in
    `inspector_reads`. Plain ASGI: it reads the user the authentication left on the request's state."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_logging_reads(message: Message) -> None:
            # Logged before the answer goes out, so once a caller has it the read is on the record.
            if message["type"] == "http.response.start":
                user = scope.get("state", {}).get("user")
                if isinstance(user, User) and user.role == Role.INSPECTOR:
                    await _log_read(scope, user, int(message["status"]))
            await send(message)

        await self.app(scope, receive, send_logging_reads)


async def _log_read(scope: Scope, user: User, status: int) -> None:
    query = scope["query_string"].decode("latin-1")
    path = scope["path"] + (f"?{query}" if query else "")
    try:
        await log_inspector_read(scope["app"].state.ctx.pool, user.username, scope["method"], path, status)
    except Exception:
        # A read that could not be written to the table is still on the structured log below.
        log.exception("inspector_read.not_logged", username=user.username)
    log.info("inspector.read", username=user.username, method=scope["method"], status=status)
