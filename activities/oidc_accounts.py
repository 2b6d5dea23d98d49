"""Organisational sign-in's storage: the configuration read from settings (and the mapping file), sign-ins
in progress, provider accounts linked to yjflow users, and page sessions that began at a provider.

A provider account is known by (issuer, subject), the pair OpenID Connect makes unique and stable; a
username or email can be reused at the provider, so neither ever links an account to an existing user.
"""

from __future__ import annotations

import json
from datetime import timedelta

import structlog
from psycopg.rows import dict_row
from pydantic import BaseModel, ConfigDict

from activities.db import Pool
from activities.settings import Settings
from activities.users import (
    TOKEN_CACHE,
    DuplicateUserError,
    User,
    UserError,
    add_user,
    get_user,
    hash_token,
    revoke_tokens,
)
from domain.sign_in_mapping import Granted, MappingError, SignInMapping, parse_mapping

log = structlog.get_logger(__name__)

# Long enough to type a password and pass a second factor at the provider; short, because an attempt's
# state is what stands between a forged callback and a session.
ATTEMPT_LIFETIME = timedelta(minutes=10)


class OidcConfigError(ValueError):
    """Organisational sign-in is configured but cannot work; the message names the setting."""


class OidcConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    issuer: str
    client_id: str
    client_secret: str | None
    redirect_base: str | None
    scopes: str
    mapping: SignInMapping
    username_claim: str
    provider_name: str


def oidc_config(settings: Settings) -> OidcConfig | None:
    """The sign-in configuration, or None when no issuer is set (token sign-in only)."""
    if not settings.oidc_issuer:
        return None
    if not settings.oidc_client_id:
        raise OidcConfigError("YJFLOW_OIDC_ISSUER is set but YJFLOW_OIDC_CLIENT_ID is not: set yjflow's client id")
    if "openid" not in settings.oidc_scopes.split():
        raise OidcConfigError(f"YJFLOW_OIDC_SCOPES {settings.oidc_scopes!r} must include 'openid'")
    return OidcConfig(
        issuer=settings.oidc_issuer.rstrip("/"),
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        redirect_base=settings.oidc_redirect_base.rstrip("/") if settings.oidc_redirect_base else None,
        scopes=settings.oidc_scopes,
        mapping=_mapping(settings),
        username_claim=settings.oidc_username_claim,
        provider_name=settings.oidc_provider_name,
    )


