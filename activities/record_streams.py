"""Events on streams no workflow owns: a child's record, a victim's details. Each is appended at the head
of its stream, and a concurrent append to the same stream moves it to the next version.

Never used for a workflow's stream: a workflow proposes its own versions, and an event slipped in
between would make its next append a conflict."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

from activities.event_errors import WrongExpectedVersion
from activities.event_store import EventStore
from domain import events as ev

ATTEMPTS = 5


def child_record_stream(yjs: str, child_id: str) -> str:
    return f"child-record:{yjs}:{child_id}"


def victim_details_stream(yjs: str, victim_ref: str) -> str:
    return f"victim-details:{yjs}:{victim_ref}"


async def append_record_event(
    pool: AsyncConnectionPool[Any],
    payload: ev.EventPayload,
    *,
    stream_id: str,
    child_id: str,
    yjs: str,
    actor: str,
    reason: str | None = None,
) -> ev.RecordedEvent:
    store = EventStore(pool)
    for _ in range(ATTEMPTS):
        version, _hash = await store.stream_head(stream_id)
        event = ev.new_event(
            payload,
            event_id=uuid.uuid4(),
            stream_id=stream_id,
            stream_version=version + 1,
            child_id=child_id,
            yjs=yjs,
            effective_at=datetime.now(UTC),
            actor=actor,
            reason=reason,
        )
        try:
            (recorded,) = await store.append([event])
            return recorded
        except WrongExpectedVersion:
            continue
    raise RuntimeError(f"{stream_id}: {payload.event_type} not recorded after {ATTEMPTS} concurrent appends")
