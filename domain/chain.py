"""The per-stream SHA-256 hash chain over canonical JSON (RFC 8785).

Each event's hash covers the previous event's hash and every field a person could dispute:
where it sits in its stream, what happened, to whom, when it took effect, when it was recorded,
who did it and why. Canonical JSON keeps the hash stable whatever serialiser wrote the row.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import rfc8785

GENESIS_HASH = "0" * 64


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    prev_hash: str,
    event_id: str,
    stream_id: str,
    stream_version: int,
    event_type: str,
    child_id: str,
    yjs: str,
    effective_at: datetime,
    recorded_at: datetime,
    actor: str,
    reason: str | None,
    payload: dict[str, Any],
) -> str:
    """The hex SHA-256 of `prev_hash` followed by the canonical JSON of the event's fields."""
    body = rfc8785.dumps(
        {
            "event_id": event_id,
            "stream_id": stream_id,
            "stream_version": stream_version,
            "event_type": event_type,
            "child_id": child_id,
            "yjs": yjs,
            "effective_at": _instant(effective_at),
            "recorded_at": _instant(recorded_at),
            "actor": actor,
            "reason": reason,
            "payload": payload,
        }
    )
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()
