"""Victims' contacts and details through the API: `victims`, `victim-step`, `victim-details`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from client.cli.common import ApiOpt, JsonOpt, TokenOpt, api_client, call_api, cells, err, out, set_fields


def victims(
    worker: Annotated[str | None, typer.Option(help="Only this victim worker's contacts (username).")] = None,
    due_before: Annotated[str | None, typer.Option(help="Only contacts with a deadline due before YYYY-MM-DD.")] = None,
    yjs: Annotated[str | None, typer.Option(help="Only this YJS's contacts.")] = None,
    include_closed: Annotated[bool, typer.Option("--include-closed", help="Closed contacts too.")] = False,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A victim worker's day: each open contact, its state, next step and next deadline (references only)."""
    with api_client(token, api_url) as yj:
        items = call_api(
            yj.victim_contacts,
            worker=worker,
            due_before=due_before,
            yjs=yjs,
            include_closed=include_closed or None,
        )
    if as_json:
        out.print_json(data=items)
        return
    table = Table("contact", "victim ref", "state", "worker", "next step", "next deadline", "due")
    for c in items:
        nxt = c["next_deadline"] or {}
        table.add_row(
            *cells(
                c["workflow_id"],
                c["victim_ref"],
                c["state"],
                c["victim_worker"] or "(unallocated)",
                ", ".join(c["next_steps"]),
                nxt.get("rule_id", ""),
                nxt.get("due_date", ""),
            )
        )
    out.print(table)
    if not items:
        out.print("no contacts match")


def victim_step(
    contact_id: Annotated[str, typer.Argument(help="The contact's workflow id (see `yjflow victims`).")],
    name: Annotated[str, typer.Argument(help="e.g. suitability_decided, contact_attempted, consent_recorded")],
    on: Annotated[str, typer.Option("--on", help="Effective date YYYY-MM-DD (when it happened).")],
    reason: Annotated[
        str | None,
        typer.Option(
            help="Why, or a note (needed e.g. for not inviting or a safe closure). Kept encrypted under the "
            "victim's key: only victim workers and their managers can read it, and it is erased with the victim."
        ),
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option("--set", help="More fields as key=value, e.g. channel=phone result=no_answer"),
    ] = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Record a step on a victim's contact; a step out of order or without consent is refused with the reason."""
    body: dict[str, Any] = {"step": name, "effective_date": on, **set_fields(field)}
    if reason:
        body["reason"] = reason
    with api_client(token, api_url) as yj:
        view = call_api(yj.record_victim_step, contact_id, body)
    out.print(f"recorded {name} on {contact_id}; the contact is now {view['contact']['state']}", markup=False)


def victim_details(
    victim_ref: Annotated[str, typer.Argument(help="The victim reference (never a name).")],
    file: Annotated[
        Path | None, typer.Option("--file", help="Record the details from this JSON file (- for stdin).")
    ] = None,
    show: Annotated[bool, typer.Option("--show", help="Show the details (the read is logged).")] = False,
    purpose: Annotated[
        str | None, typer.Option(help="Why you read (required with --show) or record them; it is logged.")
    ] = None,
    received_on: Annotated[
        str | None,
        typer.Option("--received-on", help="When the YJS received the details, YYYY-MM-DD (default today)."),
    ] = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Record a victim's details (--file) or show them (--show --purpose "…"); every access is logged.

    The file is one JSON object. A person: {"kind": "person", "under_18": false, "enhanced_rights": false,
    "contact_route": "phone", "name": "…", "phone": "…", "email": "…", "address": {"lines": ["…"],
    "town": "…", "postcode": "…"}, "preferred_contact_times": "…", "notes": "…"}. contact_route is one of
    phone, text_message (both need phone), email (email), letter (address), in_person, via_police or
    via_parent_or_guardian. A victim under 18 has "under_18": true, "enhanced_rights": true and
    "parent_or_guardian": {"name": "…", "relationship": "mother", "phone": "…"} (a phone, email or
    address). An organisation: {"kind": "organisation", "under_18": false, "enhanced_rights": false,
    "contact_route": "email", "organisation_name": "…", "named_contact": "…", "email": "…"}. Recording
    marks details_received on the victim's open contacts, dated --received-on (default today)."""
    if (file is None) == (not show):
        err.print("[red]give one of --file (record) or --show (read)[/red]")
        raise typer.Exit(2)
    if show:
        if not (purpose and purpose.strip()):
            err.print('[red]--show needs --purpose "…"[/red]: say why you need the details (it is logged)')
            raise typer.Exit(2)
        with api_client(token, api_url) as yj:
            data = call_api(yj.victim_details, victim_ref, purpose=purpose)
        out.print_json(data=data["details"])
        return
    assert file is not None
    if str(file) != "-" and not file.exists():
        err.print(f"[red]No such file:[/red] {escape(str(file))}")
        raise typer.Exit(2)
    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    try:
        details = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as e:
        # The position only, never the text around it: the file is personal data.
        err.print(f"[red]{escape(str(file))} is not JSON:[/red] line {e.lineno}, column {e.colno}")
        raise typer.Exit(2) from None
    with api_client(token, api_url) as yj:
        reply = call_api(yj.record_victim_details, victim_ref, details, purpose=purpose, received_on=received_on)
    out.print(f"recorded the details of {victim_ref} (stored encrypted)", markup=False)
    for wid in reply["updated"]:
        out.print(f"  details_received on {wid}", markup=False)
    for item in reply["unchanged"]:
        out.print(f"  {item['workflow_id']}: {item['why']}", markup=False)
