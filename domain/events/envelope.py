"""The envelope every event shares, and the registry of payload types.

A stream is one order or one victim contact. A workflow proposes a `NewEvent` at the next
`stream_version`; the event store stamps `recorded_at`, the global position and the hash chain and
returns a `RecordedEvent`. Payload classes are registered by their event type name, so a reader can
validate any stored payload with `parse_payload`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SYSTEM_DEADLINES = "system:deadlines"
COURT_INTAKE = "court-intake"


class EventPayload(BaseModel):
    """Base of every payload. `event_type` is the class name unless a subclass says otherwise.

    Each payload class also says, beside its fields, what it means to the people reading the record:
    `title`, its name on a page ("Referral to the Victim Contact Scheme made"), and `describe`, one
    plain-English sentence of what it recorded. Neither is stored, so stored events and saved workflow
    histories are untouched by a change of wording.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_type: ClassVar[str] = ""
    title: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.event_type = cls.__name__
        PAYLOAD_TYPES[cls.__name__] = cls

    def describe(self, rule_names: Mapping[str, str]) -> str:
        """What this event recorded, as one or two GOV.UK-style sentences; `rule_names` names rule ids."""
        raise NotImplementedError(f"{self.event_type} has no sentence: write its describe() beside its fields")


PAYLOAD_TYPES: dict[str, type[EventPayload]] = {}


class NewEvent(BaseModel):
    """An event a workflow asks to append. `event_id` makes a retried append a no-op."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    stream_id: str = Field(min_length=1, max_length=200)
    stream_version: int = Field(ge=1)
    event_type: str
    child_id: str
    yjs: str
    effective_at: AwareDatetime
    actor: str = Field(min_length=1)
    reason: str | None = None
    payload: dict[str, Any]


class RecordedEvent(NewEvent):
    """An event as stored: with its place in the global order, when it was recorded, and its chain link."""

    global_position: int
    recorded_at: AwareDatetime
    prev_hash: str
    hash: str


def new_event(
    payload: EventPayload,
    *,
    event_id: UUID,
    stream_id: str,
    stream_version: int,
    child_id: str,
    yjs: str,
    effective_at: Any,
    actor: str,
    reason: str | None = None,
) -> NewEvent:
    """Wrap a typed payload in its envelope (the payload is stored as JSON)."""
    return NewEvent(
        event_id=event_id,
        stream_id=stream_id,
        stream_version=stream_version,
        event_type=payload.event_type,
        child_id=child_id,
        yjs=yjs,
        effective_at=effective_at,
        actor=actor,
        reason=reason,
        payload=payload.model_dump(mode="json"),
    )


def parse_payload(event_type: str, payload: dict[str, Any]) -> EventPayload:
    """Validate a stored payload against its registered type; unknown types are a loud error."""
    try:
        cls = PAYLOAD_TYPES[event_type]
    except KeyError:
        raise ValueError(f"unknown event type {event_type!r}") from None
    return cls.model_validate(payload)
