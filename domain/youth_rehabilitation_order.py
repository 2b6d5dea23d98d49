"""The youth rehabilitation order (SA 2020 Part 9 Ch 1, Sch 6, Sch 7) as a pure state machine.

`decide` takes the order's state, a step a person wants to record and today's date, and either refuses
the step with a reason a case worker can act on, or returns the events to record and the deadline
changes they cause. `evolve` folds a recorded event into the state. The workflow only carries these out.

Failures to comply go through the shared `domain.compliance` model under the YRO policy: warn, or lay
information; after two warnings in a warned period a further failure must go to court (Sch 7 para 4).
Lengths the reference notes mark unconfirmed ([U]) are never written here: the review interval comes
with the rule `yro.review`, and the warned period's months with `yro.warned_period`, read from the
rule pack into `YroState.warned_period_months` by whoever opens the order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain import events as ev
from domain.allocation import AllocateCaseWorker, allocate, allocated
from domain.calendar import add_calendar_months
from domain.compliance import (
    ComplianceIncident,
    CompliancePolicy,
    WarnedPeriod,
    after_unacceptable_failure,
    covering_period,
    warnings_in_period,
)
from domain.court_outcome import (
    ActivityRequirement,
    CurfewRequirement,
    ExtendedActivityRequirement,
    Requirement,
    UnpaidWorkRequirement,
    YouthRehabilitationOrderDisposal,
)
from domain.decisions import (
    CancelDeadline,
    DeadlineEffect,
    Decision,
    MeetDeadline,
    ScheduleDeadline,
    Step,
    StepRefused,
)
from domain.transfers import RecordTransfer, transfer

__all__ = [
    "CLOSED_STATES",
    "AllocateCaseWorker",
    "CancelDeadline",
    "Decision",
    "MeetDeadline",
    "RecordTransfer",
    "RequirementProgress",
    "ScheduleDeadline",
    "StepRefused",
    "SupervisedPeriod",
    "YroState",
    "YroStatus",
    "YroStep",
    "decide",
    "evolve",
    "new_order",
    "open_order",
]

# Statute [S✓] (youth-justice.md §1.3), so these may be constants; the [U] lengths come from rules.
MAX_END_MONTHS = 36  # s.187(2)(a): end date at most 3 years after the order takes effect
ISS_MIN_MONTHS = 6  # s.187(2)(b): with ISS, at least 6 months
MAX_BREACH_EXTENSION_MONTHS = 6  # LASPO 2012 s.83 (now Sch 7): ≤ 6 months beyond the previous end date, once
CURFEW_MIN_HOURS, CURFEW_MAX_HOURS = 2, 16  # Sch 6 para 18
ACTIVITY_MAX_DAYS = 90  # Sch 6 para 1: more than this is an extended activity requirement (ISS only)

POLICY = CompliancePolicy.YOUTH_REHABILITATION_ORDER
PERIOD_KINDS = frozenset({"curfew", "electronic_monitoring"})


class YroStatus(StrEnum):
    ORDER_MADE = "order_made"  # waiting for the first appointment (induction)
    ACTIVE = "active"
    BREACH_LAID = "breach_laid"  # information laid; waiting for the court
    COMPLETED = "completed"
    REVOKED = "revoked"
    TRANSFERRED_TO_PROBATION = "transferred_to_probation"


CLOSED_STATES = frozenset({YroStatus.COMPLETED, YroStatus.REVOKED, YroStatus.TRANSFERRED_TO_PROBATION})


# --- the state ------------------------------------------------------------------------------------


class SupervisedPeriod(BaseModel):
    """One stretch of a curfew or of electronic monitoring; `end` is None while it runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    end: date | None = None


class RequirementProgress(BaseModel):
    """A requirement as the court ordered it, with what has been done of it so far.

    `ref` names it on this order: its kind, or `kind#2`, `kind#3` for later ones of the same kind.
    Refs are never reused, so a removed requirement stays listed with `removed_on` set and every
    recorded event keeps pointing at the requirement it was about.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    ref: str
    ordered: Requirement
    activity_days_used: int = 0
    unpaid_work_hours_done: int = 0
    periods: tuple[SupervisedPeriod, ...] = ()
    removed_on: date | None = None

    @property
    def kind(self) -> str:
        return self.ordered.kind

    @property
    def in_force(self) -> bool:
        return self.removed_on is None

    @property
    def running_period(self) -> SupervisedPeriod | None:
        last = self.periods[-1] if self.periods else None
        return last if last is not None and last.end is None else None


class YroState(BaseModel):
    """Everything the workflow must carry across continue-as-new."""

    model_config = ConfigDict(frozen=True)

    child_id: str
    yjs: str
    hearing_date: date = Field(description="The order takes effect on the day it is made (s.198).")
    end_date: date
    iss: bool = False
    requirements: tuple[RequirementProgress, ...] = ()
    warned_period_months: int = Field(
        ge=1, description="The rule yro.warned_period's amount ([U]), read from the rule pack when the order opens."
    )
    eighteenth_birthday: date | None = Field(
        default=None, description="When known, a transfer to probation is refused before it."
    )
    state: YroStatus = YroStatus.ORDER_MADE
    case_worker: str | None = Field(default=None, description="Who holds the order: its reminders go to them.")
    first_appointment_date: date | None = None
    last_review_date: date | None = None
    incidents: int = 0
    incident: ComplianceIncident | None = Field(default=None, description="The latest incident, open or not.")
    warnings: tuple[WarnedPeriod, ...] = ()
    breach_laid_date: date | None = None
    breach_extension_used: bool = False

    @property
    def open_incident(self) -> ComplianceIncident | None:
        return self.incident if self.incident is not None and self.incident.is_open else None

    def requirements_in_force(self) -> tuple[RequirementProgress, ...]:
        return tuple(r for r in self.requirements if r.in_force)


def new_order(
    *,
    child_id: str,
    yjs: str,
    hearing_date: date,
    disposal: YouthRehabilitationOrderDisposal,
    warned_period_months: int,
    eighteenth_birthday: date | None = None,
) -> YroState:
    """The state of an order the court has just made (validated intake in, nothing recorded yet)."""
    return YroState(
        child_id=child_id,
        yjs=yjs,
        hearing_date=hearing_date,
        end_date=disposal.end_date,
        iss=disposal.iss,
        requirements=_with_refs((), disposal.requirements),
        warned_period_months=warned_period_months,
        eighteenth_birthday=eighteenth_birthday,
    )


def _with_refs(
    existing: Sequence[RequirementProgress], added: Iterable[Requirement]
) -> tuple[RequirementProgress, ...]:
    used = {r.ref for r in existing}
    out = list(existing)
    for requirement in added:
        ref: str = requirement.kind
        n = 1
        while ref in used:
            n += 1
            ref = f"{requirement.kind}#{n}"
        used.add(ref)
        out.append(RequirementProgress(ref=ref, ordered=requirement))
    return tuple(out)


# --- the steps a person records ------------------------------------------------------------------


class _Step(Step):
    pass


class RecordFirstAppointment(_Step):
    step: Literal["first_appointment_attended"] = "first_appointment_attended"


class RecordReview(_Step):
    step: Literal["review_held"] = "review_held"


class RecordRequirementProgress(_Step):
    """One of: activity days attended, unpaid work hours worked, or a curfew/EM period started or ended."""

    step: Literal["requirement_progress"] = "requirement_progress"
    requirement: str = Field(min_length=1, description="The requirement's ref on the order, e.g. unpaid_work.")
    activity_days: int | None = Field(default=None, ge=1)
    unpaid_work_hours: int | None = Field(default=None, ge=1)
    period: Literal["started", "ended"] | None = None

    @model_validator(mode="after")
    def _exactly_one_kind_of_progress(self) -> Self:
        given = [v for v in (self.activity_days, self.unpaid_work_hours, self.period) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of activity_days, unpaid_work_hours or period")
        return self


class RecordAppointmentMissed(_Step):
    step: Literal["appointment_missed"] = "appointment_missed"


class RecordAbsenceExplained(_Step):
    step: Literal["absence_explained"] = "absence_explained"
    acceptable: bool


class RecordFollowUpContact(_Step):
    step: Literal["follow_up_contact_made"] = "follow_up_contact_made"


class RecordWarning(_Step):
    step: Literal["warning_issued"] = "warning_issued"


class RecordBreachLaid(_Step):
    step: Literal["breach_laid"] = "breach_laid"


class RecordCourtBreachOutcome(_Step):
    step: Literal["court_breach_outcome"] = "court_breach_outcome"
    decision: Literal["continue", "add_requirement", "fine", "revoke_and_resentence"]
    requirement: Requirement | None = None
    new_end_date: date | None = None


class RecordOrderAmended(_Step):
    step: Literal["order_amended"] = "order_amended"
    summary: str = Field(min_length=1, max_length=2000)
    add_requirements: tuple[Requirement, ...] = ()
    remove_requirements: tuple[str, ...] = ()
    new_end_date: date | None = None


class RecordRevocation(_Step):
    step: Literal["revoked"] = "revoked"
    grounds: Literal["good_progress", "further_offence"]


class RecordCompletion(_Step):
    step: Literal["order_completed"] = "order_completed"


YroStep = Annotated[
    AllocateCaseWorker
    | RecordFirstAppointment
    | RecordReview
    | RecordRequirementProgress
    | RecordAppointmentMissed
    | RecordAbsenceExplained
    | RecordFollowUpContact
    | RecordWarning
    | RecordBreachLaid
    | RecordCourtBreachOutcome
    | RecordOrderAmended
    | RecordRevocation
    | RecordCompletion
    | RecordTransfer,
    Field(discriminator="step"),
]


# --- opening the order ----------------------------------------------------------------------------


def _end_date_clock(end_date: date) -> ScheduleDeadline:
    # The court fixes the end date itself, so the fixed-date rule starts on it and runs zero months.
    return ScheduleDeadline(rule_id="yro.end", clock_start=end_date, amount=0)


def open_order(state: YroState, *, outcome: ev.CourtOutcomeRecorded) -> Decision:
    """The court made the order: record it and start the clocks that run from the order."""
    made = ev.YouthRehabilitationOrderMade(
        hearing_date=state.hearing_date,
        end_date=state.end_date,
        iss=state.iss,
        requirements=[r.ordered for r in state.requirements],
    )
    return Decision(
        events=(outcome, made),
        deadlines=(
            ScheduleDeadline(rule_id="yro.first_appointment", clock_start=state.hearing_date),
            ScheduleDeadline(rule_id="yro.review", clock_start=state.hearing_date),
            _end_date_clock(state.end_date),
        ),
    )


# --- deciding a step ------------------------------------------------------------------------------


def _refuse(step: str, why: str) -> StepRefused:
    return StepRefused(f"{step} refused: {why}")


def _check_dates(state: YroState, step: Step, today: date) -> None:
    name = str(getattr(step, "step", "step"))
    if step.effective_date > today:
        raise _refuse(name, f"effective date {step.effective_date} is in the future (today is {today})")
    if step.effective_date < state.hearing_date:
        raise _refuse(name, f"effective date {step.effective_date} is before the order was made ({state.hearing_date})")


def _require(state: YroState, step: str, allowed: set[YroStatus]) -> None:
    if state.state not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise _refuse(step, f"the order is {state.state.value}; this step needs it to be {names}")


def _not_before(name: str, day: date, earlier: date, what: str) -> None:
    if day < earlier:
        raise _refuse(name, f"it is dated {day}, before {what} ({earlier})")


def decide(state: YroState, step: YroStep, *, today: date) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects."""
    name = step.step
    if state.state in CLOSED_STATES:
        raise _refuse(name, f"the order is {state.state.value}; nothing more can be recorded on it")
    _check_dates(state, step, today)
    day = step.effective_date
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
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive


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


