"""What every response carries: static assets with long cache lives, security headers (every API answer
`no-store` and `nosniff`, pages and the API docs a CSP, HSTS once the site is served over TLS), and the
handlers that turn `SignInRequired` and `PageRefused` into a redirect and an error page.

Behind a TLS proxy the request reaches uvicorn as http: `configure(app, secure_cookies=True)` (the
`YJFLOW_SECURE_COOKIES` setting of `yjflow api`) makes the session cookie `Secure` and sends HSTS
whatever the scheme uvicorn sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import MutableHeaders
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from client.web.render import render
from client.web.session import PageRefused, SignInRequired, sign_in_url

STATIC = Path(__file__).resolve().parent / "static"
# Assets are linked with `?v=<version>` (see base.html), so a year-long, immutable lifetime is safe.
ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages hold case records: never kept by the browser or a shared cache.
    "Cache-Control": "no-store",
}
# API answers hold case records and decrypted victims' details alike: never cached, never sniffed.
API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
# Swagger UI at /docs, served from our own static files: nothing from elsewhere, no inline script. Its
# React components set style attributes, hence 'unsafe-inline' for styles only; its icons are data: URIs.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


class CachedStatic(StaticFiles):
    """Static files with a long cache lifetime (and nosniff)."""

    def file_response(self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = ASSET_CACHE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def is_page(path: str) -> bool:
    return path == "/app" or (path.startswith("/app/") and not path.startswith("/app/static/"))


def is_static(path: str) -> bool:
    return path.startswith(("/app/static/", "/assets/"))


def configure(app: FastAPI, *, secure_cookies: bool) -> None:
    """`secure_cookies`: the site is served over TLS (behind a proxy, say): cookies are `Secure` and
    HSTS is sent whatever scheme the request arrived with."""
    app.state.secure_cookies = secure_cookies


def served_securely(scope: Scope) -> bool:
    """True when cookies must be `Secure` and HSTS sent: forced by `configure`, or the request is https
    (directly, or by `X-Forwarded-Proto` from an address uvicorn's `forwarded_allow_ips` trusts)."""
    app = scope.get("app")
    return bool(getattr(getattr(app, "state", None), "secure_cookies", False)) or scope.get("scheme") == "https"


def _headers_for(path: str) -> dict[str, str]:
    if is_page(path):
        return PAGE_HEADERS
    if is_static(path):
        return {}
    if path in ("/docs", "/docs/oauth2-redirect"):
        return {**API_HEADERS, "Content-Security-Policy": DOCS_CSP, "X-Frame-Options": "DENY"}
    return API_HEADERS


class SecurityHeaders:
    """Adds the headers above to every response that has not set its own. Plain ASGI, not
    `BaseHTTPMiddleware`: that one re-streams every request and response of the whole API and breaks
    client disconnects under load."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = dict(_headers_for(scope["path"]))
        if served_securely(scope):
            wanted["Strict-Transport-Security"] = HSTS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Mount `/app/static` (our CSS and JS) and `/assets` (where GOV.UK Frontend's CSS finds its fonts
    and images), add the page security headers and the page exception handlers."""
    # check_dir=False: an API run from a tree whose assets were never built still starts (pages unstyled).
    app.mount("/app/static", CachedStatic(directory=STATIC, check_dir=False), name="page-static")
    app.mount("/assets", CachedStatic(directory=STATIC / "assets", check_dir=False), name="govuk-assets")

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)

    @app.exception_handler(PageRefused)
    async def refused(request: Request, exc: PageRefused) -> Response:
        return render(request, "error.html", status_code=exc.status_code, title=exc.title, reason=exc.reason)
