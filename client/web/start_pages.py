"""The start page: what needs the signed-in person today, by what their role does. A case worker's and a
victim worker's overdue and soon-due work and what waits to be allocated; a manager's team-wide overdue
and unallocated counts; intake's arrivals and refusals today. Each figure links to the page that lists it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from activities import rejected_reads, reports, victim_contacts
from activities.users import User
from client.auth import user_services_filter
from client.web.intake_pages import INTAKE, start_of_today
from client.web.render import navigation_for, render
from client.web.session import page_user
from client.web.worker_pages import CASE_LIMIT, MY_CASES, MY_VICTIM_CONTACTS, OVERDUE_LIMIT, today
from domain.access import Permission, allows
from domain.events import wording

router = APIRouter(include_in_schema=False)
# "Due soon" on a start page: the working week ahead.
SOON = timedelta(days=7)
VICTIM_CONTACT = "victim_contact"


@dataclass(frozen=True)
class Need:
    """One line of the start page: a count in words, what it is, and where to act on it."""

    text: str
    href: str
    urgent: bool = False


@dataclass(frozen=True)
class Section:
    heading: str
    needs: list[Need]
    nothing: str  # said when nothing in the section needs the person


async def _case_work(pool: Any, user: User) -> Section:
    now = today()
    held = user_services_filter(user)
    late = await reports.overdue(pool, today=now, responsible=user.username, limit=OVERDUE_LIMIT, services=held)
    mine = await reports.cases(pool, responsible=user.username, limit=CASE_LIMIT, services=held)
    orders = [c for c in mine if c.kind != VICTIM_CONTACT]
    soon = [c for c in orders if c.next_deadline_due is not None and now <= c.next_deadline_due <= now + SOON]
    unallocated = [c for c in await reports.cases(pool, limit=CASE_LIMIT, services=held) if c.responsible is None]
    unallocated = [c for c in unallocated if c.kind != VICTIM_CONTACT]
    late_orders = {d.workflow_id for d in late if not d.workflow_id.startswith("victim-contact:")}
    needs = [
        Need(f"{wording.count(len(late_orders), 'order')} with overdue work", MY_CASES, True) if late_orders else None,
        Need(f"{wording.count(len(soon), 'order')} with a deadline in the next 7 days", MY_CASES) if soon else None,
        Need(f"{wording.count(len(unallocated), 'order')} waiting to be allocated", MY_CASES) if unallocated else None,
    ]
    return Section(
        "Your orders", [n for n in needs if n], f"Nothing is overdue or due this week on your {len(orders)} orders."
    )


async def _victim_work(pool: Any, user: User) -> Section:
    now = today()
    contacts = [
        c
        for c in await victim_contacts.list_contacts(pool, services=user_services_filter(user))
        if c.victim_worker in (user.username, None)
    ]
    mine = [c for c in contacts if c.victim_worker == user.username]
    late = [c for c in mine if c.next_deadline is not None and c.next_deadline.due_date < now]
    soon = [c for c in mine if c.next_deadline is not None and now <= c.next_deadline.due_date <= now + SOON]
    waiting = [c for c in contacts if c.victim_worker is None]
    needs = [
        Need(f"{wording.count(len(late), 'contact')} with overdue work", MY_VICTIM_CONTACTS, True) if late else None,
        Need(f"{wording.count(len(soon), 'contact')} with a deadline in the next 7 days", MY_VICTIM_CONTACTS)
        if soon
        else None,
        Need(f"{wording.count(len(waiting), 'contact')} waiting to be allocated", MY_VICTIM_CONTACTS)
        if waiting
        else None,
    ]
    return Section(
        "Your victims' contacts",
        [n for n in needs if n],
        f"Nothing is overdue or due this week on your {len(mine)} contacts.",
    )


async def _team(pool: Any, user: User) -> Section:
    held = user_services_filter(user)
    now = today()
    late = await reports.overdue(pool, today=now, limit=OVERDUE_LIMIT, services=held)
    unallocated = [c for c in await reports.cases(pool, limit=CASE_LIMIT, services=held) if c.responsible is None]
    cases_late = {d.workflow_id for d in late}
    needs = [
        Need(f"{wording.count(len(cases_late), 'case')} with overdue work across the service", "/app/dashboard", True)
        if cases_late
        else None,
        Need(f"{wording.count(len(unallocated), 'case')} nobody holds", "/app/dashboard") if unallocated else None,
    ]
    return Section("Your service", [n for n in needs if n], "No case is overdue and every case is held.")


async def _intake(pool: Any, user: User) -> Section:
    midnight = start_of_today()
    held = user_services_filter(user)
    arrived = await rejected_reads.arrived_since(pool, midnight, services=held)
    refused = [r for r in await rejected_reads.refused_since(pool, midnight, services=held) if not r["corrected"]]
    needs = [
        Need(f"{wording.count(len(refused), 'court outcome')} refused today, to correct", INTAKE, True)
        if refused
        else None,
        Need(f"{wording.count(len(arrived), 'court outcome')} arrived today", INTAKE) if arrived else None,
    ]
    return Section("Court outcomes", [n for n in needs if n], "No court outcome has arrived or been refused today.")


@router.get("/app", response_class=HTMLResponse)
async def start_page(request: Request, user: Annotated[User, Depends(page_user)]) -> Response:
    pool = request.app.state.ctx.pool
    sections = []
    if allows(user.role, Permission.ACT_ON_ORDER):
        sections.append(await _case_work(pool, user))
    if allows(user.role, Permission.ACT_ON_VICTIM_CONTACT):
        sections.append(await _victim_work(pool, user))
    if allows(user.role, Permission.READ_DASHBOARD):
        sections.append(await _team(pool, user))
    if allows(user.role, Permission.READ_REJECTED):
        sections.append(await _intake(pool, user))
    return render(request, "start.html", items=navigation_for(user), sections=sections, today=today())
