"""Page sessions: who is signed in, what their role lets them see, and CSRF checks on every form.

These are FastAPI dependencies for page routes. A browser that is not signed in is redirected to the
sign-in page (`SignInRequired`); a refusal renders a 403 page that says why (`PageRefused`); both are
turned into responses by the handlers `add_pages` installs.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import Request

from activities import web_sessions
from activities.users import User
from client.auth import access_refusal
from domain.access import Permission, allows, why_refused

COOKIE = "yjflow_session"
SIGN_IN_CSRF_COOKIE = "yjflow_sign_in_csrf"


class SignInRequired(Exception):
    """No live session: the browser goes to the sign-in page, and back to `next_path` after."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageRefused(Exception):
    """A request the pages refuse; rendered as an error page with `reason`."""

    def __init__(self, reason: str, status_code: int = 403, title: str = "You cannot do this") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.title = title


def is_https(request: Request) -> bool:
    """Whether cookies go out `Secure`: the request is https, or the site is configured as served over
    TLS (`client.web.security.configure`, for a TLS proxy in front)."""
    return request.url.scheme == "https" or bool(getattr(request.app.state, "secure_cookies", False))


def sign_in_url(next_path: str) -> str:
    return f"/app/sign-in?next={quote(next_path, safe='')}"


def safe_next(next_path: str | None) -> str:
    """Where to go after sign-in: a path inside the pages only (never another site: no open redirect)."""
    if next_path and next_path.startswith("/app") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return "/app"


async def page_user(request: Request) -> User:
    """The signed-in user (from the session cookie); otherwise the browser is sent to sign in."""
    cached: User | None = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    session = await web_sessions.resume(request.app.state.ctx.pool, request.cookies.get(COOKIE))
    if session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    request.state.user = session.user
    request.state.csrf_token = session.csrf_token
    refusal = access_refusal(session.user)
    if refusal is not None:
        # A session started inside an inspector's dates does not outlive them: every page refuses it.
        raise PageRefused(f"user {session.user.username}: {refusal}", status_code=401, title="Your access has ended")
    return session.user


def require_page(permission: Permission) -> Callable[[Request], Awaitable[User]]:
    """A dependency returning the signed-in user when their role holds `permission`, else a 403 page."""

    async def check(request: Request) -> User:
        user = await page_user(request)
        if not allows(user.role, permission):
            raise PageRefused(why_refused(user.role, permission))
        return user

    return check


async def csrf_protect(request: Request) -> None:
    """For every POST form: its `csrf_token` field must be the session's synchronizer token."""
    await page_user(request)
    form = await request.form()
    sent = form.get("csrf_token")
    expected: str = request.state.csrf_token
    if not isinstance(sent, str) or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise PageRefused(
            "the form's security token is missing or does not match your session: go back, reload the page "
            "and try again",
            title="This form could not be accepted",
        )
