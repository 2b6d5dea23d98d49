"""The YJB's returns over HTTP: KPI 10 (victims) for a service and a quarter, as JSON or CSV, each row
with the contacts it counts (references only). Bad parameters are a 422 naming the field and the rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from activities.kpi10 import kpi10_return
from activities.users import User
from client.api.problems import error
from client.app_context import Ctx
from client.auth import require, require_service
from client.kpi10_csv import kpi10_csv
from domain.access import Permission
from domain.kpi10 import Kpi10, Quarter

router = APIRouter()
Reader = Annotated[User, Depends(require(Permission.READ_VICTIM_CONTACTS))]
Service = Annotated[str, Query(min_length=1, max_length=100, description="The YJS (its code, as orders carry it).")]
QuarterParam = Annotated[
    str,
    Query(
        description="The quarter: calendar YYYYQn (2026Q4 is October to December 2026) or the financial "
        "year's YYYY-YY-Qn (2026-27-Q3 is the same months). Orders count where their closing took effect."
    ),
]
Row = Annotated[int | None, Query(ge=1, le=9, description="Only this row's drill-down (CSV).")]


def quarter_of(raw: str) -> Quarter:
    try:
        return Quarter.parse(raw)
    except ValueError as e:
        raise HTTPException(422, [error("quarter", "format", str(e))]) from e


@router.get("/reports/yjb/kpi10", tags=["reports"])
async def kpi10_json(ctx: Ctx, user: Reader, yjs: Service, quarter: QuarterParam) -> Kpi10:
    """KPI 10's nine rows for the victims of children whose order closed in the quarter; each row's
    `counted` lists the children (row 1) or victims' contacts it counts."""
    require_service(user, yjs, f"no service {yjs}")
    return await kpi10_return(ctx.pool, yjs, quarter_of(quarter))


@router.get(
    "/reports/yjb/kpi10.csv",
    tags=["reports"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The rows, or one row's drill-down"}},
)
async def kpi10_as_csv(ctx: Ctx, user: Reader, yjs: Service, quarter: QuarterParam, row: Row = None) -> Response:
    """KPI 10 as CSV: the nine rows, or with `row` the references that row counts."""
    require_service(user, yjs, f"no service {yjs}")
    report = await kpi10_return(ctx.pool, yjs, quarter_of(quarter))
    name = f"kpi10-{report.yjs}-{report.quarter}{f'-row{row}' if row else ''}.csv"
    return Response(
        kpi10_csv(report, row),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
