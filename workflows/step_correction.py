"""Correcting a person's step on a case's stream (`domain.corrections` decides what the correction is)."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain.corrections import CorrectionDecision
    from domain.decisions import Step
    from workflows import deadline_tracker as tracker

from workflows.case_recorder import CaseRecorder


async def record_correction(
    case: CaseRecorder,
    decision: CorrectionDecision,
    *,
    actor: str,
    effective_at: datetime,
    replacement_at: datetime | None,
    reason: str,
    replacement_step: Step | None,
) -> None:
    """Record the correction: `StepCorrected`, the deadlines the original met owed again (their schedule
    recorded again, which reopens them; one whose day has passed is missed at once), the deadlines it
    scheduled cancelled, then the replacement as the step would have recorded it, met and scheduled
    from its own date. The original step is marked superseded; its events stay in the stream."""
    corrected_at = case.version + 1
    changes: list[ev.EventPayload] = [decision.corrected]
    now = workflow.now()
    for m in decision.reopen:
        changes.append(m.schedule)
    why = f"the {decision.corrected.step} that scheduled it was {decision.corrected.correction}"
    for deadline_id in decision.cancel:
        d = case.deadlines.get(deadline_id)
        if d is not None and d.status in ("open", "missed"):
            s = d.schedule
            changes.append(ev.DeadlineCancelled(deadline_id=s.deadline_id, rule_id=s.rule_id, why=why))
            d.status = "cancelled"
    await case.record(changes, actor=actor, effective_at=effective_at, reason=reason)
    for m in decision.reopen:
        case.deadlines[m.schedule.deadline_id] = tracker.track(m.schedule, now)
    original = case.recorded_steps[decision.index]
    case.recorded_steps[decision.index] = original.model_copy(update={"superseded_by": corrected_at})
    if decision.replacement is not None and replacement_step is not None and replacement_at is not None:
        await case.carry_out(
            decision.replacement,
            actor=actor,
            effective_at=replacement_at,
            reason=reason,
            apply=lambda _: None,
            step=replacement_step,
        )
