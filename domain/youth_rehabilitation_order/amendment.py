"""The court amending the order: requirements added or removed, the end date moved."""

from __future__ import annotations

from domain import events as ev
from domain.calendar import add_calendar_months
from domain.decisions import CancelDeadline, DeadlineEffect, Decision
from domain.youth_rehabilitation_order.checks import _find_requirement, _refuse
from domain.youth_rehabilitation_order.limits import ISS_MIN_MONTHS, MAX_END_MONTHS, _requirement_problems
from domain.youth_rehabilitation_order.opening import _end_date_clock
from domain.youth_rehabilitation_order.state import YroState, YroStatus
from domain.youth_rehabilitation_order.steps import RecordOrderAmended


def _amendment(state: YroState, step: RecordOrderAmended) -> Decision:
    name, day = step.step, step.effective_date
    if state.state == YroStatus.BREACH_LAID:
        raise _refuse(name, "a breach is before the court: record what the court decided with court_breach_outcome")
    for ref in step.remove_requirements:
        _find_requirement(state, name, ref)
    if len(set(step.remove_requirements)) != len(step.remove_requirements):
        raise _refuse(name, "a requirement is listed for removal twice")
    end = state.end_date
    deadlines: tuple[DeadlineEffect, ...] = ()
    if step.new_end_date is not None:
        new = step.new_end_date
        longest = add_calendar_months(state.hearing_date, MAX_END_MONTHS)
        shortest = add_calendar_months(state.hearing_date, ISS_MIN_MONTHS)
        if new == end:
            raise _refuse(name, f"the end date is already {end}")
        if new <= day:
            raise _refuse(name, f"the new end date {new} must be after the amendment ({day})")
        if new > longest:
            raise _refuse(name, f"a YRO must end within 3 years of being made, by {longest} (s.187)")
        if state.iss and new < shortest:
            raise _refuse(name, f"a YRO with ISS must last at least 6 months, to {shortest} (s.187)")
        end = new
        deadlines = (CancelDeadline(rule_id="yro.end", why="end date amended"), _end_date_clock(end))
    removed = set(step.remove_requirements)
    remaining = [r.ordered for r in state.requirements_in_force() if r.ref not in removed]
    problems = _requirement_problems(
        [*remaining, *step.add_requirements], iss=state.iss, end_date=end, added=step.add_requirements
    )
    if problems:
        raise _refuse(name, "; ".join(problems))
    return Decision(
        events=(
            ev.OrderAmended(
                amended_date=day,
                summary=step.summary,
                added_requirements=list(step.add_requirements),
                removed_requirements=list(step.remove_requirements),
                new_end_date=step.new_end_date,
            ),
        ),
        deadlines=deadlines,
    )
