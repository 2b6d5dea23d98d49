"""Web pages (GOV.UK Design System), served by the API app: `add_pages(app, ctx)` mounts them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from client.app_context import AppContext


def add_pages(app: FastAPI, ctx: AppContext) -> None:
    """Mount the pages, their static assets and their routes on the API's app."""
    from client.web import (
        amendment_pages,
        board_pages,
        child_record_pages,
        correction_pages,
        dashboard_pages,
        inspection_api,
        inspection_pages,
        intake_pages,
        oidc_pages,
        oversight_pages,
        sign_in_pages,
        start_pages,
        timeline_pages,
        victim_pages,
        worker_pages,
    )
    from client.web.security import install

    install(app)
    app.include_router(sign_in_pages.router)
    app.include_router(oidc_pages.router)
    app.include_router(timeline_pages.router)
    app.include_router(child_record_pages.router)
    app.include_router(dashboard_pages.router)
    app.include_router(board_pages.router)
    app.include_router(inspection_pages.router)
    app.include_router(inspection_api.router)
    app.include_router(worker_pages.router)
    app.include_router(intake_pages.router)
    app.include_router(start_pages.router)
    app.include_router(victim_pages.router)
    app.include_router(correction_pages.router)
    app.include_router(amendment_pages.router)
    app.include_router(oversight_pages.router)
