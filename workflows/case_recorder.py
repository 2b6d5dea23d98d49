"""One case's stream as its workflow keeps it: the stream's version, its deadlines (scheduled, met,
missed, escalated, cancelled), the people's steps it has recorded, and the activities that write them.

Every order kind's workflow owns one `CaseRecorder`; what it carries across continue-as-new is the
`Carried` shape below. Runs inside the workflow sandbox: every side effect is an activity, every id
comes from `workflow.uuid4()`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows import changes

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain.calendar import london_date
    from domain.corrections import MetDeadline, RecordedStep
    from domain.decisions import CancelDeadline, Decision, MeetDeadline, MissDeadline, ScheduleDeadline, Step
    from domain.messages import (
        DeadlineNoticeInput,
        DeadlineRequest,
        OpenDeadlineView,
        RecordEventsInput,
        ScheduleDeadlinesInput,
        TrackedDeadline,
    )
    from workflows import deadline_tracker as tracker

ACTIVITY_TIMEOUT = timedelta(seconds=30)
# Appends are idempotent, so retrying for a long time is safe; a conflict is non-retryable by type.
ACTIVITY_RETRY = RetryPolicy(
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=["AppendConflict", "WrongExpectedVersion", "InvalidEvent", "UnknownRule"],
)
# A step's events and its deadlines in one schedule_deadlines: a task, activity and transaction fewer.
RECORDED_WITH_ITS_DEADLINES = "recorded-with-its-deadlines"
# A client retries a step on the new run the moment it learns the old one continued as new, so only the
# latest steps' ids need carrying; Temporal allows 2,000 Updates a run, far more than a case ever sees.
STEPS_REMEMBERED = 100


class Carried(Protocol):
    """What every kind's resume model carries of its stream across continue-as-new."""

    version: int
    deadlines: list[TrackedDeadline]
    deadline_counts: dict[str, int]
    steps_recorded: list[str]
    recorded_steps: list[RecordedStep]


