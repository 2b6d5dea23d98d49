"""The inspection sample page, and each sampled case's chronology as CSV and as a printable page; every
export is recorded in the export log (shown on the page) before it is handed over."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from activities import inspection
from activities.rule_source import inspection_policy
from activities.users import User
from client.auth import holds, user_services_filter
from client.web.child_names import child_names
from client.web.forms import FormErrors, date_values, optional_text, read_date
from client.web.render import render
from client.web.session import PageRefused, require_page
from client.web.timeline_data import deadline_tag, shipped_rule_names
from domain.access import Permission, allows
from domain.casework_cycle.questions import QUESTIONS
from domain.events import sentences, wording
from domain.inspection import InspectionError, Sample, SampleRequest

router = APIRouter(include_in_schema=False)
Exporter = Annotated[User, Depends(require_page(Permission.EXPORT_CHRONOLOGY))]


def _optional_int(params: object, name: str, label: str, errors: FormErrors) -> int | None:
    raw = str(params.get(name) or "").strip()  # type: ignore[attr-defined]
    if not raw:
        return None
    if not raw.isdigit():
        errors.add(name, f"{label} must be a whole number, like 20")
        return None
    return int(raw)


@router.get("/app/inspection")
async def inspection_page(
    request: Request, user: Annotated[User, Depends(require_page(Permission.TAKE_INSPECTION_SAMPLE))]
) -> Response:
    params = request.query_params
    errors = FormErrors()
    policy = inspection_policy()
    sample: Sample | None = None
    if any(k == "from" or k.startswith("from-") for k in params):
        start = read_date(params, "from", "Period start", errors, required=True)
        end = read_date(params, "to", "Period end", errors, required=True)
        seed = _optional_int(params, "seed", "Seed", errors) or 0
        children = _optional_int(params, "children", "Children's cases", errors)
        victims = _optional_int(params, "victims", "Victims' cases", errors)
        if start and end and not errors:
            if end < start:
                errors.add("to-day", "Period end must be the same as or after the period start")
            else:
                try:
                    req = SampleRequest(
                        start=start,
                        end=end,
                        yjs=optional_text(params, "yjs"),
                        seed=seed,
                        children=children,
                        victims=victims,
                        gaps_only=params.get("gaps") == "yes",
                    )
                    sample = await inspection.take_sample(
                        request.app.state.ctx.pool, req, policy, services=user_services_filter(user)
                    )
                except InspectionError as e:
                    field, _, text = str(e).partition(": ")
                    errors.add(field, f"{'Children' if field == 'children' else 'Victims'}' cases: {text}")
                except ValidationError as e:
                    errors.add("from-day", str(e.errors()[0]["msg"]))
    log = (
        await inspection.export_log(request.app.state.ctx.pool, limit=50, services=user_services_filter(user))
        if allows(user.role, Permission.READ_EXPORT_LOG)
        else None
    )
    return render(
        request,
        "inspection.html",
        status_code=400 if errors else 200,
        errors=errors,
        policy=policy,
        sample=sample,
        names=await child_names(
            request, user, [(c.yjs, c.child_id) for g in (sample.children, sample.victims) for c in g.cases]
        )
        if sample is not None
        else {},
        export_log=log,
        can_export=allows(user.role, Permission.EXPORT_CHRONOLOGY),
        raw={k: params.get(k, "") for k in ("yjs", "seed", "children", "victims", "gaps")},
        dates={k: date_values(params, k) for k in ("from", "to")},
    )


async def _chronology(request: Request, workflow_id: str, user: User) -> inspection.Chronology:
    chron = await inspection.chronology(request.app.state.ctx.pool, workflow_id)
    # A case of a service the user does not hold is answered as one that does not exist.
    if chron is None or not holds(user, chron.yjs):
        raise PageRefused(f"there is no case {workflow_id}", status_code=404, title="Case not found")
    return chron


@router.get("/app/inspection/cases/{workflow_id}/chronology.csv")
async def chronology_csv(request: Request, workflow_id: str, user: Exporter) -> Response:
    chron = await _chronology(request, workflow_id, user)
    await inspection.record_export(request.app.state.ctx.pool, user, format="csv", chron=chron)
    filename = "chronology-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in workflow_id) + ".csv"
    return Response(
        inspection.chronology_csv(chron),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/app/inspection/cases/{workflow_id}/chronology")
async def chronology_page(request: Request, workflow_id: str, user: Exporter) -> Response:
    chron = await _chronology(request, workflow_id, user)
    record = await inspection.record_export(request.app.state.ctx.pool, user, format="print", chron=chron)
    rule_names = shipped_rule_names()
    return render(
        request,
        "chronology.html",
        chron=chron,
        record=record,
        names=await child_names(request, user, [(chron.yjs, chron.child_id)]),
        rows=[
            (e, inspection.event_name(e), sentences.sentence(e.event_type, e.payload, rule_names) or "")
            for e in chron.entries
        ],
        tags={d.deadline_id: deadline_tag(d) for d in chron.deadlines},
        questions=QUESTIONS,
        day=wording.day,
        when=wording.when,
        at=wording.at,
        rule_name_of=wording.rule_name_of,
        words=wording.words,
    )
