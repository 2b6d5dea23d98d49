"""`yjflow export`: an order's whole record for the service it moves to (`yjflow export ORDER_ID`, as
before), and the YJB case-level extract (`yjflow export yjb --from … --to … --yjs …`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from client.cli import records
from client.cli.common import ApiOpt, TokenOpt, api_client, call_api, err

OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file (default: standard output).")]


class _OrderUnlessNamed(TyperGroup):
    """`yjflow export ORDER_ID` keeps working: anything that is not a subcommand's name is an order id."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["order", *args]
        return super().resolve_command(ctx, args)


export_app = typer.Typer(
    cls=_OrderUnlessNamed,
    help="Export an order's record (`yjflow export ORDER_ID`) or the YJB case-level extract (`yjflow export yjb`).",
    no_args_is_help=True,
)
export_app.command("order")(records.export)


@export_app.command("yjb")
def yjb(
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="First day after the period (YYYY-MM-DD).")],
    yjs: Annotated[str, typer.Option(help="The service whose children are extracted.")],
    out_file: OutOpt = None,
    token: TokenOpt = None,
    api_url: ApiOpt = None,
) -> None:
    """The YJB case-level extract as JSON: per child, the document items yjflow holds, checked against
    the extract's JSON Schema; the items yjflow does not hold are listed under "not_held"."""
    with api_client(token, api_url) as yj:
        data = call_api(yj.yjb_extract, start=start, end=end, yjs=yjs)
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if out_file is None:
        print(text)
        return
    out_file.write_text(text + "\n", encoding="utf-8")
    err.print(f"extracted {len(data['children'])} children of {yjs}, {start} to {end}, to {out_file}", markup=False)
