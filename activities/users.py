"""People and systems that call yjflow, and their API tokens.

A token is shown once, when it is issued, and only its SHA-256 is stored: a copy of the database (a backup,
a support dump) must not let anyone call the API. SHA-256 without a salt is enough here because the token
is 256 random bits, not a password a person chose, so there is nothing to guess.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any

import psycopg
import structlog
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ConfigDict

from domain.access import Role, check_service

log = structlog.get_logger(__name__)

# Any pool will do: every query here names its own row factory, so the pool's default (tuples, or the
# dicts `activities.db.open_pool` hands out) never changes what these functions read.
AnyPool = AsyncConnectionPool[Any]

# The services come as an array (empty: every service), read in the same query as the user.
_USER_COLUMNS = (
    "u.username, u.role, u.email, u.manager, u.disabled, u.valid_from, u.valid_until,"
    " array(SELECT s.yjs FROM user_services s WHERE s.username = u.username ORDER BY s.yjs) AS services"
)

# How long the API may go on accepting a token after it was revoked, or its user disabled, by another
# process (the CLI, another API replica). Revocation and disabling through this process take effect at once.
TOKEN_CACHE_SECONDS = 2.0
# Bounded so that many distinct (even valid) tokens cannot grow the API's memory without limit.
TOKEN_CACHE_ENTRIES = 1024


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
    # The services (YJS slugs) whose children this user may see and act on; None is every service.
    services: frozenset[str] | None = None
    # A time-boxed grant (an inspector's), London dates, both days included; None is open-ended.
    valid_from: date | None = None
    valid_until: date | None = None


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


def _check_services(services: Sequence[str] | None) -> list[str]:
    if services is None:
        return []
    if isinstance(services, str):
        raise UserError("services must be a list of service slugs, not one string")
    checked = []
    for slug in services:
        try:
            checked.append(check_service(slug))
        except ValueError as e:
            raise UserError(str(e)) from None
    if not checked:
        raise UserError("services is empty: name at least one service, or pass None for every service")
    return sorted(set(checked))


def _check_window(valid_from: date | None, valid_until: date | None) -> None:
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise UserError(f"valid_until {valid_until} is before valid_from {valid_from}")


def user_from_row(row: dict[str, Any]) -> User:
    """A user from a row of `_USER_COLUMNS` (services as an array, empty meaning every service)."""
    found = row.get("services")
    return User.model_validate({**row, "services": frozenset(found) if found else None})


async def add_user(
    pool: AnyPool,
    username: str,
    role: Role | str,
    *,
    email: str | None = None,
    manager: str | None = None,
    services: Sequence[str] | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> str:
    """Create a user and return their first API token; the token is not recoverable afterwards.

    `services` are the services (YJS slugs) the user holds; None holds every service (a single-service
    deployment, an operator). `valid_from`/`valid_until` box the user's access in time (London dates,
    both included): outside them every token of theirs is refused."""
    username = _check_username(username)
    checked_role = _check_role(role)
    email = _check_email(email)
    slugs = _check_services(services)
    _check_window(valid_from, valid_until)
    token, digest = _new_token()
    async with pool.connection() as conn:
        try:
            cur = await conn.execute(
                "INSERT INTO users (username, role, email, manager, valid_from, valid_until)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (username) DO NOTHING RETURNING username",
                (username, checked_role.value, email, manager, valid_from, valid_until),
            )
        except psycopg.errors.ForeignKeyViolation:
            raise UnknownUserError(f"manager {manager!r} is not a user; add them first") from None
        if await cur.fetchone() is None:
            raise DuplicateUserError(f"user {username!r} already exists")
        for slug in slugs:
            await conn.execute("INSERT INTO user_services (username, yjs) VALUES (%s, %s)", (username, slug))
        await conn.execute("INSERT INTO api_tokens (token_hash, username) VALUES (%s, %s)", (digest, username))
    log.info(
        "user.added",
        username=username,
        role=checked_role.value,
        has_manager=manager is not None,
        services=slugs or "all",
        valid_until=None if valid_until is None else valid_until.isoformat(),
    )
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
    TOKEN_CACHE.forget(username)
    log.info("user.tokens_revoked", username=username, revoked=revoked)
    return revoked


async def set_disabled(pool: AnyPool, username: str, disabled: bool = True) -> None:
    """Disable (or re-enable) a user. Their tokens stop authenticating at once but are kept for the record."""
    async with pool.connection() as conn:
        cur = await conn.execute("UPDATE users SET disabled = %s WHERE username = %s", (disabled, username))
        if cur.rowcount == 0:
            raise UnknownUserError(f"no user {username!r}")
    TOKEN_CACHE.forget(username)
    log.info("user.disabled" if disabled else "user.enabled", username=username)


async def token_owner(pool: AnyPool, token: str) -> str | None:
    """Whose token this is (revoked, or of a disabled user, alike), for the log of a refused one; None
    for a token never issued."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT username FROM api_tokens WHERE token_hash = %s", (hash_token(token),))
        row = await cur.fetchone()
    return None if row is None else str(row["username"])


