"""Migrations: applied once, in order, safely when several processes start together."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from activities.migrate import apply_migrations, available_migrations


@pytest.fixture
def empty_database_url(pg_server_url: str) -> Iterator[str]:
    """A database with nothing in it, not even schema_migrations."""
    name = f"yjflow_migrate_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(pg_server_url)
    params["dbname"] = name
    yield make_conninfo("", **params)
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _recorded_versions(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [v for (v,) in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def test_versions_are_numbered_files_in_order() -> None:
    versions = [m.version for m in available_migrations()]
    assert versions[0] == "001"
    assert versions == sorted(versions, key=int)
    assert len(set(versions)) == len(versions)


def test_first_apply_applies_everything_in_order(empty_database_url: str) -> None:
    expected = [m.version for m in available_migrations()]
    assert apply_migrations(empty_database_url) == expected
    assert _recorded_versions(empty_database_url) == expected
    with psycopg.connect(empty_database_url) as conn:
        tables = {t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"events", "deadlines", "schema_migrations"} <= tables


def test_second_apply_is_a_no_op(fresh_database_url: str) -> None:
    before = _recorded_versions(fresh_database_url)
    assert apply_migrations(fresh_database_url) == []
    assert apply_migrations(fresh_database_url) == []
    assert _recorded_versions(fresh_database_url) == before


def test_processes_starting_together_apply_each_migration_once(empty_database_url: str) -> None:
    expected = [m.version for m in available_migrations()]
    results: list[list[str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run() -> None:
        try:
            start.wait()
            results.append(apply_migrations(empty_database_url))
        except BaseException as exc:  # collected and re-raised by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(v for result in results for v in result) == expected
    assert _recorded_versions(empty_database_url) == expected
