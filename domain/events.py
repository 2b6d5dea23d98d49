"""The one event schema: every fact yjflow records, as an envelope around a typed payload.

A stream is one order or one victim contact. A workflow proposes a `NewEvent` at the next
`stream_version`; the event store stamps `recorded_at`, the global position and the hash chain and
returns a `RecordedEvent`. Payload classes are registered by their event type name, so a reader can
validate any stored payload with `parse_payload`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SYSTEM_DEADLINES = "system:deadlines"
COURT_INTAKE = "court-intake"


class EventPayload(BaseModel):
    """Base of every payload. `event_type` is the class name unless a subclass says otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_type: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.event_type = cls.__name__
        PAYLOAD_TYPES[cls.__name__] = cls


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


# --- court intake -------------------------------------------------------------------------------


class CourtOutcomeRecorded(EventPayload):
    """The court outcome that opened (or acted on) this stream, by reference: no names travel here."""

    outcome_id: str
    case_reference: str
    court_kind: str
    hearing_date: date
    disposal_kind: str
    victim_refs: list[str] = []


# --- referral order -----------------------------------------------------------------------------


class ReferralOrderMade(EventPayload):
    months: int
    hearing_date: date
    victim_refs: list[str] = []


class CaseWorkerAllocated(EventPayload):
    case_worker: str


class FirstContactMade(EventPayload):
    contact_date: date
    method: str = "in_person"


class VictimViewsRecorded(EventPayload):
    """A victim was contacted and their views sought before the panel (reference only)."""

    victim_ref: str


class InitialPanelHeld(EventPayload):
    panel_date: date


class ContractSigned(EventPayload):
    signed_date: date
    compliance_start: date
    compliance_end: date
    months: int


class PanelAdjourned(EventPayload):
    panel_date: date
    adjourned_to: date | None = None


class ProgressPanelHeld(EventPayload):
    panel_date: date
    next_panel_due_by: date


class ContractVaried(EventPayload):
    varied_date: date
    summary: str


class ReferredBackToCourt(EventPayload):
    referral_date: date
    grounds: Literal["breach", "no_agreement", "revocation_good_progress", "other"]


class CourtDecisionRecorded(EventPayload):
    decision_date: date
    decision: Literal["continue", "extend", "revoke_and_resentence", "revoke_good_progress"]
    extension_months: int = 0


class OrderExtended(EventPayload):
    extension_months: int
    total_months: int
    compliance_end: date


class RevocationRefused(EventPayload):
    decision_date: date
    bar_until: date


class OrderRevoked(EventPayload):
    revoked_date: date
    grounds: Literal["resentenced", "good_progress"]


class FinalPanelHeld(EventPayload):
    panel_date: date
    discharged: bool = True


class OrderCompleted(EventPayload):
    completed_date: date


# --- deadlines ----------------------------------------------------------------------------------


class DeadlineScheduled(EventPayload):
    """A deadline computed once and recorded, so replays and audits never recompute it."""

    deadline_id: str
    rule_id: str
    rule_pack_version: str
    calendar_version: str
    rule_type: str
    rule_kind: str = "deadline"  # deadline | fixed_date | block | check: a fixed date is never "missed"
    confidence: str
    unconfirmed: bool
    source: str
    description: str
    clock_start: date
    due_date: date
    period_end: date | None = None
    due_at: AwareDatetime
    reminders: list[AwareDatetime] = []
    escalate_at: AwareDatetime


class DeadlineReminderSent(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date
    reminder_at: AwareDatetime
    recipient: str
    unconfirmed: bool


class DeadlineMet(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date
    met_on: date
    late: bool
    days_late: int = 0
    met_by: str


class DeadlineMissed(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date


class DeadlineEscalated(EventPayload):
    deadline_id: str
    rule_id: str
    due_date: date
    recipient: str
    escalation_number: int


class DeadlineCancelled(EventPayload):
    deadline_id: str
    rule_id: str
    why: str
