"""The referral order workflow: carries out what `domain.referral_order` decides, on durable timers.

Every transition is decided by the domain and recorded as an event through an activity, so the
event store, not the workflow history, is the audited record. People act through one Update,
`record_step`, whose validator refuses a step out of order or out of law before anything is written.
Deadlines are computed once by an activity (rule pack + calendar at that moment) and then only
replayed from history, so new rules or holidays never change a past decision on replay.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain import referral_order as ro
    from domain.calendar import london_date, london_instant
    from workflows import deadline_tracker as tracker
    from workflows import search_attributes as sa
    from workflows.messages import (
        DeadlineNoticeInput,
        DeadlineRequest,
        OpenDeadlineView,
        RecordEventsInput,
        ReferralOrderInput,
        ReferralOrderView,
        ResumeState,
        ScheduleDeadlinesInput,
        TrackedDeadline,
    )

ACTIVITY_TIMEOUT = timedelta(seconds=30)
# Appends are idempotent, so retrying for a long time is safe; a conflict is non-retryable by type.
ACTIVITY_RETRY = RetryPolicy(
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=["AppendConflict", "WrongExpectedVersion", "InvalidEvent", "UnknownRule"],
)
HISTORY_LIMIT = 10_000


def _midnight(day: date) -> datetime:
    # Built by the domain module, outside the sandbox, whose proxied tzinfo datetime refuses.
    return london_instant(day, 0)


@workflow.defn(name="ReferralOrder")
class ReferralOrderWorkflow:
    @workflow.init
    def __init__(self, input: ReferralOrderInput) -> None:
        self._input = input
        self._lock = asyncio.Lock()
        self._wake = False
        self._deadlines: dict[str, TrackedDeadline]
        self._counts: dict[str, int]
        if input.resume is not None:
            self._order = input.resume.order
            self._version = input.resume.version
            self._deadlines = {d.schedule.deadline_id: d for d in input.resume.deadlines}
            self._counts = dict(input.resume.deadline_counts)
        else:
            self._order = ro.ReferralOrderState(
                child_id=input.child_id,
                yjs=input.yjs,
                hearing_date=input.hearing_date,
                months=input.months,
                victim_refs=tuple(input.victim_refs),
            )
            self._version = 0
            self._deadlines = {}
            self._counts = {}

    # --- run ------------------------------------------------------------------------------------

    @workflow.run
    async def run(self, input: ReferralOrderInput) -> str:
        if input.resume is None:
            async with self._lock:
                await self._open()
        while self._order.state not in ro.CLOSED_STATES:
            next_at = tracker.next_instant(list(self._deadlines.values()))
            timeout = None if next_at is None else max(next_at - workflow.now(), timedelta(0))
            try:
                await workflow.wait_condition(lambda: self._wake, timeout=timeout)
            except TimeoutError:
                pass
            self._wake = False
            async with self._lock:
                await self._fire_due()
            if self._should_continue_as_new():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._resume_input())
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._order.state.value

    async def _open(self) -> None:
        i = self._input
        outcome = ev.CourtOutcomeRecorded(
            outcome_id=i.outcome_id,
            case_reference=i.case_reference,
            court_kind=i.court_kind,
            hearing_date=i.hearing_date,
            disposal_kind="referral_order",
            victim_refs=list(i.victim_refs),
        )
        decision = ro.open_order(self._order, outcome=outcome)
        self._upsert_search_attributes()
        await self._carry_out(decision, actor=ev.COURT_INTAKE, effective_at=_midnight(i.hearing_date), reason=None)

    # --- people's steps -------------------------------------------------------------------------

    @workflow.update
    async def record_step(self, step: ro.ReferralOrderStep) -> ReferralOrderView:
        async with self._lock:
            try:
                decision = ro.decide(self._order, step, today=self._today())
            except ro.StepRefused as refused:
                # The state moved on between validation and execution: refuse, record nothing.
                raise ApplicationError(str(refused), type="StepRefused", non_retryable=True) from None
            await self._carry_out(
                decision, actor=step.actor, effective_at=_midnight(step.effective_date), reason=step.reason
            )
            self._wake = True
        return self.view()

    @record_step.validator
    def _validate_step(self, step: ro.ReferralOrderStep) -> None:
        ro.decide(self._order, step, today=self._today())

    @workflow.query
    def view(self) -> ReferralOrderView:
        return ReferralOrderView(
            workflow_id=workflow.info().workflow_id,
            order=self._order,
            version=self._version,
            deadlines=[
                OpenDeadlineView(
                    deadline_id=d.schedule.deadline_id,
                    rule_id=d.schedule.rule_id,
                    description=d.schedule.description,
                    due_date=d.schedule.due_date,
                    status=d.status,
                    unconfirmed=d.schedule.unconfirmed,
                )
                for d in self._deadlines.values()
            ],
        )

    # --- carrying out a decision ------------------------------------------------------------------

    async def _carry_out(
        self, decision: ro.Decision, *, actor: str, effective_at: datetime, reason: str | None
    ) -> None:
        payloads: list[ev.EventPayload] = list(decision.events)
        to_schedule: list[ro.ScheduleDeadline] = []
        for effect in decision.deadlines:
            if isinstance(effect, ro.ScheduleDeadline):
                to_schedule.append(effect)
            else:
                payloads.extend(self._deadline_change(effect))
        events = [self._envelope(p, actor=actor, effective_at=effective_at, reason=reason) for p in payloads]
        await self._record(events)
        for p in decision.events:
            self._order = ro.evolve(self._order, p)
        if decision.events:
            self._upsert_search_attributes()
        if to_schedule:
            await self._schedule(to_schedule, effective_at=effective_at)
        if self._order.state in ro.CLOSED_STATES:
            await self._close_deadlines(effective_at)

    def _deadline_change(self, effect: ro.MeetDeadline | ro.CancelDeadline) -> list[ev.EventPayload]:
        out: list[ev.EventPayload] = []
        if isinstance(effect, ro.MeetDeadline):
            # The newest unmet deadline of that rule is the one this step meets.
            for d in reversed(list(self._deadlines.values())):
                s = d.schedule
                if s.rule_id == effect.rule_id and d.status in ("open", "missed"):
                    late = effect.met_on > s.due_date
                    out.append(
                        ev.DeadlineMet(
                            deadline_id=s.deadline_id,
                            rule_id=s.rule_id,
                            due_date=s.due_date,
                            met_on=effect.met_on,
                            late=late,
                            days_late=tracker.days_late(s.due_date, effect.met_on),
                            met_by=workflow.info().workflow_id,
                        )
                    )
                    d.status = "met"
                    break
        else:
            for d in self._deadlines.values():
                s = d.schedule
                if d.status == "open" and effect.rule_id in ("*", s.rule_id):
                    out.append(ev.DeadlineCancelled(deadline_id=s.deadline_id, rule_id=s.rule_id, why=effect.why))
                    d.status = "cancelled"
        return out

    async def _close_deadlines(self, effective_at: datetime) -> None:
        """A closed order cancels what is still open and stops escalating what was missed."""
        cancelled = self._deadline_change(ro.CancelDeadline(rule_id="*", why="order closed"))
        if cancelled:
            await self._record(
                [
                    self._envelope(p, actor=ev.SYSTEM_DEADLINES, effective_at=effective_at, reason=None)
                    for p in cancelled
                ]
            )
        for d in self._deadlines.values():
            if d.status == "missed":
                d.status = "missed_closed"

    async def _schedule(self, requests: list[ro.ScheduleDeadline], *, effective_at: datetime) -> None:
        items = []
        for r in requests:
            n = self._counts.get(r.rule_id, 0) + 1
            self._counts[r.rule_id] = n
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
                child_id=self._order.child_id,
                yjs=self._order.yjs,
                first_version=self._version + 1,
                effective_at=effective_at,
                requests=items,
            ),
            result_type=list[ev.DeadlineScheduled],
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        self._version += len(schedules)
        now = workflow.now()
        for s in schedules:
            self._deadlines[s.deadline_id] = tracker.track(s, now)

    async def _fire_due(self) -> None:
        now = workflow.now()
        for d in list(self._deadlines.values()):
            for due in tracker.due_now(d, now):
                s = d.schedule
                if due.kind == "missed":
                    missed = ev.DeadlineMissed(deadline_id=s.deadline_id, rule_id=s.rule_id, due_date=s.due_date)
                    await self._record(
                        [self._envelope(missed, actor=ev.SYSTEM_DEADLINES, effective_at=s.due_at, reason=None)]
                    )
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
        self._version += 1
        await workflow.execute_activity(
            "send_deadline_notice",
            DeadlineNoticeInput(
                kind="reminder" if due.kind == "reminder" else "escalation",
                event_id=workflow.uuid4(),
                stream_id=workflow.info().workflow_id,
                stream_version=self._version,
                child_id=self._order.child_id,
                yjs=self._order.yjs,
                deadline=d.schedule,
                at=due.at,
                responsible=self._order.case_worker,
                escalation_number=due.number if due.kind == "escalation" else 0,
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    # --- recording ----------------------------------------------------------------------------------

    def _envelope(
        self, payload: ev.EventPayload, *, actor: str, effective_at: datetime, reason: str | None
    ) -> ev.NewEvent:
        self._version += 1
        return ev.new_event(
            payload,
            event_id=workflow.uuid4(),
            stream_id=workflow.info().workflow_id,
            stream_version=self._version,
            child_id=self._order.child_id,
            yjs=self._order.yjs,
            effective_at=effective_at,
            actor=actor,
            reason=reason,
        )

    async def _record(self, events: list[ev.NewEvent]) -> None:
        if not events:
            return
        await workflow.execute_activity(
            "record_events",
            RecordEventsInput(events=events),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    # --- helpers --------------------------------------------------------------------------------------

    def _today(self) -> date:
        return london_date(workflow.now())

    def _upsert_search_attributes(self) -> None:
        workflow.upsert_search_attributes(
            [
                sa.CHILD_ID.value_set(self._order.child_id),
                sa.ORDER_KIND.value_set("referral_order"),
                sa.SERVICE.value_set(self._order.yjs),
                sa.CASE_STATE.value_set(self._order.state.value),
            ]
        )

    def _should_continue_as_new(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > HISTORY_LIMIT

    def _resume_input(self) -> ReferralOrderInput:
        return self._input.model_copy(
            update={
                "resume": ResumeState(
                    order=self._order,
                    version=self._version,
                    deadlines=[d for d in self._deadlines.values() if d.status in ("open", "missed")],
                    deadline_counts=self._counts,
                )
            }
        )
