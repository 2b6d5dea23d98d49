"""The one way yjflow opens PostgreSQL connections for async code (activities and the API), the API's
health probe of them, and the creation of the database itself for `yjflow dev`."""

from __future__ import annotations

import psycopg
from psycopg import AsyncConnection, sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

Pool = AsyncConnectionPool[AsyncConnection[DictRow]]


async def open_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> Pool:
    """An opened pool whose connections return rows as dicts; waits until `min_size` are connected."""
    # open=False then an awaited open(): opening in the constructor is deprecated for async pools and
    # would not surface a bad URL here, where the caller can report it.
    pool: Pool = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"row_factory": dict_row},
        connection_class=AsyncConnection[DictRow],
        open=False,
        name="yjflow",
    )
    await pool.open(wait=True)
    return pool


async def check_connection(pool: Pool) -> None:
    """Raises unless the pool can hand out a connection that answers a query (the health check)."""
    async with pool.connection() as conn:
        await conn.execute("SELECT 1")


def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` unless it exists, connecting as `admin_url` (a maintenance database)."""
    # autocommit: CREATE DATABASE cannot run inside a transaction block.
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
