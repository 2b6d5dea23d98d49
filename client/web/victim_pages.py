"""Pages for victim work beyond a contact's steps: KPI 10 with its drill-down, a victim's details (read
with a purpose, recorded through the same path as the API), and the access log for managers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from activities import victim_contacts
from activities.kpi10 import kpi10_return
from activities.service_scope import victim_services
from activities.users import User
from activities.victim_details import (
    DetailsErased,
    VictimDetailsError,
    VictimDetailsStore,
    VictimNotFound,
    check_victim_ref,
)
from client.auth import holds, user_services_filter
from client.victim_records import ContactUnreachable, record_and_mark
from client.web.forms import FormErrors
from client.web.render import add_navigation, render
from client.web.session import PageRefused, csrf_protect, require_page
from client.web.victim_details_form import DETAILS_FIELDS, body_from_form, field_of, shown
from client.web.worker_pages import case_url, today
from domain.access import Permission, allows
from domain.kpi10 import Quarter
from domain.victim_details import VictimDetails

KPI10 = "/app/reports/yjb/kpi10"
ACCESS_LOG = "/app/victims/access-log"
router = APIRouter(include_in_schema=False)
add_navigation("KPI 10: victims", KPI10, Permission.READ_VICTIM_CONTACTS)
add_navigation("Victim access log", ACCESS_LOG, Permission.READ_VICTIM_ACCESS_LOG)

Reader = Annotated[User, Depends(require_page(Permission.READ_VICTIM_CONTACTS))]
LogReader = Annotated[User, Depends(require_page(Permission.READ_VICTIM_ACCESS_LOG))]
DetailsReader = Annotated[User, Depends(require_page(Permission.READ_VICTIM_DETAILS))]
DetailsRecorder = Annotated[User, Depends(require_page(Permission.RECORD_VICTIM_DETAILS))]


def victim_url(ref: str) -> str:
    return f"/app/victims/{ref}"


@router.get(KPI10, response_class=HTMLResponse)
async def kpi10_page(request: Request, user: Reader) -> Response:
    """The nine rows for a service and quarter; a row's total opens to what it counts."""
    params = request.query_params
    raw = {k: str(params.get(k) or "").strip() for k in ("yjs", "quarter")}
    errors = FormErrors()
    report, row = None, None
    if "quarter" in params or "yjs" in params:
        if not raw["yjs"]:
            errors.add("yjs", "Enter the service (YJS) whose return this is")
        try:
            quarter = Quarter.parse(raw["quarter"])
        except ValueError:
            errors.add(
                "quarter", "Enter the quarter as YYYYQn, for example 2026Q4, or YYYY-YY-Qn, for example 2026-27-Q3"
            )
        if not errors:
            if not holds(user, raw["yjs"]):
                raise PageRefused(f"there is no service {raw['yjs']}", status_code=404, title="Page not found")
            report = await kpi10_return(request.app.state.ctx.pool, raw["yjs"], quarter)
            wanted = str(params.get("row") or "")
            if wanted.isdigit() and 1 <= int(wanted) <= len(report.rows):
                row = report.rows[int(wanted) - 1]
    query = urlencode(raw)
    return render(
        request,
        "victims/kpi10.html",
        status_code=400 if errors else 200,
        errors=errors,
        raw=raw,
        report=report,
        row=row,
        last_day=report.end - timedelta(days=1) if report else None,
        base=f"{KPI10}?{query}",
        query=query,
        case_url=case_url,
    )


@router.get(ACCESS_LOG, response_class=HTMLResponse)
async def access_log_page(request: Request, user: LogReader) -> Response:
    """Every access to victims' details, newest first; optionally one victim's."""
    store = _store(request)
    errors = FormErrors()
    ref = str(request.query_params.get("victim_ref") or "").strip() or None
    if ref is not None:
        try:
            check_victim_ref(ref)
        except ValueError as e:
            errors.add("victim_ref", str(e).capitalize())
    limit = 500
    entries = (
        []
        if errors
        else await store.access_log(user=user, victim_ref=ref, limit=limit, services=user_services_filter(user))
    )
    return render(
        request,
        "victims/access_log.html",
        status_code=400 if errors else 200,
        errors=errors,
        entries=entries,
        victim_ref=ref,
        limit=limit,
    )