def _requirement_problems(
    requirements: Sequence[Requirement], *, iss: bool, end_date: date, added: Sequence[Requirement]
) -> list[str]:
    """What the law says is wrong with the order's requirements as they would stand."""
    problems: list[str] = []
    for r in added:
        if isinstance(r, CurfewRequirement):
            if not CURFEW_MIN_HOURS <= r.hours_per_day <= CURFEW_MAX_HOURS:
                problems.append(f"a curfew must be {CURFEW_MIN_HOURS}–{CURFEW_MAX_HOURS} hours a day (Sch 6 para 18)")
            if r.end_date > end_date:
                problems.append(f"the curfew would end after the order's end date ({end_date})")
        if isinstance(r, ExtendedActivityRequirement) and not iss:
            problems.append("an extended activity requirement is only for a YRO with ISS (s.185)")
    kinds = {r.kind for r in requirements}
    if not requirements:
        problems.append("a YRO needs at least one requirement (s.174)")
    elif kinds == {"electronic_monitoring"}:
        problems.append("electronic monitoring needs another requirement beside it (s.185)")
    if iss:
        extended = any(
            isinstance(r, ExtendedActivityRequirement)
            or (isinstance(r, ActivityRequirement) and r.days > ACTIVITY_MAX_DAYS)
            for r in requirements
        )
        present = {"extended activity": extended, "supervision": "supervision" in kinds, "curfew": "curfew" in kinds}
        missing = [name for name, ok in present.items() if not ok]
        if missing:
            problems.append(
                f"a YRO with ISS needs extended activity, supervision and curfew; missing {', '.join(missing)}"
            )
    return problems


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


