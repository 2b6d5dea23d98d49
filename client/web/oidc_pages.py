"""Signing in with the organisation's account (OpenID Connect), and signing out of it.

`/app/sign-in/organisation` sends the browser to the provider; the provider sends it back to
`/app/sign-in/organisation/callback`, where the code is exchanged, the ID token checked, the account's
claims mapped to a role (domain/sign_in_mapping.py) and a page session started, exactly like one begun
with a token. Token sign-in stays beside it for `yjflow dev` and for systems.
"""

from __future__ import annotations

import secrets
from typing import Annotated

import structlog
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from activities import oidc_accounts, web_sessions
from activities.oidc_accounts import Account, Attempt, OidcConfig, OidcConfigError, SignInRefused
from activities.settings import Settings
from client.web.oidc_client import ProviderError, authorization_request, end_session_url, exchange
from client.web.render import render
from client.web.session import COOKIE, PageRefused, is_https, safe_next
from domain.sign_in_mapping import Refused, decide, username_from

log = structlog.get_logger(__name__)
router = APIRouter(include_in_schema=False)

START = "/app/sign-in/organisation"
CALLBACK = f"{START}/callback"
# Lax, not Strict like the session: the provider's redirect back is a navigation from another site, and a
# Strict cookie would not come with it. It holds only the attempt's state, never a session.
STATE_COOKIE = "yjflow_oidc_state"


def configured() -> OidcConfig | None:
    """The organisational sign-in configuration, None when it is off; a broken one is a 503 page."""
    try:
        return oidc_accounts.oidc_config(Settings())
    except OidcConfigError as e:
        log.error("oidc.misconfigured", problem=str(e))
        raise PageRefused(
            f"signing in with your organisation is misconfigured ({e}); sign in with an access token meanwhile",
            status_code=503,
            title="Organisational sign-in is not working",
        ) from None


def sign_in_option() -> str | None:
    """How the sign-in page names the organisation's sign-in, or None when it is off or misconfigured
    (token sign-in works either way; the misconfiguration is logged and shown on the organisation's page)."""
    try:
        config = oidc_accounts.oidc_config(Settings())
    except OidcConfigError as e:
        log.error("oidc.misconfigured", problem=str(e))
        return None
    return None if config is None else config.provider_name


def _base(request: Request, config: OidcConfig) -> str:
    return config.redirect_base or str(request.base_url).rstrip("/")


def _refused(request: Request, reason: str, *, status_code: int = 403) -> Response:
    return render(
        request,
        "error.html",
        status_code=status_code,
        title="You cannot sign in with this organisation account",
        reason=reason,
    )


def _onward(request: Request, target: str, title: str, text: str) -> Response:
    """A page that moves the browser on at once (the Refresh header), with a link for when it does not.

    After the provider's redirect the browser is in a navigation that began on another site, where the
    session's Strict cookie is not sent; a navigation this page starts is the pages' own, so it is."""
    response = render(request, "oidc_onward.html", title=title, text=text, target=target)
    response.headers["Refresh"] = f"0; url={target}"
    return response


