"""The `deadlines` table: a projection of the Deadline* events, answering "what is due, overdue, met, missed".

An order transferred to another YJS (`OrderTransferred` with `to` = `yjs`) takes its outstanding deadlines
(open, or missed and still escalating) with it: their `yjs` becomes the receiving service. Deadlines met
or cancelled before the transfer stay with the service that dealt with them.

Its changes (`changes`) run inside the event store's append transaction, so the projection never lags or diverges from
the events that produced it. Every row remembers the global position of the last event applied to it
(`last_position`), and an event at or below that position is ignored: applying the same event twice, or
replaying a stream over an up-to-date table, changes nothing. A row belongs to one stream, so this compares
positions within a stream only, where they rise with the version (appends to a stream hold its guard from
before they take positions until they commit, `activities.event_append`); nothing here assumes that
positions across streams commit in order, which they do not.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row

from activities.event_reads import EVENT_COLUMNS
from domain.events import (
    DeadlineCancelled,
    DeadlineEscalated,
    DeadlineMet,
    DeadlineMissed,
    DeadlineScheduled,
    OrderTransferred,
    RecordedEvent,
)

DEADLINE_EVENT_TYPES: tuple[str, ...] = (
    DeadlineScheduled.event_type,
    DeadlineMet.event_type,
    DeadlineMissed.event_type,
    DeadlineEscalated.event_type,
    DeadlineCancelled.event_type,
)
# Every event type the projection reads: the Deadline* events and the transfers that move them.
PROJECTED_EVENT_TYPES: tuple[str, ...] = (*DEADLINE_EVENT_TYPES, OrderTransferred.event_type)

# A later DeadlineScheduled for the same deadline is a reschedule: the new dates replace the old and the
# deadline is open again. Escalations are kept (they happened); the earlier miss stays in the event stream.
_SCHEDULE = """
INSERT INTO deadlines (
    stream_id, deadline_id, child_id, yjs, rule_id, rule_pack_version, calendar_version, rule_type,
    confidence, unconfirmed, description, clock_start, due_date, period_end, due_at,
    status, met_on, days_late, escalations, last_position
) VALUES (
    %(stream_id)s, %(deadline_id)s, %(child_id)s, %(yjs)s, %(rule_id)s, %(rule_pack_version)s,
    %(calendar_version)s, %(rule_type)s, %(confidence)s, %(unconfirmed)s, %(description)s,
    %(clock_start)s, %(due_date)s, %(period_end)s, %(due_at)s,
    'open', NULL, NULL, 0, %(position)s
)
ON CONFLICT (stream_id, deadline_id) DO UPDATE SET
    child_id = EXCLUDED.child_id,
    yjs = EXCLUDED.yjs,
    rule_id = EXCLUDED.rule_id,
    rule_pack_version = EXCLUDED.rule_pack_version,
    calendar_version = EXCLUDED.calendar_version,
    rule_type = EXCLUDED.rule_type,
    confidence = EXCLUDED.confidence,
    unconfirmed = EXCLUDED.unconfirmed,
    description = EXCLUDED.description,
    clock_start = EXCLUDED.clock_start,
    due_date = EXCLUDED.due_date,
    period_end = EXCLUDED.period_end,
    due_at = EXCLUDED.due_at,
    status = 'open',
    met_on = NULL,
    days_late = NULL,
    met_recorded_at = NULL,
    escalations_before_met = NULL,
    missed_before_met = NULL,
    last_position = EXCLUDED.last_position
WHERE deadlines.last_position < EXCLUDED.last_position
"""

# A deadline met after it was recorded as missed stays `missed`: the record must show it was late,
# while met_on and days_late say when it was finally done.
# Met late stays missed, with the day it was met. Met on time but recorded after the miss was recorded
# (a back-dated entry) is met: the late entry shows on the timeline, the deadline was kept. When it was
# recorded, and how many escalations had fired by then, let the reports tell it from one recorded on time.
_MET = """
UPDATE deadlines
SET status = CASE WHEN status = 'missed' AND %(late)s THEN 'missed' ELSE 'met' END,
    met_on = %(met_on)s, days_late = %(days_late)s, met_recorded_at = %(recorded_at)s,
    escalations_before_met = escalations, missed_before_met = (status = 'missed'), last_position = %(position)s
