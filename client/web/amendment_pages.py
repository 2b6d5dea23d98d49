"""Amendments of court results, for managers (`/app/court-results/amendments`): each changed resend held
with the defendant, the result codes and the difference field by field, and a form to confirm it (applied
to the order through the court decision that carries it) or reject it with the reason. The page records
exactly what `POST /court-results/amendments/{id}/confirm|reject` would (`client.amendment_decisions`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from activities import court_result_amendments as amendments
from activities.court_messages import log_message_reads
from activities.users import User
from client import amendment_decisions as decisions
from client.auth import user_services_filter
from client.web.forms import FormErrors
from client.web.render import add_navigation, render
from client.web.session import csrf_protect, require_page
from domain.access import Permission

router = APIRouter(include_in_schema=False)
PAGE = "/app/court-results/amendments"
Manager = Annotated[User, Depends(require_page(Permission.DECIDE_AMENDMENT))]
add_navigation("Court result amendments", PAGE, Permission.DECIDE_AMENDMENT)


async def _page(
    request: Request,
    user: User,
    *,
    errors: FormErrors | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    pool = request.app.state.ctx.pool
    held_services = user_services_filter(user)
    seal = request.app.state.ctx.seal
    held = await amendments.amendments(pool, status="held", limit=200, services=held_services, seal=seal)
    decided = list(
        reversed(await amendments.amendments(pool, status=None, limit=1000, services=held_services, seal=seal))
    )[:20]
    shown = [{"body": a.new_body} for a in [*held, *decided] if a.erased_at is None]
    await log_message_reads(pool, user.username, shown)
    return render(
        request,
        "amendments.html",
        status_code=status_code,
        errors=errors or [],
        held=held,
        decided=decided,
        done=done,
    )


@router.get(PAGE)
async def amendments_page(request: Request, user: Manager) -> Response:
    return await _page(request, user)


@router.post(PAGE + "/{amendment_id}", dependencies=[Depends(csrf_protect)])
async def decide_amendment(request: Request, amendment_id: int, user: Manager) -> Response:
    form = await request.form()
    decision, reason = str(form.get("decision") or ""), str(form.get("reason") or "").strip() or None
    ctx = request.app.state.ctx
    # Who decides, why, over which services, and the records the outcomes are sealed with.
    as_manager: dict[str, Any] = {
        "by": user.username,
        "reason": reason,
        "services": user_services_filter(user),
        "child_records": ctx.child_records,
    }
    try:
        if decision == "confirm":
            _, ids = await decisions.confirm(ctx.pool, amendment_id, **as_manager)
            done = f"Amendment {amendment_id} confirmed and applied to {', '.join(ids)}"
        elif decision == "reject":
            await decisions.reject(ctx.pool, amendment_id, **as_manager)
            done = f"Amendment {amendment_id} rejected"
        else:
            raise decisions.DecisionRefused(422, "decision", "Choose to confirm or to reject the amendment")
    except decisions.DecisionRefused as e:
        errors = FormErrors()
        errors.add(f"reason-{amendment_id}", str(e))
        return await _page(request, user, errors=errors, status_code=409 if e.status == 409 else 422)
    return await _page(request, user, done=done)
