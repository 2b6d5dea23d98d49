"""Temporal's codec server: `POST /codec/decode` and `POST /codec/encode`, so the Temporal CLI
(`--codec-endpoint …/codec --codec-auth "Bearer …"`) and the Temporal UI can read yjflow's encrypted
histories.

The protocol (Temporal's codec-server protocol): the body is a `Payloads` message in proto3 JSON,
`{"payloads": [{"metadata": {name: base64}, "data": base64}]}`, answered in the same shape; a body that
is not one, or a payload that will not decode, is a 400. Clients send the namespace in `X-Namespace` and
post to `<endpoint>/decode`, so the endpoint to configure is `…/codec`.

The codec is the one the API's Temporal client already holds (`activities.codec`, the workers' key), so
the codec server can never disagree with the workers. Only roles holding `DECODE_PAYLOADS` (admins) may
call it, and every call, allowed or refused, is logged with who, which namespace and how many payloads,
never what they hold. Payloads yjflow did not encrypt pass through unchanged.

Browsers (the Temporal UI) may call it only from the configured UI origin (`YJFLOW_TEMPORAL_UI_ORIGIN`):
the preflight and the answers carry CORS headers for that origin alone. The UI cannot send a yjflow token,
so the same endpoints are also at `/app/codec/…`, authenticated by the pages' session cookie (whose path is
`/app`), for a UI run with TEMPORAL_CODEC_INCLUDE_CREDENTIALS; `yjflow dev` also opens a capability path,
`/codec/dev/<secret>/…`, for its own UI, which can send neither (`configure`).
"""

# No `from __future__ import annotations`: FastAPI must see each endpoint's `Depends(caller)` of the closure.
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import structlog
from cryptography.exceptions import InvalidTag
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from activities import intake, web_sessions
from activities.settings import Settings
from activities.users import User, get_user
from client.api.problems import Refused, error
from client.app_context import AppContext, Ctx
from client.auth import access_refusal, current_user
from client.web.session import COOKIE
from domain.access import Permission, allows, why_refused

log = structlog.get_logger(__name__)
router = APIRouter(tags=["codec server"])

# Temporal refuses a payload over 2 MB by default; the UI sends an event's payloads in one call.
MAX_BODY_BYTES = 8 * 1024 * 1024
ALLOW_HEADERS = "Authorization, Content-Type, X-Namespace"
Operation = Literal["decode", "encode"]
# Proto3 JSON writes bytes as base64, standard or URL-safe, padded or not.
BASE64 = r"^[A-Za-z0-9+/_-]*={0,2}$"


class CodecPayload(BaseModel):
    """One `temporal.api.common.v1.Payload` in proto3 JSON: every metadata value and the data in base64."""

    model_config = ConfigDict(extra="forbid")

    metadata: dict[str, Annotated[str, Field(pattern=BASE64)]] = {}
    data: Annotated[str, Field(pattern=BASE64)] = ""


class CodecPayloads(BaseModel):
    """A `temporal.api.common.v1.Payloads` in proto3 JSON, as the codec-server protocol sends and answers it."""

    model_config = ConfigDict(extra="forbid")

    payloads: list[CodecPayload] = []


@dataclass(frozen=True)
class DevUi:
    """`yjflow dev`'s UI: it cannot attach a token, so it is given a path holding `secret` (new every
    start) and decodes as `username`, and only from the UI's origins."""

    secret: str
    username: str


@dataclass(frozen=True)
class CodecConfig:
    ui_origins: frozenset[str] = field(default_factory=frozenset)
    dev_ui: DevUi | None = None


def configure(app: FastAPI, *, ui_origins: Iterable[str | None], dev_ui: DevUi | None = None) -> None:
    """Set the browser origins the codec server answers (and, in `yjflow dev` only, its UI's path).
    Without it the app reads `YJFLOW_TEMPORAL_UI_ORIGIN` on first use, as `yjflow api` is configured."""
    app.state.codec = CodecConfig(frozenset(o.rstrip("/") for o in ui_origins if o), dev_ui)


def new_dev_ui(username: str) -> DevUi:
    return DevUi(secrets.token_urlsafe(24), username)


def _config(request: Request) -> CodecConfig:
    config: CodecConfig | None = getattr(request.app.state, "codec", None)
    if config is None:
        configure(request.app, ui_origins=[Settings().temporal_ui_origin])
        config = request.app.state.codec
        assert config is not None
    return config


