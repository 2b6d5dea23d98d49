"""The custody and resettlement workflow: a detention and training order (and, with the secure estate's
dates supplied, a s.250, s.254 or s.259 sentence), carrying out what `domain.custody` decides.

A DTO's half-way release date and its early and late limits are computed in the domain when the sentence
opens (by HMPPS's calculator's method since the "hmpps-release-dates" patch; the opening event records
it), and replaced when the secure estate gives its own date. The planning, review, pre-release and
release-day contact clocks are unconfirmed legacy standards: their reminders say so. Supervision runs to
the end of the term, then s.247 further supervision when its conditions hold. Same shape as the youth
rehabilitation order, continuing as new before a long sentence's history grows large.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from temporalio import workflow

from workflows import changes

with workflow.unsafe.imports_passed_through():
    from domain import custody as cu
    from domain import events as ev
    from domain.court_outcome import victim_contact_id
    from domain.decisions import Decision
    from domain.messages import CustodyInput, CustodyResume, CustodyView
    from domain.victims_added import with_victims

from workflows.casework import (
    CaseRecorder,
    CaseWorkflow,
    opening_outcome,
    step_dates_kept,
    tell_victim_contacts,
    today,
)
from workflows.casework_cycle import start_cycle, with_cycle
from workflows.step_types import CUSTODY_STEP as STEP  # built once per worker, not at each new run
from workflows.victims_added import start_added_victims

# The order kind as intake names it, for the search attribute and the opening event.
_DISPOSAL_KINDS = {"dto": "detention_and_training_order"}


@workflow.defn(name="CustodyResettlement")
class CustodyWorkflow(CaseWorkflow):
    _steps = STEP
    _kind = cu

    @workflow.init
    def __init__(self, input: CustodyInput) -> None:
        self._input = input
        self._lock = asyncio.Lock()
        self._wake = False
        resume = input.resume
        if resume is not None:
            self._custody = resume.custody
        else:
            self._custody = step_dates_kept(
                cu.CustodyState(
                    child_id=input.child_id,
                    yjs=input.yjs,
                    sentence_date=input.sentence_date,
                    kind=input.kind,
                    months=input.months,
                    weeks=input.weeks,
                    remand_days=input.remand_days,
                    tagged_bail_days=input.tagged_bail_days,
                    secure_estate_release_date=input.secure_estate_release_date,
                    date_of_birth=input.date_of_birth,
                    offence_date=input.offence_date,
                )
            )
        self._custody = with_victims(self._custody, input.victim_refs)
        self._case = CaseRecorder(
            child_id=input.child_id,
            yjs=input.yjs,
            # Read when each notice is sent: an allocation (or reallocation) takes effect from the next one.
            responsible=lambda: self._custody.case_worker,
            resume=resume,
        )

    @workflow.run
    async def run(self, input: CustodyInput) -> str:
        if input.resume is None:
            # A new sentence's dates are HMPPS's calculator's; runs begun before it keep the legacy
            # method on replay, and a resumed run carries its method in the state.
            if changes.in_force("hmpps-release-dates"):
                self._custody = self._custody.model_copy(update={"release_method": cu.HMPPS_METHOD})
            outcome = opening_outcome(input, disposal_kind=self._disposal_kind, hearing_date=input.sentence_date)
            opening = with_cycle(
                cu.open_custody(self._custody, outcome=outcome), self._custody.cycle, clocks_from=input.sentence_date
            )
            await self._open_case(opening, input.sentence_date)
        await self._watch_deadlines(input.history_limit)
        return self._custody.status.value

    @workflow.update
    async def record_step(self, step: cu.CustodyStep) -> CustodyView:
        await self._record_step(lambda: cu.decide(self._custody, step, today=today()), step)
        await start_cycle(self, lambda: self._custody.cycle, clocks_from=today())
        return self.view()

    @record_step.validator
    def _validate_step(self, step: cu.CustodyStep) -> None:
        self._check_step(lambda: cu.decide(self._custody, step, today=today()))

    def _opened_state(self) -> Any:
        i = self._input
        state = cu.CustodyState(
            child_id=i.child_id,
            yjs=i.yjs,
            sentence_date=i.sentence_date,
            kind=i.kind,
            months=i.months,
            weeks=i.weeks,
            remand_days=i.remand_days,
            tagged_bail_days=i.tagged_bail_days,
            secure_estate_release_date=i.secure_estate_release_date,
            date_of_birth=i.date_of_birth,
            offence_date=i.offence_date,
            # The method the sentence opened with, as the run decided it.
            release_method=self._custody.release_method,
            step_dates=None if self._custody.step_dates is None else {},
        )
        outcome = opening_outcome(i, disposal_kind=self._disposal_kind, hearing_date=i.sentence_date)
        for payload in cu.open_custody(state, outcome=outcome).events:
            state = cu.evolve(state, payload)
        return state

    def _set_state(self, state: Any) -> None:
        self._custody = state

    def _closed(self) -> bool:
        return self._custody.status in cu.CLOSED_STATES

    @workflow.query
    def view(self) -> CustodyView:
        return CustodyView(
            workflow_id=workflow.info().workflow_id,
            custody=self._custody,
            case_worker=self._custody.case_worker,
            version=self._case.version,
            deadlines=self._case.views(),
        )

    @property
    def _disposal_kind(self) -> str:
        return _DISPOSAL_KINDS.get(self._custody.kind, self._custody.kind)

    def _apply(self, payload: ev.EventPayload) -> None:
        self._custody = cu.evolve(self._custody, payload)
        # A transfer to another YJS: every later event is the receiving service's.
        self._case.yjs = self._custody.yjs

    def _search(self) -> tuple[str, str, str, str]:
        return self._custody.child_id, self._disposal_kind, self._custody.yjs, self._custody.status.value

    async def _after(self, decision: Decision, effective_date: date) -> None:
        milestones = [m for p in decision.events if (m := cu.victim_milestone(p)) is not None]
        # Runs that began before a DTO told its victims' contacts must replay without these signals.
        if milestones and self._custody.victim_refs and changes.in_force("dto-victim-milestones"):
            contacts = [
                # Named by the service that opened them: a transfer moves the order, not the contacts.
                victim_contact_id(self._input.yjs, self._input.case_reference, self._custody.child_id, ref)
                for ref in self._custody.victim_refs
            ]
            await tell_victim_contacts(contacts, milestones, effective_date=effective_date)
        await start_added_victims(
            decision, self._input, self._custody, opened_by=self._input.yjs, sentence_date=self._custody.sentence_date
        )

    def _resume_input(self) -> CustodyInput:
        return self._input.model_copy(
            update={
                "resume": CustodyResume(
                    custody=self._custody,
                    version=self._case.version,
                    deadlines=self._case.carried(),
                    deadline_counts=self._case.counts,
                )
            }
        )
