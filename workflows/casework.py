"""What every case workflow does the same way: carry out a domain `Decision`, take a person's step
exactly once, watch its deadlines, and continue as new before its history grows large.

A workflow owns one `CaseRecorder` (workflows/case_recorder.py: the stream, its deadlines and the
activities that write them) and keeps only its own domain state beside it, so each order kind's workflow
file is the domain wiring and nothing else. Runs inside the workflow sandbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, TypeAdapter
from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows import changes

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain.calendar import london_date, london_instant
    from domain.corrections import CorrectionDecision, RecordedStep, StepCorrection, decide_correction
    from domain.decisions import Decision, Step, StepRefused
    from domain.messages import OrderMilestone
    from workflows import search_attributes as sa

from workflows.case_recorder import CaseRecorder
from workflows.step_correction import record_correction

__all__ = [
    "CaseRecorder",
    "CaseWorkflow",
    "opening_outcome",
    "step_dates_kept",
    "tell_victim_contacts",
    "today",
]

HISTORY_LIMIT = 10_000
# A step that reaches a new run before the run has opened its case waits for the opening.
STEPS_AFTER_THE_OPENING = "steps-after-the-opening"


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


StateT = TypeVar("StateT", bound=BaseModel)


def step_dates_kept(state: StateT) -> StateT:
    """A new order's state, keeping its steps' dates so a step dated before one it follows is refused
    (domain.step_order); a run that began before that check replays its steps without it."""
    if changes.in_force("step-dates-in-order"):
        return state
    return state.model_copy(update={"step_dates": None})


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


def refusal(refused: StepRefused) -> ApplicationError:
    """A domain refusal as Temporal carries it: the reason as the message, the field at fault as details."""
    return ApplicationError(str(refused), {"field": refused.field}, type="StepRefused", non_retryable=True)


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

    async def _carry_out(
        self, decision: Decision, *, actor: str, effective_date: date, reason: str | None, step: Step | None = None
    ) -> None:
        effective_at = midnight(effective_date)
        await self._case.carry_out(
            decision,
            actor=actor,
            effective_at=effective_at,
            reason=reason,
            apply=self._apply,
            on_recorded=self._upsert_search_attributes,
            step=step,
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
                # Every step in flight is recorded and answered on this run before it ends; a step whose
                # answer is lost on the way is sent again to the new run, which knows it by its id.
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._carrying_steps(self._resume_input()))
        await workflow.wait_condition(workflow.all_handlers_finished)

    def _carrying_steps(self, resume_input: Any) -> Any:
        """The kind's resume input with the ids of the steps recorded lately, so the new run answers a
        retried step instead of recording it again."""
        carried = resume_input.resume.model_copy(
            update={
                "steps_recorded": list(self._case.steps_recorded),
                "recorded_steps": list(self._case.recorded_steps),
            }
        )
        return resume_input.model_copy(update={"resume": carried})

    def _check_step(self, decide: Callable[[], object]) -> None:
        """For a kind's validator: refuse the step with the domain's reason (and the field at fault, in the
        failure's details, so a form can put it next to that question); a step already recorded passes."""
        if self._step_already_recorded():
            return
        try:
            decide()
        except StepRefused as refused:
            raise refusal(refused) from None

    def _step_already_recorded(self) -> bool:
        """For a kind's validator: a step this case has already recorded (a client's retry after
        continue-as-new) is answered with the view, not refused by a state it has itself moved on."""
        info = workflow.current_update_info()
        return self._case.has_recorded(info.id if info else None)

    async def _after_the_opening(self) -> None:
        """A new run's first activation runs Update handlers before its main function: a step sent as the
        case starts would take the lock first and be recorded before the case's opening. It waits."""
        if self._case.version == 0 and changes.in_force(STEPS_AFTER_THE_OPENING):
            await workflow.wait_condition(lambda: self._case.version > 0)

    async def _record_step(self, decide: Callable[[], Decision], step: Step) -> None:
        """A person's step: decided again under the lock (the state may have moved on since the validator
        passed it), refused with the reason and nothing recorded, or carried out; once per Update id,
        across continue-as-new."""
        info = workflow.current_update_info()
        step_id = info.id if info else None
        await self._after_the_opening()
        async with self._lock:
            if self._case.has_recorded(step_id):
                return
            try:
                decision = decide()
            except StepRefused as refused:
                raise refusal(refused) from None
            await self._carry_out(
                decision, actor=step.actor, effective_date=step.effective_date, reason=step.reason, step=step
            )
            self._case.step_recorded(step_id)
            self._wake = True

    # --- correcting a step (domain.corrections) ------------------------------------------------------

    def _opened_state(self) -> Any:
        """The kind's state as the court's opening left it, rebuilt from the start input: the correction
        folds every step again from here."""
        raise NotImplementedError

    # The kind's step union and its domain package (`decide`, `evolve`), set on each kind's class.
    _steps: TypeAdapter[Any]
    _kind: Any

    def _parse_step(self, body: dict[str, Any]) -> Step:
        return self._steps.validate_python(body)  # type: ignore[no-any-return]

    def _decide_step(self, state: Any, step: Step) -> Decision:
        return self._kind.decide(state, step, today=today())  # type: ignore[no-any-return]

    def _fold(self, state: Any, payload: ev.EventPayload) -> Any:
        return self._kind.evolve(state, payload)

    def view(self) -> Any:
        raise NotImplementedError

    def _correctable_steps(self) -> list[RecordedStep]:
        return self._case.recorded_steps

    # Handlers on the base class are every kind's (Temporal collects inherited handlers); a client names
    # the kind's view type as the result (client.corrections).
    @workflow.update
    async def correct_step(self, correction: StepCorrection) -> Any:
        await self._correct_step(correction)
        return self.view()

    @correct_step.validator
    def _validate_correction(self, correction: StepCorrection) -> None:
        if not self._step_already_recorded():
            self._decide_correction(correction)

    @workflow.query
    def recorded_steps(self) -> list[RecordedStep]:
        """The people's steps this case has recorded, each with its events' versions: what can be corrected."""
        return self._correctable_steps()

    def _set_state(self, state: Any) -> None:
        raise NotImplementedError

    def _decide_correction(self, correction: StepCorrection) -> CorrectionDecision:
        """For a kind's validator and handler: refused with the reason, or what to record."""
        if self._closed():
            raise StepRefused("correction refused: the case is closed; nothing more can be recorded on it")
        return decide_correction(
            correction,
            self._case.recorded_steps,
            opened=self._opened_state(),
            parse=self._parse_step,
            decide=self._decide_step,
            evolve=self._fold,
        )

    async def _correct_step(self, correction: StepCorrection) -> None:
        """A correction: decided again under the lock, refused with the reason and nothing recorded, or
        recorded (`StepCorrected`, deadlines owed again, the replacement) with the case's state recomputed
        as if the correction had been there; once per Update id, like a step."""
        info = workflow.current_update_info()
        step_id = info.id if info else None
        await self._after_the_opening()
        async with self._lock:
            if self._case.has_recorded(step_id):
                return
            try:
                decision = self._decide_correction(correction)
            except StepRefused as refused:
                raise refusal(refused) from None
            replacement = self._parse_step(decision.replacement_step) if decision.replacement_step is not None else None
            await record_correction(
                self._case,
                decision,
                actor=correction.actor,
                effective_at=midnight(today()),
                replacement_at=midnight(replacement.effective_date) if replacement is not None else None,
                reason=correction.reason,
                replacement_step=replacement,
            )
            self._set_state(decision.state)
            self._upsert_search_attributes()
            if self._closed():
                await self._case.close(midnight(today()))
            self._case.step_recorded(step_id)
            self._wake = True