def cors_headers(request: Request) -> dict[str, str]:
    """CORS headers for a call from the configured UI origin; none for any other origin."""
    origin = request.headers.get("origin")
    if origin is None or origin not in _config(request).ui_origins:
        return {}
    # Credentials: a UI that sends cookies or its access token (TEMPORAL_CODEC_INCLUDE_CREDENTIALS,
    # "pass access token") must be allowed to, or the browser drops the answer.
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", "Vary": "Origin"}


def _refuse(
    request: Request, status: int, detail: Any, user: User | None = None, headers: Mapping[str, str] | None = None
) -> HTTPException:
    log.warning(
        "codec.refused",
        operation=request.url.path.rsplit("/", 1)[-1],
        status=status,
        user=user.username if user else None,
        role=user.role.value if user else None,
        namespace=request.headers.get("x-namespace"),
        origin=request.headers.get("origin"),
        reason=detail if isinstance(detail, str) else [p["rule"] for p in detail],
    )
    return HTTPException(status, detail, {**(headers or {}), **cors_headers(request), "Cache-Control": "no-store"})


def _admit(request: Request, user: User) -> User:
    if not allows(user.role, Permission.DECODE_PAYLOADS):
        raise _refuse(request, 403, why_refused(user.role, Permission.DECODE_PAYLOADS), user)
    if user.services is not None:
        # A payload does not say whose case it is, so only someone holding every service may open them.
        raise _refuse(
            request, 403, f"user {user.username} holds only some services; the codec opens every service's", user
        )
    if access_refusal(user) is not None:
        raise _refuse(request, 401, f"user {user.username}: {access_refusal(user)}", user)
    return user


async def token_caller(request: Request, ctx: Ctx) -> User:
    """The bearer token's user, who must hold DECODE_PAYLOADS; a refusal is logged and carries CORS
    headers, so the UI can tell a refusal from a network failure."""
    try:
        user = await current_user(request, ctx)
    except HTTPException as e:
        raise _refuse(request, e.status_code, e.detail, headers=e.headers) from None
    return _admit(request, user)


async def session_caller(request: Request, ctx: Ctx) -> User:
    """The Temporal UI sending the browser's cookies: the signed-in user of the pages, from the UI's origin
    only, because a browser sends the cookie whichever page asks and the origin is what says it is the UI."""
    if request.headers.get("origin") not in _config(request).ui_origins:
        raise _refuse(request, 403, "a signed-in session may decode only from the configured Temporal UI origin")
    session = await web_sessions.resume(ctx.pool, request.cookies.get(COOKIE))
    if session is None:
        raise _refuse(request, 401, "not signed in: sign in to yjflow's pages (/app/sign-in) in this browser")
    return _admit(request, session.user)


async def dev_ui_caller(request: Request, ctx: Ctx, secret: str) -> User:
    """`yjflow dev`'s UI: the path's secret, from the UI's origin, decodes as the dev admin. Anything
    else is a 404, as if the path did not exist (outside `yjflow dev` it does not)."""
    config = _config(request)
    dev = config.dev_ui
    if dev is None or not secrets.compare_digest(secret.encode(), dev.secret.encode()):
        raise _refuse(request, 404, "Not Found")
    if request.headers.get("origin") not in config.ui_origins:
        raise _refuse(request, 404, "Not Found")
    user = await get_user(ctx.pool, dev.username)
    if user is None or user.disabled:
        raise _refuse(request, 403, f"the dev UI decodes as {dev.username}, who is missing or disabled")
    return _admit(request, user)


async def _payloads(request: Request, user: User) -> list[Payload]:
    too_big = [error("body", "codec.body_size", f"the body is over {MAX_BODY_BYTES} bytes")]
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:  # refused before it is read into memory
        raise _refuse(request, 413, too_big, user)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise _refuse(request, 413, too_big, user)
    value, problems = intake.parse_body(raw)
    if problems:
        raise _refuse(request, 400, [p.model_dump() for p in problems], user)
    try:
        payloads = CodecPayloads.model_validate(value)
    except ValidationError as e:
        raise _refuse(request, 400, [_problem(err) for err in e.errors()], user) from None
    out: list[Payload] = []
    for i, p in enumerate(payloads.payloads):
        try:
            out.append(json_format.ParseDict(p.model_dump(), Payload()))
        except json_format.ParseError as e:
            problem = error(f"payloads.{i}", "codec.proto_json", f"payloads.{i}: {e}")
            raise _refuse(request, 400, [problem], user) from None
    return out


