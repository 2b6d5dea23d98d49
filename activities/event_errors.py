"""The appends the event store refuses, and why: each a non-retryable `EventStoreError`."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from domain.events import NewEvent


class EventStoreError(Exception):
    """An append the store refuses. Retrying the same call gives the same answer, so never retry it:
    the caller's idea of the stream is wrong and must be re-read. (A lock timeout or a lost connection
    is not an EventStoreError: those are psycopg errors and are worth retrying.)"""

    non_retryable: ClassVar[bool] = True

    def __init__(
        self,
        message: str,
        *,
        stream_id: str | None = None,
        stream_version: int | None = None,
        event_id: UUID | None = None,
    ) -> None:
        super().__init__(message)
        self.stream_id = stream_id
        self.stream_version = stream_version
        self.event_id = event_id


class WrongExpectedVersion(EventStoreError):
    """The proposed version is not the stream's next one (a gap, or a new stream not starting at 1)."""


class AppendConflict(EventStoreError):
    """A different event already holds the proposed version, or an event_id was reused with new content."""


class InvalidEvent(EventStoreError):
    """The event cannot be stored faithfully: unknown type, or a payload its type or JSON does not allow."""


def invalid(event: NewEvent, why: str) -> InvalidEvent:
    """An InvalidEvent naming the event."""
    return InvalidEvent(
        f"stream {event.stream_id!r} version {event.stream_version} (event {event.event_id}, "
        f"{event.event_type}): {why}",
        stream_id=event.stream_id,
        stream_version=event.stream_version,
        event_id=event.event_id,
    )