def _completion(state: YroState, step: RecordCompletion) -> Decision:
    name, day = step.step, step.effective_date
    _require(state, name, {YroStatus.ACTIVE})
    if (incident := state.open_incident) is not None:
        raise _refuse(name, f"the missed appointment on {incident.appointment_date} ({incident.id}) is still open")
    if day < state.end_date:
        raise _refuse(name, f"the order runs until its end date, {state.end_date}")
    for r in state.requirements_in_force():
        if isinstance(r.ordered, UnpaidWorkRequirement) and r.unpaid_work_hours_done < r.ordered.hours:
            raise _refuse(
                name,
                f"{r.ref}: {r.unpaid_work_hours_done} of {r.ordered.hours} hours done; the order stays in force "
                "until the unpaid work is done (s.198)",
            )
    return Decision(
        events=(ev.YroCompleted(completed_date=day),),
        # The order ends on its end date however late completion is recorded.
        deadlines=(MeetDeadline(rule_id="yro.end", met_on=state.end_date),),
    )


def _transfer(state: YroState, step: RecordTransfer) -> Decision:
    day = step.effective_date
    too_young = None
    if state.eighteenth_birthday is not None and day < state.eighteenth_birthday:
        too_young = f"the child turns 18 on {state.eighteenth_birthday}; an order passes to probation only from 18"
    return transfer(step, from_yjs=state.yjs, probation_refused=too_young)


# --- folding recorded events into the state ---------------------------------------------------------


def _with_incident(state: YroState, incident_id: str, update: ComplianceIncident) -> YroState:
    return (
        state.model_copy(update={"incident": update}) if state.incident and state.incident.id == incident_id else state
    )


def _update_requirement(state: YroState, ref: str, **changes: object) -> YroState:
    requirements = tuple(r.model_copy(update=changes) if r.ref == ref else r for r in state.requirements)
    return state.model_copy(update={"requirements": requirements})


def _after_court(state: YroState) -> YroStatus:
    return YroStatus.ACTIVE if state.first_appointment_date is not None else YroStatus.ORDER_MADE


def victim_milestone(payload: ev.EventPayload) -> str | None:
    """Which recorded events a victim who opted in is kept informed of."""
    match payload:
        case ev.BreachLaid():
            return "breach"
        case ev.OrderAmended() | ev.CourtBreachOutcome() if getattr(payload, "new_end_date", None) is not None:
            return "order_extended"
        case ev.YroCompleted() | ev.YroRevoked():
            return "order_ended"
    return None


