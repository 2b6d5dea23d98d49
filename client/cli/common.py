"""What every command shares: the settings (with a running `yjflow dev`'s addresses), the API client
and the database URL, the common options, and how results and errors are printed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from activities.settings import Settings
from client.python_client import ApiError, YjflowClient

LONDON = ZoneInfo("Europe/London")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def cli_settings() -> Settings:
    settings = Settings()
    dev_env = settings.data_dir / "dev.env"
    if dev_env.exists():
        # `yjflow dev` leaves its addresses here so a second shell finds the same database and API.
        settings = Settings(_env_file=(dev_env, ".env"))  # type: ignore[call-arg]
    return settings


def api_client(token: str | None, api_url: str | None) -> YjflowClient:
    s = cli_settings()
    token = token or s.token
    if not token:
        err.print("[red]No token:[/red] set YJFLOW_TOKEN or pass --token (see `yjflow users add`).")
        raise typer.Exit(2)
    return YjflowClient(api_url or s.resolved_api_url, token)


def database_url() -> str:
    url = cli_settings().database_url
    if not url:
        err.print("[red]DATABASE_URL is not set[/red] (and no running `yjflow dev` was found in YJFLOW_DATA_DIR).")
        raise typer.Exit(2)
    return url


TokenOpt = Annotated[str | None, typer.Option("--token", help="API token (default: $YJFLOW_TOKEN).")]
ApiOpt = Annotated[str | None, typer.Option("--api-url", help="API base URL (default: $YJFLOW_API_URL).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def cells(*values: str) -> list[Text]:
    """Table cells as plain text: what people typed (reasons, ids) is shown as typed, never read as markup."""
    return [Text(v) for v in values]


def london_time(instant: str) -> str:
    """An instant as a YJS reads it: Europe/London wall time."""
    return datetime.fromisoformat(instant).astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


def print_deadlines(items: list[dict[str, Any]], *, title: str) -> None:
    table = Table("workflow", "rule", "due", "status", "met on", "days late", "flags", title=title)
    for d in items:
        flags = "unconfirmed rule" if d["unconfirmed"] else ""
        table.add_row(
            *cells(
                d["workflow_id"],
                d["rule_id"],
                d["due_date"],
                d["status"],
                d["met_on"] or "",
                "" if d["days_late"] is None else str(d["days_late"]),
                flags,
            )
        )
    out.print(table)


def set_fields(items: list[str] | None) -> dict[str, Any]:
    """`--set key=value` items, sent as typed (the API reads "3" as a number and "false" as false where
    the step wants them). A list is given by repeating the key (`--set attendees=victim --set
    attendees=child`) or as JSON (`--set 'attendees=["victim", "child"]'`)."""
    fields: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            err.print(f"[red]--set takes key=value[/red] (got {escape(repr(item))})")
            raise typer.Exit(2)
        if value.startswith("["):
            try:
                fields[key] = json.loads(value)
                continue
            except ValueError:
                pass  # not JSON after all: sent as typed
        if key in fields:
            before = fields[key]
            fields[key] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            fields[key] = value
    return fields


def call_api(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except ApiError as e:
        err.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(1) from e
    except Exception as e:  # connection refused and friends: say where we tried
        if type(e).__module__.startswith("httpx"):
            err.print(
                f"[red]cannot reach the API:[/red] {escape(str(e))} (is `yjflow dev` running? set YJFLOW_API_URL)"
            )
            raise typer.Exit(1) from e
        raise