def _problem(err: Any) -> dict[str, str]:
    where = ".".join(str(p) for p in err.get("loc", ())) or "body"
    return error(where, str(err.get("type", "invalid")), f"{where}: {err.get('msg', 'is not valid')}")


async def _codec(request: Request, ctx: AppContext) -> PayloadCodec:
    codec = (await ctx.temporal()).data_converter.payload_codec
    if codec is None:
        raise _refuse(request, 503, "this API's Temporal client has no payload codec")
    return codec


async def _convert(request: Request, ctx: AppContext, user: User, operation: Operation, via: str) -> Response:
    payloads = await _payloads(request, user)
    codec = await _codec(request, ctx)
    convert = codec.decode if operation == "decode" else codec.encode
    out: list[Payload] = []
    # One at a time, so a payload that will not decode is named by its place in the list.
    for i, payload in enumerate(payloads):
        try:
            out += await convert([payload])
        except (ValueError, InvalidTag, DecodeError) as e:
            reason = str(e) or "its ciphertext does not verify with this key (tampered, or another key)"
            raise _refuse(
                request, 400, [error(f"payloads.{i}", f"codec.{operation}", f"payloads.{i}: {reason}")], user
            ) from None
    log.info(
        f"codec.{operation}d",
        user=user.username,
        role=user.role.value,
        namespace=request.headers.get("x-namespace"),
        payloads=len(payloads),
        unchanged=sum(a == b for a, b in zip(payloads, out, strict=True)),
        via=via,
        origin=request.headers.get("origin"),
    )
    body = {"payloads": [json_format.MessageToDict(p) for p in out]}
    return JSONResponse(body, headers={**cors_headers(request), "Cache-Control": "no-store"})


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": CodecPayloads, "description": "The payloads, converted, in the order sent"},
    400: {"model": Refused, "description": "Not a Payloads message, or a payload that would not convert"},
    413: {"model": Refused, "description": "The body is over 8 MB"},
}
# The body is read by hand so a bad one is the protocol's 400, yet the schema still documents it.
BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CodecPayloads"}}},
    }
}
Caller = Callable[..., Awaitable[User]]


def _endpoint(operation: Operation, caller: Caller, via: str) -> Callable[..., Awaitable[Response]]:
    async def endpoint(request: Request, ctx: Ctx, user: Annotated[User, Depends(caller)]) -> Response:
        return await _convert(request, ctx, user, operation, via)

    endpoint.__name__ = f"codec_{operation}"
    endpoint.__doc__ = (
        f"Temporal's codec server: {operation} payloads with yjflow's payload codec (admins only; logged). "
        "Payloads not encrypted by yjflow pass through unchanged."
    )
    return endpoint


def preflight(request: Request) -> Response:
    """The CORS preflight: allowed for the configured UI origin only, naming the headers the UI sends."""
    headers = cors_headers(request)
    if not headers or request.headers.get("access-control-request-method", "").upper() != "POST":
        return Response("Disallowed CORS origin", status_code=400, media_type="text/plain")
    headers |= {"Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": ALLOW_HEADERS}
    headers |= {"Access-Control-Max-Age": "600"}
    return Response(status_code=204, headers=headers)


def _route(path: str, operation: Operation, caller: Caller, via: str, documented: bool) -> None:
    extra: dict[str, Any] = {"responses": RESPONSES, "openapi_extra": BODY} if documented else {}
    endpoint = _endpoint(operation, caller, via)
    router.add_api_route(path, endpoint, methods=["POST"], include_in_schema=documented, **extra)
    router.add_api_route(path, preflight, methods=["OPTIONS"], include_in_schema=False)


def _paths(operations: Sequence[Operation]) -> None:
    for operation in operations:
        _route(f"/codec/{operation}", operation, token_caller, "token", documented=True)
        _route(f"/app/codec/{operation}", operation, session_caller, "session", documented=False)
        _route(f"/codec/dev/{{secret}}/{operation}", operation, dev_ui_caller, "dev-ui", documented=False)


_paths(("decode", "encode"))
