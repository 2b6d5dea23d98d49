"""Court results in, as the courts send them: a Common Platform resulted hearing (JSON) or a Libra SPI
results message (XML), translated per defendant (`domain.court_results`) and each outcome stored through
the same intake path as `POST /court-outcomes` (`activities.intake.receive_value`): kept in the inbox
before the reply, a re-delivery a duplicate, a refusal kept in the rejected list.

What cannot be translated is kept in the rejected list with the court's whole message as its text (and
the outcome as far as it was built, for correction and resubmission to `POST /court-outcomes`), so nothing
sent is lost. The answer says, per defendant, what became of them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from activities import court_result_amendments as amendments
from activities import intake
from activities.metrics import OUTCOMES_RECEIVED
from activities.rule_source import court_centres, court_result_mapping
from activities.users import User
from client.api.problems import OutcomeRefused, Refused
from client.app_context import AppContext, Ctx, today
from client.auth import require, user_services_filter
from domain.access import Permission
from domain.court_outcome import FieldError
from domain.court_results import (
    Ignored,
    MappingError,
    MessageRefused,
    NeedsCorrection,
    Translated,
    TranslationResult,
    resends,
    translate_common_platform,
    translate_spi,
)


class DefendantAnswer(BaseModel):
    """What became of one defendant: `accepted` (with the workflows), `duplicate`, `ignored` (with the
    reason), `rejected` (kept in the rejected list with the errors) or `amendment` (a changed resend held
    for a manager, with the difference)."""

    model_config = ConfigDict(extra="allow")

    defendant: dict[str, Any]
    result_codes: list[str]
    status: str


class CourtResultsAnswer(BaseModel):
    """Per defendant, what became of them."""

    feed: str
    defendants: list[DefendantAnswer]


_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": CourtResultsAnswer, "description": "Nothing new: every defendant a duplicate or not ours"},
    202: {"model": CourtResultsAnswer, "description": "Kept in the inbox for its workflows"},
    403: {"model": CourtResultsAnswer, "description": "Nothing kept for its workflows: a service not the caller's"},
    422: {
        "model": Refused | OutcomeRefused | CourtResultsAnswer,
        "description": "A bad parameter, the message refused whole, or every defendant of ours needing correction",
    },
}

router = APIRouter(tags=["intake"])
COURT_CENTRES_ENV = "YJFLOW_COURT_CENTRES_FILE"
Feed = Literal["common-platform", "spi"]
Service = Annotated[
    str | None, Query(max_length=50, description="the service responsible; without it the court centre decides")
]
Intake = Annotated[User, Depends(require(Permission.SUBMIT_OUTCOME))]


def _body(kind: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {kind: {"schema": {"type": "object" if kind.endswith("json") else "string"}}},
        }
    }


@router.post(
    "/court-results/common-platform", status_code=202, openapi_extra=_body("application/json"), responses=_ANSWERS
)
async def common_platform_results(request: Request, ctx: Ctx, user: Intake, yjs: Service = None) -> JSONResponse:
    """A Common Platform resulted hearing (`{"hearing": …, "sharedTime": …}`)."""
    raw = await request.body()
    message, problems = intake.parse_body(raw)
    if problems:
        return await _refused(ctx, "common-platform", raw, problems, user)
    return await _receive(ctx, "common-platform", raw, message, user, yjs)


@router.post("/court-results/spi", status_code=202, openapi_extra=_body("application/xml"), responses=_ANSWERS)
async def spi_results(request: Request, ctx: Ctx, user: Intake, yjs: Service = None) -> JSONResponse:
    """A Libra SPI results message: a `ResultedCaseMessage`, bare or in its CJSE `DeliverRequest`."""
    raw = await request.body()
    return await _receive(ctx, "spi", raw, raw, user, yjs)


def _translate(feed: Feed, message: object, yjs: str | None) -> list[TranslationResult]:
    try:
        configured = os.environ.get(COURT_CENTRES_ENV)
        mapping, centres = court_result_mapping(), court_centres(Path(configured) if configured else None)
    except (MappingError, OSError) as e:
        raise HTTPException(503, f"the court results mapping cannot be used: {e}") from e
    if feed == "common-platform":
        return translate_common_platform(message, mapping=mapping, court_centres=centres, today=today(), yjs=yjs)
    assert isinstance(message, bytes)
    return translate_spi(message, mapping=mapping, court_centres=centres, today=today(), yjs=yjs)


async def _receive(
    ctx: AppContext, feed: Feed, raw: bytes, message: object, user: User, yjs: str | None
) -> JSONResponse:
    try:
        results = _translate(feed, message, yjs)
    except MessageRefused as refused:
        return await _refused(ctx, feed, raw, refused.errors, user)
    text = raw.decode("utf-8", "replace")
    answers = [await _store(ctx, result, text, user) for result in results]
    for answer in answers:
        OUTCOMES_RECEIVED.labels(feed=feed, status=answer["status"]).inc()
    statuses = {a["status"] for a in answers}
    not_held = any(e.get("rule") == "yjs.held" for a in answers for e in a.get("errors", []))
    # 202 when something new was kept (for its workflows, or an amendment for a manager); 422 when nothing
    # was and something needs correcting; 403 when nothing was and a defendant's service is not the caller's.
    code = 202 if statuses & {"accepted", "amendment"} else 403 if not_held else 422 if "rejected" in statuses else 200
    return JSONResponse(status_code=code, content={"feed": feed, "defendants": answers})


async def _store(ctx: AppContext, result: TranslationResult, text: str, user: User) -> dict[str, Any]:
    pool, seal = ctx.pool, ctx.seal
    answer: dict[str, Any] = {"defendant": result.defendant.model_dump(), "result_codes": result.result_codes}
    if isinstance(result, Ignored):
        return {**answer, "status": "ignored", "reason": result.reason}
    if isinstance(result, Translated):
        return {**answer, **await _store_translated(ctx, result, text, user)}
    assert isinstance(result, NeedsCorrection)
    corrected = await _corrected_before(ctx, result)
    if corrected is not None:
        return {**answer, **corrected}
    who = result.defendant.child_id or result.defendant.position
    errors = [_about(who, result.defendant.case_reference, p.as_field_error()) for p in result.problems]
    # Kept out of the caller's own rejected list when it names a service the caller does not hold.
    not_held = intake.service_not_held(result.body, user.username, user_services_filter(user))
    errors = errors if not_held is None else [not_held, *errors]
    kept = await intake.keep_rejected(pool, result.body, text, errors, received_by=user.username, seal=seal)
    return {**answer, **kept.model_dump(mode="json", exclude_none=True)}


async def _store_translated(ctx: AppContext, result: Translated, text: str, user: User) -> dict[str, Any]:
    """An outcome for intake: a sentence ending the case's running remand, the same result again (a
    duplicate), or a changed resend held for a manager with the difference; else new, through intake."""
    pool, seal = ctx.pool, ctx.seal
    body = result.body
    not_held = intake.service_not_held(body, user.username, user_services_filter(user))
    if not_held is not None:  # refused before anything is compared or held: it is another service's child
        refused = await intake.keep_rejected(pool, body, text, [not_held], received_by=user.username, seal=seal)
        return refused.model_dump(mode="json", exclude_none=True)
    previous = await amendments.kept_body(pool, result.outcome.outcome_id, seal=seal)
    if previous is not None:
        changes = resends.difference(resends.plain(previous), body)
        if changes:
            held = await amendments.hold(
                pool,
                outcome_id=result.outcome.outcome_id,
                received_by=user.username,
                defendant=result.defendant.model_dump(),
                result_codes=result.result_codes,
                previous_body=previous,
                new_body=body,
                difference=[c.model_dump(mode="json") for c in changes],
                message_text=text,
                seal=seal,
            )
            if held.status != "held":  # this very change came before and a manager has decided it
                return {
                    "status": "duplicate",
                    "outcome_id": result.outcome.outcome_id,
                    "amendment_id": held.id,
                    "note": f"this change of the result was {held.status} by {held.decided_by}",
                }
            return {
                "status": "amendment",
                "outcome_id": result.outcome.outcome_id,
                "amendment_id": held.id,
                "difference": "; ".join(str(c) for c in changes),
                "note": "the court changed a result already kept: held for a manager to confirm or reject",
            }
        body = resends.as_kept(body, previous)
    elif resends.sentence_ends_remand(body, await amendments.remand_open(pool, resends.remand_ref(body))):
        body = resends.ending_the_remand(body, resends.remand_ref(body))
    # The same path as POST /court-outcomes; a refusal there keeps the court's whole message as its text.
    kept = await intake.receive_value(
        pool,
        body,
        text=text,
        received_by=user.username,
        today=today(),
        services=user_services_filter(user),
        child_records=ctx.child_records,
    )
    return kept.model_dump(mode="json", exclude_none=True)


async def _corrected_before(ctx: AppContext, result: NeedsCorrection) -> dict[str, Any] | None:
    """A resend of results someone corrected from the rejected list and resubmitted under the same outcome
    id: the inbox keeps the corrected outcome, so the resend is a duplicate, not a new rejection."""
    outcome_id = (result.body or {}).get("outcome_id")
    if not isinstance(outcome_id, str) or await amendments.kept_body(ctx.pool, outcome_id, seal=ctx.seal) is None:
        return None
    return {
        "status": "duplicate",
        "outcome_id": outcome_id,
        "note": "corrected and accepted before under this outcome id; the court's message still needs correcting: "
        + "; ".join(f"{p.field}: {p.message}" for p in result.problems),
    }


def _about(who: str, case_reference: str | None, error: FieldError) -> FieldError:
    case = f" in case {case_reference}" if case_reference else ""
    return FieldError(field=error.field, rule=error.rule, message=f"defendant {who}{case}: {error.message}")


async def _refused(ctx: AppContext, feed: Feed, raw: bytes, errors: list[FieldError], user: User) -> JSONResponse:
    """A message that is not a resulted hearing at all: kept whole in the rejected list, nothing translated."""
    kept = await intake.keep_rejected(
        ctx.pool, None, raw.decode("utf-8", "replace"), errors, received_by=user.username, seal=ctx.seal
    )
    return JSONResponse(
        status_code=422,
        content={
            "detail": f"{feed} message refused: see errors; it is kept whole in the rejected list",
            "rejection_id": kept.rejection_id,
            "outcome_id": None,
            "errors": [e.model_dump() for e in kept.errors],
        },
    )
