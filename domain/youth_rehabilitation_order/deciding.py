"""Deciding a step: refused with a reason a case worker can act on, or its events and deadline effects."""

from __future__ import annotations

from datetime import date

from domain import casework_cycle as cycle
from domain import events as ev
from domain.allocation import AllocateCaseWorker, allocate
from domain.decisions import CancelDeadline, Decision, MeetDeadline, ScheduleDeadline
from domain.transfers import RecordTransfer
from domain.victims_added import AddVictim, add_victim
from domain.youth_rehabilitation_order.amendment import _amendment
from domain.youth_rehabilitation_order.breach import _breach_laid, _court_breach_outcome, _warning
from domain.youth_rehabilitation_order.checks import (
    _check_dates,
    _in_order,
    _not_before,
    _open_incident,
    _refuse,
    _require,
)
from domain.youth_rehabilitation_order.completion import _completion, _transfer
from domain.youth_rehabilitation_order.progress import _progress
from domain.youth_rehabilitation_order.state import CLOSED_STATES, YroState, YroStatus
from domain.youth_rehabilitation_order.steps import (
    RecordAbsenceExplained,
    RecordAppointmentMissed,
    RecordBreachLaid,
    RecordCompletion,
    RecordCourtBreachOutcome,
    RecordFirstAppointment,
    RecordFollowUpContact,
    RecordOrderAmended,
    RecordRequirementProgress,
    RecordReview,
    RecordRevocation,
    RecordWarning,
    YroStep,
)


def decide(state: YroState, step: YroStep, *, today: date) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects; the
    casework cycle's steps and its gates on closing are `domain.casework_cycle`'s."""
    return cycle.around(state.cycle, step, lambda: _decide(state, step, today), completion_steps={"order_completed"})


def _decide(state: YroState, step: YroStep, today: date) -> Decision:
    name = step.step
    if state.state in CLOSED_STATES:
        raise _refuse(name, f"the order is {state.state.value}; nothing more can be recorded on it")
    _check_dates(state, step, today)
    if cycle.is_cycle_step(step):
        return cycle.decide(state.cycle, step)
    day = step.effective_date
    _in_order(state, name, day)
    match step:
        case AllocateCaseWorker():
            return allocate(step)
        case RecordFirstAppointment():
            if state.first_appointment_date is not None:
                raise _refuse(name, f"the first appointment was already recorded on {state.first_appointment_date}")
            return Decision(
                events=(ev.FirstAppointmentAttended(appointment_date=day),),
                deadlines=(MeetDeadline(rule_id="yro.first_appointment", met_on=day),),
            )
        case RecordReview():
            if state.last_review_date is not None and day <= state.last_review_date:
                raise _refuse(name, f"the last review was held on {state.last_review_date}; a review must follow it")
            return Decision(
                events=(ev.ReviewHeld(review_date=day),),
                # The interval is the rule's amount ([U]), so the next review only names the rule.
                deadlines=(
                    MeetDeadline(rule_id="yro.review", met_on=day),
                    ScheduleDeadline(rule_id="yro.review", clock_start=day),
                ),
            )
        case RecordRequirementProgress():
            return _progress(state, step)
        case RecordAppointmentMissed():
            if (open_ := state.open_incident) is not None:
                raise _refuse(
                    name,
                    f"the missed appointment on {open_.appointment_date} ({open_.id}) is still open: record its "
                    "explanation and then a warning or breach first",
                )
            incident_id = f"incident-{state.incidents + 1}"
            return Decision(
                events=(ev.AppointmentMissed(incident_id=incident_id, appointment_date=day),),
                deadlines=(ScheduleDeadline(rule_id="yro.missed_followup", clock_start=day),),
            )
        case RecordAbsenceExplained():
            incident = _open_incident(state, name, "there is no open missed appointment to explain")
            if incident.explained != "none_yet":
                raise _refuse(name, f"the missed appointment on {incident.appointment_date} was already explained")
            _not_before(name, day, incident.appointment_date, "the missed appointment")
            return Decision(
                events=(ev.AbsenceExplained(incident_id=incident.id, explained_date=day, acceptable=step.acceptable),)
            )
        case RecordFollowUpContact():
            latest = state.incident
            if latest is None or latest.follow_up_made:
                raise _refuse(name, "there is no missed appointment waiting for a follow-up contact")
            _not_before(name, day, latest.appointment_date, "the missed appointment")
            return Decision(
                events=(ev.FollowUpContactMade(incident_id=latest.id, contact_date=day),),
                deadlines=(MeetDeadline(rule_id="yro.missed_followup", met_on=day),),
            )
        case RecordWarning():
            return _warning(state, step)
        case RecordBreachLaid():
            return _breach_laid(state, step)
        case RecordCourtBreachOutcome():
            return _court_breach_outcome(state, step)
        case RecordOrderAmended():
            return _amendment(state, step)
        case RecordRevocation():
            if step.grounds == "good_progress":
                _require(state, name, {YroStatus.ACTIVE})
            return Decision(
                events=(ev.YroRevoked(revoked_date=day, grounds=step.grounds),),
                deadlines=(CancelDeadline(rule_id="*", why=f"order revoked ({step.grounds})"),),
            )
        case RecordCompletion():
            return _completion(state, step)
        case RecordTransfer():
            return _transfer(state, step)
        case AddVictim():
            return add_victim(step, victim_refs=state.victim_refs)
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive
