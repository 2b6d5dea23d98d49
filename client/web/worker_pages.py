"""Worker pages: a case worker's and a victim worker's cases, a case's page, and the forms for its steps.

Lists read the projections (`activities.reports.cases`, `activities.victim_contacts.list_contacts`); a
case page reads the order's view from its workflow (or a contact's history); a step form posts to
`client.steps.record_step`, the same code the API's step routes use, so a page accepts and refuses
exactly what the API does. Every page checks the role; every POST checks the CSRF token.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from activities import oversight_reports, reports, victim_contacts
from activities.rule_source import default_rule_pack
from activities.service_scope import stream_service
from activities.users import User
from client import steps
from client.auth import holds, user_services_filter
from client.order_kinds import kind_of
from client.web import step_forms
from client.web.case_view import load_case, not_found, order_view
from client.web.child_names import child_names
from client.web.plain_words import step_label
from client.web.render import add_navigation, render
from client.web.session import PageRefused, csrf_protect, page_user, require_page
from client.web.victim_forms import victim_step_fields
from client.web.worker_next_steps import order_next_steps
from domain.access import Permission, allows, why_refused
from domain.casework_cycle.routing import OVERSIGHT_PREFIX

LONDON = ZoneInfo("Europe/London")
MY_CASES = "/app/my-cases"
MY_VICTIM_CONTACTS = "/app/my-victim-contacts"
# Enough for any team's overdue work; a list beyond it is a management problem the dashboard shows.
OVERDUE_LIMIT = 5000
CASE_LIMIT = 1000
# Closed cases stay on a worker's lists this long (reviews, complaints and re-referrals come within it).
CLOSED_WITHIN = timedelta(days=365)

router = APIRouter(include_in_schema=False)
add_navigation("My cases", MY_CASES, Permission.ACT_ON_ORDER)
add_navigation("My victim contacts", MY_VICTIM_CONTACTS, Permission.ACT_ON_VICTIM_CONTACT)


def today() -> date:
    return datetime.now(LONDON).date()


def case_url(workflow_id: str) -> str:
    return f"/app/cases/{quote(workflow_id, safe=':')}"


def step_url(workflow_id: str, step_name: str) -> str:
    return f"{case_url(workflow_id)}/steps/{quote(step_name, safe='')}"


@functools.cache
def _rule_descriptions() -> dict[str, str]:
    return {rule_id: rule.description for rule_id, rule in default_rule_pack().rules.items()}


def rule_text(rule_id: str | None) -> str:
    """A rule's plain description for a list (the shipped pack's words), else its id."""
    if rule_id is None:
        return ""
    return _rule_descriptions().get(rule_id, rule_id)


def _ctx(request: Request) -> Any:
    return request.app.state.ctx


_not_found = not_found


def _check(user: User, permission: Permission) -> None:
    if not allows(user.role, permission):
        raise PageRefused(why_refused(user.role, permission))


async def _check_held(request: Request, user: User, workflow_id: str) -> None:
    """A 404 page, as for a case that does not exist, unless the user holds the case's service."""
    if user.services is None:
        return
    if not holds(user, await stream_service(_ctx(request).pool, workflow_id)):
        what = "victim contact" if steps.is_victim_contact(workflow_id) else "order"
        raise _not_found(f"there is no {what} {workflow_id}")


# --- lists ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """One row of a worker's list: the case, where it is, what comes next and by when."""

    workflow_id: str
    url: str
    child_id: str
    label: str  # the order's kind, or the victim's reference
    state: str
    responsible: str | None
    next_steps: list[tuple[str, str]]  # (step name, form URL)
    next_deadline: str
    next_due: date | None
    overdue: bool
    yjs: str = ""


@dataclass(frozen=True)
class ClosedRow:
    workflow_id: str
    url: str
    child_id: str
    label: str
    state: str
    closed_at: datetime
    yjs: str = ""


@router.get(MY_CASES, response_class=HTMLResponse)
async def my_cases(request: Request, user: Annotated[User, Depends(require_page(Permission.ACT_ON_ORDER))]) -> Response:
    """The orders allocated to the signed-in worker, and those nobody holds yet, soonest deadline first."""
    now = today()
    pool = _ctx(request).pool
    # The worker's own cases, then the team's unallocated ones (the projection is filtered by worker; the
    # unallocated are picked out here, among the first CASE_LIMIT open cases).
    held = user_services_filter(user)
    mine = await reports.cases(pool, responsible=user.username, limit=CASE_LIMIT, services=held)
    unallocated = [c for c in await reports.cases(pool, limit=CASE_LIMIT, services=held) if c.responsible is None]
    cases = mine + unallocated
    late = await _most_overdue(pool, now, held)
    rows = []
    for case in cases:
        kind = kind_of(case.workflow_id)
        if kind is None:  # a victim's contact: on the victim worker's list
            continue
        owed = late.get(case.workflow_id)
        rule, due = (owed.rule_id, owed.due_date) if owed else (case.next_deadline_rule, case.next_deadline_due)
        nxt = order_next_steps(
            [rule] if rule else [], allocated=case.responsible is not None, step_names=kind.step_names
        )
        rows.append(
            CaseRow(
                workflow_id=case.workflow_id,
                url=case_url(case.workflow_id),
                child_id=case.child_id,
                yjs=case.yjs,
                label=step_forms.humanise(kind.name),
                state=case.state,
                responsible=case.responsible,
                next_steps=[(s, step_url(case.workflow_id, s)) for s in nxt],
                next_deadline=owed.description if owed else rule_text(rule),
                next_due=due,
                overdue=due is not None and due < now,
            )
        )
    rows.sort(key=lambda r: (r.next_due is None, r.next_due or date.max, r.workflow_id))
    closed = await closed_lately(pool, user, victim_contacts=False)
    names = await child_names(
        request, user, [(r.yjs, r.child_id) for r in rows] + [(r.yjs, r.child_id) for r in closed]
    )
    return render(request, "worker/my_cases.html", rows=rows, closed=closed, today=now, names=names)


@router.get(MY_VICTIM_CONTACTS, response_class=HTMLResponse)
async def my_victim_contacts(
    request: Request, user: Annotated[User, Depends(require_page(Permission.ACT_ON_VICTIM_CONTACT))]
) -> Response:
    """The victims' contacts allocated to the signed-in worker, and those nobody holds yet."""
    now = today()
    pool = _ctx(request).pool
    held = user_services_filter(user)
    contacts = await victim_contacts.list_contacts(pool, services=held)
    late = await _most_overdue(pool, now, held)
    rows = []
    for c in contacts:
        if c.victim_worker not in (user.username, None):
            continue
        owed = late.get(c.workflow_id)
        nxt = c.next_deadline
        text, due = (
            (owed.description, owed.due_date) if owed else (nxt.description, nxt.due_date) if nxt else ("", None)
        )
        rows.append(
            CaseRow(
                workflow_id=c.workflow_id,
                url=case_url(c.workflow_id),
                child_id=c.child_id,
                label=c.victim_ref,
                yjs=c.yjs,
                state=c.state.value,
                responsible=c.victim_worker,
                next_steps=[(s, step_url(c.workflow_id, s)) for s in c.next_steps],
                next_deadline=text,
                next_due=due,
                overdue=due is not None and due < now,
            )
        )
    rows.sort(key=lambda r: (r.next_due is None, r.next_due or date.max, r.workflow_id))
    closed = await closed_lately(pool, user, victim_contacts=True)
    names = await child_names(
        request, user, [(r.yjs, r.child_id) for r in rows] + [(r.yjs, r.child_id) for r in closed]
    )
    return render(request, "worker/my_victim_contacts.html", rows=rows, closed=closed, today=now, names=names)


async def closed_lately(pool: Any, user: User, *, victim_contacts: bool) -> list[ClosedRow]:
    """The worker's cases closed in the last year, most recently closed first: a closed case stays
    findable from the list it was worked from."""
    since = datetime.now(LONDON) - CLOSED_WITHIN
    rows = [
        ClosedRow(c.workflow_id, case_url(c.workflow_id), c.child_id, _closed_label(c), c.state, c.closed_at, c.yjs)
        for c in await reports.cases(pool, responsible=user.username, include_closed=True, limit=CASE_LIMIT)
        if c.closed_at is not None and c.closed_at >= since and (c.kind == "victim_contact") == victim_contacts
    ]
    return sorted(rows, key=lambda r: r.closed_at, reverse=True)


def _closed_label(c: reports.CaseSummary) -> str:
    kind = kind_of(c.workflow_id)
    return step_forms.humanise(kind.name) if kind else "Victim contact " + c.workflow_id.rsplit(":", 1)[-1]


async def _most_overdue(pool: Any, now: date, held: list[str] | None) -> dict[str, reports.OverdueItem]:
    """Each open case's most overdue deadline not yet met (missed ones included: they are still owed)."""
    late: dict[str, reports.OverdueItem] = {}
    for item in await reports.overdue(pool, today=now, limit=OVERDUE_LIMIT, services=held):
        if item.rule_id.startswith(OVERSIGHT_PREFIX):
            continue  # the manager's to do, on their oversight page
        late.setdefault(item.workflow_id, item)  # most overdue first
    return late


# --- a case -------------------------------------------------------------------------------------------


@router.get("/app/cases/{workflow_id}", response_class=HTMLResponse)
async def case_page(request: Request, workflow_id: str, user: Annotated[User, Depends(page_user)]) -> Response:
    """A case: its state, who holds it, what it owes by when, and the steps to record."""
    is_contact = steps.is_victim_contact(workflow_id)
    _check(user, Permission.READ_VICTIM_CONTACTS if is_contact else Permission.READ_ORDER)
    await _check_held(request, user, workflow_id)
    case = await load_case(
        request,
        workflow_id,
        username=user.username,
        details=allows(user.role, Permission.READ_VICTIM_STEP_DETAILS),
        today=today(),
    )
    recorded = request.query_params.get("recorded")
    return render(
        request,
        "worker/case.html",
        case=case,
        names=await child_names(request, user, [(case.yjs, case.child_id)]),
        may_act=allows(user.role, steps.step_permission(workflow_id)),
        timeline_url=f"/app/children/{quote(case.child_id, safe='')}"
        if allows(user.role, Permission.READ_TIMELINE)
        else None,
        recorded=recorded if recorded in case.all_steps else None,
        classifications=[]
        if is_contact
        else await oversight_reports.classification_history(_ctx(request).pool, workflow_id),
        step_url=step_url,
        case_url_of=case_url,
        list_url=MY_VICTIM_CONTACTS if is_contact else MY_CASES,
        today=today(),
    )


# --- a step's form --------------------------------------------------------------------------------------


async def _form_for(request: Request, workflow_id: str, step_name: str, user: User) -> list[step_forms.FormField]:
    _check(user, steps.step_permission(workflow_id))
    await _check_held(request, user, workflow_id)
    model = step_forms.step_models(workflow_id).get(step_name)
    if model is None:
        raise _not_found(f"{step_name} is not a step of {workflow_id}")
    # Allocating: most often a worker takes the case themselves.
    defaults = {"case_worker": user.username, "victim_worker": user.username}
    choices: dict[str, list[str]] = {}
    if step_name == "victim_views_recorded":
        # The victims named on the order whose views are not yet recorded: a choice, not a reference to type.
        view = await order_view(request, workflow_id)
        order = getattr(view, "order", None)
        if order is not None:
            choices["victim_ref"] = [v for v in order.victim_refs if v not in order.victims_with_views]
    fields = step_forms.form_fields(model, today=today(), defaults=defaults, choices=choices)
    if steps.is_victim_contact(workflow_id):
        contact = await victim_contacts.contact_state(_ctx(request).pool, workflow_id)
        fields = victim_step_fields(fields, contact)
    return fields


def _render_form(
    request: Request,
    workflow_id: str,
    step_name: str,
    fields: list[step_forms.FormField],
    *,
    values: dict[str, list[str]] | None = None,
    errors: list[step_forms.FormError] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if values is None:
        values = {k: v for f in fields for k, v in f.initial_values().items()}
    return render(
        request,
        "worker/step_form.html",
        status_code=status_code,
        workflow_id=workflow_id,
        step_name=step_name,
        step_label=step_label(step_name),
        fields=fields,
        values=values,
        errors=[e.as_summary() for e in errors or []],
        case_url=case_url(workflow_id),
        action=step_url(workflow_id, step_name),
    )


@router.get("/app/cases/{workflow_id}/steps/{step_name}", response_class=HTMLResponse)
async def step_form(
    request: Request, workflow_id: str, step_name: str, user: Annotated[User, Depends(page_user)]
) -> Response:
    """The form for one step, its date defaulting to today."""
    fields = await _form_for(request, workflow_id, step_name, user)
    return _render_form(request, workflow_id, step_name, fields)


@router.post(
    "/app/cases/{workflow_id}/steps/{step_name}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
async def record_step(
    request: Request, workflow_id: str, step_name: str, user: Annotated[User, Depends(page_user)]
) -> Response:
    """Record the step as the API would; on success back to the case (POST/redirect/GET), else the form
    again with each problem next to its question."""
    fields = await _form_for(request, workflow_id, step_name, user)
    form = await request.form()
    values = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form if k != "csrf_token"}
    body, unreadable = step_forms.body_from_form(step_name, fields, values)
    if unreadable:
        return _render_form(request, workflow_id, step_name, fields, values=values, errors=unreadable, status_code=422)
    ctx = _ctx(request)
    try:
        await steps.record_step(ctx.temporal, ctx.pool, workflow_id, body, user.username, notes=ctx.victim_details)
    except steps.StepInvalid as e:
        errors, status = step_forms.invalid_errors(fields, e.errors), e.status_code
    except steps.StepRefused as e:
        names = list(step_forms.step_models(workflow_id))
        errors, status = [step_forms.refusal_error(fields, e.message, e.field, step_names=names)], e.status_code
    except steps.CaseNotFound as e:
        raise _not_found(e.message) from e
    except steps.StepError as e:  # Temporal unreachable: nothing was recorded, the worker can try again
        errors = [step_forms.refusal_error(fields, f"Nothing was recorded: {e.message}. Try again later.")]
        status = e.status_code
    else:
        return RedirectResponse(f"{case_url(workflow_id)}?recorded={quote(step_name)}", status_code=303)
    return _render_form(request, workflow_id, step_name, fields, values=values, errors=errors, status_code=status)