@router.get(START)
async def start(request: Request, next: str | None = None) -> Response:
    config = configured()
    if config is None:
        raise PageRefused(
            "signing in with an organisation account is not set up here", status_code=404, title="Page not found"
        )
    redirect_uri = f"{_base(request, config)}{CALLBACK}"
    try:
        request_to_send = await authorization_request(config, redirect_uri)
    except ProviderError as e:
        log.warning("oidc.provider_unavailable", problem=str(e))
        return _refused(request, f"{e}; try again later, or sign in with an access token", status_code=502)
    state = request_to_send["state"]
    attempt = Attempt(
        issuer=config.issuer,
        code_verifier=request_to_send["code_verifier"],
        nonce=request_to_send["nonce"],
        next_path=safe_next(next),
    )
    await oidc_accounts.save_attempt(request.app.state.ctx.pool, state, attempt)
    response = RedirectResponse(request_to_send["url"], status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(oidc_accounts.ATTEMPT_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path=START,
    )
    return response


@router.get(CALLBACK)
async def callback(
    request: Request,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    iss: Annotated[str | None, Query(max_length=2048)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
    error_description: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response:
    config = configured()
    if config is None:
        raise PageRefused(
            "signing in with an organisation account is not set up here", status_code=404, title="Page not found"
        )
    pool = request.app.state.ctx.pool
    cookie = request.cookies.get(STATE_COOKIE)
    again = "open the sign-in page and choose to sign in with your organisation again"
    if not state or not cookie or not secrets.compare_digest(state.encode(), cookie.encode()):
        return _refused(
            request, f"this sign-in did not begin in this browser, or its cookie has gone: {again}", status_code=400
        )
    attempt = await oidc_accounts.take_attempt(pool, state)
    if attempt is None:
        return _refused(
            request, f"this sign-in has been used already or took longer than 10 minutes: {again}", status_code=400
        )
    if error:
        said = error_description or error
        return _refused(request, f"your organisation did not sign you in ({said}): {again}", status_code=401)
    # RFC 9207: a provider that names itself in the answer must be the one the browser was sent to.
    if attempt.issuer != config.issuer or (iss is not None and iss.rstrip("/") != config.issuer):
        return _refused(
            request, f"the answer came from another provider than {config.issuer}: {again}", status_code=400
        )
    if not code:
        return _refused(request, f"your organisation's answer had no sign-in code: {again}", status_code=400)
    redirect_uri = f"{_base(request, config)}{CALLBACK}"
    try:
        claims = await exchange(config, redirect_uri, code, attempt.code_verifier, attempt.nonce)
    except ProviderError as e:
        log.warning("oidc.exchange_refused", problem=str(e))
        return _refused(request, f"{e}: {again}", status_code=502)
    decided = decide(config.mapping, claims)
    if isinstance(decided, Refused):
        log.info("oidc.sign_in_refused", issuer=config.issuer, reason="no mapping")
        return _refused(request, decided.reason)
    username = username_from(claims, config.username_claim)
    if username is None:
        return _refused(request, f"your organisation account has no {config.username_claim}, email or subject claim")
    # Reminders go to this address, so one the provider says it has not verified is not taken.
    email = (
        claims.get("email")
        if isinstance(claims.get("email"), str) and claims.get("email_verified") is not False
        else None
    )
    account = Account(issuer=config.issuer, subject=str(claims["sub"]), username=username, email=email, granted=decided)
    try:
        user = await oidc_accounts.sign_in(pool, account)
    except SignInRefused as e:
        return _refused(request, e.reason)
    started = await web_sessions.start(pool, user)
    await oidc_accounts.record_web_session(pool, started.session_id, account)
    log.info("oidc.signed_in", username=user.username, role=user.role.value)
    response = _onward(request, attempt.next_path, "Signing you in", "You are signed in.")
    response.set_cookie(
        COOKIE, started.session_id, httponly=True, samesite="strict", secure=is_https(request), path="/app"
    )
    response.delete_cookie(STATE_COOKIE, path=START)
    return response


async def provider_sign_out(request: Request, session_id: str | None) -> Response | None:
    """After yjflow's session has ended: for a session begun at a provider that offers RP-initiated
    logout, a page that takes the browser there to end the provider's session as well; else None."""
    pool = request.app.state.ctx.pool
    issuer = await oidc_accounts.web_session_issuer(pool, session_id)
    if issuer is None:
        return None
    try:
        config = oidc_accounts.oidc_config(Settings())
    except OidcConfigError:
        return None
    if config is None or config.issuer != issuer:
        return None
    target = await end_session_url(config, f"{_base(request, config)}/app/signed-out")
    if target is None:
        return None
    return _onward(
        request,
        target,
        "Signing you out of your organisation",
        "You have signed out of yjflow. Your organisation's sign-out comes next.",
    )
