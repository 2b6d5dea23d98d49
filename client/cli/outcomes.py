"""Court outcomes through the API: `ingest` a file of them, list the `rejected` ones."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

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


# What a folder holds of each format; a file named on the command line is read whatever its name.
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "outcomes": (".json", ".jsonl", ".ndjson"),
    "common-platform": (".json",),
    "spi": (".xml",),
}
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="outcomes: yjflow's court-outcome contract (JSON, an array or JSON Lines); common-platform: a "
        "Common Platform resulted hearing (JSON), one a file; spi: a Libra SPI results message (XML), one a file.",
    ),
]
YjsOpt = Annotated[
    str | None,
    typer.Option(
        "--yjs", help="The service responsible for every defendant (court formats; default: the court centre)."
    ),
]


def _files(path: Path, fmt: str) -> list[Path]:
    """The file itself, or a folder's files of the format (sorted by name, hidden files skipped)."""
    if not path.is_dir():
        return [path]
    return sorted(
        p for p in path.iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in _SUFFIXES[fmt]
    )


def ingest(
    path: Annotated[Path, typer.Argument(help="A file, a folder of them, or - for stdin.")],
    fmt: FormatOpt = "outcomes",
    yjs: YjsOpt = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """Submit court outcomes, or court results as the courts send them, through the API, with progress and a
    summary. Exits 1 when anything was rejected (it is kept: see `yjflow rejected`)."""
    if fmt not in _SUFFIXES:
        err.print(f"[red]--format must be one of[/red] {', '.join(_SUFFIXES)} (not {escape(fmt)})")
        raise typer.Exit(2)
    if yjs is not None and fmt == "outcomes":
        err.print("[red]--yjs is for court results:[/red] a court outcome names its own service in `yjs`")
        raise typer.Exit(2)
    if str(path) != "-" and not path.exists():
        err.print(f"[red]No such file or folder:[/red] {escape(str(path))}")
        raise typer.Exit(2)
    files = [path] if str(path) == "-" else _files(path, fmt)
    if not files:
        err.print(f"[red]No {fmt} files in[/red] {escape(str(path))} (looked for {', '.join(_SUFFIXES[fmt])})")
        raise typer.Exit(2)
    if fmt == "outcomes":
        _ingest_outcomes(files, multiple=path.is_dir(), token=token, api_url=api_url)
    else:
        _ingest_court_results(files, fmt, yjs, token=token, api_url=api_url)


def _progress() -> Progress:
    return Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err)


def _ingest_outcomes(files: list[Path], *, multiple: bool, token: str | None, api_url: str | None) -> None:
    items = [(f"{f.name} {where}" if multiple else where, text) for f in files for where, text in _read_outcomes(f)]
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    problems: list[str] = []
    warnings: list[str] = []
    stopped_at: int | None = None
    with api_client(token, api_url) as yj, _progress() as progress:
        task = progress.add_task("ingest", total=len(items))
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


def _who(answer: dict[str, Any]) -> str:
    d = answer["defendant"]
    case = f" in case {d['case_reference']}" if d.get("case_reference") else ""
    return f"defendant {d.get('child_id') or d.get('position')}{case}"


def _errors(body: dict[str, Any]) -> str:
    errors = "; ".join(f"{e['field']}: {e['message']}" for e in body.get("errors", []))
    return f"{escape(errors)} (rejection {body.get('rejection_id')})"


_STYLES = {"accepted": "green", "duplicate": "cyan", "ignored": "dim", "rejected": "red", "amendment": "yellow"}


def _answer_line(file: str, answer: dict[str, Any]) -> str:
    """One defendant's answer as the intake team reads it: what became of them, and why."""
    status = answer["status"]
    if status in ("accepted", "duplicate"):
        why = escape(", ".join(answer.get("workflow_ids", [])))
        # Accepted as the court ordered it, beyond a limit the court has the last word on (a remand's clear days).
        why += "".join(
            f"; [yellow]warning[/yellow] {escape(w['field'])}: {escape(w['message'])}"
            for w in answer.get("warnings", [])
        )
    elif status == "ignored":
        why = escape(answer["reason"])
    elif status == "rejected":
        why = _errors(answer)
    else:  # an amendment of a resent result, held for a manager
        why = escape(str(answer.get("difference", "")))
    label = "amendment held" if status == "amendment" else status
    style = _STYLES.get(status, "bold")
    return f"[{style}]{label}[/{style}] {escape(file)}: {escape(_who(answer))}: {why}"


def _ingest_court_results(
    files: list[Path], feed: str, yjs: str | None, *, token: str | None, api_url: str | None
) -> None:
    """One court message a file; the summary counts defendants, as the answers do."""
    counts = {"accepted": 0, "duplicate": 0, "ignored": 0, "rejected": 0, "amendment": 0}
    refused = 0
    lines: list[str] = []
    stopped_at: int | None = None
    with api_client(token, api_url) as yj, _progress() as progress:
        task = progress.add_task("ingest", total=len(files))
        for n, f in enumerate(files, start=1):
            data = sys.stdin.buffer.read() if str(f) == "-" else f.read_bytes()
            try:
                _, body = call_api(yj.submit_court_results, feed, data, yjs=yjs)
            except typer.Exit:
                stopped_at = n
                break
            if "defendants" not in body:  # not a resulted hearing at all: kept whole, nothing translated
                refused += 1
                lines.append(f"[red]refused[/red] {escape(f.name)}: {_errors(body)}")
            for answer in body.get("defendants", []):
                counts[answer["status"]] = counts.get(answer["status"], 0) + 1
                lines.append(_answer_line(f.name, answer))
            progress.advance(task)
    for line in lines:
        err.print(line)
    held = f", amendments held {counts['amendment']}" if counts["amendment"] else ""
    out.print(
        f"files {len(files) if stopped_at is None else stopped_at - 1}; defendants: accepted {counts['accepted']}, "
        f"duplicate {counts['duplicate']}, ignored {counts['ignored']}, rejected {counts['rejected']}{held}; "
        f"messages refused {refused}"
    )
    if stopped_at is not None:
        err.print(f"[red]stopped at file {stopped_at}:[/red] {len(files) - stopped_at + 1} of {len(files)} not sent")
        raise typer.Exit(1)
    if counts["rejected"] or refused:
        out.print("rejected results are kept: see `yjflow rejected`")
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
