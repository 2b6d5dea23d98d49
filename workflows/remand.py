"""The remand workflow (bail with or without support, local-authority or youth detention accommodation):
carries out what `domain.remand` decides, on durable timers, from the remand to its end.

A remand in either accommodation makes the child looked after, so the LAC-review and social-worker-visit
clocks run, the custody time limit (its expiry counted once at intake, rolled back over closed days) is
watched with reminders before it, and the court's next hearing date is checked against the clear-day
limits, a breach flagged in the stream. Later hearings renew the remand through the same `record_step`
Update; `remand_ended` closes it. Same shape as the youth rehabilitation order.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain import remand as rm
    from domain.decisions import Decision
    from domain.messages import RemandInput, RemandResume, RemandView
    from domain.victims_added import with_victims

from workflows.case_recorder import CaseRecorder
from workflows.casework import CaseWorkflow, opening_outcome, step_dates_kept, today
from workflows.casework_cycle import start_cycle, with_cycle
from workflows.step_types import REMAND_STEP as STEP  # built once per worker, not at each new run
from workflows.victims_added import start_added_victims


@workflow.defn(name="Remand")
class RemandWorkflow(CaseWorkflow):
    _steps = STEP
    _kind = rm

    @workflow.init
    def __init__(self, input: RemandInput) -> None:
        self._input = input
        self._lock = asyncio.Lock()
        self._wake = False
        resume = input.resume
        self._remand = with_victims(
            resume.remand if resume is not None else step_dates_kept(input.remand), input.victim_refs
        )
        self._case = CaseRecorder(
            child_id=input.remand.child_id,
            yjs=input.remand.yjs,
            # Read when each notice is sent: an allocation (or reallocation) takes effect from the next one.
            responsible=lambda: self._remand.case_worker,
            resume=resume,
        )

    @workflow.run
    async def run(self, input: RemandInput) -> str:
        if input.resume is None:
            outcome = opening_outcome(input, disposal_kind="remand", hearing_date=input.hearing_date)
            opening = with_cycle(
                rm.open_remand(self._remand, outcome=outcome), self._remand.cycle, clocks_from=input.hearing_date
            )
            await self._open_case(opening, input.hearing_date)
        await self._watch_deadlines(input.history_limit)
        return self._remand.status.value

    @workflow.update
    async def record_step(self, step: rm.RemandStep) -> RemandView:
        await self._record_step(lambda: rm.decide(self._remand, step, today=today()), step)
        await start_cycle(self, lambda: self._remand.cycle, clocks_from=today())
        return self.view()

    @record_step.validator
    def _validate_step(self, step: rm.RemandStep) -> None:
        self._check_step(lambda: rm.decide(self._remand, step, today=today()))

    def _opened_state(self) -> Any:
        i = self._input
        state = i.remand.model_copy(update={"step_dates": None if self._remand.step_dates is None else {}})
        outcome = opening_outcome(i, disposal_kind="remand", hearing_date=i.hearing_date)
        for payload in rm.open_remand(state, outcome=outcome).events:
            state = rm.evolve(state, payload)
        return state

    def _set_state(self, state: Any) -> None:
        self._remand = state

    def _closed(self) -> bool:
        return self._remand.status in rm.CLOSED_STATES

    @workflow.query
    def view(self) -> RemandView:
        return RemandView(
            workflow_id=workflow.info().workflow_id,
            remand=self._remand,
            status=self._remand.status.value,
            looked_after=self._remand.looked_after,
            case_worker=self._remand.case_worker,
            version=self._case.version,
            deadlines=self._case.views(),
        )

    def _apply(self, payload: ev.EventPayload) -> None:
        self._remand = rm.evolve(self._remand, payload)
        # A transfer to another YJS: every later event is the receiving service's.
        self._case.yjs = self._remand.yjs

    def _search(self) -> tuple[str, str, str, str]:
        return self._remand.child_id, "remand", self._remand.yjs, self._remand.status.value

    async def _after(self, decision: Decision, effective_date: date) -> None:
        await start_added_victims(decision, self._input, self._remand, opened_by=self._input.remand.yjs)

    def _resume_input(self) -> RemandInput:
        return self._input.model_copy(
            update={
                "resume": RemandResume(
                    remand=self._remand,
                    version=self._case.version,
                    deadlines=self._case.carried(),
                    deadline_counts=self._case.counts,
                )
            }
        )
