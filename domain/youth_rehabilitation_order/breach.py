"""Failures to comply: a warning, laying information for a breach, and what the court decided on it."""

from __future__ import annotations

from domain import events as ev
from domain.calendar import add_calendar_months
from domain.compliance import WarnedPeriod, after_unacceptable_failure, covering_period, warnings_in_period
from domain.decisions import CancelDeadline, DeadlineEffect, Decision, ScheduleDeadline
from domain.youth_rehabilitation_order.checks import _not_before, _open_incident, _refuse, _require
from domain.youth_rehabilitation_order.limits import MAX_BREACH_EXTENSION_MONTHS, _requirement_problems
from domain.youth_rehabilitation_order.opening import _end_date_clock
from domain.youth_rehabilitation_order.state import POLICY, YroState, YroStatus
from domain.youth_rehabilitation_order.steps import RecordBreachLaid, RecordCourtBreachOutcome, RecordWarning


def _warning(state: YroState, step: RecordWarning) -> Decision:
    name, day = step.step, step.effective_date
    incident = _open_incident(state, name, "a warning follows a missed appointment, and none is open")
    if incident.explained != "not_acceptable":
        raise _refuse(
            name,
            f"a warning is only for a failure without reasonable excuse: record the explanation of the missed "
            f"appointment on {incident.appointment_date} as not acceptable first",
        )
    _not_before(name, day, incident.appointment_date, "the missed appointment")
    if state.warnings:
        _not_before(name, day, max(w.start for w in state.warnings), "the last warning")
    count = warnings_in_period(state.warnings, incident.appointment_date)
    if after_unacceptable_failure(POLICY, count) == "breach_must_be_laid":
        period = covering_period(state.warnings, incident.appointment_date)
        assert period is not None  # two warnings cover the failure, so one of them is the earliest
        raise _refuse(
            name,
            f"two warnings already given in the warned period ending {period.end}: a further failure must go "
            "to court (Sch 7 para 4); record breach_laid",
        )
    period = WarnedPeriod.starting(day, months=state.warned_period_months)
    return Decision(
        events=(
            ev.WarningIssued(
                incident_id=incident.id, warning_date=day, number=count + 1, warned_period_ends=period.end
            ),
        ),
        # The amount goes with the request so the deadline's date is the one this warning recorded,
        # even if the YJS changes the rule later.
        deadlines=(ScheduleDeadline(rule_id="yro.warned_period", clock_start=day, amount=state.warned_period_months),),
    )


def _breach_laid(state: YroState, step: RecordBreachLaid) -> Decision:
    name, day = step.step, step.effective_date
    if state.state == YroStatus.BREACH_LAID:
        raise _refuse(
            name, f"a breach laid on {state.breach_laid_date} is already before the court: record its outcome first"
        )
    incident = _open_incident(state, name, "information is laid for a missed appointment, and none is open")
    if incident.explained != "not_acceptable":
        raise _refuse(
            name,
            f"a breach is only for a failure without reasonable excuse: record the explanation of the missed "
            f"appointment on {incident.appointment_date} as not acceptable first",
        )
    _not_before(name, day, incident.appointment_date, "the missed appointment")
    count = warnings_in_period(state.warnings, incident.appointment_date)
    mandatory = after_unacceptable_failure(POLICY, count) == "breach_must_be_laid"
    if not mandatory and not step.reason:
        raise _refuse(
            name,
            "laying information instead of giving a warning needs a reason (Sch 7 para 4: the officer must warn "
            "unless information is laid)",
        )
    return Decision(events=(ev.BreachLaid(incident_id=incident.id, laid_date=day, mandatory=mandatory),))


def _court_breach_outcome(state: YroState, step: RecordCourtBreachOutcome) -> Decision:
    name, day = step.step, step.effective_date
    _require(state, name, {YroStatus.BREACH_LAID})
    assert state.breach_laid_date is not None  # set with the state
    _not_before(name, day, state.breach_laid_date, "the breach was laid")
    if step.decision != "add_requirement" and (step.requirement is not None or step.new_end_date is not None):
        raise _refuse(name, "a requirement and a new end date go only with a decision to add a requirement")
    outcome = ev.CourtBreachOutcome(decision_date=day, decision=step.decision)
    if step.decision in ("continue", "fine"):
        return Decision(events=(outcome,))
    if step.decision == "revoke_and_resentence":
        return Decision(
            events=(outcome, ev.YroRevoked(revoked_date=day, grounds="breach")),
            deadlines=(CancelDeadline(rule_id="*", why="order revoked and the child resentenced for breach"),),
        )
    if step.requirement is None:
        raise _refuse(name, "a decision to add a requirement needs the requirement the court added")
    end = state.end_date
    deadlines: tuple[DeadlineEffect, ...] = ()
    if step.new_end_date is not None:
        latest = add_calendar_months(end, MAX_BREACH_EXTENSION_MONTHS)
        if state.breach_extension_used:
            raise _refuse(
                name,
                "the end date was already moved once on breach; the court may do that only once per order "
                "(LASPO 2012 s.83)",
            )
        if step.new_end_date <= end:
            raise _refuse(name, f"the new end date must be after the current end date ({end})")
        if step.new_end_date > latest:
            raise _refuse(
                name,
                f"the end date may move at most {MAX_BREACH_EXTENSION_MONTHS} months beyond {end}, to {latest} "
                "(LASPO 2012 s.83)",
            )
        end = step.new_end_date
        deadlines = (CancelDeadline(rule_id="yro.end", why="end date moved on breach"), _end_date_clock(end))
    current = [r.ordered for r in state.requirements_in_force()]
    problems = _requirement_problems(
        [*current, step.requirement], iss=state.iss, end_date=end, added=[step.requirement]
    )
    if problems:
        raise _refuse(name, "; ".join(problems))
    return Decision(
        events=(
            outcome.model_copy(
                update={
                    "added_requirement": step.requirement,
                    "previous_end_date": state.end_date if step.new_end_date is not None else None,
                    "new_end_date": step.new_end_date,
                }
            ),
        ),
        deadlines=deadlines,
    )
