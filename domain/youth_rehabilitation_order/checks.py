"""Refusals the steps share: the step's dates, the order's status, the open incident, a requirement's ref."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.compliance import ComplianceIncident
from domain.decisions import Step, StepRefused
from domain.step_order import Follows, StepEvents, check_in_order
from domain.youth_rehabilitation_order.state import RequirementProgress, YroState, YroStatus


def _refuse(step: str, why: str, field: str | None = None) -> StepRefused:
    return StepRefused(f"{step} refused: {why}", field)


def _check_dates(state: YroState, step: Step, today: date) -> None:
    name = str(getattr(step, "step", "step"))
    if step.effective_date > today:
        raise _refuse(
            name, f"effective date {step.effective_date} is in the future (today is {today})", "effective_date"
        )
    if step.effective_date < state.hearing_date:
        raise _refuse(
            name,
            f"effective date {step.effective_date} is before the order was made ({state.hearing_date})",
            "effective_date",
        )


def _require(state: YroState, step: str, allowed: set[YroStatus]) -> None:
    if state.state not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise _refuse(step, f"the order is {state.state.value}; this step needs it to be {names}")


def _not_before(name: str, day: date, earlier: date, what: str) -> None:
    if day < earlier:
        raise _refuse(name, f"it is dated {day}, before {what} ({earlier})", "effective_date")


def _open_incident(state: YroState, name: str, why_not: str) -> ComplianceIncident:
    incident = state.open_incident
    if incident is None:
        raise _refuse(name, why_not)
    return incident


def _find_requirement(state: YroState, name: str, ref: str) -> RequirementProgress:
    for r in state.requirements:
        if r.ref == ref:
            if not r.in_force:
                raise _refuse(name, f"requirement {ref} was removed from the order on {r.removed_on}")
            return r
    refs = ", ".join(r.ref for r in state.requirements_in_force())
    raise _refuse(name, f"the order has no requirement {ref}; its requirements are {refs}")


# Which recorded steps each step follows: a step dated before one of these is refused, naming both.
# Only where the order is the law's or the order's own (an explanation after the missed appointment, the
# court after the breach laid, nothing after completion), or a step repeats (reviews, warnings in turn).
FOLLOWS: Follows = {
    "review_held": ("review_held",),
    "appointment_missed": ("appointment_missed",),
    "absence_explained": ("appointment_missed",),
    "follow_up_contact_made": ("appointment_missed",),
    "warning_issued": ("appointment_missed", "absence_explained", "warning_issued"),
    "breach_laid": ("appointment_missed", "absence_explained"),
    "court_breach_outcome": ("breach_laid",),
    "order_amended": ("order_amended",),
    "order_completed": (
        "first_appointment_attended",
        "review_held",
        "requirement_progress",
        "follow_up_contact_made",
        "court_breach_outcome",
        "order_amended",
    ),
}

STEP_EVENTS: StepEvents = {
    ev.FirstAppointmentAttended: ("first_appointment_attended", "appointment_date"),
    ev.ReviewHeld: ("review_held", "review_date"),
    ev.RequirementProgressRecorded: ("requirement_progress", "recorded_date"),
    ev.AppointmentMissed: ("appointment_missed", "appointment_date"),
    ev.AbsenceExplained: ("absence_explained", "explained_date"),
    ev.FollowUpContactMade: ("follow_up_contact_made", "contact_date"),
    ev.WarningIssued: ("warning_issued", "warning_date"),
    ev.BreachLaid: ("breach_laid", "laid_date"),
    ev.CourtBreachOutcome: ("court_breach_outcome", "decision_date"),
    ev.OrderAmended: ("order_amended", "amended_date"),
}


def _in_order(state: YroState, name: str, day: date) -> None:
    check_in_order(name, day, FOLLOWS, state.step_dates)
