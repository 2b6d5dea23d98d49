"""The board's quarterly report page: orders started and ended by kind, compliance by rule, remand
episodes and how they ended, the statutory cohort against the 10–17 population, as tables with
server-rendered charts; the same figures as CSV (`/app/reports/board.csv`) and JSON (`/reports/board`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from markupsafe import Markup

from activities import board_report
from activities.users import User
from client.app_context import today
from client.auth import one_service_of
from client.board_csv import board_csv
from client.web.chart import Bar, count_bars, percent_bars
from client.web.forms import FormErrors, optional_text
from client.web.render import add_navigation, render
from client.web.session import require_page
from domain.access import Permission
from domain.board_report import BoardReport, PopulationError, Quarter

router = APIRouter(include_in_schema=False)
Reader = Annotated[User, Depends(require_page(Permission.READ_DASHBOARD))]
QUARTERS_OFFERED = 8
add_navigation("Board report", "/app/reports/board", Permission.READ_DASHBOARD)


def _quarter(raw: str | None, errors: FormErrors) -> Quarter:
    last_whole = Quarter.containing(today()).previous()
    if raw is None:
        return last_whole
    try:
        return Quarter.parse(raw)
    except ValueError as e:
        errors.add("quarter", str(e).capitalize())
        return last_whole


def _charts(report: BoardReport) -> dict[str, Markup]:
    orders = [(o.kind.replace("_", " "), [("started", o.started), ("ended", o.ended)]) for o in report.orders]
    compliance = [Bar(rule, f.pct_on_time, f.pct_on_time_by_date) for rule, f in report.compliance.items()]
    return {
        "orders": Markup(
            count_bars(orders, title=f"Orders started and ended, {report.label}", chart_id="orders-chart")
        ),
        "compliance": Markup(
            percent_bars(
                compliance, title=f"Deadlines met and recorded on time, {report.label}", chart_id="board-compliance"
            )
        ),
    }


async def _report(request: Request, user: User, errors: FormErrors) -> tuple[BoardReport | None, Quarter, str | None]:
    params = request.query_params
    quarter = _quarter(optional_text(params, "quarter"), errors)
    try:
        yjs = one_service_of(user, optional_text(params, "yjs"))
    except HTTPException as e:
        if e.status_code != 422:
            raise
        errors.add("yjs", "Choose the service the report is for")
        return None, quarter, None
    try:
        population = board_report.population_policy()
    except (PopulationError, OSError) as e:
        errors.add("yjs", f"The population file cannot be used: {e}")
        return None, quarter, yjs
    report = await board_report.board_report(
        request.app.state.ctx.pool, quarter, yjs=yjs, population=population, records=request.app.state.ctx.child_records
    )
    return report, quarter, yjs


@router.get("/app/reports/board")
async def board_page(request: Request, user: Reader) -> Response:
    errors = FormErrors()
    report, quarter, yjs = await _report(request, user, errors)
    current = Quarter.containing(today())
    offered = [current]
    for _ in range(QUARTERS_OFFERED - 1):
        offered.append(offered[-1].previous())
    return render(
        request,
        "board_report.html",
        status_code=400 if errors else 200,
        errors=errors,
        report=report,
        charts=_charts(report) if report else {},
        quarter=quarter,
        offered=offered,
        raw={"quarter": request.query_params.get("quarter") or quarter.id, "yjs": yjs or ""},
    )


@router.get("/app/reports/board.csv")
async def board_page_csv(request: Request, user: Reader) -> Response:
    errors = FormErrors()
    report, _, _ = await _report(request, user, errors)
    if errors or report is None:
        return Response("; ".join(e["text"] for e in errors), status_code=400, media_type="text/plain")
    name = "".join(
        c if c.isalnum() or c in "-_." else "_" for c in f"board-report-{report.yjs or 'all'}-{report.quarter}"
    )
    return Response(
        board_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
