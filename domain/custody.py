"""A custodial sentence and resettlement (SA 2020 ss.233–248, Sch 12; ss.250, 254, 259) as a pure state machine.

A detention and training order (DTO) is served half in youth detention accommodation and half under
YJS supervision; the release date is computed from the term unless the secure estate gives its own,
which wins. Longer sentences (s.250, s.254 extended, s.259 at His Majesty's pleasure) run through the
same machine, but their release is for the secure estate or the Parole Board, so their dates are only
ever supplied, never computed.

`open_custody` records the sentence and starts its clocks; `decide` refuses a step with a reason or
returns its events and deadline effects; `evolve` folds an event in. The planning, review, pre-release
and release-contact timescales are unconfirmed legacy standards, so they are scheduled by rule id only.

The parts live beside this module, and every public name is importable from here: the dates and their
two methods in `domain.custody_dates` (HMPPS's calculator's method, what it does, and its test cases are
in that module's docstring), the state and its fold in `domain.custody_state`, the steps in
`domain.custody_steps`, release in `domain.custody_release`, and breach, completion and further
supervision in `domain.custody_supervision`.
"""

from __future__ import annotations

from datetime import date

from domain import casework_cycle as cycle
from domain import events as ev
from domain.allocation import AllocateCaseWorker, allocate
from domain.custody_dates import (
    DTO_MAX_MONTHS,
    DTO_MAX_WEEKS,
    DTO_MIN_MONTHS,
    DTO_MIN_WEEKS,
    FURTHER_SUPERVISION_OFFENCES_FROM,
    HMPPS_METHOD,
    LEGACY_METHOD,
    DtoDates,
    ReleaseDates,
    ReleaseMethod,
    calculator_dates,
    dto_release_dates,
    dto_term_end,
    early_late_months,
    further_supervision_applies,
    hmpps_dto_dates,
    term_last_day,
)
from domain.custody_release import dates_for, release_clock, release_date_step, released_step
from domain.custody_state import CLOSED_STATES, STEP_EVENTS, CustodyState, CustodyStatus, evolve
from domain.custody_steps import (
    FOLLOWS,
    CustodyStep,
    RecordCompleted,
    RecordCustodyReview,
    RecordInitialPlanning,
    RecordPreRelease,
    RecordReleaseContact,
    RecordReleased,
    RecordReleaseDate,
    RecordSupervisionBreach,
    in_order,
    not_before,
    refuse,
    require,
)
from domain.custody_supervision import BREACH_PENALTY_MAX_MONTHS, breach_step, completed_step, probation_refused
from domain.decisions import (
    CancelDeadline,
    DeadlineEffect,
    Decision,
    MeetDeadline,
    ScheduleDeadline,
    StepRefused,
)
from domain.transfers import RecordTransfer, transfer
from domain.victims_added import AddVictim, add_victim

__all__ = [
    "BREACH_PENALTY_MAX_MONTHS",
    "CLOSED_STATES",
    "DTO_MAX_MONTHS",
    "DTO_MAX_WEEKS",
    "DTO_MIN_MONTHS",
    "DTO_MIN_WEEKS",
    "FOLLOWS",
    "FURTHER_SUPERVISION_OFFENCES_FROM",
    "HMPPS_METHOD",
    "LEGACY_METHOD",
    "STEP_EVENTS",
    "AllocateCaseWorker",
    "CancelDeadline",
    "CustodyState",
    "CustodyStatus",
    "CustodyStep",
    "Decision",
    "DtoDates",
    "MeetDeadline",
    "RecordCompleted",
    "RecordCustodyReview",
    "RecordInitialPlanning",
    "RecordPreRelease",
    "RecordReleaseContact",
    "RecordReleaseDate",
    "RecordReleased",
    "RecordSupervisionBreach",
    "RecordTransfer",
    "ReleaseDates",
    "ReleaseMethod",
    "ScheduleDeadline",
    "StepRefused",
    "calculator_dates",
    "dates_for",
    "decide",
    "dto_release_dates",
    "dto_term_end",
    "early_late_months",
    "evolve",
    "further_supervision_applies",
    "hmpps_dto_dates",
    "open_custody",
    "term_last_day",
    "victim_milestone",
]


# --- opening the sentence -------------------------------------------------------------------------


