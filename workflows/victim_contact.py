"""A victim's restorative-justice contact: carries out what `domain.victim_contact` decides.

One workflow per victim per case, linked to the child's order. A victim worker records each step
through the `record_step` Update, refused with the reason when out of order or not consented to.
The linked order signals its milestones (`order_milestone`); when the victim's views can reach a
referral-order panel, this workflow tells the order (`victim_views_received`). Only references and
step names pass through here: the victim's personal details live in their own encrypted table.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from temporalio import workflow

from workflows import changes

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain import victim_contact as vc
    from domain.corrections import RecordedStep, StepCorrection
    from domain.decisions import Decision, Step
    from domain.messages import (
        OrderMilestone,
        VictimContactInput,
        VictimContactResume,
        VictimContactView,
        VictimViewsReceived,
    )
    from domain.victim_details import note_id_of

from workflows.case_recorder import CaseRecorder
from workflows.casework import CaseWorkflow, today
from workflows.step_types import VICTIM_CONTACT_STEP as STEP  # built once per worker, not at each new run
from workflows.step_types import ReceivedMilestone

SYSTEM_ORDER = "system:linked-order"
# Each step's date checked against every step it follows, and consent only to options explained (issue
# #15): contacts recorded before replay as they were decided.
STEPS_IN_ORDER = "victim-steps-in-order"


@workflow.defn(name="VictimContact")
class VictimContactWorkflow(CaseWorkflow):
    _steps = STEP
    _kind = vc

    @workflow.init
    def __init__(self, input: VictimContactInput) -> None:
        self._input = input
        self._lock = asyncio.Lock()
        self._wake = False
        resume = input.resume
        if resume is not None:
            self._contact = resume.contact
            self._views_sent = resume.views_sent
        else:
            self._contact = vc.VictimContactState(
                victim_ref=input.victim_ref,
                victim_kind=input.victim_kind,
                under_18=input.under_18,
                linked_order_id=input.linked_order_id,
                child_id=input.child_id,
                yjs=input.yjs,
                opened_on=input.opened_on,
                vcs_referral_needed=input.vcs_referral_needed,
                sentence_date=input.sentence_date,
            )
            self._views_sent = False
        self._case = CaseRecorder(
            child_id=input.child_id,
            yjs=input.yjs,
            responsible=lambda: self._contact.victim_worker,
            resume=resume,
        )

    @workflow.run
    async def run(self, input: VictimContactInput) -> str:
        if input.resume is None:
            async with self._lock:
                await self._carry_out(
                    vc.open_contact(self._contact), actor=ev.COURT_INTAKE, effective_date=input.opened_on, reason=None
                )
        await self._watch_deadlines()
        return str(self._contact.closed_outcome or "closed")

    # --- the victim worker's steps ------------------------------------------------------------------

    @workflow.update
    async def record_step(self, step: vc.VictimContactStep) -> VictimContactView:
        await self._record_step(
            lambda: vc.decide(self._contact, step, today=today(), later_rules=changes.in_force(STEPS_IN_ORDER)), step
        )
        return self.view()

    @record_step.validator
    def _validate_step(self, step: vc.VictimContactStep) -> None:
        if self._step_already_recorded():
            return
        if step.reason and step.reason.strip() and note_id_of(step.reason) is None:
            # Validators do not run on replay, so older histories with clear reasons still replay.
            raise vc.StepRefused(
                f"{step.step} refused: reason: a victim step's note is personal data and reaches the contact only "
                "sealed under the victim's key (victim-note:<id>, as client.steps.record_victim_step seals it)"
            )
        self._check_step(lambda: vc.decide(self._contact, step, today=today()))

    def _correctable_steps(self) -> list[RecordedStep]:
        return [s for s in self._case.recorded_steps if s.name != "order_milestone"]

    def _decide_correction(self, correction: StepCorrection) -> Any:
        for s in self._case.recorded_steps:
            if s.name == "order_milestone" and s.first_version <= correction.supersedes <= s.last_version:
                raise vc.StepRefused(
                    f"correction refused: event {correction.supersedes} is the linked order's {s.step['milestone']}; "
                    "correct it on the order"
                )
        return super()._decide_correction(correction)

    def _opened_state(self) -> Any:
        i = self._input
        state = vc.VictimContactState(
            victim_ref=i.victim_ref,
            victim_kind=i.victim_kind,
            under_18=i.under_18,
            linked_order_id=i.linked_order_id,
            child_id=i.child_id,
            yjs=i.yjs,
            opened_on=i.opened_on,
            vcs_referral_needed=i.vcs_referral_needed,
            sentence_date=i.sentence_date,
        )
        for payload in vc.open_contact(state).events:
            state = vc.evolve(state, payload)
        return state

    def _parse_step(self, body: dict[str, Any]) -> Step:
        if body.get("step") == "order_milestone":
            return ReceivedMilestone.model_validate(body)
        return STEP.validate_python(body)

    def _decide_step(self, state: Any, step: Any) -> Decision:
        if isinstance(step, ReceivedMilestone):
            return vc.milestone_received(
                state,
                step.milestone,  # type: ignore[arg-type]
                step.order_id,
                today(),
                occurred_on=step.effective_date,
            )
        return vc.decide(state, step, today=today())

    def _set_state(self, state: Any) -> None:
        self._contact = state

    # --- the linked order -----------------------------------------------------------------------------

    @workflow.signal
    async def order_milestone(self, message: OrderMilestone) -> None:
        async with self._lock:
            try:
                decision = vc.milestone_received(
                    self._contact,
                    message.milestone,  # type: ignore[arg-type]
                    message.order_id,
                    today(),
                    occurred_on=message.effective_date,
                )
            except vc.StepRefused as refused:
                workflow.logger.info("order milestone not recorded: %s", refused)
                return
            received = ReceivedMilestone(
                actor=SYSTEM_ORDER,
                effective_date=message.effective_date,
                milestone=message.milestone,
                order_id=message.order_id,
            )
            await self._carry_out(
                decision, actor=SYSTEM_ORDER, effective_date=message.effective_date, reason=None, step=received
            )
            self._wake = True

    def _closed(self) -> bool:
        return self._contact.state == vc.ContactState.CLOSED

    @workflow.query
    def view(self) -> VictimContactView:
        return VictimContactView(
            workflow_id=workflow.info().workflow_id,
            contact=self._contact,
            version=self._case.version,
            deadlines=self._case.views(),
        )

    # --- carrying out ----------------------------------------------------------------------------------

    def _apply(self, payload: ev.EventPayload) -> None:
        self._contact = vc.evolve(self._contact, payload)

    def _search(self) -> tuple[str, str, str, str]:
        return self._contact.child_id, "victim_contact", self._contact.yjs, self._contact.state.value

    async def _after(self, decision: Decision, effective_date: date) -> None:
        if not self._views_sent and vc.victim_views_for_panel(self._contact):
            self._views_sent = True
            await self._tell_order(effective_date)

    async def _tell_order(self, effective_date: date) -> None:
        order_id = self._input.linked_order_id
        if not order_id.startswith("referral-order:"):
            return  # only a referral order's panel seeks victims' views
        try:
            await workflow.get_external_workflow_handle(order_id).signal(
                "victim_views_received",
                VictimViewsReceived(victim_ref=self._contact.victim_ref, effective_date=effective_date),
            )
        except Exception as e:  # the order may have ended: the contact goes on
            workflow.logger.warning("order %s not told of victim views: %s", order_id, e)

    def _resume_input(self) -> VictimContactInput:
        return self._input.model_copy(
            update={
                "resume": VictimContactResume(
                    contact=self._contact,
                    version=self._case.version,
                    deadlines=self._case.carried(),
                    deadline_counts=self._case.counts,
                    views_sent=self._views_sent,
                )
            }
        )
