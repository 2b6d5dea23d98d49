"""The child's record as the pages show it, and the form that corrects it (through the same store and
rules as `PATCH /children/{id}/record`): a refusal sits on the field at fault, and the reason is required."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from activities import child_records as records
from activities.users import User
from client.app_context import today
from client.web.child_names import record_of
from client.web.forms import FormErrors, read_date
from client.web.render import render
from client.web.session import PageRefused, csrf_protect, require_page
from domain import child_record as cr
from domain.access import Permission
from domain.events import wording

router = APIRouter(include_in_schema=False)
Corrector = Annotated[User, Depends(require_page(Permission.CORRECT_CHILD_RECORD))]

SEX_WORDS: dict[str, str] = {"female": "Female", "male": "Male", "not_known": "Not known"}
# The ONS 2021 categories in the Census's own words, grouped as its question asks them.
ETHNICITY_WORDS: dict[str, str] = {
    "asian_bangladeshi": "Bangladeshi",
    "asian_chinese": "Chinese",
    "asian_indian": "Indian",
    "asian_pakistani": "Pakistani",
    "asian_other": "Any other Asian background",
    "black_african": "African",
    "black_caribbean": "Caribbean",
    "black_other": "Any other Black, Black British or Caribbean background",
    "mixed_white_and_asian": "White and Asian",
    "mixed_white_and_black_african": "White and Black African",
    "mixed_white_and_black_caribbean": "White and Black Caribbean",
    "mixed_other": "Any other Mixed or Multiple ethnic background",
    "white_british": "English, Welsh, Scottish, Northern Irish or British",
    "white_irish": "Irish",
    "white_gypsy_or_irish_traveller": "Gypsy or Irish Traveller",
    "white_roma": "Roma",
    "white_other": "Any other White background",
    "other_arab": "Arab",
    "other_any": "Any other ethnic group",
    "not_stated": "Not stated",
    "not_known": "Not known",
}
LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "pnc": "PNC id",
    "reason": "Why you are correcting the record",
}


def ethnicity_words(ethnicity: cr.Ethnicity) -> str:
    """The category with its group, e.g. "Black, Black British, ...: Caribbean"."""
    group = cr.ethnic_group(ethnicity)
    words = ETHNICITY_WORDS[ethnicity.value]
    return words if group in ("not_stated", "not_known") else f"{cr.ETHNIC_GROUPS[group]}: {words}"


def shown(held: records.HeldRecord, on: date) -> list[tuple[str, str]]:
    """The record as label and value for the timeline page's summary."""
    r = held.record
    return [
        ("Name", r.name),
        ("Date of birth", wording.day(r.date_of_birth)),
        ("Age", str(r.age_on(on))),
        ("Sex", SEX_WORDS[r.sex.value]),
        ("Ethnicity", ethnicity_words(r.ethnicity)),
        ("PNC id", r.pnc or "Not recorded"),
    ]


def _record_url(child_id: str) -> str:
    return f"/app/children/{quote(child_id, safe='')}/record"


async def _held(request: Request, user: User, child_id: str) -> records.HeldRecord:
    held = await record_of(request, user, child_id)
    if held is None:
        raise PageRefused(f"no record of child {child_id} is held by your service", 404, "Record not found")
    return held


def _values(r: cr.ChildRecord) -> dict[str, Any]:
    d = r.date_of_birth
    return {
        "given_name": r.given_name,
        "family_name": r.family_name,
        "date_of_birth": {"day": str(d.day), "month": str(d.month), "year": str(d.year)},
        "sex": r.sex.value,
        "ethnicity": r.ethnicity.value,
        "pnc": r.pnc or "",
        "reason": "",
    }


def _form(request: Request, child_id: str, values: dict[str, Any], errors: FormErrors) -> Response:
    return render(
        request,
        "child_record_form.html",
        status_code=400 if errors else 200,
        child_id=child_id,
        action=_record_url(child_id),
        values=values,
        errors=errors,
        labels=LABELS,
        sexes=SEX_WORDS,
        ethnicities=[(e.value, ethnicity_words(e)) for e in cr.Ethnicity],
    )


@router.get("/app/children/{child_id}/record")
async def record_form(request: Request, child_id: str, user: Corrector) -> Response:
    held = await _held(request, user, child_id)
    return _form(request, child_id, _values(held.record), FormErrors())


@router.post("/app/children/{child_id}/record", dependencies=[Depends(csrf_protect)])
async def correct_record(request: Request, child_id: str, user: Corrector) -> Response:
    held = await _held(request, user, child_id)
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    errors = FormErrors()
    typed: dict[str, Any] = {k: text(k) for k in ("given_name", "family_name", "sex", "ethnicity", "pnc", "reason")}
    typed["date_of_birth"] = {p: text(f"date_of_birth-{p}") for p in ("day", "month", "year")}
    born = read_date(form, "date_of_birth", "Date of birth", errors, required=True, latest=today())
    if not typed["reason"]:
        errors.add("reason", "Enter why you are correcting the record (it is kept on the child's timeline)")
    changes: dict[str, Any] = {k: typed[k] for k in ("given_name", "family_name", "sex", "ethnicity")}
    changes["pnc"] = typed["pnc"] or None
    if born is not None:
        changes["date_of_birth"] = born
    if not errors:
        try:
            correction = cr.RecordCorrection(changes=changes, reason=typed["reason"])
            await request.app.state.ctx.child_records.correct(
                yjs=held.yjs, child_id=child_id, correction=correction, actor=user.username
            )
        except ValidationError as e:
            for err in e.errors():
                field = str(err["loc"][0]) if err["loc"] else "given_name"
                label = LABELS.get(field, field)
                message = str(err["msg"]).removeprefix("Value error, ")
                errors.add(f"{field}-day" if field == "date_of_birth" else field, f"{label}: {message}")
    if errors:
        return _form(request, child_id, typed, errors)
    return RedirectResponse(f"/app/children/{quote(child_id, safe='')}?record=corrected", status_code=303)


__all__ = ["ethnicity_words", "router", "shown"]
