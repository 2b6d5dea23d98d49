"""The processes a benchmark runs its service in, as a deployment runs them: each with its own
environment (only what `docker-compose.yml` gives), its stderr kept to quote if it fails, and stopped with
SIGTERM (then SIGKILL) on the way out."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from activities.settings import Settings

START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 20.0


@dataclass
class Child:
    """A process this bench started, with its stderr kept in a file to quote if it fails."""

    name: str
    process: asyncio.subprocess.Process
    log: IO[bytes]

    def tail(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-3000:].decode("utf-8", "replace")

    def check(self) -> None:
        if self.process.returncode is not None:
            raise RuntimeError(f"{self.name} exited {self.process.returncode}:\n{self.tail()}")


@contextlib.asynccontextmanager
async def child(name: str, args: list[str], env: dict[str, str], *, stdout: int | None = None) -> AsyncIterator[Child]:
    """Run `args` as a process of its own; SIGTERM (then SIGKILL) it on the way out."""
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            *args,
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stdout or log,
            stderr=log,
        )
        try:
            yield Child(name, process, log)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
                except TimeoutError:
                    process.kill()
                    await process.wait()


def free_port() -> int:
    """A port the OS says is free now (`yjflow api` takes a port number, not a socket)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(settings: Settings, api_port: int) -> dict[str, str]:
    """The environment a deployment gives `yjflow api` and `worker.py` (docker-compose.yml)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YJFLOW_") and k not in ("DATABASE_URL",)}
    assert settings.database_url and settings.payload_key and settings.victim_master_key
    env |= {
        "DATABASE_URL": settings.database_url,
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "YJFLOW_PAYLOAD_KEY": settings.payload_key,
        "YJFLOW_VICTIM_MASTER_KEY": settings.victim_master_key,
        "YJFLOW_TASK_QUEUE": settings.task_queue,
        "YJFLOW_API_HOST": "127.0.0.1",
        "YJFLOW_API_PORT": str(api_port),
        "YJFLOW_LOG_LEVEL": settings.log_level,
        "YJFLOW_DATA_DIR": tempfile.gettempdir(),  # never a developer's .yjflow key files
    }
    return env


async def api_ready(api: Child, url: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT_SECONDS
    async with httpx.AsyncClient(base_url=url, timeout=5) as http:
        while True:
            api.check()
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health")).status_code == 200:
                    return
            if loop.time() > deadline:
                raise RuntimeError(f"the API did not answer /health within {START_TIMEOUT_SECONDS:.0f} s")
            await asyncio.sleep(0.1)