def _mapping(settings: Settings) -> SignInMapping:
    if settings.oidc_mapping and settings.oidc_mapping_file:
        raise OidcConfigError("set YJFLOW_OIDC_MAPPING or YJFLOW_OIDC_MAPPING_FILE, not both")
    if settings.oidc_mapping:
        source, text = "YJFLOW_OIDC_MAPPING", settings.oidc_mapping
    elif settings.oidc_mapping_file:
        source = str(settings.oidc_mapping_file)
        try:
            text = settings.oidc_mapping_file.read_text(encoding="utf-8")
        except OSError as e:
            raise OidcConfigError(f"YJFLOW_OIDC_MAPPING_FILE {source} cannot be read: {e.strerror}") from None
    else:
        raise OidcConfigError(
            "YJFLOW_OIDC_ISSUER is set but no mapping of claims to roles: set YJFLOW_OIDC_MAPPING or "
            "YJFLOW_OIDC_MAPPING_FILE"
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise OidcConfigError(f"{source} is not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    try:
        return parse_mapping(document, source)
    except MappingError as e:
        raise OidcConfigError(str(e)) from None


class Attempt(BaseModel):
    model_config = ConfigDict(frozen=True)

    issuer: str
    code_verifier: str
    nonce: str
    next_path: str


async def save_attempt(pool: Pool, state: str, attempt: Attempt) -> None:
    async with pool.connection() as conn:
        # Abandoned attempts (the browser closed at the provider) go as new ones arrive.
        await conn.execute("DELETE FROM oidc_sign_in_attempts WHERE expires_at < now()")
        await conn.execute(
            "INSERT INTO oidc_sign_in_attempts (state_hash, issuer, code_verifier, nonce, next_path, expires_at)"
            " VALUES (%s, %s, %s, %s, %s, now() + %s)",
            (
                hash_token(state),
                attempt.issuer,
                attempt.code_verifier,
                attempt.nonce,
                attempt.next_path,
                ATTEMPT_LIFETIME,
            ),
        )


async def take_attempt(pool: Pool, state: str) -> Attempt | None:
    """The live attempt with this state, removed so it cannot be used twice; None when unknown or expired."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "DELETE FROM oidc_sign_in_attempts WHERE state_hash = %s"
            " RETURNING issuer, code_verifier, nonce, next_path, expires_at > now() AS live",
            (hash_token(state),),
        )
        row = await cur.fetchone()
    if row is None or not row.pop("live"):
        return None
    return Attempt.model_validate(row)


class Account(BaseModel):
    """What the provider said about the person signing in, and what the mapping gives them."""

    model_config = ConfigDict(frozen=True)

    issuer: str
    subject: str
    username: str
    email: str | None
    granted: Granted


class SignInRefused(Exception):
    """The account may not sign in; `reason` says why, for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _linked_user(pool: Pool, issuer: str, subject: str) -> User | None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT username FROM oidc_accounts WHERE issuer = %s AND subject = %s", (issuer, subject)
        )
        row = await cur.fetchone()
    return None if row is None else await get_user(pool, row["username"])


def _services(granted: Granted) -> list[str] | None:
    # No services in the mapping is every service, as for `yjflow users add` without --service.
    return list(granted.services) or None


async def _provision(pool: Pool, account: Account) -> None:
    """A first sign-in: a new user with the mapped role and services, linked to the provider account."""
    try:
        await add_user(
            pool, account.username, account.granted.role, email=account.email, services=_services(account.granted)
        )
    except DuplicateUserError:
        raise SignInRefused(
            f"a yjflow user named {account.username!r} already exists and is not linked to this organisation "
            "account, so it cannot be taken over by signing in: ask your yjflow administrator"
        ) from None
    except UserError as e:
        raise SignInRefused(f"your organisation account cannot become a yjflow user: {e}") from None
    # add_user issues a first API token; nobody has seen it, and this person signs in at the provider.
    await revoke_tokens(pool, account.username)
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO oidc_accounts (issuer, subject, username, matched) VALUES (%s, %s, %s, %s)",
            (account.issuer, account.subject, account.username, list(account.granted.matched)),
        )
    log.info("oidc.user_provisioned", username=account.username, role=account.granted.role.value)


async def _follow_mapping(pool: Pool, user: User, account: Account) -> None:
    """A later sign-in: the user's role and services become what the mapping gives now, in one transaction."""
    services = _services(account.granted)
    async with pool.connection() as conn, conn.transaction():
        await conn.execute(
            "UPDATE oidc_accounts SET matched = %s, last_sign_in_at = now() WHERE issuer = %s AND subject = %s",
            (list(account.granted.matched), account.issuer, account.subject),
        )
        await conn.execute(
            "UPDATE users SET role = %s WHERE username = %s", (account.granted.role.value, user.username)
        )
        await conn.execute("DELETE FROM user_services WHERE username = %s", (user.username,))
        for slug in services or ():
            await conn.execute("INSERT INTO user_services (username, yjs) VALUES (%s, %s)", (user.username, slug))
    now = None if services is None else frozenset(services)
    if user.role != account.granted.role or user.services != now:
        TOKEN_CACHE.forget(user.username)
        log.info(
            "oidc.access_changed",
            username=user.username,
            role=account.granted.role.value,
            was=user.role.value,
            services=services or "all",
        )


async def sign_in(pool: Pool, account: Account) -> User:
    """The yjflow user for this provider account: provisioned on its first sign-in; on later ones its role
    and services follow the mapping (the provider's groups are the source of truth). Raises `SignInRefused`."""
    user = await _linked_user(pool, account.issuer, account.subject)
    if user is None:
        await _provision(pool, account)
    elif user.disabled:
        raise SignInRefused(f"your yjflow account {user.username!r} is disabled: ask your yjflow administrator")
    else:
        await _follow_mapping(pool, user, account)
    signed_in = await _linked_user(pool, account.issuer, account.subject)
    assert signed_in is not None
    return signed_in


async def record_web_session(pool: Pool, session_id: str, account: Account) -> None:
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO oidc_web_sessions (session_hash, issuer, subject) VALUES (%s, %s, %s)",
            (hash_token(session_id), account.issuer, account.subject),
        )


async def web_session_issuer(pool: Pool, session_id: str | None) -> str | None:
    """The issuer a page session began at, or None for a token sign-in (or no session)."""
    if not session_id:
        return None
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT issuer FROM oidc_web_sessions WHERE session_hash = %s", (hash_token(session_id),)
        )
        row = await cur.fetchone()
    return None if row is None else str(row["issuer"])
