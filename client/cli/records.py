"""An order's and a child's record through the API: `timeline`, `inspection-sample`, `deadlines`,
`order`, `export`, a person's `step` on an order, and the `correct`ion of a step recorded by mistake."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from client.cli.common import (
    ApiOpt,
    JsonOpt,
    TokenOpt,
    api_client,
    call_api,
    cells,
    err,
    london_time,
    out,
    print_deadlines,
)


def timeline(child_id: str, token: TokenOpt = None, api_url: ApiOpt = None, as_json: JsonOpt = False) -> None:
    """Every event for a child in effective order, with recorded time, actor and late entries."""
    with api_client(token, api_url) as yj:
        data = call_api(yj.timeline, child_id)
    if as_json:
        out.print_json(data=data)
        return
    table = Table("effective", "recorded", "event", "actor", "late", "detail", title=Text(f"Timeline of {child_id}"))
    for e in data["events"]:
        table.add_row(
            *cells(
                london_time(e["effective_at"]),
                london_time(e["recorded_at"]),
                f"{e['event_type']} #{e['stream_version']}",
                e["actor"],
                " ".join(
                    filter(
                        None,
                        [
                            "LATE ENTRY" if e["late_entry"] else "",
                            f"SUPERSEDED by #{e['superseded_by']['stream_version']}" if e.get("superseded_by") else "",
                        ],
                    )
                ),
                _detail(e),
            )
        )
    out.print(table)
    print_deadlines(data["deadlines"], title="Deadlines")


def inspection_sample(
    start: Annotated[str, typer.Option(help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option(help="Last day of the period (YYYY-MM-DD).")],
    yjs: Annotated[str | None, typer.Option(help="One service only.")] = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same sample.")] = 0,
    children: Annotated[int | None, typer.Option(help="Children's cases (default: by the policy).")] = None,
    victims: Annotated[int | None, typer.Option(help="Victims' cases (default: by the policy).")] = None,
    gaps_only: Annotated[
        bool, typer.Option("--gaps-only", help="Children's cases only where oversight is missing or late.")
    ] = False,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Choose an inspection sample: children's and victims' cases open in the period, stratified by
    order kind, sized by the inspection policy (domain/rules/inspection.toml), reproducible with --seed."""
    with api_client(token, api_url) as yj:
        data = call_api(
            yj.inspection_sample,
            start=start,
            end=end,
            yjs=yjs,
            seed=seed,
            children=children,
            victims=victims,
            gaps_only=gaps_only or None,
        )
    if as_json:
        out.print_json(data=data)
        return
    for key, title in (("children", "Children's cases"), ("victims", "Victims' cases")):
        group = data[key]
        strata = ", ".join(f"{s['kind']} {s['chosen']}/{s['eligible']}" for s in group["strata"]) or "none eligible"
        table = Table("case", "kind", "child", "opened", title=Text(f"{title}: {group['size']} of {group['eligible']}"))
        for c in group["cases"]:
            table.add_row(*cells(c["workflow_id"], c["kind"], c["child_id"], c["opened_on"]))
        out.print(table)
        out.print(Text(f"  by kind: {strata}"))
    out.print(Text(f"policy {data['policy_version']}, seed {seed}"))


def _detail(e: dict[str, Any]) -> str:
    p = e["payload"]
    if e["workflow_id"].startswith("victim-contact:"):
        return f"victim {p.get('victim_ref') or '?'}"  # a victim's contact: the reference and the step only
    if "rule_id" in p:
        return f"{p['rule_id']} due {p.get('due_date', '')}" + (" (late)" if p.get("late") else "")
    keys = [k for k in ("months", "contract_signed_date", "compliance_end", "grounds", "decision") if k in p]
    return ", ".join(f"{k}={p[k]}" for k in keys) + (f" — {e['reason']}" if e.get("reason") else "")


