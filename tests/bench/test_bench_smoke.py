"""The benchmarks still run: each `python -m bench.<name> --smoke` as a real subprocess against the test
PostgreSQL server (a scratch database of its own, dropped after), exiting 0 with its table printed.

Figures are not asserted (speed is measured only in `bench/`); what is asserted is that each benchmark
measured both sides and printed every row of its table with a number in it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Generous against a loaded machine; a smoke run takes well under a minute when it is idle.
SMOKE_TIMEOUT_SECONDS = 240
NUMBER = r"[0-9][0-9,]*(\.[0-9]+)?"


def run_smoke(name: str, pg_server_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YJFLOW_") and k != "DATABASE_URL"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", f"bench.{name}", "--smoke", "--database-url", pg_server_url],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=SMOKE_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"bench.{name} --smoke did not finish within {SMOKE_TIMEOUT_SECONDS} s: {e.stdout!r}")
    assert done.returncode == 0, f"bench.{name} --smoke exited {done.returncode}:\n{done.stdout}\n{done.stderr[-4000:]}"
    assert f"# bench {name} (smoke)" in done.stdout
    return done.stdout


def table_rows(stdout: str, title_start: str) -> dict[str, list[str]]:
    """The rows of the printed table whose title starts with `title_start`, by their first cell."""
    lines = stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(title_start)), None)
    assert start is not None, f"no table titled {title_start!r} in:\n{stdout}"
    rows = {}
    for line in lines[start + 3 :]:  # title, headers, rule
        if not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = cells[1:]
    return rows


def assert_figures(rows: dict[str, list[str]], names: list[str], columns: int = 2) -> None:
    for name in names:
        assert name in rows, f"row {name!r} missing from {list(rows)}"
        for cell in rows[name][:columns]:
            assert re.fullmatch(NUMBER, cell), f"row {name!r}: {cell!r} is not a figure"


def test_append_smoke(pg_server_url: str) -> None:
    rows = table_rows(run_smoke("append", pg_server_url), "append: EventStore.append vs plain INSERT")
    assert_figures(
        rows,
        [
            "single, 1 appender: events/s",
            "single, 1 appender: p50 ms",
            "single, 1 appender: p99 ms",
            "single, 2 appenders: events/s",
            "batches of 100: events/s",
        ],
        columns=3,
    )
    assert re.fullmatch(r"(≥ [0-9.]+: )?(met|MISSED)", rows["single, 1 appender: events/s"][3])


def test_intake_smoke(pg_server_url: str) -> None:
    stdout = run_smoke("intake", pg_server_url)
    rows = table_rows(stdout, "intake: 20 outcomes (= 40 workflows)")
    assert_figures(rows, ["workflows/s", "outcomes/s"], columns=3)
    assert rows["workflows/s"][3] in ("met", "MISSED")
    assert re.search(r"referral order [1-9][0-9]*, victim contact [1-9][0-9]*", stdout), stdout
    # Production shape: the API, our worker and the baseline's worker each ran in a process of its own.
    shape = re.search(
        r"^# processes: this one \(pid ([0-9]+)\).*; worker\.py pid ([0-9]+), yjflow api pid ([0-9]+), "
        r"bare worker pid ([0-9]+)$",
        stdout,
        re.M,
    )
    assert shape is not None, stdout
    assert len(set(shape.groups())) == 4, shape.group(0)


def test_memory_smoke(pg_server_url: str) -> None:
    stdout = run_smoke("memory", pg_server_url)
    rows = table_rows(stdout, "memory: worker RSS (MB) with 100 open workflows idle on timers, cache 500")
    assert_figures(
        rows,
        [
            "RSS before load",
            "RSS while loading (highest)",
            "RSS open and idle (median)",
            "RSS open and idle (highest)",
            "workflows opened per second",
        ],
        columns=3,
    )
    assert rows["RSS open and idle (median)"][3] in ("met", "MISSED")
    # Both sides were checked workflow by workflow with the server before their RSS was sampled.
    assert "ours: 100 of 100 running and idle" in stdout, stdout
    assert "bare: 100 of 100 running and idle" in stdout, stdout
    assert re.search(r"^verdict: (MET|MISSED): worker\.py RSS with 100 open workflows \(cache 500\)", stdout, re.M)
