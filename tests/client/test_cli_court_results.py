"""`yjflow ingest --format common-platform|spi` end to end: a real `yjflow` subprocess against the running
API, a file or a folder of court messages, the summary per defendant, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.client.conftest import Stack, cli_env, run_cli
from tests.client.court_messages import FIXTURES, fresh_common_platform, fresh_spi


async def test_ingest_a_folder_of_spi_messages_says_what_became_of_each_defendant(stack: Stack, tmp_path: Path) -> None:
    folder = tmp_path / "spi"
    folder.mkdir()
    ids: dict[str, list[str]] = {}
    for name in ("spi_referral_order.xml", "spi_fine.xml", "spi_detention_and_training_order.xml"):
        text, ids[name] = fresh_spi(name)
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "notes.txt").write_text("not a court message", encoding="utf-8")  # not .xml: not read
    env = cli_env(stack, stack.tokens["intake"], tmp_path)

    ran = await run_cli("ingest", "--format", "spi", str(folder), env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert ran.stdout.splitlines()[0] == (
        "files 3; defendants: accepted 2, duplicate 0, ignored 1, rejected 0; messages refused 0"
    )
    assert "spi_fine.xml: defendant" in ran.stderr and "no youth disposal or remand" in ran.stderr
    assert "referral-order:" in ran.stderr and "detention-and-training-order:" in ran.stderr
    assert "Traceback" not in ran.stderr

    again = await run_cli("ingest", "-f", "spi", str(folder), env=env, cwd=tmp_path)
    assert again.code == 0, again
    assert "accepted 0, duplicate 2, ignored 1" in again.stdout


async def test_ingest_a_common_platform_hearing_with_a_service_and_a_refused_message(
    stack: Stack, tmp_path: Path
) -> None:
    message, children = fresh_common_platform("cp_resulted_hearing.json")
    message["hearing"]["courtCentre"]["code"] = "B99ZZ99"  # not a court centre this deployment knows
    path = tmp_path / "hearing.json"
    path.write_text(json.dumps(message), encoding="utf-8")
    env = cli_env(stack, stack.tokens["intake"], tmp_path)

    # Without a service the court centre decides, and it is unknown: kept for correction, naming the field.
    ran = await run_cli("ingest", "--format", "common-platform", str(path), env=env, cwd=tmp_path)
    assert ran.code == 1, ran
    assert "accepted 0, duplicate 0, ignored 1, rejected 2" in ran.stdout
    assert "court_centre:" in ran.stderr and "B99ZZ99" in ran.stderr
    assert "see `yjflow rejected`" in ran.stdout

    ran = await run_cli("ingest", "--format", "common-platform", "--yjs", "luton", str(path), env=env, cwd=tmp_path)
    assert ran.code == 0, ran
    assert "accepted 2, duplicate 0, ignored 1, rejected 0" in ran.stdout
    accepted = [line for line in ran.stderr.splitlines() if line.startswith("accepted hearing.json: defendant")]
    started = [child for child in children.values() if any(child in line for line in accepted)]
    assert len(started) == 2, ran.stderr
    for child in started:
        await stack.wait_for_events(child, "CourtOutcomeRecorded")

    # Not a resulted hearing at all: refused whole, kept, and the command says so.
    broken = tmp_path / "broken.json"
    broken.write_text('{"hearing": ', encoding="utf-8")
    ran = await run_cli("ingest", "-f", "common-platform", str(broken), env=env, cwd=tmp_path)
    assert ran.code == 1, ran
    assert "messages refused 1" in ran.stdout
    assert "refused broken.json: body:" in ran.stderr


def test_ingest_says_what_is_wrong_with_its_arguments(tmp_path: Path) -> None:
    """Refused before anything is sent, so in process (a subprocess each would cost seconds)."""
    from typer.testing import CliRunner

    from client.cli import app

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, ["ingest", *args], env={"YJFLOW_TOKEN": "x", "COLUMNS": "200"})

    ran = run("--format", "libra", str(FIXTURES))
    assert ran.exit_code == 2 and "--format must be one of outcomes, common-platform, spi" in ran.output, ran.output
    ran = run("--yjs", "luton", str(FIXTURES))
    assert ran.exit_code == 2 and "--yjs is for court results" in ran.output, ran.output
    (tmp_path / "empty").mkdir()
    ran = run("-f", "spi", str(tmp_path / "empty"))
    assert ran.exit_code == 2 and "No spi files in" in ran.output, ran.output
    ran = run("-f", "spi", str(tmp_path / "missing"))
    assert ran.exit_code == 2 and "No such file or folder" in ran.output, ran.output


def test_each_answer_reads_as_one_line_naming_the_defendant_and_why() -> None:
    """The lines `yjflow ingest` prints per defendant (rich markup, as the terminal gets it)."""
    from client.cli.outcomes import _answer_line

    who = {"child_id": "[red]", "case_reference": "41CJ1", "position": "case 1, defendant 1", "id_source": "ASN"}
    amended = {"defendant": who, "status": "amendment", "difference": "disposal.months: 6 → 9"}
    assert _answer_line("h.json", amended) == (
        "[yellow]amendment held[/yellow] h.json: defendant \\[red] in case 41CJ1: disposal.months: 6 → 9"
    )
    duplicate = {"defendant": {**who, "child_id": None}, "status": "duplicate", "workflow_ids": ["ro:1"]}
    assert (
        _answer_line("h.json", duplicate)
        == "[cyan]duplicate[/cyan] h.json: defendant case 1, defendant 1 in case 41CJ1: ro:1"
    )
    warned = {
        "defendant": who,
        "status": "accepted",
        "workflow_ids": ["remand:1"],
        "warnings": [{"field": "disposal.next_hearing_date", "rule": "r", "message": "beyond 8 clear days"}],
    }
    assert _answer_line("h.json", warned).endswith(
        "remand:1; [yellow]warning[/yellow] disposal.next_hearing_date: beyond 8 clear days"
    )
