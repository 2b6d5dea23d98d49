"""The management reports over HTTP: compliance by rule and month and by rule and worker (late recording
counted apart), and the board's quarterly report as JSON or CSV. Bad parameters are a 422 naming the
field and the rule, like every refusal of the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from activities import board_report, reports, yjb_extract
from activities.users import User
from client.api.problems import error
from client.app_context import Ctx, today
from client.auth import one_service_of, require, require_service, user_services_filter
from client.board_csv import board_csv
from domain.access import Permission
from domain.board_report import BoardReport, PopulationError, Quarter

router = APIRouter()
Reader = Annotated[User, Depends(require(Permission.READ_DASHBOARD))]
From = Annotated[date, Query(alias="from", description="First due date counted (YYYY-MM-DD).")]
To = Annotated[date, Query(alias="to", description="First due date no longer counted (YYYY-MM-DD).")]
Service = Annotated[str | None, Query(description="One service (YJS); every service when left out.")]
QuarterParam = Annotated[
    str | None,
    Query(
        description="A financial year's quarter, YYYY-YY-Qn (2026-27-Q1 is April to June 2026); "
        "the last whole one if left out."
    ),
]


def _window(start: date, end: date) -> None:
    if end <= start:
        raise HTTPException(422, [error("to", "to.after_from", f"to ({end}) must be after from ({start})")])


@router.get("/reports/compliance", tags=["reports"])
async def compliance(ctx: Ctx, user: Reader, start: From, end: To, yjs: Service = None) -> list[reports.ComplianceRow]:
    """Deadlines due in [from, to) per rule and month: met and recorded on time, met on time but recorded
    late (how many days, how many after escalations), met late, missed, still open."""
    _window(start, end)
    held = user_services_filter(user, yjs)
    return await reports.compliance_report(ctx.pool, start=start, end=end, yjs=yjs, services=held)


@router.get("/reports/compliance-by-worker", tags=["reports"])
async def compliance_by_worker(
    ctx: Ctx, user: Reader, start: From, end: To, yjs: Service = None
) -> list[reports.WorkerComplianceRow]:
    """The same figures per rule and the case's responsible worker, over the whole window."""
    _window(start, end)
    held = user_services_filter(user, yjs)
    return await reports.compliance_by_worker(ctx.pool, start=start, end=end, yjs=yjs, services=held)


def quarter_asked(raw: str | None, field: str = "quarter") -> Quarter:
    """The quarter named, or the last whole quarter before today's; a bad one is a 422 naming it."""
    if raw is None or not raw.strip():
        return Quarter.containing(today()).previous()
    try:
        return Quarter.parse(raw)
    except ValueError as e:
        raise HTTPException(422, [error(field, f"{field}.format", str(e))]) from e


async def board(ctx: Ctx, quarter: Quarter, yjs: str | None) -> BoardReport:
    try:
        population = board_report.population_policy()
    except (PopulationError, OSError) as e:
        raise HTTPException(503, f"the population file cannot be used: {e}") from e
    return await board_report.board_report(ctx.pool, quarter, yjs=yjs, population=population, records=ctx.child_records)


@router.get("/reports/board", tags=["reports"])
async def board_json(ctx: Ctx, user: Reader, quarter: QuarterParam = None, yjs: Service = None) -> BoardReport:
    """The board's quarterly report: orders started and ended by kind, compliance by rule, remand episodes
    and how they ended, the statutory cohort against the 10–17 population (items not held say so)."""
    return await board(ctx, quarter_asked(quarter), one_service_of(user, yjs))


@router.get(
    "/reports/board.csv",
    tags=["reports"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One figure a line: section, item, measure, value"}},
)
async def board_as_csv(ctx: Ctx, user: Reader, quarter: QuarterParam = None, yjs: Service = None) -> Response:
    """The board's quarterly report as CSV."""
    report = await board(ctx, quarter_asked(quarter), one_service_of(user, yjs))
    name = f"board-report-{report.yjs or 'all'}-{report.quarter}.csv"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return Response(
        board_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


@router.get("/reports/yjb-extract", tags=["reports"])
async def yjb_case_level_extract(
    ctx: Ctx,
    user: Reader,
    start: Annotated[date, Query(alias="from", description="First day of the period (YYYY-MM-DD).")],
    end: Annotated[date, Query(alias="to", description="First day after the period (YYYY-MM-DD).")],
    yjs: Annotated[str, Query(min_length=1, description="The service whose children are extracted.")],
) -> dict[str, Any]:
    """The YJB case-level extract: per child with a case open in [from, to), the document items yjflow
    holds (person_details, offence, hearing, link_hearing_offence, intervention_programme,
    victim_intervention), valid against the schema at /reports/yjb-extract/schema; items not held are
    listed under `not_held`."""
    _window(start, end)
    require_service(user, yjs, f"no service {yjs}")
    try:
        return await yjb_extract.yjb_extract(ctx.pool, yjs=yjs, start=start, end=end, records=ctx.child_records)
    except yjb_extract.ExtractInvalid as e:
        raise HTTPException(500, {"message": str(e), "problems": e.problems}) from e


@router.get("/reports/yjb-extract/schema", tags=["reports"])
async def yjb_extract_schema(user: Reader) -> dict[str, Any]:
    """The JSON Schema every extract is checked against."""
    return yjb_extract.extract_schema()
