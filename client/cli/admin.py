"""Administration straight on the database: `users add`, the `calendar`'s overrides, and the `rules` in
force."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from client.cli.common import JsonOpt, cli_settings, database_url, err, out

users_app = typer.Typer(help="Manage API users and their tokens (needs DATABASE_URL).", no_args_is_help=True)
calendar_app = typer.Typer(help="The working-day calendar's override table (needs DATABASE_URL).", no_args_is_help=True)


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="intake, case_worker, victim_worker, manager, inspector or admin")],
    email: Annotated[str | None, typer.Option(help="Where reminders are emailed.")] = None,
    manager: Annotated[str | None, typer.Option(help="The user's manager (receives escalations).")] = None,
    service: Annotated[
        list[str] | None,
        typer.Option(
            "--service",
            help="A service (YJS slug, e.g. luton) the user holds; repeat for several. Without it the user "
            "holds every service (a single-service deployment, operators).",
        ),
    ] = None,
    valid_from: Annotated[
        str | None, typer.Option("--from", help="YYYY-MM-DD: the first day of access (inspectors).")
    ] = None,
    valid_until: Annotated[
        str | None,
        typer.Option("--until", help="YYYY-MM-DD: the last day of access; required for an inspector."),
    ] = None,
) -> None:
    """Create a user and print their new token alone on stdout (it is stored hashed, shown once).

    An inspector is granted named services between two dates: `--role inspector --service luton
    --from 2026-12-01 --until 2026-12-19`; outside those days every token of theirs is refused."""
    from datetime import date

    from activities.db import open_pool
    from activities.users import add_user

    def day(option: str, text: str | None) -> date | None:
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            err.print(f"[red]{option} must be a date, YYYY-MM-DD:[/red] {escape(repr(text))}")
            raise typer.Exit(2) from None

    start, until = day("--from", valid_from), day("--until", valid_until)
    if role == "inspector" and (not service or until is None):
        err.print(
            "[red]an inspector's access is time-boxed: name the services inspected (--service) and the last "
            "day of access (--until YYYY-MM-DD; --from defaults to today)[/red]"
        )
        raise typer.Exit(2)

    async def run() -> str:
        pool = await open_pool(database_url())
        try:
            return await add_user(
                pool,
                name,
                role,
                email=email,
                manager=manager,
                services=service or None,
                valid_from=start,
                valid_until=until,
            )
        finally:
            await pool.close()

    try:
        token = asyncio.run(run())
    except ValueError as e:
        err.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(2) from e
    print(token)


def rules(as_json: JsonOpt = False) -> None:
    """Show the rule pack in force: the shipped pack with YJFLOW_RULES_FILE's overrides applied."""
    from activities.rule_source import load_rule_pack

    settings = cli_settings()
    try:
        pack = load_rule_pack(settings.rules_file)
    except (OSError, ValueError) as e:
        err.print(f"[red]YJFLOW_RULES_FILE {settings.rules_file}:[/red] {e}", markup=False)
        raise typer.Exit(2) from e
    if as_json:
        out.print_json(data=pack.model_dump(mode="json"))
        return
    table = Table(
        "rule", "clock starts", "amount", "unit", "type", "confidence", "flags", title=f"Rule pack {pack.version}"
    )
    for r in pack.rules.values():
        table.add_row(
            r.id,
            r.clock_start,
            "" if r.amount is None else str(r.amount),
            r.unit,
            r.type.value,
            r.confidence,
            "unconfirmed" if r.unconfirmed else "",
        )
    out.print(table)


@calendar_app.command("add-holiday")
def calendar_add_holiday(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    reason: Annotated[str, typer.Option(help="e.g. 'State funeral'")],
    source: Annotated[str, typer.Option(help="Where it was announced (URL or proclamation).")],
    remove: Annotated[bool, typer.Option("--remove", help="Make a listed bank holiday a working day instead.")] = False,
    by: Annotated[str, typer.Option(help="Who is making the change.")] = "admin",
) -> None:
    """Add (or remove) a bank holiday; deadlines scheduled from now on use it, past ones keep their calendar."""
    from datetime import date as date_type

    from activities.rule_source import OverrideAction, set_calendar_override

    try:
        when = date_type.fromisoformat(day)
    except ValueError as e:
        err.print(f"[red]day must be YYYY-MM-DD:[/red] {day!r}", markup=False)
        raise typer.Exit(2) from e
    action: OverrideAction = "remove_holiday" if remove else "add_holiday"
    set_calendar_override(database_url(), when, action, reason, source, by)
    out.print(f"{action.replace('_', ' ')}: {when} ({reason})")


@calendar_app.command("list")
def calendar_list() -> None:
    """List the overrides and the calendar version they make."""
    from activities.rule_source import list_calendar_overrides
    from domain.calendar import HolidayOverride, WorkingCalendar

    rows = list_calendar_overrides(database_url())
    table = Table("day", "action", "reason", "source", "by")
    for r in rows:
        table.add_row(str(r.day), r.action, r.reason, r.source, r.created_by)
    out.print(table)
    overrides = [HolidayOverride(day=r.day, action=r.action, reason=r.reason, source=r.source) for r in rows]
    out.print(f"calendar version: {WorkingCalendar.england_and_wales(overrides).version}")
