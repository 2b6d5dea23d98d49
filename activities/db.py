"""The one way yjflow opens PostgreSQL connections for async code (activities and the API)."""

from __future__ import annotations

from psycopg import AsyncConnection
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
