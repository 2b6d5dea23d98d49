"""The compliance dashboard: per rule and month, deadlines due, met on time, met late, missed and % on
time (a table and an SVG chart); the overdue list with the responsible worker; caseload per worker."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, Depends, Request, Response
from markupsafe import Markup

from activities import reports
from activities.users import User
from client.web.chart import Bar, percent_bars
from client.web.forms import FormErrors, month_values, optional_text, read_month
from client.web.render import render
from client.web.session import require_page
from domain.access import Permission

router = APIRouter(include_in_schema=False)
LONDON = ZoneInfo("Europe/London")
DEFAULT_MONTHS = 6


def _month(params: object, name: str, label: str, errors: FormErrors) -> date | None:
    return read_month(params, name, label, errors)


def rule_totals(rows: list[reports.ComplianceRow]) -> list[Bar]:
    """% on time per rule over the whole period (decided deadlines only, as the report counts them)."""
    on_time: dict[str, int] = defaultdict(int)
    decided: dict[str, int] = defaultdict(int)
    for r in rows:
        on_time[r.rule_id] += r.met_on_time
        decided[r.rule_id] += r.met_on_time + r.met_late + r.missed
    return [Bar(rule, 100 * on_time[rule] / decided[rule] if decided[rule] else None) for rule in sorted(decided)]


@router.get("/app/dashboard")
async def dashboard(
    request: Request, user: Annotated[User, Depends(require_page(Permission.READ_DASHBOARD))]
) -> Response:
    params = request.query_params
    errors = FormErrors()
    today = datetime.now(LONDON).date()
    this_month = today.replace(day=1)
    start = _month(params, "from", "From month", errors) or this_month - relativedelta(months=DEFAULT_MONTHS - 1)
    last = _month(params, "to", "To month", errors) or this_month
    if last < start:
        errors.add("to-month", "To month must be the same as or after the from month")
        last = start
    yjs = optional_text(params, "yjs")
    pool = request.app.state.ctx.pool
    rows = await reports.compliance_report(pool, start=start, end=last + relativedelta(months=1), yjs=yjs)
    bars = rule_totals(rows)
    period = f"{start:%B %Y} to {last:%B %Y}"
    chart = Markup(percent_bars(bars, title=f"Deadlines met on time, by rule, {period}"))
    return render(
        request,
        "dashboard.html",
        status_code=400 if errors else 200,
        errors=errors,
        rows=rows,
        chart=chart,
        period=period,
        overdue=await reports.overdue(pool, today=today, yjs=yjs, limit=200),
        caseload=await reports.caseload(pool, today=today, yjs=yjs),
        raw={"yjs": yjs or ""},
        months={
            "from": month_values(params, "from")
            if errors.has("from")
            else {"month": str(start.month), "year": str(start.year)},
            "to": month_values(params, "to")
            if errors.has("to")
            else {"month": str(last.month), "year": str(last.year)},
        },
    )
