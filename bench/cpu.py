"""CPU time spent by the processes a benchmark runs on, so that a ratio of rates can be read against what
each side costs the machine.

On a machine with fewer cores than busy processes, throughput follows the CPU a unit of work costs across
every process that does it, not the speed of any one of them; a meter per named group of processes (the
Temporal server, a worker, the API, PostgreSQL's backends for one database) makes that visible beside the
rates. Counts are user plus system seconds from the kernel (`psutil`). A process that exits between two
readings takes its time with it, so a group of short-lived processes is undercounted; the benchmarks'
processes and their pools' connections live for the whole run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping

import psutil

Finder = Callable[[], Iterable[psutil.Process]]


def _seconds(process: psutil.Process) -> float:
    try:
        t = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return float(t.user + t.system)


def only(pid: int) -> Finder:
    """One process alone (the benchmark's own, whose children are measured in groups of their own)."""

    def find() -> list[psutil.Process]:
        try:
            return [psutil.Process(pid)]
        except psutil.NoSuchProcess:
            return []

    return find


def with_children(pid: int) -> Finder:
    """A process and everything it has started (a server that forks, a CLI that runs a binary)."""

    def find() -> list[psutil.Process]:
        try:
            root = psutil.Process(pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    return find


def by_command_line(*parts: str, name: str | None = None) -> Finder:
    """Every process whose command line holds each of `parts` (PostgreSQL names a backend's database in
    its title; the Temporal dev server its port)."""

    def find() -> list[psutil.Process]:
        found = []
        for p in psutil.process_iter(["name", "cmdline"]):
            if name is not None and p.info["name"] != name:
                continue
            line = " ".join(p.info["cmdline"] or [])
            if all(part in line for part in parts):
                found.append(p)
        return found

    return find


class CpuMeter:
    """CPU seconds per named group of processes; `take()` returns what each spent since the last take."""

    def __init__(self, groups: Mapping[str, Finder]) -> None:
        self._groups = dict(groups)
        self._last: dict[tuple[str, int], float] = {}
        self.take()

    def _read(self) -> dict[tuple[str, int], float]:
        return {(group, p.pid): _seconds(p) for group, find in self._groups.items() for p in find()}

    def take(self) -> dict[str, float]:
        now = self._read()
        spent = dict.fromkeys(self._groups, 0.0)
        for (group, pid), seconds in now.items():
            # A process first seen now started after the last take: all its time falls in this interval.
            spent[group] += seconds - self._last.get((group, pid), 0.0)
        self._last = now
        return spent

    def _group_seconds(self, group: str) -> float:
        return sum(_seconds(p) for p in self._groups[group]())

    async def settle(self, group: str, *, below: float = 0.1, window: float = 0.5, timeout: float = 15.0) -> None:
        """Wait until `group` uses less than `below` of a core over `window` seconds (or `timeout` passes):
        what a round set going has finished, so its CPU is counted with it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self._group_seconds(group)
            await asyncio.sleep(window)
            if self._group_seconds(group) - before < below * window:
                return