def open_custody(state: CustodyState, *, outcome: ev.CourtOutcomeRecorded) -> Decision:
    """The court passed the sentence: record it and its release date, and start the custody clocks."""
    clocks: list[DeadlineEffect] = [
        ScheduleDeadline(rule_id="custody.initial_planning", clock_start=state.sentence_date),
        ScheduleDeadline(rule_id="custody.review", clock_start=state.sentence_date),
    ]
    if not state.is_dto:
        made = ev.CustodialSentenceMade(
            kind=state.kind,
            sentence_date=state.sentence_date,
            months=state.months,
            term_end=dto_term_end(state.sentence_date, state.months) if state.months else None,
            secure_estate_release_date=state.secure_estate_release_date,
        )
        if state.secure_estate_release_date is None:
            return Decision(events=(outcome, made), deadlines=tuple(clocks))
        se = state.secure_estate_release_date
        clocks.append(ScheduleDeadline(rule_id="custody.pre_release", clock_start=se))
        return Decision(
            events=(outcome, made, ev.ReleaseDateSet(release_date=se, source="secure_estate")),
            deadlines=tuple(clocks),
        )
    if state.months is None and state.weeks is None:
        raise ValueError("a DTO needs its term, in months or in weeks")
    dates = dates_for(state, state.secure_estate_release_date)
    hmpps = state.release_method == HMPPS_METHOD
    made = ev.CustodialSentenceMade(
        kind=state.kind,
        sentence_date=state.sentence_date,
        months=state.months,
        term_end=dates.term_end,
        half_way_date=dates.half_way,
        earliest_release=dates.earliest,
        latest_release=dates.latest,
        secure_estate_release_date=dates.secure_estate,
        further_supervision=dates.further_supervision,
        weeks=state.weeks,
        remand_days=state.remand_days,
        tagged_bail_days=state.tagged_bail_days,
        # Sentences opened by the legacy method leave it unrecorded, as they always did.
        release_method=HMPPS_METHOD if hmpps else None,
    )
    release = ev.ReleaseDateSet(
        release_date=dates.release_date, source="computed" if dates.secure_estate is None else "secure_estate"
    )
    clocks += [
        release_clock(state.sentence_date, dates.release_date),
        ScheduleDeadline(rule_id="custody.pre_release", clock_start=dates.release_date),
    ]
    return Decision(events=(outcome, made, release), deadlines=tuple(clocks))


# --- deciding a step ------------------------------------------------------------------------------


def decide(state: CustodyState, step: CustodyStep, *, today: date) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects; the
    casework cycle's steps and its gates on closing are `domain.casework_cycle`'s."""
    return cycle.around(state.cycle, step, lambda: _decide(state, step, today), completion_steps={"completed"})


def _decide(state: CustodyState, step: CustodyStep, today: date) -> Decision:
    name = step.step
    if state.status in CLOSED_STATES:
        raise refuse(name, f"the sentence is {state.status.value}; nothing more can be recorded on it")
    day = step.effective_date
    if day > today:
        raise refuse(name, f"effective date {day} is in the future (today is {today})", "effective_date")
    not_before(name, day, state.sentence_date, "the sentence")
    in_order(state, name, day)
    if cycle.is_cycle_step(step):
        return cycle.decide(state.cycle, step)
    match step:
        case AllocateCaseWorker():
            return allocate(step)
        case RecordInitialPlanning():
            require(state, name, {CustodyStatus.IN_CUSTODY})
            if state.initial_planning_date is not None:
                raise refuse(name, f"the initial planning meeting was already held on {state.initial_planning_date}")
            return Decision(
                events=(ev.InitialPlanningMeetingHeld(meeting_date=day),),
                deadlines=(MeetDeadline(rule_id="custody.initial_planning", met_on=day),),
            )
        case RecordCustodyReview():
            require(state, name, {CustodyStatus.IN_CUSTODY})
            if state.initial_planning_date is None:
                raise refuse(name, "a review follows the initial planning meeting, which is not yet recorded")
            not_before(name, day, state.last_review_date or state.initial_planning_date, "the last meeting")
            return Decision(
                events=(ev.CustodyReviewHeld(number=state.reviews_held + 1, review_date=day),),
                deadlines=(
                    MeetDeadline(rule_id="custody.review", met_on=day),
                    ScheduleDeadline(rule_id="custody.review", clock_start=day),
                ),
            )
        case RecordReleaseDate():
            return release_date_step(state, step)
        case RecordPreRelease():
            require(state, name, {CustodyStatus.IN_CUSTODY})
            if state.pre_release_confirmed_on is not None:
                raise refuse(name, f"accommodation and ETE were already confirmed on {state.pre_release_confirmed_on}")
            confirmed = ev.PreReleaseConfirmed(review_date=day, accommodation=step.accommodation, ete=step.ete)
            # A gap is recorded so it shows, but the deadline stays open until both are in place.
            met = (MeetDeadline(rule_id="custody.pre_release", met_on=day),) if step.accommodation and step.ete else ()
            return Decision(events=(confirmed,), deadlines=met)
        case RecordReleased():
            return released_step(state, step)
        case RecordReleaseContact():
            require(state, name, {CustodyStatus.RELEASED, CustodyStatus.FURTHER_SUPERVISION})
            if state.release_contact_on is not None:
                raise refuse(name, f"the release contact was already made on {state.release_contact_on}")
            not_before(name, day, state.released_on, "the release")
            return Decision(
                events=(ev.ReleaseContactMade(contact_date=day),),
                deadlines=(MeetDeadline(rule_id="custody.release_contact", met_on=day),),
            )
        case RecordSupervisionBreach():
            return breach_step(state, step)
        case RecordCompleted():
            return completed_step(state, step)
        case RecordTransfer():
            return transfer(step, from_yjs=state.yjs, probation_refused=probation_refused(state, day))
        case AddVictim():
            # The term in whole months it always reaches, as intake counts it (court_outcome.custodial_months).
            months = state.months if state.months is not None else (state.weeks or 0) * 7 * 12 // 365
            return add_victim(step, victim_refs=state.victim_refs, sentence_months=months)
    raise refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive


def victim_milestone(payload: ev.EventPayload) -> str | None:
    """Which recorded events a victim who opted in is kept informed of (as for a YRO)."""
    match payload:
        case ev.Released():
            return "released"
        case ev.CustodyCompleted():
            return "order_ended"
    return None
