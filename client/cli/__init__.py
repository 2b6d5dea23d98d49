"""The `yjflow` command line.

Commands that read or change cases go through the HTTP API with a token (`YJFLOW_API_URL`,
`YJFLOW_TOKEN`), so roles apply to them as to any client. Operator commands (`dev`, `worker`, `api`,
`migrate`, `users`, `verify`) talk to the database directly (`DATABASE_URL`).

The commands live by concern in this package's modules; here they are registered in the order
`yjflow --help` lists them.
"""

from __future__ import annotations

import sys

import structlog
import typer

from client.cli import admin, exports, outcomes, records, services, victims

app = typer.Typer(
    help="yjflow: youth justice orders carried out to their deadlines, with an audited record.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(admin.users_app, name="users")
app.add_typer(admin.calendar_app, name="calendar")
app.add_typer(exports.export_app, name="export")

app.command()(services.dev)
app.command()(services.worker)
app.command()(services.api)
app.command()(services.migrate)
app.command()(outcomes.ingest)
app.command()(outcomes.rejected)
app.command()(records.timeline)
app.command("inspection-sample")(records.inspection_sample)
app.command()(records.deadlines)
app.command()(records.order)
app.command()(records.step)
app.command()(records.correct)
app.command()(victims.victims)
app.command("victim-step")(victims.victim_step)
app.command("victim-details")(victims.victim_details)
app.command()(services.verify)
app.command()(admin.rules)


def main() -> None:
    # Log lines go to stderr from the first one: stdout is for results (`yjflow users add` prints the
    # token alone there, for scripts). Commands that run services configure logging fully themselves.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sys.stderr))
    app()
