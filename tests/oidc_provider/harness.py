"""Starting the tests' real OpenID Provider (`provider.mjs`, the certified `oidc-provider` npm package).

`install()` runs `npm ci` against this folder's lock file the first time (the README's test command runs
pytest, so this is how that command installs it); without node and npm the OIDC tests skip, saying why.
`running_provider(...)` starts it on a free 127.0.0.1 port and yields its issuer URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LOCK = HERE / "package-lock.json"
# npm ci writes its own copy of the lock here; when it matches ours, the installed tree is the locked one.
INSTALLED_LOCK = HERE / "node_modules" / ".package-lock.json"


def missing_tools() -> str | None:
    """Why the provider cannot run here, or None when node and npm are on PATH."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not on PATH: the OpenID Connect tests need Node.js 20+ and npm to run oidc-provider"
    return None


def _installed() -> bool:
    if not (HERE / "node_modules" / "oidc-provider" / "package.json").is_file() or not INSTALLED_LOCK.is_file():
        return False
    locked = json.loads(LOCK.read_text(encoding="utf-8"))["packages"]
    have = json.loads(INSTALLED_LOCK.read_text(encoding="utf-8"))["packages"]
    return all(have.get(name, {}).get("version") == entry.get("version") for name, entry in locked.items() if name)


def install() -> None:
    """`npm ci` in this folder unless the locked packages are already installed; raises with npm's error."""
    if _installed():
        return
    done = subprocess.run(
        ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm ci in {HERE} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


@contextlib.asynccontextmanager
async def running_provider(
    client: dict[str, Any], accounts: dict[str, dict[str, Any]], *, timeout: float = 15.0
) -> AsyncIterator[str]:
    """The provider with one `client` and `accounts` (login → {password, claims}); yields its issuer."""
    env = {**os.environ, "OIDC_TEST_CONFIG": json.dumps({"client": client, "accounts": accounts})}
    # A file, not a pipe: nobody reads the provider's warnings while it runs, and a full pipe would stall it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below, after the provider stops)
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(HERE / "provider.mjs"),
        cwd=HERE,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
    )
    try:
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=timeout)
        except TimeoutError:
            line = b""
        if not line:
            proc.kill()
            await proc.wait()
            log.seek(0)
            raise RuntimeError(f"the test OpenID provider did not start: {log.read().decode()[-2000:]}")
        yield str(json.loads(line)["issuer"])
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), timeout=5)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        log.close()
