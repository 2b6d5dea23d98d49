"""Signing in with an API token, signing out, and the start page."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from activities import web_sessions
from activities.users import authenticate, token_owner
from client.auth import access_refusal
from client.throttle import record_failure, wait_required
from client.web.oidc_pages import provider_sign_out, sign_in_option
from client.web.render import render
from client.web.session import (
    COOKIE,
    SIGN_IN_CSRF_COOKIE,
    PageRefused,
    csrf_protect,
    is_https,
    safe_next,
)

router = APIRouter(include_in_schema=False)
NOT_RECOGNISED = "The access token is not recognised, revoked or disabled"


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    # Strict: every way into a page that needs the session is a same-site navigation (our own redirects);
    # a link from elsewhere lands on the sign-in page, which is the safe default for case records.
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=is_https(request), path="/app")


@router.get("/app/sign-in")
async def sign_in_form(request: Request, next: str | None = None) -> Response:
    # Sign-in has no session yet, so its CSRF token is a double-submitted cookie: a forged form from
    # another site cannot read or set it, so it cannot sign a victim's browser in to the forger's account.
    token = secrets.token_urlsafe(32)
    response = render(request, "sign_in.html", next=safe_next(next), sign_in_csrf=token, organisation=sign_in_option())
    _set_cookie(request, response, SIGN_IN_CSRF_COOKIE, token)
    return response


@router.post("/app/sign-in")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    sent, cookie = form.get("csrf_token"), request.cookies.get(SIGN_IN_CSRF_COOKIE)
    if not isinstance(sent, str) or not cookie or not secrets.compare_digest(sent.encode(), cookie.encode()):
        raise PageRefused(
            "the sign-in form's security token is missing or does not match: open the sign-in page again",
            title="This form could not be accepted",
        )
    next_path = safe_next(str(form.get("next") or ""))
    token = str(form.get("token") or "").strip()
    pool = request.app.state.ctx.pool

    def refused(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
        response = render(
            request,
            "sign_in.html",
            status_code=status,
            next=next_path,
            sign_in_csrf=cookie,
            organisation=sign_in_option(),
            errors=[{"field": "token", "text": text}],
        )
        response.headers.update(headers or {})
        return response

    wait = wait_required(request)
    if wait is not None:
        return refused(
            429, f"Too many failed sign-ins from this address: try again in {wait} seconds", {"Retry-After": str(wait)}
        )
    user = await authenticate(pool, token) if token else None
    if user is None:
        if token:
            record_failure(request, "sign-in refused", await token_owner(pool, token))
        return refused(401, "Enter your access token" if not token else NOT_RECOGNISED)
    ended = access_refusal(user)
    if ended is not None:
        return refused(401, f"You cannot sign in: your {ended}")
    # Signing in again in this browser ends the session it had: one browser, one live session.
    await web_sessions.end(pool, request.cookies.get(COOKIE))
    started = await web_sessions.start(pool, user)
    redirect = RedirectResponse(next_path, status_code=303)
    _set_cookie(request, redirect, COOKIE, started.session_id)
    redirect.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/app")
    return redirect


@router.post("/app/sign-out", dependencies=[Depends(csrf_protect)])
async def sign_out(request: Request) -> Response:
    session_id = request.cookies.get(COOKIE)
    await web_sessions.end(request.app.state.ctx.pool, session_id)
    response = await provider_sign_out(request, session_id) or RedirectResponse("/app/signed-out", status_code=303)
    response.delete_cookie(COOKIE, path="/app", httponly=True, samesite="strict", secure=is_https(request))
    return response


@router.get("/app/signed-out")
async def signed_out(request: Request) -> Response:
    return render(request, "signed_out.html")
