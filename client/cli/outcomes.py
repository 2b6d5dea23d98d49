"""Court outcomes through the API: `ingest` a file of them, list the `rejected` ones."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from client.cli.common import ApiOpt, JsonOpt, TokenOpt, api_client, call_api, cells, err, out


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
        api_client(token, api_url) as yj,
        Progress(
            TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err
        ) as progress,
    ):
        task = progress.add_task("ingest", total=len(items))
        warnings: list[str] = []
        for n, (where, text) in enumerate(items, start=1):
            try:
                status, body = call_api(yj.submit_outcome_text, text)
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


def rejected(token: TokenOpt = None, api_url: ApiOpt = None, as_json: JsonOpt = False) -> None:
    """List refused court outcomes, kept whole for correction."""
    with api_client(token, api_url) as yj:
        items = call_api(yj.rejected)
    if as_json:
        out.print_json(data=items)
        return
    table = Table("id", "outcome_id", "received", "by", "errors")
    for r in items:
        errs = "; ".join(f"{e['field']}: {e['rule']}" for e in r["errors"])
        table.add_row(*cells(str(r["id"]), r["outcome_id"] or "-", str(r["received_at"])[:19], r["received_by"], errs))
    out.print(table)
