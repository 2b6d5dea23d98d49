"""The append-only, hash-chained event store on PostgreSQL: `EventStore`, one object for what the
activities, the API and the pages do with it.

Every fact yjflow records is a row in `events`. The store's parts live by what they do:

  activities.event_append  appending: per-stream guards, idempotence by event id, the chain, the projections
  activities.event_reads   reading: a stream, a child, and the whole store in order for a reader that tails it
  activities.event_chain   checking each stream's SHA-256 chain (`verify`, `first_break`, `row_hash`)
  activities.event_errors  the appends it refuses, and why

Import from those modules directly when you need only one part: this module imports all of them, the
projections included, and a module the projections import (the order and victim-contact read sides, the
audit reads) would make a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg_pool import AsyncConnectionPool

from activities import event_chain
from activities.event_append import Appender
from activities.event_chain import VerifyReport
from activities.event_reads import EventReader
from domain.events import NewEvent, RecordedEvent


class EventStore(EventReader):
    """Appends, reads and verifies events through a pool; every method takes its own connection."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        *,
        lock_timeout_seconds: float = 5.0,
        validate_payloads: bool = True,
    ) -> None:
        super().__init__(pool)
        self._appender = Appender(pool, lock_timeout_seconds=lock_timeout_seconds, validate_payloads=validate_payloads)

    async def append(self, events: Sequence[NewEvent]) -> list[RecordedEvent]:
        """Append events atomically; see `activities.event_append.Appender.append`."""
        return await self._appender.append(events)

    async def verify(self, stream_id: str | None = None) -> VerifyReport:
        """Recompute every stream's chain (or one stream's); see `activities.event_chain.verify`."""
        return await event_chain.verify(self._pool, stream_id)
