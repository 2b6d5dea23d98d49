"""The case page's correction form: void a step recorded by mistake, or put its date right, with a reason.

It posts to `client.corrections.correct_step`, the code behind `POST /orders/{id}/corrections`, so the
page accepts and refuses exactly what the API does (other fields of a step are corrected through the API
or `yjflow correct --set`). The steps offered are the ones the order recorded and no correction has
superseded, newest first, each with its date and timeline entry.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from temporalio.service import RPCError

from activities.service_scope import stream_service
from activities.users import User
from client import corrections, steps
from client.auth import holds
from client.web import step_forms
from client.web.render import render
from client.web.session import PageRefused, csrf_protect, page_user
from client.web.worker_pages import case_url
from domain.access import allows
from domain.corrections import RecordedStep
from domain.events import wording
from workflows.victim_contact import VictimContactWorkflow

router = APIRouter(include_in_schema=False)
LABEL = "Correction"


def correction_url(workflow_id: str) -> str:
    return f"{case_url(workflow_id)}/corrections"


def _fields(recorded: list[RecordedStep]) -> list[step_forms.FormField]:
    live = [s for s in reversed(recorded) if s.superseded_by is None]
    options = tuple(
        (
            str(s.first_version),
            f"{step_forms.humanise(s.name)}, {wording.day(s.effective_date)} (entry {s.first_version})",
        )
        for s in live
    )
    return [
        step_forms.FormField(
            "supersedes",
            "Which step was recorded by mistake",
            "The original stays on the timeline, marked superseded by this correction.",
            "radios",
            True,
            step_forms._options("supersedes", options),
        ),
        step_forms.FormField(
            "effective_date",
            "The date it really happened",
            "Leave blank to void the step: it did not happen, or not on this case.",
            "date",
            False,
        ),
        step_forms.FormField("reason", "Why the step was wrong", "This is kept in the record.", "textarea", True),
    ]


async def _recorded(request: Request, workflow_id: str, user: User) -> list[RecordedStep]:
    if not allows(user.role, steps.step_permission(workflow_id)):
        raise PageRefused("you may not correct steps on this case", status_code=403, title="Not allowed")
    if user.services is not None and not holds(user, await stream_service(request.app.state.ctx.pool, workflow_id)):
        raise PageRefused(f"there is no case {workflow_id}", status_code=404, title="Page not found")
    if steps.is_victim_contact(workflow_id):
        query: Any = VictimContactWorkflow.recorded_steps
    else:
        try:
            query = steps.order_kind(workflow_id).workflow.recorded_steps
        except steps.CaseNotFound as e:
            raise PageRefused(e.message, status_code=404, title="Page not found") from e
    handle = (await request.app.state.ctx.temporal()).get_workflow_handle(workflow_id)
    try:
        return list(await handle.query(query))
    except RPCError as e:
        raise PageRefused(f"the order could not be read: {e.message}", status_code=503, title="Sorry") from e


def _render(
    request: Request,
    workflow_id: str,
    fields: list[step_forms.FormField],
    *,
    values: dict[str, list[str]] | None = None,
    errors: list[step_forms.FormError] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "worker/step_form.html",
        status_code=status_code,
        workflow_id=workflow_id,
        step_name="correction",
        step_label=LABEL,
        fields=fields,
        values=values or {},
        errors=[e.as_summary() for e in errors or []],
        case_url=case_url(workflow_id),
        action=correction_url(workflow_id),
    )


@router.get("/app/cases/{workflow_id}/corrections", response_class=HTMLResponse)
async def correction_form(request: Request, workflow_id: str, user: Annotated[User, Depends(page_user)]) -> Response:
    recorded = await _recorded(request, workflow_id, user)
    return _render(request, workflow_id, _fields(recorded))


@router.post("/app/cases/{workflow_id}/corrections", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def correct(request: Request, workflow_id: str, user: Annotated[User, Depends(page_user)]) -> Response:
    fields = _fields(await _recorded(request, workflow_id, user))
    form = await request.form()
    values = {f.name: [v for v in form.getlist(f.name) if isinstance(v, str)] for f in fields}
    answers, _ = step_forms.body_from_form("correction", fields, values)
    body: dict[str, Any] = {k: answers[k] for k in ("supersedes", "reason") if k in answers}
    if "effective_date" in answers:
        body["replacement"] = {"effective_date": answers["effective_date"]}
    try:
        await corrections.correct_step(request.app.state.ctx.temporal, workflow_id, body, user)
    except steps.StepInvalid as e:
        errors, status = step_forms.invalid_errors(fields, e.errors), e.status_code
    except steps.StepError as e:
        errors, status = [step_forms.refusal_error(fields, e.message)], e.status_code
    else:
        return RedirectResponse(f"{case_url(workflow_id)}?recorded={quote('correction')}", status_code=303)
    return _render(request, workflow_id, fields, values=values, errors=errors, status_code=status)
