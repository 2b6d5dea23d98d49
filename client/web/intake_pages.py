"""Intake's pages: what arrived today, what was refused and why, and a refused outcome corrected and sent
again from the page, through the same `activities.intake.receive` the API's POST /court-outcomes uses (so
the page accepts and refuses exactly what the API does, and a refusal is kept again, never lost)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from activities import intake, rejected_reads
from activities.users import User
from client.auth import user_services_filter
from client.web.case_view import not_found
from client.web.render import add_navigation, render
from client.web.session import csrf_protect, require_page
from client.web.worker_pages import LONDON, case_url, today
from domain.access import Permission, allows

INTAKE = "/app/intake"
# Refusals stay on the page this long: a week's work of corrections, whatever day it is read.
REFUSED_DAYS = 7
TEXT_FIELD = "outcome"

router = APIRouter(include_in_schema=False)
add_navigation("Court outcomes", INTAKE, Permission.READ_REJECTED)
Reader = Annotated[User, Depends(require_page(Permission.READ_REJECTED))]
Sender = Annotated[User, Depends(require_page(Permission.SUBMIT_OUTCOME))]

RELAY_WORDS = {
    "pending": "Waiting to start its orders",
    "started": "Orders started",
    "refused": "Refused by the running order",
}


def start_of_today() -> datetime:
    return datetime.combine(today(), time(), tzinfo=LONDON)


def _reasons(errors: Any) -> list[dict[str, str]]:
    return [{"field": str(e.get("field", "")), "message": str(e.get("message", ""))} for e in errors or []]


@router.get(INTAKE, response_class=HTMLResponse)
async def intake_page(request: Request, user: Reader) -> Response:
    """Today's arrivals, and the last week's refusals with their reasons, newest first."""
    pool = request.app.state.ctx.pool
    midnight = start_of_today()
    held = user_services_filter(user)
    arrived = await rejected_reads.arrived_since(pool, midnight, services=held)
    refused = await rejected_reads.refused_since(pool, midnight - timedelta(days=REFUSED_DAYS - 1), services=held)
    sent = request.query_params.get("sent")
    return render(
        request,
        "intake/today.html",
        arrived=[{**a, "status": RELAY_WORDS.get(a["relay_status"], a["relay_status"])} for a in arrived],
        refused=[{**r, "reasons": _reasons(r["errors"]), "today": r["received_at"] >= midnight} for r in refused],
        refused_days=REFUSED_DAYS,
        sent=sent,
        case_url=case_url,
        may_send=allows(user.role, Permission.SUBMIT_OUTCOME),
    )


async def _refused(request: Request, user: User, rejection_id: int) -> dict[str, Any]:
    ctx = request.app.state.ctx
    row = await rejected_reads.refused_outcome(
        ctx.pool, rejection_id, services=user_services_filter(user), seal=ctx.seal, reader=user.username
    )
    if row is None:
        raise not_found(f"there is no refused outcome {rejection_id}")
    return row


def _correct_form(
    request: Request, row: dict[str, Any], text: str, problems: list[dict[str, str]], *, status_code: int = 200
) -> HTMLResponse:
    # Each reason links to the text box: the outcome is corrected as a whole, where its field path says.
    errors = [{"field": TEXT_FIELD, "text": _said(p)} for p in problems]
    return render(
        request,
        "intake/correct.html",
        status_code=status_code,
        row=row,
        text=text,
        errors=errors,
        action=f"{INTAKE}/refused/{row['id']}",
        field=TEXT_FIELD,
    )


def _said(problem: dict[str, str]) -> str:
    where = problem["field"]
    return f"{problem['message']} (at {where})" if where and where not in problem["message"] else problem["message"]


@router.get(INTAKE + "/refused/{rejection_id}", response_class=HTMLResponse)
async def correct_form(request: Request, rejection_id: int, user: Sender) -> Response:
    """The refused outcome as it was sent, with its reasons, to correct and send again."""
    row = await _refused(request, user, rejection_id)
    return _correct_form(request, row, row["body_text"] or "", _reasons(row["errors"]))


@router.post(INTAKE + "/refused/{rejection_id}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def send_again(request: Request, rejection_id: int, user: Sender) -> Response:
    """Send the corrected outcome as the API would take it: accepted, back to the list with a banner;
    refused again, the form with the new reasons (and the new refusal kept in the list)."""
    row = await _refused(request, user, rejection_id)
    text = str((await request.form()).get(TEXT_FIELD) or "")
    if not text.strip():
        problems = [{"field": "", "message": "Enter the court outcome, as JSON"}]
        return _correct_form(request, row, text, problems, status_code=422)
    ctx = request.app.state.ctx
    result = await intake.receive(
        ctx.pool, text, received_by=user.username, today=today(), child_records=ctx.child_records
    )
    if result.status in ("accepted", "duplicate"):
        return RedirectResponse(f"{INTAKE}?sent={quote(result.outcome_id or '')}", status_code=303)
    problems = [{"field": e.field, "message": e.message} for e in result.errors]
    return _correct_form(request, row, text, problems, status_code=422)
