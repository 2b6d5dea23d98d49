"""The youth rehabilitation order workflow (with or without ISS): carries out what
`domain.youth_rehabilitation_order` decides, on durable timers, for up to three years.

Same shape as the referral order: one `record_step` Update whose validator refuses a step out of order
or out of law, every transition an event, deadlines computed once by an activity. A YRO can run three
years, so it continues as new before its history grows large, carrying its state, open deadlines and
counters across the seam.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain import youth_rehabilitation_order as yro
    from domain.court_outcome import victim_contact_id
    from domain.decisions import Decision
    from domain.messages import YouthRehabilitationOrderInput, YroResume, YroView
    from domain.victims_added import with_victims

from workflows.case_recorder import CaseRecorder
from workflows.casework import CaseWorkflow, opening_outcome, step_dates_kept, tell_victim_contacts, today
from workflows.casework_cycle import start_cycle, with_cycle
from workflows.step_types import YRO_STEP as STEP  # built once per worker, not at each new run
from workflows.victims_added import start_added_victims


@workflow.defn(name="YouthRehabilitationOrder")
class YouthRehabilitationOrderWorkflow(CaseWorkflow):
    _steps = STEP
    _kind = yro

    @workflow.init
    def __init__(self, input: YouthRehabilitationOrderInput) -> None:
        self._input = input
        self._lock = asyncio.Lock()
        self._wake = False
        resume = input.resume
        if resume is not None:
            self._order = resume.order
        else:
            self._order = step_dates_kept(
                yro.new_order(
                    child_id=input.child_id,
                    yjs=input.yjs,
                    hearing_date=input.hearing_date,
                    disposal=input.disposal,
                    warned_period_months=input.warned_period_months,
                    eighteenth_birthday=input.eighteenth_birthday,
                )
            )
        self._order = with_victims(self._order, input.victim_refs)
        self._case = CaseRecorder(
            child_id=input.child_id,
            yjs=input.yjs,
            # Read when each notice is sent: an allocation (or reallocation) takes effect from the next one.
            responsible=lambda: self._order.case_worker,
            resume=resume,
        )

    @workflow.run
    async def run(self, input: YouthRehabilitationOrderInput) -> str:
        if input.resume is None:
            outcome = opening_outcome(
                input, disposal_kind="youth_rehabilitation_order", hearing_date=input.hearing_date
            )
            opening = with_cycle(
                yro.open_order(self._order, outcome=outcome), self._order.cycle, clocks_from=input.hearing_date
            )
            await self._open_case(opening, input.hearing_date)
        await self._watch_deadlines(input.history_limit)
        return self._order.state.value

    @workflow.update
    async def record_step(self, step: yro.YroStep) -> YroView:
        await self._record_step(lambda: yro.decide(self._order, step, today=today()), step)
        await start_cycle(self, lambda: self._order.cycle, clocks_from=today())
        return self.view()

    @record_step.validator
    def _validate_step(self, step: yro.YroStep) -> None:
        self._check_step(lambda: yro.decide(self._order, step, today=today()))

    def _opened_state(self) -> Any:
        i = self._input
        state = yro.new_order(
            child_id=i.child_id,
            yjs=i.yjs,
            hearing_date=i.hearing_date,
            disposal=i.disposal,
            warned_period_months=i.warned_period_months,
            eighteenth_birthday=i.eighteenth_birthday,
        ).model_copy(update={"step_dates": None if self._order.step_dates is None else {}})
        outcome = opening_outcome(i, disposal_kind="youth_rehabilitation_order", hearing_date=i.hearing_date)
        for payload in yro.open_order(state, outcome=outcome).events:
            state = yro.evolve(state, payload)
        return state

    def _set_state(self, state: Any) -> None:
        self._order = state

    def _closed(self) -> bool:
        return self._order.state in yro.CLOSED_STATES

    @workflow.query
    def view(self) -> YroView:
        return YroView(
            workflow_id=workflow.info().workflow_id,
            order=self._order,
            case_worker=self._order.case_worker,
            version=self._case.version,
            deadlines=self._case.views(),
        )

    def _apply(self, payload: ev.EventPayload) -> None:
        self._order = yro.evolve(self._order, payload)
        # A transfer to another YJS: every later event is the receiving service's.
        self._case.yjs = self._order.yjs

    def _search(self) -> tuple[str, str, str, str]:
        return self._order.child_id, "youth_rehabilitation_order", self._order.yjs, self._order.state.value

    async def _after(self, decision: Decision, effective_date: date) -> None:
        milestones = [m for p in decision.events if (m := yro.victim_milestone(p)) is not None]
        if milestones and self._order.victim_refs:
            contacts = [
                # Named by the service that opened them: a transfer moves the order, not the contacts.
                victim_contact_id(self._input.yjs, self._input.case_reference, self._order.child_id, ref)
                for ref in self._order.victim_refs
            ]
            await tell_victim_contacts(contacts, milestones, effective_date=effective_date)
        await start_added_victims(decision, self._input, self._order, opened_by=self._input.yjs)

    def _resume_input(self) -> YouthRehabilitationOrderInput:
        return self._input.model_copy(
            update={
                "resume": YroResume(
                    order=self._order,
                    version=self._case.version,
                    deadlines=self._case.carried(),
                    deadline_counts=self._case.counts,
                )
            }
        )