async def authenticate(pool: AnyPool, token: str | None) -> User | None:
    """The enabled user holding this live token, or None for anything else; always asks the database."""
    if not token:
        return None
    return await _authenticate_hash(pool, hash_token(token))


async def authenticate_recent(pool: AnyPool, token: str | None) -> User | None:
    """`authenticate` for every API request: a token that authenticated less than `TOKEN_CACHE_SECONDS`
    ago is taken as still good without asking the database again. Revoking or disabling in this process
    clears it at once; elsewhere it takes effect within `TOKEN_CACHE_SECONDS`. Refusals are never cached,
    so a newly issued token works at once."""
    if not token:
        return None
    digest = hash_token(token)
    user = TOKEN_CACHE.get(digest)
    if user is None:
        generation = TOKEN_CACHE.generation
        user = await _authenticate_hash(pool, digest)
        if user is not None:
            TOKEN_CACHE.put(digest, user, generation)
    return user


async def _authenticate_hash(pool: AnyPool, digest: str) -> User | None:
    async with pool.connection() as conn, _autocommit(conn), conn.cursor(row_factory=dict_row) as cur:
        # Looking up by hash means the comparison never touches the raw token, so timing reveals nothing.
        await cur.execute(
            f"SELECT {_USER_COLUMNS} FROM api_tokens t JOIN users u USING (username)"
            " WHERE t.token_hash = %s AND t.revoked_at IS NULL AND NOT u.disabled",
            (digest,),
        )
        row = await cur.fetchone()
    return None if row is None else user_from_row(row)


@contextlib.asynccontextmanager
async def _autocommit(conn: Any) -> AsyncIterator[None]:
    """One read on its own needs no transaction: autocommit saves the BEGIN and COMMIT round trips. The
    connection goes back to the pool as it came (other code relies on implicit transactions)."""
    await conn.set_autocommit(True)
    try:
        yield
    finally:
        await conn.set_autocommit(False)


class TokenCache:
    """Users by token hash, each kept for `TOKEN_CACHE_SECONDS` from when the database vouched for it."""

    def __init__(self, seconds: float = TOKEN_CACHE_SECONDS, entries: int = TOKEN_CACHE_ENTRIES) -> None:
        self.seconds = seconds
        self.entries = entries
        self._users: OrderedDict[str, tuple[float, User]] = OrderedDict()
        # Bumped by every `forget`: a lookup that started before a revocation must not cache its answer.
        self.generation = 0

    def get(self, digest: str) -> User | None:
        kept = self._users.get(digest)
        if kept is None:
            return None
        if time.monotonic() - kept[0] >= self.seconds:
            del self._users[digest]
            return None
        return kept[1]

    def put(self, digest: str, user: User, generation: int) -> None:
        if generation != self.generation:
            return
        self._users[digest] = (time.monotonic(), user)
        self._users.move_to_end(digest)
        while len(self._users) > self.entries:
            self._users.popitem(last=False)

    def forget(self, username: str) -> None:
        """Drop every token of `username` (revoked or disabled here)."""
        self.generation += 1
        for digest in [d for d, (_, u) in self._users.items() if u.username == username]:
            del self._users[digest]


TOKEN_CACHE = TokenCache()


async def get_user(pool: AnyPool, username: str) -> User | None:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT {_USER_COLUMNS} FROM users u WHERE u.username = %s", (username,))
        row = await cur.fetchone()
    return None if row is None else user_from_row(row)


async def list_users(pool: AnyPool) -> list[User]:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(f"SELECT {_USER_COLUMNS} FROM users u ORDER BY u.username")
        rows = await cur.fetchall()
    return [user_from_row(row) for row in rows]


async def manager_of(pool: AnyPool, username: str) -> User | None:
    """The user's manager (who receives escalations), or None when the user or the manager is unknown."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT {_USER_COLUMNS} FROM users w JOIN users u ON u.username = w.manager WHERE w.username = %s",
            (username,),
        )
        row = await cur.fetchone()
    return None if row is None else user_from_row(row)


async def log_inspector_read(pool: AnyPool, username: str, method: str, path: str, status: int) -> None:
    """Record one request of an inspector's (allowed or refused): the inspectorate reads on the record."""
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO inspector_reads (username, method, path, status) VALUES (%s, %s, %s, %s)",
            (username, method, path[:2000], status),
        )


async def inspector_reads(pool: AnyPool, username: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The latest inspectors' requests, newest first (optionally one inspector's)."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT read_at, username, method, path, status FROM inspector_reads"
            " WHERE (%(u)s::text IS NULL OR username = %(u)s) ORDER BY id DESC LIMIT %(limit)s",
            {"u": username, "limit": limit},
        )
        return list(await cur.fetchall())
