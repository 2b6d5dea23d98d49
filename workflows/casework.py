"""What every case workflow does the same way: record events, schedule deadlines, fire reminders,
misses and escalations, and carry out a domain `Decision`.

A workflow owns one `CaseRecorder` for its stream and keeps only its own domain state beside it, so
each order kind's workflow file is the domain wiring and nothing else. Runs inside the workflow
sandbox: every side effect is an activity, every id comes from `workflow.uuid4()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain.calendar import london_date, london_instant
    from domain.decisions import CancelDeadline, Decision, MeetDeadline, ScheduleDeadline, Step, StepRefused
    from domain.messages import (
        DeadlineNoticeInput,
        DeadlineRequest,
        OpenDeadlineView,
        OrderMilestone,
        RecordEventsInput,
        ScheduleDeadlinesInput,
        TrackedDeadline,
    )
    from workflows import deadline_tracker as tracker
    from workflows import search_attributes as sa

ACTIVITY_TIMEOUT = timedelta(seconds=30)
# Appends are idempotent, so retrying for a long time is safe; a conflict is non-retryable by type.
ACTIVITY_RETRY = RetryPolicy(
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=["AppendConflict", "WrongExpectedVersion", "InvalidEvent", "UnknownRule"],
)
HISTORY_LIMIT = 10_000


def midnight(day: date) -> datetime:
    # Built by the domain module, outside the sandbox, whose proxied tzinfo datetime refuses.
    return london_instant(day, 0)


def today() -> date:
    return london_date(workflow.now())


def should_continue_as_new(limit: int | None = None) -> bool:
    info = workflow.info()
    return info.is_continue_as_new_suggested() or info.get_current_history_length() > (limit or HISTORY_LIMIT)


async def tell_victim_contacts(contact_ids: list[str], milestones: list[str], *, effective_date: date) -> None:
    """Signal each victim's contact that the order reached a milestone; a contact that has closed or
    never started must not stop the order, so a failed signal is logged, not raised."""
    for milestone in milestones:
        for wid in contact_ids:
            try:
                await workflow.get_external_workflow_handle(wid).signal(
                    "order_milestone",
                    OrderMilestone(
                        milestone=milestone, order_id=workflow.info().workflow_id, effective_date=effective_date
                    ),
                )
            except Exception as e:
                workflow.logger.warning("victim contact %s not told of %s: %s", wid, milestone, e)


class Carried(Protocol):
    """What every kind's resume model carries of its stream across continue-as-new."""

    version: int
    deadlines: list[TrackedDeadline]
    deadline_counts: dict[str, int]


class CourtInput(Protocol):
    """What every order's start input carries of the court outcome that opened it."""

    outcome_id: str
    case_reference: str
    court_kind: str
    victim_refs: list[str]


def opening_outcome(input: CourtInput, *, disposal_kind: str, hearing_date: date) -> ev.CourtOutcomeRecorded:
    """The `CourtOutcomeRecorded` every order's stream opens with."""
    return ev.CourtOutcomeRecorded(
        outcome_id=input.outcome_id,
        case_reference=input.case_reference,
        court_kind=input.court_kind,
        hearing_date=hearing_date,
        disposal_kind=disposal_kind,
        victim_refs=list(input.victim_refs),
    )


