"""The one event schema: every fact yjflow records, as an envelope around a typed payload.

A stream is one order or one victim contact. A workflow proposes a `NewEvent` at the next
`stream_version`; the event store stamps `recorded_at`, the global position and the hash chain and
returns a `RecordedEvent`. Payload classes register themselves by class name in `PAYLOAD_TYPES`, one
module per area (a module per order kind, victims, deadlines), so `parse_payload` validates any stored
payload. Import payloads from here: `from domain import events as ev; ev.DeadlineMet(...)`.
"""

from domain.events.casework_cycle import *  # noqa: F403
from domain.events.child_record import *  # noqa: F403
from domain.events.corrections import *  # noqa: F403
from domain.events.custody import *  # noqa: F403
from domain.events.deadlines import *  # noqa: F403
from domain.events.envelope import (
    COURT_INTAKE,
    PAYLOAD_TYPES,
    SYSTEM_DEADLINES,
    EventPayload,
    NewEvent,
    RecordedEvent,
    new_event,
    parse_payload,
)
from domain.events.intake import *  # noqa: F403
from domain.events.referral_order import *  # noqa: F403
from domain.events.remand import *  # noqa: F403
from domain.events.retention import *  # noqa: F403
from domain.events.victim_contact import *  # noqa: F403
from domain.events.victim_contact_closing import *  # noqa: F403
from domain.events.victim_contact_kpi import *  # noqa: F403
from domain.events.victims_added import *  # noqa: F403
from domain.events.youth_rehabilitation_order import *  # noqa: F403

__all__ = [
    "COURT_INTAKE",
    "PAYLOAD_TYPES",
    "SYSTEM_DEADLINES",
    "EventPayload",
    "NewEvent",
    "RecordedEvent",
    "new_event",
    "parse_payload",
    *PAYLOAD_TYPES,
]
