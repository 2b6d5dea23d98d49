"""Schema migrations: every `activities/migrations/NNN_*.sql` not yet applied, in order, once.

The version recorded in `schema_migrations` is the number `NNN`, not the file name, so renaming a
migration file (a typo in its description) does not apply it a second time.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import psycopg
import structlog

log = structlog.get_logger(__name__)

_FILE_NAME = re.compile(r"^(?P<version>\d{3,})_[A-Za-z0-9_\-]+\.sql$")

# Any fixed bigint works; every yjflow process must use the same one. This is "yjflow" in ASCII.
_MIGRATION_LOCK_KEY = 0x796A666C6F77

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text        PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


# Python steps run after a migration's SQL, in its transaction: data the SQL cannot compute (migration 004's
# case rows come from folding each stream through the domain). "module:function", imported only when run,
# so reading the migrations never imports the domain.
_PYTHON_STEPS: dict[str, str] = {
    "004": "activities.case_projection:backfill",
}


def _python_step(version: str) -> Callable[[psycopg.Connection[object]], object] | None:
    target = _PYTHON_STEPS.get(version)
    if target is None:
        return None
    module, _, function = target.partition(":")
    step: Callable[[psycopg.Connection[object]], object] = getattr(importlib.import_module(module), function)
    return step


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """The migration files shipped with this package, in version order."""
    folder = resources.files("activities") / "migrations"
    found: dict[str, Migration] = {}
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if not match:
            continue
        version = match["version"]
        if version in found:
            # Two files with one number would make "which one ran" depend on directory order.
            raise RuntimeError(f"two migrations share version {version}: {found[version].name}, {entry.name}")
        found[version] = Migration(version, entry.name, entry.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found, key=int)]


def _lock(conn: psycopg.Connection[object]) -> None:
    # A transaction-level advisory lock serialises processes that start together (worker and API in
    # one `docker compose up`); it is released by the commit, so a crash cannot leave it held.
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK_KEY,))


def apply_migrations(url: str) -> list[str]:
    """Apply the pending migrations, each in its own transaction; return the versions applied."""
    migrations = available_migrations()
    applied_now: list[str] = []
    with psycopg.connect(url) as conn:
        with conn.transaction():
            _lock(conn)
            # Created under the lock: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
            conn.execute(_CREATE_TABLE)
        for migration in migrations:
            with conn.transaction():
                _lock(conn)
                # Checked again under the lock: another process may have applied it since we looked.
                done = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = %s", (migration.version,)
                ).fetchone()
                if done:
                    continue
                # A whole file in one execute(): with no parameters psycopg sends it as is, so several
                # statements are allowed and `%` needs no escaping. Any error rolls back the migration
                # and its version row together.
                conn.execute(migration.sql)
                step = _python_step(migration.version)
                if step is not None:
                    step(conn)
                conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (migration.version,))
            applied_now.append(migration.version)
            log.info("migration applied", version=migration.version, file=migration.name)
    return applied_now