class CaseWorkflow:
    """What every case workflow class shares: the deadline-watching loop and the shape of a person's step.

    A subclass sets `_lock`, `_wake` and `_case` in its `@workflow.init`, and says when it is closed
    (`_closed`), how to carry a decision out (`_carry_out`) and what it carries across continue-as-new
    (`_resume_input`). The Temporal handlers stay on the subclass, each one line into these methods.
    """

    _lock: asyncio.Lock
    _wake: bool
    _case: CaseRecorder

    def _closed(self) -> bool:
        raise NotImplementedError

    def _resume_input(self) -> Any:
        raise NotImplementedError

    def _apply(self, payload: ev.EventPayload) -> None:
        """Fold one recorded event into the workflow's domain state."""
        raise NotImplementedError

    def _search(self) -> tuple[str, str, str, str]:
        """(child id, order kind, service, state) for the search attributes: no names, ever."""
        raise NotImplementedError

    async def _after(self, decision: Decision, effective_date: date) -> None:
        """What a kind does once a decision is recorded (tell victims' contacts, tell the order)."""

    async def _open_case(self, decision: Decision, effective_date: date) -> None:
        """Record the court outcome's opening decision, as the court's intake."""
        async with self._lock:
            await self._carry_out(decision, actor=ev.COURT_INTAKE, effective_date=effective_date, reason=None)

    async def _carry_out(self, decision: Decision, *, actor: str, effective_date: date, reason: str | None) -> None:
        effective_at = midnight(effective_date)
        await self._case.carry_out(
            decision,
            actor=actor,
            effective_at=effective_at,
            reason=reason,
            apply=self._apply,
            on_recorded=self._upsert_search_attributes,
        )
        if self._closed():
            await self._case.close(effective_at)
        await self._after(decision, effective_date)

    def _upsert_search_attributes(self) -> None:
        child_id, kind, yjs, state = self._search()
        workflow.upsert_search_attributes(
            [
                sa.CHILD_ID.value_set(child_id),
                sa.ORDER_KIND.value_set(kind),
                sa.SERVICE.value_set(yjs),
                sa.CASE_STATE.value_set(state),
            ]
        )

    async def _watch_deadlines(self, history_limit: int | None = None) -> None:
        """Sleep until the next reminder, miss or escalation (or a step wakes it), fire what is due, and
        continue as new before the history grows large; return once the case is closed."""
        while not self._closed():
            try:
                await workflow.wait_condition(lambda: self._wake, timeout=self._case.next_wait())
            except TimeoutError:
                pass
            self._wake = False
            async with self._lock:
                await self._case.fire_due()
            if should_continue_as_new(history_limit):
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._resume_input())
        await workflow.wait_condition(workflow.all_handlers_finished)

    async def _record_step(self, decide: Callable[[], Decision], step: Step) -> None:
        """A person's step: decided again under the lock (the state may have moved on since the validator
        passed it), refused with the reason and nothing recorded, or carried out."""
        async with self._lock:
            try:
                decision = decide()
            except StepRefused as refused:
                raise ApplicationError(str(refused), type="StepRefused", non_retryable=True) from None
            await self._carry_out(decision, actor=step.actor, effective_date=step.effective_date, reason=step.reason)
            self._wake = True


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
    ) -> None:
        """Record the decision's events and deadline changes, fold the events into the caller's state
        with `apply`, tell the caller (`on_recorded`, e.g. to upsert search attributes), then schedule
        the new deadlines. The order of these commands is part of every saved history: keep it."""
        payloads: list[ev.EventPayload] = list(decision.events)
        to_schedule: list[ScheduleDeadline] = []
        for effect in decision.deadlines:
            if isinstance(effect, ScheduleDeadline):
                to_schedule.append(effect)
            else:
                payloads.extend(self.deadline_change(effect))
        await self.record(payloads, actor=actor, effective_at=effective_at, reason=reason)
        for p in decision.events:
            apply(p)
        if decision.events and on_recorded is not None:
            on_recorded()
        if to_schedule:
            await self.schedule(to_schedule, effective_at=effective_at)

    def deadline_change(self, effect: MeetDeadline | CancelDeadline) -> list[ev.EventPayload]:
        out: list[ev.EventPayload] = []
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

    async def close(self, effective_at: datetime) -> None:
        """A closed case cancels what is still open and stops escalating what was missed."""
        cancelled = self.deadline_change(CancelDeadline(rule_id="*", why="order closed"))
        # A closure entered late can end a case before a deadline that was already marked missed fell
        # due: that deadline was never owed. Runs recorded before this rule replay without it.
        closed_on = london_date(effective_at)
        never_owed = [d for d in self.deadlines.values() if d.status == "missed" and d.schedule.due_date > closed_on]
        if never_owed and workflow.patched("cancel-misses-after-closure"):
            for d in never_owed:
                s = d.schedule
                why = f"the case closed on {closed_on}, before this fell due"
                cancelled.append(ev.DeadlineCancelled(deadline_id=s.deadline_id, rule_id=s.rule_id, why=why))
                d.status = "cancelled"
        await self.record(cancelled, actor=ev.SYSTEM_DEADLINES, effective_at=effective_at, reason=None)
        for d in self.deadlines.values():
            if d.status == "missed":
                d.status = "missed_closed"

    async def schedule(self, requests: list[ScheduleDeadline], *, effective_at: datetime) -> None:
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
            ),
            result_type=list[ev.DeadlineScheduled],
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        self.version += len(schedules)
        now = workflow.now()
        for s in schedules:
            self.deadlines[s.deadline_id] = tracker.track(s, now)

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