WHERE stream_id = %(stream_id)s AND deadline_id = %(deadline_id)s AND last_position < %(position)s
"""

_MISSED = """
UPDATE deadlines SET status = 'missed', last_position = %(position)s
WHERE stream_id = %(stream_id)s AND deadline_id = %(deadline_id)s AND last_position < %(position)s
"""

_ESCALATED = """
UPDATE deadlines SET escalations = escalations + 1, last_position = %(position)s
WHERE stream_id = %(stream_id)s AND deadline_id = %(deadline_id)s AND last_position < %(position)s
"""

_CANCELLED = """
UPDATE deadlines SET status = 'cancelled', last_position = %(position)s
WHERE stream_id = %(stream_id)s AND deadline_id = %(deadline_id)s AND last_position < %(position)s
"""

_TRANSFERRED = """
UPDATE deadlines SET yjs = %(to_yjs)s, last_position = %(position)s
WHERE stream_id = %(stream_id)s AND status IN ('open', 'missed') AND last_position < %(position)s
"""

_REBUILD_PAGE = 1000


# A change to the table: a statement and its parameters. `changes` makes them without I/O, so the event
# store can send them with its other writes in one round trip.
Change = tuple[str, dict[str, Any]]


def _params(event: RecordedEvent) -> dict[str, Any]:
    return {"stream_id": event.stream_id, "position": event.global_position}


def changes(event: RecordedEvent) -> list[Change]:
    """What one recorded event changes in the projection (nothing for events that are not Deadline* or a
    transfer), to run in order in the append's transaction."""
    kind = event.event_type
    if kind == DeadlineScheduled.event_type:
        scheduled = DeadlineScheduled.model_validate(event.payload)
        return [
            (
                _SCHEDULE,
                {
                    **_params(event),
                    "deadline_id": scheduled.deadline_id,
                    "child_id": event.child_id,
                    "yjs": event.yjs,
                    "rule_id": scheduled.rule_id,
                    "rule_pack_version": scheduled.rule_pack_version,
                    "calendar_version": scheduled.calendar_version,
                    "rule_type": scheduled.rule_type,
                    "confidence": scheduled.confidence,
                    "unconfirmed": scheduled.unconfirmed,
                    "description": scheduled.description,
                    "clock_start": scheduled.clock_start,
                    "due_date": scheduled.due_date,
                    "period_end": scheduled.period_end,
                    "due_at": scheduled.due_at,
                },
            )
        ]
    if kind == DeadlineMet.event_type:
        met = DeadlineMet.model_validate(event.payload)
        return [
            (
                _MET,
                {
                    **_params(event),
                    "deadline_id": met.deadline_id,
                    "met_on": met.met_on,
                    "days_late": met.days_late,
                    "late": met.late,
                    "recorded_at": event.recorded_at,
                },
            )
        ]
    if kind == DeadlineMissed.event_type:
        missed = DeadlineMissed.model_validate(event.payload)
        return [(_MISSED, {**_params(event), "deadline_id": missed.deadline_id})]
    if kind == DeadlineEscalated.event_type:
        escalated = DeadlineEscalated.model_validate(event.payload)
        return [(_ESCALATED, {**_params(event), "deadline_id": escalated.deadline_id})]
    if kind == DeadlineCancelled.event_type:
        cancelled = DeadlineCancelled.model_validate(event.payload)
        return [(_CANCELLED, {**_params(event), "deadline_id": cancelled.deadline_id})]
    if kind == OrderTransferred.event_type:
        transferred = OrderTransferred.model_validate(event.payload)
        if transferred.to == "yjs" and transferred.to_yjs is not None:
            return [(_TRANSFERRED, {**_params(event), "to_yjs": transferred.to_yjs})]
    return []


async def apply(conn: AsyncConnection[Any], event: RecordedEvent) -> None:
    """Apply one recorded event to the projection; events that are not Deadline* or a transfer are ignored."""
    for query, params in changes(event):
        await conn.execute(query, params)


async def rebuild(conn: AsyncConnection[Any]) -> int:
    """Wipe the projection and replay every event it reads, stream by stream; return the events applied."""
    applied = 0
    async with conn.transaction():
        # Appends write `deadlines` in their own transaction, so once we hold this lock every append that
        # projected an event has committed (the reads below see its events), and any other append waits
        # to project until we commit, then applies its events over the rebuilt rows. No append can project
        # an event while the table is being rebuilt (it would be wiped, or applied twice). Reads of
        # `deadlines` and appends of events it does not read go on.
        await conn.execute("LOCK TABLE deadlines IN EXCLUSIVE MODE")
        await conn.execute("DELETE FROM deadlines")
        # Every committed event, in (stream, version) order: a row is one stream's, so only the order
        # within a stream matters, and that order needs no lock or watermark. A reader following the store
        # as it grows pages below the oldest running transaction (`activities.event_reads`); here that would
        # be wrong, since an append waiting on our lock holds that watermark back, and events it is behind
        # have been projected already, into the rows we just deleted.
        after: tuple[str, int] = ("", 0)
        while True:
            # Keyset pages rather than one server-side cursor, because apply() writes on this same
            # connection between reads.
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                f"SELECT {EVENT_COLUMNS} FROM events"
                " WHERE event_type = ANY(%s) AND (stream_id, stream_version) > (%s, %s)"
                " ORDER BY stream_id, stream_version LIMIT %s",
                (list(PROJECTED_EVENT_TYPES), *after, _REBUILD_PAGE),
            )
            rows = await cur.fetchall()
            if not rows:
                break
            for row in rows:
                event = RecordedEvent.model_validate(row)
                await apply(conn, event)
                after = (event.stream_id, event.stream_version)
                applied += 1
    return applied
