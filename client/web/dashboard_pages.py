"""The compliance dashboard: per rule and month, deadlines due, met and recorded on time, met on time but
recorded late (how late, and how many after escalations: "met only on paper"), met late, missed and % on
time (a table and an SVG chart); the same per rule and worker; the overdue list with the responsible
worker; caseload per worker."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, Depends, Request, Response
from markupsafe import Markup

from activities import reports
from activities.users import User
from client.auth import user_services_filter
from client.web.chart import Bar, percent_bars
from client.web.child_names import child_names
from client.web.forms import FormErrors, month_values, optional_text, read_month
from client.web.render import render
from client.web.session import require_page
from domain.access import Permission
from domain.compliance import ComplianceFigures

router = APIRouter(include_in_schema=False)
LONDON = ZoneInfo("Europe/London")
DEFAULT_MONTHS = 6
FIGURES = set(ComplianceFigures.model_fields)


def month_window(params: Any, errors: FormErrors, today: date) -> tuple[date, date, dict[str, dict[str, str]]]:
    """The first and last months a report covers (the last `DEFAULT_MONTHS` unless asked), each error on
    its month input, and the inputs' values to show again (as typed when refused)."""
    this_month = today.replace(day=1)
    start = read_month(params, "from", "From month", errors) or this_month - relativedelta(months=DEFAULT_MONTHS - 1)
    last = read_month(params, "to", "To month", errors) or this_month
    if last < start:
        errors.add("to-month", "To month must be the same as or after the from month")
        last = start
    months = {
        name: month_values(params, name) if errors.has(name) else {"month": str(day.month), "year": str(day.year)}
        for name, day in (("from", start), ("to", last))
    }
    return start, last, months


def rule_totals(rows: list[reports.ComplianceRow]) -> list[Bar]:
    """% met and recorded on time per rule over the whole period (decided deadlines only, as the report
    counts them), with the % met on time by the steps' own dates beside it when that is higher."""
    totals: dict[str, ComplianceFigures] = defaultdict(ComplianceFigures)
    for r in rows:
        totals[r.rule_id] += ComplianceFigures.model_validate(r.model_dump(include=FIGURES))
    return [Bar(rule, totals[rule].pct_on_time, totals[rule].pct_on_time_by_date) for rule in sorted(totals)]


@router.get("/app/dashboard")
async def dashboard(
    request: Request, user: Annotated[User, Depends(require_page(Permission.READ_DASHBOARD))]
) -> Response:
    params = request.query_params
    errors = FormErrors()
    today = datetime.now(LONDON).date()
    start, last, months = month_window(params, errors, today)
    yjs = optional_text(params, "yjs")
    pool = request.app.state.ctx.pool
    held = user_services_filter(user)  # the dashboard counts only the services the user holds
    end = last + relativedelta(months=1)
    rows = await reports.compliance_report(pool, start=start, end=end, yjs=yjs, services=held)
    bars = rule_totals(rows)
    period = f"{start:%B %Y} to {last:%B %Y}"
    chart = Markup(percent_bars(bars, title=f"Deadlines met and recorded on time, by rule, {period}"))
    overdue = await reports.overdue(pool, today=today, yjs=yjs, limit=200, services=held)
    return render(
        request,
        "dashboard.html",
        status_code=400 if errors else 200,
        errors=errors,
        rows=rows,
        by_worker=await reports.compliance_by_worker(pool, start=start, end=end, yjs=yjs, services=held),
        chart=chart,
        period=period,
        overdue=overdue,
        names=await child_names(request, user, [(o.yjs, o.child_id) for o in overdue]),
        caseload=await reports.caseload(pool, today=today, yjs=yjs, services=held),
        raw={"yjs": yjs or ""},
        months=months,
    )
