"""Who is calling the HTTP API: a bearer token bound to a user, and the role's permission for the call.

FastAPI dependencies, shared by every router of the API (`client.api`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from activities.users import User, authenticate_recent
from client.app_context import Ctx
from domain.access import Permission, allows, why_refused


async def current_user(request: Request, ctx: Ctx) -> User:
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
