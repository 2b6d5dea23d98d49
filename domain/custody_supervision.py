"""A sentence's end: a breach of DTO supervision (Sch 12), completion, s.247 further supervision, and when
supervision may pass to probation."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.calendar import add_calendar_months
from domain.custody_dates import ADULT_AGE, FURTHER_SUPERVISION_MONTHS
from domain.custody_state import CustodyState, CustodyStatus
from domain.custody_steps import RecordCompleted, RecordSupervisionBreach, refuse, require
from domain.decisions import Decision, MeetDeadline, ScheduleDeadline

__all__ = ["BREACH_PENALTY_MAX_MONTHS", "breach_step", "completed_step", "probation_refused"]

BREACH_PENALTY_MAX_MONTHS = 3  # Sch 12 para 3: the shorter of 3 months and the rest of the term


def probation_refused(state: CustodyState, day: date) -> str | None:
    """Why the sentence cannot pass to probation on `day`, or None: only supervision in the community
    passes (DTO supervision, further supervision, or licence), and only once the child is 18."""
    if state.status not in (CustodyStatus.RELEASED, CustodyStatus.FURTHER_SUPERVISION):
        return (
            f"the sentence is {state.status.value}; only supervision after release (released or "
            "further_supervision) passes to probation"
        )
    if state.date_of_birth is None:
        return None
    eighteenth = add_calendar_months(state.date_of_birth, 12 * ADULT_AGE)
    if day < eighteenth:
        return f"the child turns 18 on {eighteenth}; supervision passes to probation only from 18"
    return None


def breach_step(state: CustodyState, step: RecordSupervisionBreach) -> Decision:
    name = step.step
    day = step.effective_date
    # The court may decide after the term has ended, even once further supervision has begun (Sch 12 para 3).
    require(state, name, {CustodyStatus.RELEASED, CustodyStatus.FURTHER_SUPERVISION})
    if not state.is_dto:
        raise refuse(
            name,
            "a breach of licence after a s.250, s.254 or s.259 sentence leads to recall by the Secretary of "
            "State, not to the youth court (Sch 12 is for DTO supervision)",
        )
    assert state.term_end is not None and state.first_released_on is not None
    if step.breach_date > day:
        raise refuse(name, f"the failure ({step.breach_date}) cannot be after the court's decision ({day})")
    if not state.first_released_on <= step.breach_date <= state.term_end:
        raise refuse(
            name,
            f"Sch 12 covers failures during DTO supervision, {state.first_released_on} to {state.term_end}; "
            "a failure during further supervision is for CJA 2003 s.256AC",
        )
    if step.decision in ("fine", "none"):
        if step.months is not None:
            raise refuse(name, "months are only for a further period of detention or supervision")
        return Decision(
            events=(
                ev.SupervisionBreachOutcome(decision_date=day, breach_date=step.breach_date, decision=step.decision),
            )
        )
    if step.months is None:
        raise refuse(name, f"{step.decision} needs its length in months")
    limit = min(add_calendar_months(step.breach_date, BREACH_PENALTY_MAX_MONTHS), state.term_end)
    if add_calendar_months(step.breach_date, step.months) > limit:
        raise refuse(
            name,
            f"the period may not exceed the shorter of {BREACH_PENALTY_MAX_MONTHS} months and the rest of the "
            f"term from the failure, so may run from {step.breach_date} to {limit} at most (Sch 12 para 3)",
        )
    until = add_calendar_months(day, step.months)
    return Decision(
        events=(
            ev.SupervisionBreachOutcome(
                decision_date=day, breach_date=step.breach_date, decision=step.decision, months=step.months, until=until
            ),
        )
    )


def completed_step(state: CustodyState, step: RecordCompleted) -> Decision:
    name = step.step
    day = step.effective_date
    require(state, name, {CustodyStatus.RELEASED, CustodyStatus.FURTHER_SUPERVISION})
    if state.status == CustodyStatus.FURTHER_SUPERVISION:
        assert state.further_supervision_ends is not None
        if day < state.further_supervision_ends:
            raise refuse(name, f"further supervision runs until {state.further_supervision_ends} (s.247)")
        return Decision(
            events=(ev.CustodyCompleted(completed_date=day),),
            # It ends on its fixed date however late completion is recorded.
            deadlines=(MeetDeadline(rule_id="dto.further_supervision", met_on=state.further_supervision_ends),),
        )
    ends = state.supervision_until or state.term_end
    if ends is None:
        # A s.259 sentence has no term to end; the YJS's part ends on transfer, which needs saying why.
        if not step.reason:
            raise refuse(
                name, "a sentence without a term ends the YJS's supervision only with a reason (e.g. transfer)"
            )
        return Decision(events=(ev.CustodyCompleted(completed_date=day),))
    if day < ends:
        raise refuse(name, f"supervision runs until {ends}")
    if state.further_supervision:
        assert state.release_point is not None and state.term_end is not None
        further_ends = add_calendar_months(state.release_point, FURTHER_SUPERVISION_MONTHS)
        return Decision(
            events=(ev.FurtherSupervisionStarted(starts=state.term_end, ends=further_ends),),
            deadlines=(ScheduleDeadline(rule_id="dto.further_supervision", clock_start=state.release_point),),
        )
    return Decision(events=(ev.CustodyCompleted(completed_date=day),))