def deadlines(
    child_id: Annotated[str | None, typer.Option(help="Only this child's deadlines.")] = None,
    status: Annotated[str | None, typer.Option(help="open, met, missed or cancelled.")] = None,
    rule_id: Annotated[str | None, typer.Option(help="e.g. ro.initial_panel")] = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List deadlines from the projection, filtered."""
    if status is not None and status not in ("open", "met", "missed", "cancelled"):
        err.print(f"[red]--status must be open, met, missed or cancelled[/red] (got {escape(repr(status))})")
        raise typer.Exit(2)
    with api_client(token, api_url) as yj:
        items = call_api(yj.deadlines, child_id=child_id, status=status, rule_id=rule_id)
    if as_json:
        out.print_json(data=items)
        return
    print_deadlines(items, title="Deadlines")


def order(workflow_id: str, token: TokenOpt = None, api_url: ApiOpt = None) -> None:
    """Show an order's state and its deadlines (a query on the running workflow)."""
    with api_client(token, api_url) as yj:
        out.print_json(data=call_api(yj.order, workflow_id))


def export(
    workflow_id: str,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the export to this file (default: standard output).")
    ] = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Export an order's whole timeline with its hash chain, for the service it is transferred to."""
    with api_client(token, api_url) as yj:
        data = call_api(yj.export_order, workflow_id)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if out_file is None:
        print(text)
        return
    out_file.write_text(text + "\n", encoding="utf-8")
    verdict = data.get("verify", {}).get("summary", "")
    err.print(f"exported {len(data['events'])} events of {workflow_id} to {out_file}; {verdict}", markup=False)


def step(
    workflow_id: str,
    name: Annotated[str, typer.Argument(help="e.g. first_contact_made, initial_panel_held, progress_panel_held")],
    on: Annotated[str, typer.Option("--on", help="Effective date YYYY-MM-DD (when it happened).")],
    reason: Annotated[str | None, typer.Option(help="Why (needed for referrals back and court decisions).")] = None,
    field: Annotated[
        list[str] | None,
        typer.Option("--set", help="More fields as key=value, e.g. contract_signed_date=2026-11-20"),
    ] = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Record a step on an order; a step out of order or out of law is refused with the reason."""
    body: dict[str, Any] = {"step": name, "effective_date": on}
    if reason:
        body["reason"] = reason
    for item in field or []:
        key, sep, value = item.partition("=")
        if not sep:
            err.print(f"[red]--set takes key=value[/red] (got {escape(repr(item))})")
            raise typer.Exit(2)
        # Sent as typed: the API reads "3" as a number and "false" as false where the step wants them,
        # and keeps text such as a case worker "007" as text (guessing here broke both).
        body[key] = value
    with api_client(token, api_url) as yj:
        view = call_api(yj.record_step, workflow_id, body)
    out.print(f"recorded {name} on {workflow_id}; the order is now {view['state']}", markup=False)


def _fields(items: list[str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep:
            err.print(f"[red]--set takes key=value[/red] (got {escape(repr(item))})")
            raise typer.Exit(2)
        body[key] = value  # sent as typed, as for `step`
    return body


def correct(
    workflow_id: str,
    version: Annotated[int, typer.Argument(help="The #number of one of the mistaken step's events (yjflow timeline).")],
    reason: Annotated[str, typer.Option("--reason", help="Why the step was wrong (kept in the record).")],
    on: Annotated[str | None, typer.Option("--on", help="The right effective date YYYY-MM-DD.")] = None,
    field: Annotated[
        list[str] | None, typer.Option("--set", help="A field as it should have been, key=value (repeatable).")
    ] = None,
    void: Annotated[bool, typer.Option("--void", help="The step did not happen (or not on this order).")] = False,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Correct a step recorded by mistake: replace it (--on, --set) or --void it. The original stays in
    the timeline, superseded, with your reason; some corrections need a manager (the correction policy)."""
    replacement = _fields(field)
    if on:
        replacement["effective_date"] = on
    if void == bool(replacement):
        err.print("[red]give --void, or what was wrong (--on and/or --set), not both or neither[/red]")
        raise typer.Exit(2)
    body: dict[str, Any] = {"supersedes": version, "reason": reason}
    if not void:
        body["replacement"] = replacement
    with api_client(token, api_url) as yj:
        view = call_api(yj.correct_step, workflow_id, body)
    what = "voided" if void else "corrected"
    state = view["contact"]["state"] if "contact" in view else view["state"]
    case = "contact" if "contact" in view else "order"
    out.print(f"{what} the step of event #{version} on {workflow_id}; the {case} is now {state}", markup=False)
