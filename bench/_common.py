"""What every benchmark shares: command-line flags, percentiles, a side-by-side table, a scratch database.

Machines here are noisy: figures are medians and percentiles of repeated runs, and every benchmark
measures its baseline in the same run so the ratio, not the absolute time, is what to read.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import psycopg


def parser(description: str) -> argparse.ArgumentParser:
    """A benchmark's argument parser with the flags they all take."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--smoke", action="store_true", help="a tiny run that proves the benchmark still works (CI)")
    p.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a server where a scratch database is created and dropped (default: $DATABASE_URL or local 5432)",
    )
    return p


def percentile(values: Sequence[float], pct: float) -> float:
    """The `pct` percentile (0–100) by nearest rank; the figure HDR-style reports quote."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


@dataclass
class Table:
    """Rows of figures printed as an aligned text table (and as Markdown for RESULTS.md)."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([_cell(c) for c in cells])

    def text(self) -> str:
        widths = [
            max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h) for i, h in enumerate(self.headers)
        ]
        lines = [self.title, "  ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in self.rows]
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = [f"**{self.title}**", "", "| " + " | ".join(self.headers) + " |"]
        lines.append("|" + "|".join("---" for _ in self.headers) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(lines)

    def print(self) -> None:
        print(self.text(), flush=True)
        print(flush=True)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(ours: float, baseline: float) -> str:
    """`ours / baseline` as a figure; for throughputs, ≥ 1 means we are as fast as the baseline."""
    return f"{ours / baseline:.2f}" if baseline else "n/a"


def verdict(value: float, target: float, *, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "met" if ok else "MISSED"


def machine() -> str:
    """One line naming the machine, for the header of every benchmark's output."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = f"{names[0]} × {len(names)}" if names else cpu
    except OSError:
        pass
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/meminfo") as f:
        mem = f", {int(f.readline().split()[1]) // 1024 // 1024} GiB"
    pg = ""
    with contextlib.suppress(Exception):
        pg = ", " + subprocess.run(["psql", "--version"], capture_output=True, text=True, timeout=5).stdout.strip()
    return f"{platform.node()}: {cpu}{mem}, Python {platform.python_version()}{pg}"


def header(name: str, smoke: bool) -> None:
    print(f"# bench {name}{' (smoke)' if smoke else ''} — {time.strftime('%Y-%m-%d %H:%M:%S %Z')}", flush=True)
    print(f"# {machine()}", flush=True)
    print(flush=True)


@contextlib.contextmanager
def scratch_database(server_url: str, prefix: str = "yjflow_bench", *, keep: bool = False) -> Iterator[str]:
    """A new empty database on `server_url`, dropped afterwards unless `keep`; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = server_url.rpartition("/")
    url = f"{base}/{name}"
    try:
        yield url
    finally:
        if not keep:
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
