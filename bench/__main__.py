"""Run every benchmark: `python -m bench` (full runs, minutes to an hour) or `python -m bench --smoke`
(tiny runs proving each still works; CI runs this). Each runs as its own process, one after another, so
none disturbs another's figures; the exit status is non-zero if any failed."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

# In the order they are cheapest to run.
BENCHMARKS = ("append", "audit_reads", "timeline_page", "intake", "caseload", "memory")


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--smoke", action="store_true", help="tiny runs that prove each benchmark works")
    p.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})")
    args = p.parse_args()
    names = args.names or [n for n in BENCHMARKS if (Path(__file__).parent / f"{n}.py").exists()]
    failed = []
    for name in names:
        started = time.monotonic()
        cmd = [sys.executable, "-m", f"bench.{name}", *(["--smoke"] if args.smoke else [])]
        print(f"$ {' '.join(cmd[1:])}", flush=True)
        code = subprocess.run(cmd, check=False).returncode
        took = time.monotonic() - started
        print(f"# bench.{name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {took:.0f} s\n", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
