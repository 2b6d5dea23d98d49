"""The shape of the code base, checked like any other behaviour: the import contracts in pyproject.toml
(one direction, no cycles, a pure domain) and modules small enough to find a thing by its file name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "workflows", "activities", "client")
# "About 400 lines": a module may run a little over while it holds one concern; past this it holds two.
MOST_LINES = 450


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_holds_more_than_one_concern_by_size(package: str) -> None:
    too_long = {
        str(path.relative_to(REPO)): n
        for path in sorted((REPO / package).rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert not too_long, f"split these by concern (over {MOST_LINES} lines): {too_long}"
