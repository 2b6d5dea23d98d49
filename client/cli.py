"""The `yjflow` command line.

Commands that read or change cases go through the HTTP API with a token (`YJFLOW_API_URL`,
`YJFLOW_TOKEN`), so roles apply to them as to any client. Operator commands (`dev`, `worker`, `api`,
`migrate`, `users`, `verify`) talk to the database directly (`DATABASE_URL`).
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import structlog
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from activities.settings import Settings
from client.python_client import ApiError, YjflowClient

app = typer.Typer(
    help="yjflow: youth justice orders carried out to their deadlines, with an audited record.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
users_app = typer.Typer(help="Manage API users and their tokens (needs DATABASE_URL).", no_args_is_help=True)
app.add_typer(users_app, name="users")
calendar_app = typer.Typer(help="The working-day calendar's override table (needs DATABASE_URL).", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
LONDON = ZoneInfo("Europe/London")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _settings() -> Settings:
    settings = Settings()
    dev_env = settings.data_dir / "dev.env"
    if dev_env.exists():
        # `yjflow dev` leaves its addresses here so a second shell finds the same database and API.
        settings = Settings(_env_file=(dev_env, ".env"))  # type: ignore[call-arg]
    return settings


def _api(token: str | None, api_url: str | None) -> YjflowClient:
    s = _settings()
    token = token or s.token
    if not token:
        err.print("[red]No token:[/red] set YJFLOW_TOKEN or pass --token (see `yjflow users add`).")
        raise typer.Exit(2)
    return YjflowClient(api_url or s.resolved_api_url, token)


def _database_url() -> str:
    url = _settings().database_url
    if not url:
        err.print("[red]DATABASE_URL is not set[/red] (and no running `yjflow dev` was found in YJFLOW_DATA_DIR).")
        raise typer.Exit(2)
    return url


TokenOpt = Annotated[str | None, typer.Option("--token", help="API token (default: $YJFLOW_TOKEN).")]
ApiOpt = Annotated[str | None, typer.Option("--api-url", help="API base URL (default: $YJFLOW_API_URL).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.command()
def dev(
    port: Annotated[int, typer.Option(help="Port for the HTTP API.")] = 8000,
    no_sample_data: Annotated[bool, typer.Option("--no-sample-data", help="Do not load the sample outcomes.")] = False,
) -> None:
    """Run everything locally: embedded PostgreSQL, the Temporal dev server, the worker and the API."""
    from activities.logging import configure_logging
    from client.dev import run_dev

    settings = Settings().model_copy(update={"api_port": port})
    configure_logging("WARNING")
    asyncio.run(run_dev(settings, load_sample_data=not no_sample_data))


@app.command()
def worker() -> None:
    """Run a worker (and the intake relay) from TEMPORAL_ADDRESS and DATABASE_URL."""
    import worker as worker_module

    worker_module.main()


@app.command()
def api(port: Annotated[int | None, typer.Option(help="Port (default $YJFLOW_API_PORT or 8000).")] = None) -> None:
    """Serve the HTTP API alone (workers run elsewhere)."""
    import uvicorn

    from activities.db import open_pool
    from activities.logging import configure_logging
    from client.api import AppContext, create_app
    from worker import connect

    settings = _settings()
    url = _database_url()
    configure_logging(settings.log_level)

    from activities.migrate import apply_migrations

    apply_migrations(url)

    from activities.victim_details import VictimDetailsStore

    try:
        master_key = settings.victim_master_key_bytes
    except ValueError as e:
        # The rest of the API works without it; victims' details answer 503 until it is set.
        err.print(f"[yellow]victims' details are unavailable:[/yellow] {escape(str(e))}")
        master_key = None

    async def serve() -> None:
        pool = await open_pool(url)
        store = None if master_key is None else VictimDetailsStore(pool, master_key, settings.victim_master_key_id)
        app_ = create_app(AppContext(pool, lambda: connect(settings), store))
        await uvicorn.Server(uvicorn.Config(app_, host=settings.api_host, port=port or settings.api_port)).serve()

    asyncio.run(serve())


@app.command()
def migrate() -> None:
    """Apply database migrations (the worker and `dev` also do this at start)."""
    from activities.migrate import apply_migrations

    applied = apply_migrations(_database_url())
    out.print(f"applied: {', '.join(applied) if applied else 'nothing (up to date)'}")


def _read_outcomes(path: Path) -> list[tuple[str, str]]:
    """(where, JSON text) of each outcome: `item N` of an array, `line N` of JSON Lines."""
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    text = text.removeprefix("\ufeff")  # a byte order mark, as Windows tools write UTF-8
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            return [(f"item {n}", json.dumps(item)) for n, item in enumerate(json.loads(text), start=1)]
        except ValueError:
            pass  # not one JSON array: fall back to JSON Lines so each bad line is reported alone
    if stripped.startswith("{") and "\n{" not in text.strip():
        return [("item 1", text)]
    return [(f"line {n}", line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="A JSON file (one outcome or an array) or JSON Lines; - for stdin.")],
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Submit court outcomes through the API, with progress and a summary."""
    if str(file) != "-" and not file.exists():
        err.print(f"[red]No such file:[/red] {escape(str(file))}")
        raise typer.Exit(2)
    items = _read_outcomes(file)
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    problems: list[str] = []
    stopped_at: int | None = None
    with (
        _api(token, api_url) as yj,
        Progress(
            TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err
        ) as progress,
    ):
        task = progress.add_task("ingest", total=len(items))
        warnings: list[str] = []
        for n, (where, text) in enumerate(items, start=1):
            try:
                status, body = _call(yj.submit_outcome_text, text)
            except typer.Exit:  # refused (token, role) or unreachable: the error is printed; stop here
                stopped_at = n
                break
            if status == 422:
                counts["rejected"] += 1
                fields = "; ".join(f"{e['field']}: {e['message']}" for e in body.get("errors", []))
                problems.append(f"{where} ({body.get('outcome_id') or 'no outcome_id'}): {fields}")
            else:
                counts[body["status"]] += 1
                for w in body.get("warnings", []):
                    warnings.append(f"{where} ({body.get('outcome_id')}): {w['field']}: {w['message']}")
            progress.advance(task)
    for p in problems:
        err.print(f"[red]rejected[/red] {escape(p)}")
    for w in warnings:
        err.print(f"[yellow]accepted with a warning[/yellow] {escape(w)}")
    out.print(f"accepted {counts['accepted']}, duplicate {counts['duplicate']}, rejected {counts['rejected']}")
    if stopped_at is not None:
        err.print(f"[red]stopped at item {stopped_at}:[/red] {len(items) - stopped_at + 1} of {len(items)} not sent")
        raise typer.Exit(1)
    if counts["rejected"]:
        out.print("rejected outcomes are kept: see `yjflow rejected`")
        raise typer.Exit(1)


