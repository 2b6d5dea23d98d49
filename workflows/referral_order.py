"""The referral order workflow: carries out what `domain.referral_order` decides, on durable timers.

Every transition is decided by the domain and recorded as an event through an activity, so the
event store, not the workflow history, is the audited record. People act through one Update,
`record_step`, whose validator refuses a step out of order or out of law before anything is written.
Deadlines are computed once by an activity (rule pack + calendar at that moment) and then only
replayed from history, so new rules or holidays never change a past decision on replay.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from temporalio import workflow

from workflows import changes

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain import referral_order as ro
    from domain.court_outcome import victim_contact_id
    from domain.decisions import Decision
    from domain.messages import (
        ReferralOrderInput,
        ReferralOrderView,
        ResumeState,
        VictimViewsReceived,
    )
    from domain.victims_added import with_victims

from workflows.case_recorder import CaseRecorder
from workflows.casework import CaseWorkflow, opening_outcome, step_dates_kept, tell_victim_contacts, today
from workflows.casework_cycle import start_cycle, with_cycle
from workflows.step_types import REFERRAL_ORDER_STEP as STEP  # built once per worker, not at each new run
from workflows.victims_added import start_added_victims


@workflow.defn(name="ReferralOrder")
class ReferralOrderWorkflow(CaseWorkflow):
    _steps = STEP
    _kind = ro

    @workflow.init
    def __init__(self, input: ReferralOrderInput) -> None:
        self._input = input
        self._lock = asyncio.Lock()
        self._wake = False
        resume = input.resume
        if resume is not None:
            self._order = with_victims(resume.order, input.victim_refs)
        else:
            self._order = step_dates_kept(
                ro.ReferralOrderState(
                    child_id=input.child_id,
                    yjs=input.yjs,
                    hearing_date=input.hearing_date,
                    months=input.months,
                    victim_refs=tuple(input.victim_refs),
                )
            )
            # Runs that began scheduling progress panels past the order's end replay as they were.
            if not changes.in_force("progress-panels-within-order"):
                self._order = self._order.model_copy(update={"progress_panels_within_order": False})
        self._case = CaseRecorder(
            child_id=self._order.child_id,
            yjs=self._order.yjs,
            responsible=lambda: self._order.case_worker,
            resume=resume,
        )

    # --- run ------------------------------------------------------------------------------------

    @workflow.run
    async def run(self, input: ReferralOrderInput) -> str:
        if input.resume is None:
            async with self._lock:
                await self._open()
        await self._watch_deadlines()
        return self._order.state.value

    async def _open(self) -> None:
        i = self._input
        outcome = opening_outcome(i, disposal_kind="referral_order", hearing_date=i.hearing_date)
        decision = with_cycle(
            ro.open_order(self._order, outcome=outcome), self._order.cycle, clocks_from=i.hearing_date
        )
        self._upsert_search_attributes()
        await self._carry_out(decision, actor=ev.COURT_INTAKE, effective_date=i.hearing_date, reason=None)

    # --- people's steps -------------------------------------------------------------------------

    @workflow.update
    async def record_step(self, step: ro.ReferralOrderStep) -> ReferralOrderView:
        await self._record_step(lambda: ro.decide(self._order, step, today=today()), step)
        await start_cycle(self, lambda: self._order.cycle, clocks_from=today())
        return self.view()

    @record_step.validator
    def _validate_step(self, step: ro.ReferralOrderStep) -> None:
        self._check_step(lambda: ro.decide(self._order, step, today=today()))

    def _opened_state(self) -> ro.ReferralOrderState:
        i = self._input
        state = ro.ReferralOrderState(
            child_id=i.child_id,
            yjs=i.yjs,
            hearing_date=i.hearing_date,
            months=i.months,
            victim_refs=tuple(i.victim_refs),
            step_dates=None if self._order.step_dates is None else {},
            progress_panels_within_order=self._order.progress_panels_within_order,
        )
        outcome = opening_outcome(i, disposal_kind="referral_order", hearing_date=i.hearing_date)
        for payload in ro.open_order(state, outcome=outcome).events:
            state = ro.evolve(state, payload)
        return state

    def _set_state(self, state: Any) -> None:
        self._order = state
        self._case.yjs = self._order.yjs

    @workflow.signal
    async def victim_views_received(self, message: VictimViewsReceived) -> None:
        """A victim's contact workflow reports their views or panel attendance: meets ro.victim_views."""
        step = ro.RecordVictimViews(
            actor="system:victim-contact", effective_date=message.effective_date, victim_ref=message.victim_ref
        )
        async with self._lock:
            try:
                decision = ro.decide(self._order, step, today=today())
            except ro.StepRefused as refused:
                workflow.logger.info("victim views not recorded: %s", refused)
                return
            await self._carry_out(
                decision, actor=step.actor, effective_date=step.effective_date, reason=None, step=step
            )
            self._wake = True

    def _closed(self) -> bool:
        return self._order.state in ro.CLOSED_STATES

    @workflow.query
    def view(self) -> ReferralOrderView:
        return ReferralOrderView(
            workflow_id=workflow.info().workflow_id,
            order=self._order,
            case_worker=self._order.case_worker,
            version=self._case.version,
            deadlines=self._case.views(),
        )

    # --- carrying out a decision ------------------------------------------------------------------

    def _apply(self, payload: ev.EventPayload) -> None:
        self._order = ro.evolve(self._order, payload)
        # A transfer to another YJS: every later event is the receiving service's.
        self._case.yjs = self._order.yjs

    def _search(self) -> tuple[str, str, str, str]:
        return self._order.child_id, "referral_order", self._order.yjs, self._order.state.value

    async def _after(self, decision: Decision, effective_date: date) -> None:
        # Runs that began before victims' contacts existed must replay without these signals.
        if changes.in_force("tell-victim-contacts"):
            await self._tell_victims(decision, effective_date)
        await start_added_victims(decision, self._input, self._order, opened_by=self._input.yjs)

    async def _tell_victims(self, decision: Decision, effective_date: date) -> None:
        milestones = [m for p in decision.events if (m := ro.victim_milestone(p)) is not None]
        contacts = [
            # Named by the service that opened them: a transfer moves the order, not its victims' contacts.
            victim_contact_id(self._input.yjs, self._input.case_reference, self._order.child_id, ref)
            for ref in self._order.victim_refs
        ]
        await tell_victim_contacts(contacts, milestones, effective_date=effective_date)

    def _resume_input(self) -> ReferralOrderInput:
        return self._input.model_copy(
            update={
                "resume": ResumeState(
                    order=self._order,
                    version=self._case.version,
                    deadlines=self._case.carried(),
                    deadline_counts=self._case.counts,
                )
            }
        )
