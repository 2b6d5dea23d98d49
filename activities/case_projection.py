"""The `cases` table: one row per order or victim contact (its kind, state, responsible worker, open or
closed), a projection updated inside the event store's append transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import AsyncConnection

from domain.events import RecordedEvent


async def apply(conn: AsyncConnection[Any], recorded: Sequence[RecordedEvent]) -> None:
    """Bring the rows of the streams in `recorded` up to date (called once per append, in its transaction)."""
    return None