@router.get("/app/victims/{victim_ref}", response_class=HTMLResponse)
async def victim_page(request: Request, victim_ref: str, user: DetailsReader) -> Response:
    """Whether details are held; read them with a purpose (logged); the form to record them."""
    ref = _ref(victim_ref)
    await _require_held(request, user, ref)
    store = _store(request)
    purpose = str(request.query_params.get("purpose") or "").strip()
    errors = FormErrors()
    details: VictimDetails | None = None
    held = await store.exists(ref)
    erased = False
    if "purpose" in request.query_params:
        if not purpose:
            errors.add("read-purpose", "Enter why you need the victim's details: it is kept in the access log")
        else:
            try:
                details = await store.read(ref, user=user, purpose=purpose)
            except DetailsErased:
                erased = True
            except VictimNotFound:
                errors.add("read-purpose", f"No details are recorded for victim {ref} yet")
            except (ValueError, VictimDetailsError) as e:
                errors.add("read-purpose", str(e))
    return await _details_page(request, ref, user, errors=errors, details=details, held=held, erased=erased)


@router.post("/app/victims/{victim_ref}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def record_victim(request: Request, victim_ref: str, user: DetailsRecorder) -> Response:
    """Record the details as the API does; each problem next to its question, nothing kept on a refusal."""
    ref = _ref(victim_ref)
    await _require_held(request, user, ref)
    store = _store(request)
    form = await request.form()
    values = {f.name: [v for v in form.getlist(f.name) if isinstance(v, str)] for f in DETAILS_FIELDS}
    errors = FormErrors()
    body, on, purpose = body_from_form(values, errors, today())
    details = None
    if not errors:
        try:
            details = VictimDetails.model_validate(body)
        except ValidationError as e:
            for err in e.errors(include_input=False, include_url=False, include_context=False):
                errors.add(field_of(err["loc"]), _message(err))
    ctx = request.app.state.ctx
    contacts = await victim_contacts.contacts_for_victim(ctx.pool, ref, services=user_services_filter(user))
    if not contacts:
        errors.add("kind", f"No victim contact has victim ref {ref}: check the reference")
    if errors or details is None:
        held = await store.exists(ref)
        return await _details_page(request, ref, user, errors=errors, values=values, held=held, status_code=422)
    try:
        done = await record_and_mark(ctx, store, ref, details, user, purpose, on, contacts)
    except (ValueError, VictimDetailsError, ContactUnreachable) as e:
        errors.add("kind", f"Nothing more was recorded: {e}")
        return await _details_page(request, ref, user, errors=errors, values=values, held=True, status_code=409)
    query = urlencode({"recorded": len(done["updated"]), "kept": len(done["unchanged"])})
    return RedirectResponse(f"{victim_url(ref)}?{query}", status_code=303)


# --- helpers -------------------------------------------------------------------------------------------


async def _require_held(request: Request, user: User, ref: str) -> None:
    """A victim none of the user's services holds a contact for is answered as one never recorded."""
    if user.services is None or await victim_services(request.app.state.ctx.pool, ref) & user.services:
        return
    raise PageRefused(f"there is no victim {ref}", status_code=404, title="Page not found")


def _message(err: Any) -> str:
    text = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
    field = ".".join(str(p) for p in err.get("loc", ()))
    return text if text.startswith(field.split(".")[-1]) else f"{field}: {text}"


async def _details_page(
    request: Request,
    ref: str,
    user: User,
    *,
    errors: FormErrors,
    held: bool,
    details: VictimDetails | None = None,
    values: dict[str, list[str]] | None = None,
    erased: bool = False,
    status_code: int | None = None,
) -> HTMLResponse:
    ctx = request.app.state.ctx
    contacts = await victim_contacts.contacts_for_victim(ctx.pool, ref, services=user_services_filter(user))
    recorded = request.query_params.get("recorded")
    return render(
        request,
        "victims/details.html",
        status_code=status_code or (400 if errors else 200),
        errors=errors,
        ref=ref,
        held=held,
        erased=erased,
        details=shown(details) if details is not None else None,
        values=values or {"received_on": [today().isoformat()]},
        fields=DETAILS_FIELDS,
        field_errors=[{"field": e["field"], "text": e["text"]} for e in errors],
        contacts=contacts,
        case_url=case_url,
        may_record=allows(user.role, Permission.RECORD_VICTIM_DETAILS),
        recorded=recorded,
        kept=request.query_params.get("kept"),
        today=date.today(),
    )


def _ref(victim_ref: str) -> str:
    try:
        return check_victim_ref(victim_ref)
    except ValueError as e:
        raise PageRefused(str(e), status_code=404, title="No such victim") from None


def _store(request: Request) -> VictimDetailsStore:
    store: VictimDetailsStore | None = request.app.state.ctx.victim_details
    if store is None:
        raise PageRefused(
            "victims' details are unavailable: this service has no victim master key (YJFLOW_VICTIM_MASTER_KEY)",
            status_code=503,
            title="Victims' details unavailable",
        )
    return store
