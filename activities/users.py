"""People and systems that call yjflow, and their API tokens.

A token is shown once, when it is issued, and only its SHA-256 is stored: a copy of the database (a backup,
a support dump) must not let anyone call the API. SHA-256 without a salt is enough here because the token
is 256 random bits, not a password a person chose, so there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import psycopg
import structlog
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ConfigDict

from domain.access import Role

log = structlog.get_logger(__name__)

# Any pool will do: every query here names its own row factory, so the pool's default (tuples, or the
# dicts `activities.db.open_pool` hands out) never changes what these functions read.
AnyPool = AsyncConnectionPool[Any]

_USER_COLUMNS = "username, role, email, manager, disabled"


class UserError(ValueError):
    """A request about users that cannot be carried out as asked; the message says why."""


class DuplicateUserError(UserError):
    pass


class UnknownUserError(UserError):
    pass


class User(BaseModel):
    model_config = ConfigDict(frozen=True)

    username: str
    role: Role
    email: str | None = None
    manager: str | None = None
    disabled: bool = False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def _check_username(username: str) -> str:
    # Usernames end up as event actors and notification recipients, so they must read back unambiguously.
    if not username or username != username.strip() or any(c.isspace() or not c.isprintable() for c in username):
        raise UserError(f"invalid username {username!r}: use letters, digits and punctuation, no spaces")
    if len(username) > 100:
        raise UserError("invalid username: at most 100 characters")
    return username


def _check_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise UserError(f"unknown role {role!r}: roles are {known}") from None


def _check_email(email: str | None) -> str | None:
    if email is None:
        return None
    email = email.strip()
    local, at, domain = email.partition("@")
    if not (local and at and domain) or any(c.isspace() for c in email):
        raise UserError(f"invalid email address {email!r}")
    return email


def _user(row: dict[str, Any]) -> User:
    return User.model_validate(row)


async def add_user(
    pool: AnyPool,
    username: str,
    role: Role | str,
    *,
    email: str | None = None,
    manager: str | None = None,
) -> str:
    """Create a user and return their first API token; the token is not recoverable afterwards."""
    username = _check_username(username)
    checked_role = _check_role(role)
    email = _check_email(email)
    token, digest = _new_token()
    async with pool.connection() as conn:
        try:
            cur = await conn.execute(
                "INSERT INTO users (username, role, email, manager) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (username) DO NOTHING RETURNING username",
                (username, checked_role.value, email, manager),
            )
        except psycopg.errors.ForeignKeyViolation:
            raise UnknownUserError(f"manager {manager!r} is not a user; add them first") from None
        if await cur.fetchone() is None:
            raise DuplicateUserError(f"user {username!r} already exists")
        await conn.execute("INSERT INTO api_tokens (token_hash, username) VALUES (%s, %s)", (digest, username))
    log.info("user.added", username=username, role=checked_role.value, has_manager=manager is not None)
    return token


async def issue_token(pool: AnyPool, username: str) -> str:
    """A further token for an existing, enabled user; earlier tokens keep working until revoked."""
    token, digest = _new_token()
    async with pool.connection() as conn:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute("SELECT disabled FROM users WHERE username = %s FOR SHARE", (username,))
        row = await cur.fetchone()
        if row is None:
            raise UnknownUserError(f"no user {username!r}")
        if row["disabled"]:
            raise UserError(f"user {username!r} is disabled; enable them before issuing a token")
        await conn.execute("INSERT INTO api_tokens (token_hash, username) VALUES (%s, %s)", (digest, username))
    log.info("user.token_issued", username=username)
    return token


async def revoke_tokens(pool: AnyPool, username: str) -> int:
    """Revoke every live token of `username`; returns how many were live."""
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT 1 FROM users WHERE username = %s", (username,))
        if await cur.fetchone() is None:
            raise UnknownUserError(f"no user {username!r}")
        cur = await conn.execute(
            "UPDATE api_tokens SET revoked_at = now() WHERE username = %s AND revoked_at IS NULL",
            (username,),
        )
        revoked: int = cur.rowcount
    log.info("user.tokens_revoked", username=username, revoked=revoked)
    return revoked


async def set_disabled(pool: AnyPool, username: str, disabled: bool = True) -> None:
    """Disable (or re-enable) a user. Their tokens stop authenticating at once but are kept for the record."""
    async with pool.connection() as conn:
        cur = await conn.execute("UPDATE users SET disabled = %s WHERE username = %s", (disabled, username))
        if cur.rowcount == 0:
            raise UnknownUserError(f"no user {username!r}")
    log.info("user.disabled" if disabled else "user.enabled", username=username)


async def authenticate(pool: AnyPool, token: str | None) -> User | None:
    """The enabled user holding this live token, or None for anything else."""
    if not token:
        return None
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        # Looking up by hash means the comparison never touches the raw token, so timing reveals nothing.
        await cur.execute(
            "SELECT u.username, u.role, u.email, u.manager, u.disabled"
            " FROM api_tokens t JOIN users u USING (username)"
            " WHERE t.token_hash = %s AND t.revoked_at IS NULL AND NOT u.disabled",
            (hash_token(token),),
        )
        row = await cur.fetchone()
    return None if row is None else _user(row)


async def get_user(pool: AnyPool, username: str) -> User | None:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE username = %s", (username,))
        row = await cur.fetchone()
    return None if row is None else _user(row)


async def list_users(pool: AnyPool) -> list[User]:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username")
        rows = await cur.fetchall()
    return [_user(row) for row in rows]


async def manager_of(pool: AnyPool, username: str) -> User | None:
    """The user's manager (who receives escalations), or None when the user or the manager is unknown."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT m.username, m.role, m.email, m.manager, m.disabled"
            " FROM users u JOIN users m ON m.username = u.manager WHERE u.username = %s",
            (username,),
        )
        row = await cur.fetchone()
    return None if row is None else _user(row)
