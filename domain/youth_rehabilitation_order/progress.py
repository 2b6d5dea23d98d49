"""Progress on a requirement: activity days attended, unpaid work hours worked, curfew and monitoring periods."""

from __future__ import annotations

from domain import events as ev
from domain.court_outcome import (
    ActivityRequirement,
    CurfewRequirement,
    ExtendedActivityRequirement,
    UnpaidWorkRequirement,
)
from domain.decisions import Decision
from domain.youth_rehabilitation_order.checks import _find_requirement, _not_before, _refuse
from domain.youth_rehabilitation_order.state import YroState
from domain.youth_rehabilitation_order.steps import RecordRequirementProgress

PERIOD_KINDS = frozenset({"curfew", "electronic_monitoring"})


def _progress(state: YroState, step: RecordRequirementProgress) -> Decision:
    name, day = step.step, step.effective_date
    r = _find_requirement(state, name, step.requirement)
    ordered = r.ordered
    recorded = ev.RequirementProgressRecorded(requirement=r.ref, kind=r.kind, recorded_date=day)
    if step.activity_days is not None:
        if not isinstance(ordered, ActivityRequirement | ExtendedActivityRequirement):
            raise _refuse(name, f"activity days are recorded against an activity requirement, not {r.kind}")
        used = r.activity_days_used + step.activity_days
        if used > ordered.days:
            raise _refuse(
                name,
                f"{r.ref}: {r.activity_days_used} of {ordered.days} days used; {step.activity_days} more would "
                f"exceed the {ordered.days} days the court ordered",
            )
        return Decision(events=(recorded.model_copy(update={"activity_days_used": used}),))
    if step.unpaid_work_hours is not None:
        if not isinstance(ordered, UnpaidWorkRequirement):
            raise _refuse(name, f"unpaid work hours are recorded against an unpaid work requirement, not {r.kind}")
        done = r.unpaid_work_hours_done + step.unpaid_work_hours
        if done > ordered.hours:
            raise _refuse(
                name,
                f"{r.ref}: {r.unpaid_work_hours_done} of {ordered.hours} hours done; {step.unpaid_work_hours} more "
                f"would exceed the {ordered.hours} hours the court ordered",
            )
        return Decision(events=(recorded.model_copy(update={"unpaid_work_hours_done": done}),))
    if r.kind not in PERIOD_KINDS:
        raise _refuse(name, f"periods are recorded for a curfew or electronic monitoring, not {r.kind}")
    running = r.running_period
    if step.period == "started":
        if running is not None:
            raise _refuse(name, f"{r.ref} has been running since {running.start}; record its end first")
        if r.periods and r.periods[-1].end is not None:
            _not_before(name, day, r.periods[-1].end, f"the end of the last {r.ref} period")
        if isinstance(ordered, CurfewRequirement) and day >= ordered.end_date:
            raise _refuse(name, f"the curfew requirement ended on {ordered.end_date}")
        return Decision(events=(recorded.model_copy(update={"period_started": day}),))
    if running is None:
        raise _refuse(name, f"{r.ref} is not running; record its start first")
    _not_before(name, day, running.start, f"the start of this {r.ref} period")
    return Decision(events=(recorded.model_copy(update={"period_ended": day}),))
