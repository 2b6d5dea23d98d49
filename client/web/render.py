"""Rendering pages: one Jinja2 environment (autoescaped) and `render`, which gives every template the
signed-in user, the session's CSRF token, the navigation the user's role may see and the service name."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from activities.users import User
from client.web.plain_words import in_words, plain_refusal, state_label, step_label
from domain.access import Permission, allows
from domain.events import sentences, wording

SERVICE_NAME = "Youth justice case records"
TEMPLATES = Path(__file__).resolve().parent / "templates"
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    permission: Permission | None  # None: every signed-in user


# The service navigation, in order; an item shows only to roles holding its permission (the same table
# the API checks). Other page modules add theirs with `add_navigation`.
NAVIGATION: list[NavItem] = [
    NavItem("Find a child", "/app/children", Permission.READ_TIMELINE),
    NavItem("Dashboard", "/app/dashboard", Permission.READ_DASHBOARD),
    NavItem("Inspection sample", "/app/inspection", Permission.TAKE_INSPECTION_SAMPLE),
]


def add_navigation(label: str, href: str, permission: Permission | None) -> None:
    """Add a service navigation item (once; a second call with the same href is ignored)."""
    if all(item.href != href for item in NAVIGATION):
        NAVIGATION.append(NavItem(label, href, permission))


def navigation_for(user: User | None) -> list[NavItem]:
    if user is None:
        return []
    return [item for item in NAVIGATION if item.permission is None or allows(user.role, item.permission)]


def _london_time(value: datetime | None) -> str:
    """'2:30pm on Tuesday 1 December 2026', in London: the one way a page says an instant."""
    if value is None:
        return ""
    return wording.at(value)


def _long_date(value: date | datetime | None) -> str:
    """'Tuesday 1 December 2026' (a London date for an instant): the one way a page says a day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return wording.day(value)


@functools.lru_cache(maxsize=4096)  # the same few hundred field and event names, thousands of times a page
def humanise(name: str) -> str:
    """`VictimContactOpened` / `vcs_referral_made` → 'Victim contact opened' / 'VCS referral made'."""
    words: list[str] = []
    current = ""
    for ch in name.replace("_", " "):
        if ch.isupper() and current and not current.endswith(" "):
            words.append(current)
            current = ch.lower()
        else:
            current += ch.lower() if ch.isupper() else ch
    words.append(current)
    text = in_words(" ".join(words))
    return text[:1].upper() + text[1:]


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["london_time"] = _london_time
environment.filters["long_date"] = _long_date
environment.filters["humanise"] = humanise
environment.filters["step_label"] = step_label
environment.filters["state_label"] = state_label
environment.filters["event_title"] = sentences.title
environment.filters["plain_refusal"] = plain_refusal
environment.filters["days_in_words"] = wording.days_in_words


@functools.cache
def asset_version() -> str:
    """A digest of the served top-level assets: their URLs change when they do, so caching can be long."""
    digest = hashlib.sha256()
    static = Path(__file__).resolve().parent / "static"
    for file in sorted(static.glob("*.*")):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def render(request: Request, template_name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The template rendered with `user`, `csrf_token`, `navigation`, `service_name` and `current_path`
    added to `context` (from the session that `page_user` resumed, when there is one)."""
    user: User | None = getattr(request.state, "user", None)
    full = {
        "user": user,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "navigation": navigation_for(user),
        "service_name": SERVICE_NAME,
        "current_path": request.url.path,
        "errors": [],
        "asset_version": asset_version(),
        **context,
    }
    html = environment.get_template(template_name).render(full)
    return HTMLResponse(html, status_code=status_code)