@app.command()
def rejected(token: TokenOpt = None, api_url: ApiOpt = None, as_json: JsonOpt = False) -> None:
    """List refused court outcomes, kept whole for correction."""
    with _api(token, api_url) as yj:
        items = _call(yj.rejected)
    if as_json:
        out.print_json(data=items)
        return
    table = Table("id", "outcome_id", "received", "by", "errors")
    for r in items:
        errs = "; ".join(f"{e['field']}: {e['rule']}" for e in r["errors"])
        table.add_row(*_cells(str(r["id"]), r["outcome_id"] or "-", str(r["received_at"])[:19], r["received_by"], errs))
    out.print(table)


@app.command()
def timeline(child_id: str, token: TokenOpt = None, api_url: ApiOpt = None, as_json: JsonOpt = False) -> None:
    """Every event for a child in effective order, with recorded time, actor and late entries."""
    with _api(token, api_url) as yj:
        data = _call(yj.timeline, child_id)
    if as_json:
        out.print_json(data=data)
        return
    table = Table("effective", "recorded", "event", "actor", "late", "detail", title=Text(f"Timeline of {child_id}"))
    for e in data["events"]:
        table.add_row(
            *_cells(
                _local(e["effective_at"]),
                _local(e["recorded_at"]),
                e["event_type"],
                e["actor"],
                "LATE ENTRY" if e["late_entry"] else "",
                _detail(e),
            )
        )
    out.print(table)
    _print_deadlines(data["deadlines"], title="Deadlines")


