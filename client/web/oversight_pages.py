"""Management oversight for a manager: the oversight their team owes, soonest first (overdue marked),
and per manager and month the share of cases whose oversight was recorded on time (a table and a
chart). A manager sees their own team by default; `?team=all` shows every manager's, as an inspector
or an administrator sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, Depends, Request, Response
from markupsafe import Markup

from activities import oversight_reports as reports
from activities.users import User
from client.auth import user_services_filter
from client.web.chart import Bar, percent_bars
from client.web.child_names import child_names
from client.web.dashboard_pages import month_window
from client.web.forms import FormErrors, optional_text
from client.web.render import add_navigation, render
from client.web.session import require_page
from domain.access import Permission, Role

router = APIRouter(include_in_schema=False)
LONDON = ZoneInfo("Europe/London")
add_navigation("Oversight", "/app/oversight", Permission.READ_DASHBOARD)


def share_bars(rows: list[reports.TimelyShare]) -> list[Bar]:
    """% of cases with timely oversight per manager over the whole period."""
    cases: dict[str, int] = {}
    timely: dict[str, int] = {}
    for r in rows:
        who = r.manager or "Not allocated"
        cases[who] = cases.get(who, 0) + r.cases
        timely[who] = timely.get(who, 0) + r.timely
    return [Bar(who, 100 * timely[who] / cases[who] if cases[who] else None) for who in sorted(cases)]


@router.get("/app/oversight")
async def oversight(
    request: Request, user: Annotated[User, Depends(require_page(Permission.READ_DASHBOARD))]
) -> Response:
    params = request.query_params
    errors = FormErrors()
    today = datetime.now(LONDON).date()
    start, last, months = month_window(params, errors, today)
    yjs = optional_text(params, "yjs")
    team = optional_text(params, "team")
    # A manager's own team unless they ask for everyone's; others see every team.
    manager = None if team == "all" or user.role != Role.MANAGER else (team or user.username)
    pool = request.app.state.ctx.pool
    held = user_services_filter(user)
    owed = await reports.owed_oversight(pool, today=today, manager=manager, yjs=yjs, services=held)
    shares = await reports.timely_share(
        pool, start=start, end=last + relativedelta(months=1), today=today, manager=manager, yjs=yjs, services=held
    )
    period = f"{start:%B %Y} to {last:%B %Y}"
    chart = Markup(
        percent_bars(
            share_bars(shares), title=f"Cases with timely oversight, by manager, {period}", chart_id="oversight-chart"
        )
    )
    return render(
        request,
        "oversight.html",
        status_code=400 if errors else 200,
        errors=errors,
        owed=owed,
        names=await child_names(request, user, [(o.yjs, o.child_id) for o in owed]),
        overdue=sum(1 for o in owed if o.overdue),
        shares=shares,
        chart=chart,
        period=period,
        team=manager,
        raw={"yjs": yjs or ""},
        months=months,
    )
