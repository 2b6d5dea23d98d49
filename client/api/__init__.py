"""The HTTP API (FastAPI; OpenAPI at /docs). Every call needs a bearer token bound to a user and role.

`create_app` puts the app together: the routers, one per concern (court outcomes, the audited record,
orders, victims' details, victims' contacts), the refusals' shape, and the pages."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from client.api import (
    audit_trail,
    children,
    codec,
    court_outcomes,
    court_result_amendments,
    court_results,
    docs,
    orders,
    reports,
    retention,
    victim_contacts,
    victim_details,
)
from client.api.problems import Refused, RefuseNulCharacters, StepRefusedHTTP, request_problem, step_refused_answer
from client.api.yjb_returns import router as yjb_returns_router
from client.app_context import AppContext
from client.auth import InspectorReadLog
from client.web import add_pages

__all__ = ["AppContext", "create_app"]


def create_app(ctx: AppContext) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ctx = ctx
        # Start-up's objects (modules, routes, templates) are never garbage: out of the collector's sight,
        # a full collection scans only what requests made. Without this, a 2,000-event timeline page's
        # churn set off full collections of 100-600 ms under load (bench.timeline_page).
        gc.freeze()
        yield

    app = FastAPI(
        title="yjflow",
        version="0.1.0",
        description="Court outcomes in; youth justice orders carried out to their deadlines; an audited timeline out.",
        lifespan=lifespan,
        # The docs come from our own files (client/api/docs.py), never a CDN; ReDoc is not served.
        docs_url=None,
        redoc_url=None,
        responses={422: {"model": Refused, "description": "Refused: each failing field named, with its rule"}},
    )
    app.state.ctx = ctx
    app.add_middleware(RefuseNulCharacters)
    app.add_middleware(InspectorReadLog)

    @app.exception_handler(RequestValidationError)
    async def refused(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": [request_problem(e) for e in exc.errors()]})

    app.add_exception_handler(StepRefusedHTTP, step_refused_answer)
    concerns = (
        court_outcomes,
        court_result_amendments,
        court_results,
        audit_trail,
        children,
        orders,
        retention,
        reports,
        victim_details,
        victim_contacts,
        codec,
        docs,
    )
    for concern in concerns:
        app.include_router(concern.router)
    app.include_router(yjb_returns_router)
    add_pages(app, ctx)
    return app
