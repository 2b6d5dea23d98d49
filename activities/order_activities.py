"""The activities order workflows call: record events, schedule deadlines, send deadline notices.

Each is idempotent under Temporal's retries: events carry ids fixed by the workflow, and notices a
dedupe key, so a retry after a crash records and sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.db import Pool
from activities.event_errors import EventStoreError
from activities.event_store import EventStore
from activities.notify import Notifier
from activities.rule_source import load_calendar, load_rule_pack
from activities.users import get_user, manager_of
from domain import events as ev
from domain.casework_cycle import levels_up
from domain.deadlines import compute_deadline
from domain.messages import DeadlineNoticeInput, RecordEventsInput, ScheduleDeadlinesInput
from domain.notifications import escalation_message, reminder_message

log = structlog.get_logger("yjflow.activities")
LONDON = ZoneInfo("Europe/London")


def _reminder_label(d: ev.DeadlineScheduled, at: datetime) -> str:
    day = at.astimezone(LONDON).date()
    if day >= d.due_date:
        return "due today"
    return f"due on {d.due_date.isoformat()}"


class OrderActivities:
    def __init__(self, pool: Pool, store: EventStore, notifier: Notifier, rules_file: Path | None) -> None:
        self._pool = pool
        self._store = store
        self._notifier = notifier
        self._rules_file = rules_file

    async def _append(self, events: list[ev.NewEvent]) -> None:
        try:
            recorded = await self._store.append(events)
        except EventStoreError as e:  # a conflict or an invalid event never heals by retrying
            raise ApplicationError(str(e), type=type(e).__name__, non_retryable=True) from e
        for r in recorded:
            log.info(
                "event.recorded",
                workflow_id=r.stream_id,
                event_type=r.event_type,
                stream_version=r.stream_version,
                global_position=r.global_position,
            )

    @activity.defn(name="record_events")
    async def record_events(self, input: RecordEventsInput) -> int:
        await self._append(input.events)
        return len(input.events)

    @activity.defn(name="schedule_deadlines")
    async def schedule_deadlines(self, input: ScheduleDeadlinesInput) -> list[ev.DeadlineScheduled]:
        pack = load_rule_pack(self._rules_file)
        calendar = await load_calendar(self._pool)
        schedules: list[ev.DeadlineScheduled] = []
        events: list[ev.NewEvent] = []
        for i, req in enumerate(input.requests):
            schedule = compute_deadline(
                pack.rule(req.rule_id),
                req.clock_start,
                calendar,
                deadline_id=req.deadline_id,
                rule_pack_version=pack.version,
                amount=req.amount,
            )
            schedules.append(schedule)
            events.append(
                ev.new_event(
                    schedule,
                    event_id=req.event_id,
                    stream_id=input.stream_id,
                    stream_version=input.first_version + i,
                    child_id=input.child_id,
                    yjs=input.yjs,
                    effective_at=input.effective_at,
                    actor=ev.SYSTEM_DEADLINES,
                )
            )
        await self._append([*input.preceding, *events])
        return schedules

    @activity.defn(name="send_deadline_notice")
    async def send_deadline_notice(self, input: DeadlineNoticeInput) -> str:
        d = input.deadline
        recipient = await self._recipient(input)
        if input.kind == "reminder":
            message = reminder_message(
                workflow_id=input.stream_id,
                child_id=input.child_id,
                rule_id=d.rule_id,
                description=d.description,
                due_date=d.due_date,
                unconfirmed=d.unconfirmed,
                source=d.source,
                reminder_label=_reminder_label(d, input.at),
            )
            payload: ev.EventPayload = ev.DeadlineReminderSent(
                deadline_id=d.deadline_id,
                rule_id=d.rule_id,
                due_date=d.due_date,
                reminder_at=input.at,
                recipient=recipient,
                unconfirmed=d.unconfirmed,
            )
        else:
            message = escalation_message(
                workflow_id=input.stream_id,
                child_id=input.child_id,
                rule_id=d.rule_id,
                description=d.description,
                due_date=d.due_date,
                escalation_number=input.escalation_number,
                responsible=input.responsible or f"team:{input.yjs}",
                unconfirmed=d.unconfirmed,
                source=d.source,
            )
            payload = ev.DeadlineEscalated(
                deadline_id=d.deadline_id,
                rule_id=d.rule_id,
                due_date=d.due_date,
                recipient=recipient,
                escalation_number=input.escalation_number,
            )
        await self._notifier.send(
            dedupe_key=str(input.event_id),
            kind=input.kind,
            recipient=recipient,
            workflow_id=input.stream_id,
            child_id=input.child_id,
            deadline_id=d.deadline_id,
            rule_id=d.rule_id,
            due_date=d.due_date,
            message=message,
        )
        await self._append(
            [
                ev.new_event(
                    payload,
                    event_id=input.event_id,
                    stream_id=input.stream_id,
                    stream_version=input.stream_version,
                    child_id=input.child_id,
                    yjs=input.yjs,
                    effective_at=input.at,
                    actor=ev.SYSTEM_DEADLINES,
                )
            ]
        )
        return recipient

    async def _recipient(self, input: DeadlineNoticeInput) -> str:
        """Reminders go to the responsible worker, escalations to that worker's manager; else the team.
        Oversight is the manager's work, so its reminders go to the manager and its escalations to the
        manager's own manager (`levels_up`); where the line stops short, to the service's managers."""
        up = levels_up(input.deadline.rule_id, input.kind)
        if up == 0:
            if input.responsible and await get_user(self._pool, input.responsible):
                return input.responsible
            return f"team:{input.yjs}"
        who = input.responsible
        for _ in range(up):
            manager = await manager_of(self._pool, who) if who else None
            if manager is None:
                return f"managers:{input.yjs}"
            who = manager.username
        assert who is not None
        return who

    def all(self) -> list[object]:
        return [self.record_events, self.schedule_deadlines, self.send_deadline_notice]