@app.command("inspection-sample")
def inspection_sample(
    start: Annotated[str, typer.Option(help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option(help="Last day of the period (YYYY-MM-DD).")],
    yjs: Annotated[str | None, typer.Option(help="One service only.")] = None,
    seed: Annotated[int, typer.Option(help="The same seed gives the same sample.")] = 0,
    children: Annotated[int | None, typer.Option(help="Children's cases (default: by the policy).")] = None,
    victims: Annotated[int | None, typer.Option(help="Victims' cases (default: by the policy).")] = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Choose an inspection sample: children's and victims' cases open in the period, stratified by
    order kind, sized by the inspection policy (domain/rules/inspection.toml), reproducible with --seed."""
    with _api(token, api_url) as yj:
        data = _call(yj.inspection_sample, start=start, end=end, yjs=yjs, seed=seed, children=children, victims=victims)
    if as_json:
        out.print_json(data=data)
        return
    for key, title in (("children", "Children's cases"), ("victims", "Victims' cases")):
        group = data[key]
        strata = ", ".join(f"{s['kind']} {s['chosen']}/{s['eligible']}" for s in group["strata"]) or "none eligible"
        table = Table("case", "kind", "child", "opened", title=Text(f"{title}: {group['size']} of {group['eligible']}"))
        for c in group["cases"]:
            table.add_row(*_cells(c["workflow_id"], c["kind"], c["child_id"], c["opened_on"]))
        out.print(table)
        out.print(Text(f"  by kind: {strata}"))
    out.print(Text(f"policy {data['policy_version']}, seed {seed}"))


def _cells(*values: str) -> list[Text]:
    """Table cells as plain text: what people typed (reasons, ids) is shown as typed, never read as markup."""
    return [Text(v) for v in values]


def _local(instant: str) -> str:
    """An instant as a YJS reads it: Europe/London wall time."""
    return datetime.fromisoformat(instant).astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


def _detail(e: dict[str, Any]) -> str:
    p = e["payload"]
    if e["workflow_id"].startswith("victim-contact:"):
        return f"victim {p.get('victim_ref') or '?'}"  # a victim's contact: the reference and the step only
    if "rule_id" in p:
        return f"{p['rule_id']} due {p.get('due_date', '')}" + (" (late)" if p.get("late") else "")
    keys = [k for k in ("months", "contract_signed_date", "compliance_end", "grounds", "decision") if k in p]
    return ", ".join(f"{k}={p[k]}" for k in keys) + (f" — {e['reason']}" if e.get("reason") else "")


def _print_deadlines(items: list[dict[str, Any]], *, title: str) -> None:
    table = Table("workflow", "rule", "due", "status", "met on", "days late", "flags", title=title)
    for d in items:
        flags = "unconfirmed rule" if d["unconfirmed"] else ""
        table.add_row(
            *_cells(
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


@app.command()
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
    with _api(token, api_url) as yj:
        items = _call(yj.deadlines, child_id=child_id, status=status, rule_id=rule_id)
    if as_json:
        out.print_json(data=items)
        return
    _print_deadlines(items, title="Deadlines")


@app.command()
def order(workflow_id: str, token: TokenOpt = None, api_url: ApiOpt = None) -> None:
    """Show an order's state and its deadlines (a query on the running workflow)."""
    with _api(token, api_url) as yj:
        out.print_json(data=_call(yj.order, workflow_id))


@app.command()
def export(
    workflow_id: str,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the export to this file (default: standard output).")
    ] = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Export an order's whole timeline with its hash chain, for the service it is transferred to."""
    with _api(token, api_url) as yj:
        data = _call(yj.export_order, workflow_id)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if out_file is None:
        print(text)
        return
    out_file.write_text(text + "\n", encoding="utf-8")
    verdict = data.get("verify", {}).get("summary", "")
    err.print(f"exported {len(data['events'])} events of {workflow_id} to {out_file}; {verdict}", markup=False)


@app.command()
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
    with _api(token, api_url) as yj:
        view = _call(yj.record_step, workflow_id, body)
    out.print(f"recorded {name} on {workflow_id}; the order is now {view['state']}", markup=False)


def _fields(items: list[str] | None) -> dict[str, Any]:
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


@app.command()
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
    with _api(token, api_url) as yj:
        items = _call(
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
            *_cells(
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


@app.command("victim-step")
def victim_step(
    contact_id: Annotated[str, typer.Argument(help="The contact's workflow id (see `yjflow victims`).")],
    name: Annotated[str, typer.Argument(help="e.g. suitability_decided, contact_attempted, consent_recorded")],
    on: Annotated[str, typer.Option("--on", help="Effective date YYYY-MM-DD (when it happened).")],
    reason: Annotated[str | None, typer.Option(help="Why (needed e.g. for not inviting or a safe closure).")] = None,
    field: Annotated[
        list[str] | None,
        typer.Option("--set", help="More fields as key=value, e.g. channel=phone result=no_answer"),
    ] = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Record a step on a victim's contact; a step out of order or without consent is refused with the reason."""
    body: dict[str, Any] = {"step": name, "effective_date": on, **_fields(field)}
    if reason:
        body["reason"] = reason
    with _api(token, api_url) as yj:
        view = _call(yj.record_victim_step, contact_id, body)
    out.print(f"recorded {name} on {contact_id}; the contact is now {view['contact']['state']}", markup=False)


@app.command("victim-details")
def victim_details(
    victim_ref: Annotated[str, typer.Argument(help="The victim reference (never a name).")],
    file: Annotated[
        Path | None, typer.Option("--file", help="Record the details from this JSON file (- for stdin).")
    ] = None,
    show: Annotated[bool, typer.Option("--show", help="Show the details (the read is logged).")] = False,
    purpose: Annotated[
        str | None, typer.Option(help="Why you read (required with --show) or record them; it is logged.")
    ] = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Record a victim's details (--file) or show them (--show --purpose "…"); every access is logged."""
    if (file is None) == (not show):
        err.print("[red]give one of --file (record) or --show (read)[/red]")
        raise typer.Exit(2)
    if show:
        if not (purpose and purpose.strip()):
            err.print('[red]--show needs --purpose "…"[/red]: say why you need the details (it is logged)')
            raise typer.Exit(2)
        with _api(token, api_url) as yj:
            data = _call(yj.victim_details, victim_ref, purpose=purpose)
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
    with _api(token, api_url) as yj:
        reply = _call(yj.record_victim_details, victim_ref, details, purpose=purpose)
    out.print(f"recorded the details of {victim_ref} (stored encrypted)", markup=False)
    for wid in reply["updated"]:
        out.print(f"  details_received on {wid}", markup=False)
    for item in reply["unchanged"]:
        out.print(f"  {item['workflow_id']}: {item['why']}", markup=False)


@app.command()
def verify(stream: Annotated[str | None, typer.Option(help="Only this stream (workflow id).")] = None) -> None:
    """Walk every hash chain and name the first broken link (exit 1 if any)."""
    from activities.db import open_pool
    from activities.event_store import EventStore

    async def run() -> Any:
        pool = await open_pool(_database_url())
        try:
            return await EventStore(pool).verify(stream)
        finally:
            await pool.close()

    report = asyncio.run(run())
    out.print(str(report), markup=False)
    if report.first_break is not None:
        raise typer.Exit(1)


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="intake, case_worker, victim_worker, manager, inspector or admin")],
    email: Annotated[str | None, typer.Option(help="Where reminders are emailed.")] = None,
    manager: Annotated[str | None, typer.Option(help="The user's manager (receives escalations).")] = None,
) -> None:
    """Create a user and print their new token alone on stdout (it is stored hashed, shown once)."""
    from activities.db import open_pool
    from activities.users import add_user

    async def run() -> str:
        pool = await open_pool(_database_url())
        try:
            return await add_user(pool, name, role, email=email, manager=manager)
        finally:
            await pool.close()

    try:
        token = asyncio.run(run())
    except ValueError as e:
        err.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(2) from e
    print(token)


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
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


@app.command()
def rules(as_json: JsonOpt = False) -> None:
    """Show the rule pack in force: the shipped pack with YJFLOW_RULES_FILE's overrides applied."""
    from activities.rule_source import load_rule_pack

    settings = _settings()
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

    import psycopg

    try:
        when = date_type.fromisoformat(day)
    except ValueError as e:
        err.print(f"[red]day must be YYYY-MM-DD:[/red] {day!r}", markup=False)
        raise typer.Exit(2) from e
    action = "remove_holiday" if remove else "add_holiday"
    with psycopg.connect(_database_url()) as conn:
        conn.execute(
            "INSERT INTO calendar_overrides (day, action, reason, source, created_by) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (day) DO UPDATE SET action = EXCLUDED.action, reason = EXCLUDED.reason, "
            "source = EXCLUDED.source, created_by = EXCLUDED.created_by, created_at = now()",
            (when, action, reason, source, by),
        )
    out.print(f"{action.replace('_', ' ')}: {when} ({reason})")


@calendar_app.command("list")
def calendar_list() -> None:
    """List the overrides and the calendar version they make."""
    import psycopg

    from domain.calendar import HolidayOverride, WorkingCalendar

    with psycopg.connect(_database_url()) as conn:
        rows = conn.execute(
            "SELECT day, action, reason, source, created_by FROM calendar_overrides ORDER BY day"
        ).fetchall()
    table = Table("day", "action", "reason", "source", "by")
    for r in rows:
        table.add_row(str(r[0]), r[1], r[2], r[3], r[4])
    out.print(table)
    overrides = [HolidayOverride(day=r[0], action=r[1], reason=r[2], source=r[3]) for r in rows]
    out.print(f"calendar version: {WorkingCalendar.england_and_wales(overrides).version}")


def main() -> None:
    # Log lines go to stderr from the first one: stdout is for results (`yjflow users add` prints the
    # token alone there, for scripts). Commands that run services configure logging fully themselves.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sys.stderr))
    app()


if __name__ == "__main__":
    main()
