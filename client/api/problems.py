"""How the API says no: the shape of every 422 (each failing field named, with its rule), the refusal
of NUL characters before any endpoint runs, and Temporal's errors as HTTP statuses."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.service import RPCError, RPCStatusCode

from activities import intake


class FieldProblem(BaseModel):
    """One reason a request was refused: the field (as the client sent it), the rule, and why."""

    # A refused query or path parameter also carries FastAPI's own `loc`, `type` and `msg`.
    model_config = ConfigDict(extra="allow")

    field: str
    rule: str
    message: str


class Refused(BaseModel):
    """Every 422 of the API: each failing field named, with its rule."""

    detail: list[FieldProblem]


class OutcomeRefused(BaseModel):
    """A refused court outcome: kept in the rejected list (`rejection_id`) with its field errors."""

    detail: str
    rejection_id: int | None
    outcome_id: str | None
    errors: list[FieldProblem]


class StepRefusal(BaseModel):
    """A step the case would not take (409): the reason, and in `errors` the step's field at fault (`step`
    when the step as a whole is refused, e.g. by the case's state), so a form can show it on that field."""

    detail: str
    errors: list[FieldProblem]


class StepRefusedHTTP(HTTPException):
    """A refused step as the API answers it (`step_refused_answer`): 409 and a `StepRefusal`."""

    def __init__(self, message: str, field: str | None) -> None:
        super().__init__(409, message)
        self.problem = StepRefusal(
            detail=message, errors=[FieldProblem(field=field or "step", rule="step_refused", message=message)]
        )


async def step_refused_answer(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StepRefusedHTTP)
    return JSONResponse(status_code=409, content=exc.problem.model_dump())


class RefuseNulCharacters:
    """ASGI middleware: a path or query parameter holding U+0000 is refused with a 422 naming it before
    any endpoint runs, because PostgreSQL text cannot hold it and every lookup would fail with a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problems = _nul_parameters(scope)
            if problems:
                response = JSONResponse(status_code=422, content={"detail": problems})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _nul_parameters(scope: Scope) -> list[dict[str, str]]:
    """One problem per path or query parameter holding a NUL character, named as the route names it."""
    names: list[str] = []
    if "\x00" in scope.get("path", ""):
        names += _nul_path_parameters(scope) or ["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    names += [
        key.replace("\x00", "\ufffd") or "query"
        for key, value in parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace")
        if "\x00" in key + value
    ]
    return [
        error(name, "text.no_nul_character", f"{name} contains a NUL character (\\u0000), which cannot be stored")
        for name in dict.fromkeys(names)
    ]


def _nul_path_parameters(scope: Scope) -> list[str]:
    app = scope.get("app")
    for route in _routes(getattr(getattr(app, "router", None), "routes", [])):
        match, child = route.matches(scope)
        if match == Match.FULL:
            return [name for name, value in child.get("path_params", {}).items() if "\x00" in str(value)]
    return []


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, those of included routers too: an included router matches as a whole and names no
    path parameters, its own routes do (the routers add no prefix)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes)
        else:
            yield route


def request_problem(err: Any) -> dict[str, Any]:
    """FastAPI's validation error in the API's shape (field, rule, message), keeping its `loc`, `type`
    and `msg`; never its `input`, which may be personal data."""
    loc = [str(p) if not isinstance(p, int) else p for p in err.get("loc", ())]
    field = ".".join(str(p) for p in loc[1:]) or (str(loc[0]) if loc else "body")
    return {
        "field": field,
        "rule": str(err.get("type", "invalid")),
        "message": f"{field}: {err.get('msg', 'is not valid')}",
        "loc": loc,
        "type": str(err.get("type", "invalid")),
        "msg": str(err.get("msg", "")),
    }


def error(field: str, rule: str, message: str) -> dict[str, str]:
    return {"field": field, "rule": rule, "message": message}


async def json_object(request: Request, not_object: str) -> dict[str, Any]:
    """The request's JSON object body, or a 422 naming the body and the rule it broke."""
    body, problems = intake.parse_body(await request.body())
    if problems:  # not JSON, NaN or Infinity, or nested too deeply to validate
        raise HTTPException(422, [e.model_dump() for e in problems])
    if not isinstance(body, dict):
        raise HTTPException(422, [error("body", "object", not_object)])
    return body


def rpc_http(e: RPCError, workflow_id: str) -> HTTPException:
    if e.status == RPCStatusCode.NOT_FOUND:
        return HTTPException(404, f"no order workflow {workflow_id}")
    if e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return HTTPException(503, f"Temporal is not reachable: {e.message}")
    return HTTPException(502, f"Temporal refused: {e.message}")


def dump(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if hasattr(obj, "__dataclass_fields__"):
        return dataclasses.asdict(obj)
    return obj