class CaseRecorder:
    """The stream's version, its deadlines and how to record both, for one workflow."""

    def __init__(
        self, *, child_id: str, yjs: str, responsible: Callable[[], str | None], resume: Carried | None = None
    ) -> None:
        self.child_id = child_id
        self.yjs = yjs
        self._responsible = responsible
        self.version = resume.version if resume else 0
        self.deadlines: dict[str, TrackedDeadline] = {
            d.schedule.deadline_id: d for d in (resume.deadlines if resume else [])
        }
        self.counts: dict[str, int] = dict(resume.deadline_counts if resume else {})
        # The Update ids of the people's steps recorded lately, this run or the one before it.
        self.steps_recorded: list[str] = list(resume.steps_recorded if resume else [])
        # Every person's step with the events it recorded, so a mistaken one can be corrected.
        self.recorded_steps: list[RecordedStep] = list(resume.recorded_steps if resume else [])
        self._missed_by_decision: set[str] = set()

    # --- people's steps, exactly once ---------------------------------------------------------

    def has_recorded(self, step_id: str | None) -> bool:
        """Whether this case already recorded the step with this Update id: a client that lost the answer
        as the run continued as new sends it again to the new run, which must not record it twice."""
        return step_id is not None and step_id in self.steps_recorded

    def step_recorded(self, step_id: str | None) -> None:
        if step_id is not None:
            self.steps_recorded = [*self.steps_recorded, step_id][-STEPS_REMEMBERED:]

    # --- carrying out a decision ----------------------------------------------------------------

    async def carry_out(
        self,
        decision: Decision,
        *,
        actor: str,
        effective_at: datetime,
        reason: str | None,
        apply: Callable[[ev.EventPayload], None],
        on_recorded: Callable[[], None] | None = None,
        step: Step | None = None,
    ) -> None:
        """Record the decision's events and deadline changes with the deadlines it starts (one activity),
        fold the events in with `apply`, tell the caller (`on_recorded`: search attributes). This order is
        in every saved history: keep it (earlier runs recorded, applied, told, then scheduled). A person's
        `step` is kept with the versions it recorded, so it can be corrected."""
        first_version = self.version + 1
        undo = self._undo_point()
        payloads: list[ev.EventPayload] = list(decision.events)
        to_schedule: list[ScheduleDeadline] = []
        for effect in decision.deadlines:
            if isinstance(effect, ScheduleDeadline):
                to_schedule.append(effect)
            else:
                payloads.extend(self.deadline_change(effect))
        scheduled: list[str] = []
        merged = bool(payloads and to_schedule) and changes.in_force(RECORDED_WITH_ITS_DEADLINES)
        try:
            if merged:
                events = [self.envelope(p, actor=actor, effective_at=effective_at, reason=reason) for p in payloads]
                scheduled = await self.schedule(to_schedule, effective_at=effective_at, preceding=events)
            else:
                await self.record(payloads, actor=actor, effective_at=effective_at, reason=reason)
        except ActivityError:
            if merged or changes.in_force(RECORDED_WITH_ITS_DEADLINES):  # runs from before kept what it left
                undo()  # one transaction, refused: nothing of the step was stored
            raise
        for p in decision.events:
            apply(p)
        if decision.events and on_recorded is not None:
            on_recorded()
        if to_schedule and not merged:
            scheduled = await self.schedule(to_schedule, effective_at=effective_at)
        if step is not None and decision.events:
            met = tuple(
                MetDeadline(schedule=self.deadlines[p.deadline_id].schedule, met_on=p.met_on)
                for p in payloads
                if isinstance(p, ev.DeadlineMet)
            )
            self.recorded_steps.append(
                RecordedStep(
                    first_version=first_version,
                    last_version=self.version,
                    step=step.model_dump(mode="json"),
                    met=met,
                    scheduled=tuple(scheduled),
                )
            )

    def _undo_point(self) -> Callable[[], None]:
        """Puts back the head, the deadlines' statuses and counts as they are now: for an append refused
        for good, which stored nothing, so the case's next step records at the stream's real head."""
        version, counts, missed = self.version, dict(self.counts), set(self._missed_by_decision)
        statuses = {deadline_id: d.status for deadline_id, d in self.deadlines.items()}

        def undo() -> None:
            self.version, self.counts, self._missed_by_decision = version, counts, missed
            for deadline_id, status in statuses.items():
                self.deadlines[deadline_id].status = status

        return undo

    def deadline_change(self, effect: MeetDeadline | CancelDeadline | MissDeadline) -> list[ev.EventPayload]:
        out: list[ev.EventPayload] = []
        if isinstance(effect, MissDeadline):
            return self._miss_now(effect)
        if isinstance(effect, MeetDeadline):
            # The newest unmet deadline of that rule is the one this step meets.
            for d in reversed(list(self.deadlines.values())):
                s = d.schedule
                if s.rule_id == effect.rule_id and d.status in ("open", "missed"):
                    out.append(
                        ev.DeadlineMet(
                            deadline_id=s.deadline_id,
                            rule_id=s.rule_id,
                            due_date=s.due_date,
                            met_on=effect.met_on,
                            late=effect.met_on > s.due_date,
                            days_late=tracker.days_late(s.due_date, effect.met_on),
                            met_by=workflow.info().workflow_id,
                        )
                    )
                    d.status = "met"
                    break
        else:
            for d in self.deadlines.values():
                s = d.schedule
                if d.status == "open" and effect.rule_id in ("*", s.rule_id):
                    out.append(ev.DeadlineCancelled(deadline_id=s.deadline_id, rule_id=s.rule_id, why=effect.why))
                    d.status = "cancelled"
        return out

    def _miss_now(self, effect: MissDeadline) -> list[ev.EventPayload]:
        """The newest open deadline of the rule, recorded as missed however far off it fell due."""
        for d in reversed(list(self.deadlines.values())):
            s = d.schedule
            if s.rule_id == effect.rule_id and d.status == "open":
                d.status = "missed"
                # Owed before the decision closed the case, so closing must not cancel it as never owed.
                self._missed_by_decision.add(s.deadline_id)
                return [ev.DeadlineMissed(deadline_id=s.deadline_id, rule_id=s.rule_id, due_date=s.due_date)]
        return []

    async def close(self, effective_at: datetime) -> None:
        """A closed case cancels what is still open and stops escalating what was missed."""
        cancelled = self.deadline_change(CancelDeadline(rule_id="*", why="order closed"))
        # A closure entered late can end a case before a deadline that was already marked missed fell
        # due: that deadline was never owed. Runs recorded before this rule replay without it.
        closed_on = london_date(effective_at)
        never_owed = [
            d
            for d in self.deadlines.values()
            if d.status == "missed"
            and d.schedule.due_date > closed_on
            and d.schedule.deadline_id not in self._missed_by_decision
        ]
        if never_owed and changes.in_force("cancel-misses-after-closure"):
            for d in never_owed:
                s = d.schedule
                why = f"the case closed on {closed_on}, before this fell due"
                cancelled.append(ev.DeadlineCancelled(deadline_id=s.deadline_id, rule_id=s.rule_id, why=why))
                d.status = "cancelled"
        await self.record(cancelled, actor=ev.SYSTEM_DEADLINES, effective_at=effective_at, reason=None)
        for d in self.deadlines.values():
            if d.status == "missed":
                d.status = "missed_closed"

    async def schedule(
        self, requests: list[ScheduleDeadline], *, effective_at: datetime, preceding: list[ev.NewEvent] | None = None
    ) -> list[str]:  # after `preceding` (events already enveloped), in the one activity
        items = []
        for r in requests:
            n = self.counts.get(r.rule_id, 0) + 1
            self.counts[r.rule_id] = n
            items.append(
                DeadlineRequest(
                    event_id=workflow.uuid4(),
                    deadline_id=f"{r.rule_id}#{n}",
                    rule_id=r.rule_id,
                    clock_start=r.clock_start,
                    amount=r.amount,
                )
            )
        schedules: list[ev.DeadlineScheduled] = await workflow.execute_activity(
            "schedule_deadlines",
            ScheduleDeadlinesInput(
                stream_id=workflow.info().workflow_id,
                child_id=self.child_id,
                yjs=self.yjs,
                first_version=self.version + 1,
                effective_at=effective_at,
                requests=items,
                preceding=preceding or [],
            ),
            result_type=list[ev.DeadlineScheduled],
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        self.version += len(schedules)
        now = workflow.now()
        for s in schedules:
            self.deadlines[s.deadline_id] = tracker.track(s, now)
        await self._cancel_not_owed(requests, schedules, effective_at=effective_at)
        return [s.deadline_id for s in schedules]

    async def _cancel_not_owed(
        self, requests: list[ScheduleDeadline], schedules: list[ev.DeadlineScheduled], *, effective_at: datetime
    ) -> None:
        """A deadline the rule pack puts on or after the date it stops being owed (`due_before`: e.g. a
        progress panel after the order ends) is cancelled at once, saying why; only the rule pack knows
        its due date, so the decision can only name the limit."""
        cancelled: list[ev.EventPayload] = []
        for r, s in zip(requests, schedules, strict=True):
            if r.due_before is not None and s.due_date >= r.due_before:
                why = r.why_not_owed or f"it would fall due on or after {r.due_before}, when it is no longer owed"
                cancelled.append(ev.DeadlineCancelled(deadline_id=s.deadline_id, rule_id=s.rule_id, why=why))
                self.deadlines[s.deadline_id].status = "cancelled"
        await self.record(cancelled, actor=ev.SYSTEM_DEADLINES, effective_at=effective_at, reason=None)

    # --- time passing -------------------------------------------------------------------------------

    def next_wait(self) -> timedelta | None:
        next_at = tracker.next_instant(list(self.deadlines.values()))
        return None if next_at is None else max(next_at - workflow.now(), timedelta(0))

    async def fire_due(self) -> None:
        now = workflow.now()
        for d in list(self.deadlines.values()):
            for due in tracker.due_now(d, now):
                s = d.schedule
                if due.kind == "missed":
                    missed = ev.DeadlineMissed(deadline_id=s.deadline_id, rule_id=s.rule_id, due_date=s.due_date)
                    await self.record([missed], actor=ev.SYSTEM_DEADLINES, effective_at=s.due_at, reason=None)
                    d.status = "missed"
                    continue
                await self._notice(d, due)
                if due.kind == "reminder":
                    d.reminders_done = due.number
                else:
                    d.escalations_done = due.number
            if d.status == "open":
                d.reminders_done = sum(1 for r in d.schedule.reminders if r <= now)

    async def _notice(self, d: TrackedDeadline, due: tracker.Due) -> None:
        self.version += 1
        await workflow.execute_activity(
            "send_deadline_notice",
            DeadlineNoticeInput(
                kind="reminder" if due.kind == "reminder" else "escalation",
                event_id=workflow.uuid4(),
                stream_id=workflow.info().workflow_id,
                stream_version=self.version,
                child_id=self.child_id,
                yjs=self.yjs,
                deadline=d.schedule,
                at=due.at,
                responsible=self._responsible(),
                escalation_number=due.number if due.kind == "escalation" else 0,
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    # --- recording ------------------------------------------------------------------------------------

    def envelope(
        self, payload: ev.EventPayload, *, actor: str, effective_at: datetime, reason: str | None
    ) -> ev.NewEvent:
        self.version += 1
        return ev.new_event(
            payload,
            event_id=workflow.uuid4(),
            stream_id=workflow.info().workflow_id,
            stream_version=self.version,
            child_id=self.child_id,
            yjs=self.yjs,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )

    async def record(
        self, payloads: list[ev.EventPayload], *, actor: str, effective_at: datetime, reason: str | None
    ) -> None:
        if not payloads:
            return
        events = [self.envelope(p, actor=actor, effective_at=effective_at, reason=reason) for p in payloads]
        await workflow.execute_activity(
            "record_events",
            RecordEventsInput(events=events),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    # --- reading --------------------------------------------------------------------------------------

    def views(self) -> list[OpenDeadlineView]:
        return [
            OpenDeadlineView(
                deadline_id=d.schedule.deadline_id,
                rule_id=d.schedule.rule_id,
                description=d.schedule.description,
                due_date=d.schedule.due_date,
                status=d.status,
                unconfirmed=d.schedule.unconfirmed,
            )
            for d in self.deadlines.values()
        ]

    def carried(self) -> list[TrackedDeadline]:
        """The deadlines still worth carrying across continue-as-new."""
        return [d for d in self.deadlines.values() if d.status in ("open", "missed")]
