"""Find a child, and a child's case timeline (every event in effective order, filtered by a GET form)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from activities import victim_contacts
from activities.users import User
from client.app_context import today
from client.auth import user_services_filter
from client.children_search import find
from client.web import child_record_pages
from client.web.child_names import record_of
from client.web.forms import FormErrors, date_values, optional_date, optional_text
from client.web.render import render
from client.web.session import PageRefused, require_page
from client.web.timeline_data import TimelineFilters, child_timeline
from client.web.timeline_items import timeline_items
from domain.access import Permission, allows
from domain.court_decisions import order_kind_of
from domain.events import wording

router = APIRouter(include_in_schema=False)
Reader = Annotated[User, Depends(require_page(Permission.READ_TIMELINE))]


def _case_pages(user: User) -> Callable[[str], bool]:
    """Which of a timeline's streams the viewer may open as a case page: an order or a victim's contact."""
    orders, contacts = allows(user.role, Permission.READ_ORDER), allows(user.role, Permission.READ_VICTIM_CONTACTS)

    def may_open(stream: str) -> bool:
        if victim_contacts.is_contact_id(stream):
            return contacts
        return orders and order_kind_of(stream) is not None

    return may_open


@router.get("/app/children")
async def find_a_child(request: Request, user: Reader) -> Response:
    query = (request.query_params.get("q") or "").strip()
    errors = FormErrors()
    results = []
    if "q" in request.query_params:
        if len(query) < 2:
            errors.add("q", "Enter at least 2 characters of the child's name, date of birth or id")
        else:
            results = await find(request.app.state.ctx, user, query)
    return render(
        request,
        "children.html",
        status_code=400 if errors else 200,
        q=query,
        results=results,
        errors=errors,
        searched="q" in request.query_params,
    )


@router.get("/app/children/{child_id}")
async def timeline_page(request: Request, child_id: str, user: Reader) -> Response:
    params = request.query_params
    errors = FormErrors()
    filters = TimelineFilters(
        stream=optional_text(params, "order"),
        event_type=optional_text(params, "type"),
        start=optional_date(params, "from", "From date", errors),
        end=optional_date(params, "to", "To date", errors),
    )
    if filters.start and filters.end and filters.start > filters.end:
        errors.add("to-day", "To date must be the same as or after the from date")
    details = allows(user.role, Permission.READ_VICTIM_STEP_DETAILS)
    ctx = request.app.state.ctx
    timeline = await child_timeline(
        ctx.pool,
        child_id,
        filters,
        victim_step_details=details,
        services=user_services_filter(user),
        notes=ctx.victim_details,
        user=user,
    )
    if timeline is None:
        raise PageRefused(f"nothing is recorded for child {child_id}", status_code=404, title="Child not found")
    held = await record_of(request, user, child_id)
    return render(
        request,
        "timeline.html",
        status_code=400 if errors else 200,
        timeline=timeline,
        items=timeline_items(timeline, victim_step_details=details, may_open_case=_case_pages(user)),
        filters=filters,
        errors=errors,
        victim_step_details=details,
        can_export=allows(user.role, Permission.EXPORT_CHRONOLOGY),
        raw={k: params.get(k, "") for k in ("order", "type")},
        dates={k: date_values(params, k) for k in ("from", "to")},
        day=wording.day,
        record=child_record_pages.shown(held, today()) if held else None,
        child_name=f"{held.record.name} (age {held.record.age_on(today())})" if held else None,
        may_correct=held is not None and allows(user.role, Permission.CORRECT_CHILD_RECORD),
        corrected=params.get("record") == "corrected",
    )