def evolve(state: YroState, payload: ev.EventPayload) -> YroState:
    """The state after a recorded event; events that do not change the order leave it as it was."""
    match payload:
        case ev.YouthRehabilitationOrderMade():
            return state.model_copy(
                update={
                    "hearing_date": payload.hearing_date,
                    "end_date": payload.end_date,
                    "iss": payload.iss,
                    "requirements": _with_refs((), payload.requirements),
                }
            )
        case ev.CaseWorkerAllocated():
            return allocated(state, payload)
        case ev.FirstAppointmentAttended():
            after = YroStatus.ACTIVE if state.state == YroStatus.ORDER_MADE else state.state
            return state.model_copy(update={"first_appointment_date": payload.appointment_date, "state": after})
        case ev.ReviewHeld():
            return state.model_copy(update={"last_review_date": payload.review_date})
        case ev.RequirementProgressRecorded():
            return _evolve_progress(state, payload)
        case ev.AppointmentMissed():
            incident = ComplianceIncident(
                id=payload.incident_id, order_kind=POLICY, appointment_date=payload.appointment_date
            )
            return state.model_copy(update={"incidents": state.incidents + 1, "incident": incident})
        case ev.AbsenceExplained() if state.incident is not None:
            return _with_incident(state, payload.incident_id, state.incident.explain(acceptable=payload.acceptable))
        case ev.FollowUpContactMade() if state.incident is not None:
            return _with_incident(state, payload.incident_id, state.incident.followed_up())
        case ev.WarningIssued() if state.incident is not None:
            warned = WarnedPeriod(start=payload.warning_date, end=payload.warned_period_ends)
            state = _with_incident(state, payload.incident_id, state.incident.resolve("warned"))
            return state.model_copy(update={"warnings": (*state.warnings, warned)})
        case ev.BreachLaid() if state.incident is not None:
            state = _with_incident(state, payload.incident_id, state.incident.resolve("breach_laid"))
            return state.model_copy(update={"state": YroStatus.BREACH_LAID, "breach_laid_date": payload.laid_date})
        case ev.CourtBreachOutcome() if payload.decision != "revoke_and_resentence":
            update: dict[str, object] = {"state": _after_court(state), "breach_laid_date": None}
            if payload.added_requirement is not None:
                update["requirements"] = _with_refs(state.requirements, [payload.added_requirement])
            if payload.new_end_date is not None:
                update["end_date"] = payload.new_end_date
                update["breach_extension_used"] = True
            return state.model_copy(update=update)
        case ev.OrderAmended():
            removed = set(payload.removed_requirements)
            kept = tuple(
                r.model_copy(update={"removed_on": payload.amended_date}) if r.ref in removed else r
                for r in state.requirements
            )
            update = {"requirements": _with_refs(kept, payload.added_requirements)}
            if payload.new_end_date is not None:
                update["end_date"] = payload.new_end_date
            return state.model_copy(update=update)
        case ev.YroRevoked():
            return state.model_copy(update={"state": YroStatus.REVOKED})
        case ev.YroCompleted():
            return state.model_copy(update={"state": YroStatus.COMPLETED})
        case ev.OrderTransferred():
            if payload.to == "probation":
                return state.model_copy(update={"state": YroStatus.TRANSFERRED_TO_PROBATION})
            assert payload.to_yjs is not None  # decide requires it for a transfer between services
            return state.model_copy(update={"yjs": payload.to_yjs})
    return state


def _evolve_progress(state: YroState, p: ev.RequirementProgressRecorded) -> YroState:
    if p.activity_days_used is not None:
        return _update_requirement(state, p.requirement, activity_days_used=p.activity_days_used)
    if p.unpaid_work_hours_done is not None:
        return _update_requirement(state, p.requirement, unpaid_work_hours_done=p.unpaid_work_hours_done)
    current = next((r for r in state.requirements if r.ref == p.requirement), None)
    if current is None:
        return state
    periods = current.periods
    if p.period_started is not None:
        periods = (*periods, SupervisedPeriod(start=p.period_started))
    elif p.period_ended is not None and periods:
        periods = (*periods[:-1], periods[-1].model_copy(update={"end": p.period_ended}))
    return _update_requirement(state, p.requirement, periods=periods)
