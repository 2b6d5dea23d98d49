"""A custodial sentence and resettlement (SA 2020 ss.233–248, Sch 12; ss.250, 254, 259) as a pure state machine.

A detention and training order (DTO) is served half in youth detention accommodation and half under
YJS supervision; the release date is computed from the term unless the secure estate gives its own,
which wins. Longer sentences (s.250, s.254 extended, s.259 at His Majesty's pleasure) run through the
same machine, but their release is for the secure estate or the Parole Board, so their dates are only
ever supplied, never computed.

`open_custody` records the sentence and starts its clocks; `decide` refuses a step with a reason or
returns its events and deadline effects; `evolve` folds an event in. The planning, review, pre-release
and release-contact timescales are unconfirmed legacy standards, so they are scheduled by rule id only.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain import events as ev
from domain.allocation import AllocateCaseWorker, allocate, allocated
from domain.calendar import add_calendar_months
from domain.court_outcome import age_on
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
    "BREACH_PENALTY_MAX_MONTHS",
    "DTO_MAX_MONTHS",
    "DTO_MIN_MONTHS",
    "FURTHER_SUPERVISION_OFFENCES_FROM",
    "AllocateCaseWorker",
    "CancelDeadline",
    "CustodyState",
    "CustodyStatus",
    "CustodyStep",
    "Decision",
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
    "ScheduleDeadline",
    "StepRefused",
    "decide",
    "dto_release_dates",
    "dto_term_end",
    "early_late_months",
    "evolve",
    "further_supervision_applies",
    "open_custody",
    "victim_milestone",
]

DTO_MIN_MONTHS, DTO_MAX_MONTHS = 4, 24  # s.236 as amended by PCSCA 2022 s.158
# s.241(4)–(5): terms of 8 to under 18 months may be released 1 month either side of the half-way
# point, terms of 18 months or more 2 months; shorter terms neither.
EARLY_LATE_FROM_MONTHS, LONGER_BAND_FROM_MONTHS = 8, 18
# s.247 further supervision: 18+ at the half-way point, term under 24 months, offence on or after
# the Offender Rehabilitation Act 2014's commencement; it ends 12 months after the half-way point
# (the rule pack records that as dto.further_supervision).
ADULT_AGE = 18
FURTHER_SUPERVISION_TERM_BELOW_MONTHS = 24
FURTHER_SUPERVISION_OFFENCES_FROM = date(2015, 2, 1)
FURTHER_SUPERVISION_MONTHS = 12
BREACH_PENALTY_MAX_MONTHS = 3  # Sch 12 para 3: the shorter of 3 months and the rest of the term


# --- the dates the law fixes ----------------------------------------------------------------------


class ReleaseDates(BaseModel):
    """A DTO's release point and the window s.241 allows around it.

    `half_way` is always the computed half-way point; `earliest` and `latest` lie around the release
    point, which is the secure estate's date when it gave one.
    """

    model_config = ConfigDict(frozen=True)

    half_way: date
    earliest: date
    latest: date
    secure_estate: date | None = None

    @property
    def release_date(self) -> date:
        return self.secure_estate or self.half_way


def dto_term_end(sentence_date: date, months: int) -> date:
    """The day the term ends: the sentence date plus the term in calendar months."""
    return add_calendar_months(sentence_date, months)


def early_late_months(months: int) -> int:
    """How many months before (early) or after (late) the half-way point s.241(4)–(5) allow for a term."""
    if months >= LONGER_BAND_FROM_MONTHS:
        return 2
    if months >= EARLY_LATE_FROM_MONTHS:
        return 1
    return 0


def dto_release_dates(sentence_date: date, months: int, secure_estate_date: date | None = None) -> ReleaseDates:
    """The half-way point of a DTO and its early and late release limits; the secure estate's date wins.

    The half-way point is the sentence date plus half the term counted in days, where the term is the
    days from the sentence date to the same date `months` calendar months later (so a 4-month term
    from 4 Jan is 120 days and from 4 Jun 122). Counting days gives one rule for every term, odd months
    included, where "half the months" has no meaning; it is also how the rule pack counts dto.release
    (calendar days, the half supplied per case). An odd number of days halves to a half day, which is
    dropped: the child may not be held past the half-way point, so the half day goes to the child.
    """
    if not DTO_MIN_MONTHS <= months <= DTO_MAX_MONTHS:
        raise ValueError(f"a DTO term is {DTO_MIN_MONTHS}–{DTO_MAX_MONTHS} months (s.236), not {months}")
    if secure_estate_date is not None and secure_estate_date <= sentence_date:
        raise ValueError("the secure estate's release date must be after the sentence date")
    term_days = (dto_term_end(sentence_date, months) - sentence_date).days
    half_way = sentence_date + timedelta(days=term_days // 2)
    point = secure_estate_date or half_way
    band = early_late_months(months)
    return ReleaseDates(
        half_way=half_way,
        earliest=add_calendar_months(point, -band),
        latest=add_calendar_months(point, band),
        secure_estate=secure_estate_date,
    )


def further_supervision_applies(age_at_half_way: int, term_months: int, offence_date: date) -> bool:
    """s.247: supervision continues after the term when every condition holds."""
    return (
        age_at_half_way >= ADULT_AGE
        and term_months < FURTHER_SUPERVISION_TERM_BELOW_MONTHS
        and offence_date >= FURTHER_SUPERVISION_OFFENCES_FROM
    )


# --- the state ------------------------------------------------------------------------------------


class CustodyStatus(StrEnum):
    IN_CUSTODY = "in_custody"
    RELEASED = "released"  # DTO: on supervision to the end of the term; longer sentences: on licence
    FURTHER_SUPERVISION = "further_supervision"
    COMPLETED = "completed"
    TRANSFERRED_TO_PROBATION = "transferred_to_probation"


CLOSED_STATES = frozenset({CustodyStatus.COMPLETED, CustodyStatus.TRANSFERRED_TO_PROBATION})


class CustodyState(BaseModel):
    """Everything the workflow must carry across continue-as-new.

    `date_of_birth` and `offence_date` (the earliest offence, so s.247 is never applied to an older
    one) are needed for a DTO to decide further supervision; they are not copied into any event.
    """

    model_config = ConfigDict(frozen=True)

    child_id: str
    yjs: str
    sentence_date: date
    kind: ev.CustodialKind
    months: int | None = None
    secure_estate_release_date: date | None = None
    date_of_birth: date | None = None
    offence_date: date | None = None
    # Set as events are folded in.
    status: CustodyStatus = CustodyStatus.IN_CUSTODY
    case_worker: str | None = None  # who holds the sentence: its reminders go to them
    term_end: date | None = None
    half_way_date: date | None = None
    earliest_release: date | None = None
    latest_release: date | None = None
    release_point: date | None = None
    release_date: date | None = None
    release_source: ev.ReleaseSource | None = None
    further_supervision: bool = False
    initial_planning_date: date | None = None
    reviews_held: int = 0
    last_review_date: date | None = None
    accommodation_confirmed: bool = False
    ete_confirmed: bool = False
    pre_release_confirmed_on: date | None = None
    first_released_on: date | None = None
    released_on: date | None = None
    release_contact_on: date | None = None
    supervision_until: date | None = None
    further_supervision_ends: date | None = None
    completed_date: date | None = None

    @property
    def is_dto(self) -> bool:
        return self.kind == "dto"


def _age_at(state: CustodyState, day: date) -> int:
    if state.date_of_birth is None:
        raise ValueError("a DTO needs the child's date of birth to decide further supervision (s.247)")
    return age_on(state.date_of_birth, day)


def _further_supervision(state: CustodyState, half_way: date) -> bool:
    if state.offence_date is None or state.months is None:
        raise ValueError("a DTO needs the offence date and term to decide further supervision (s.247)")
    return further_supervision_applies(_age_at(state, half_way), state.months, state.offence_date)


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
    if state.months is None:
        raise ValueError("a DTO needs its term in months")
    dates = dto_release_dates(state.sentence_date, state.months, state.secure_estate_release_date)
    made = ev.CustodialSentenceMade(
        kind=state.kind,
        sentence_date=state.sentence_date,
        months=state.months,
        term_end=dto_term_end(state.sentence_date, state.months),
        half_way_date=dates.half_way,
        earliest_release=dates.earliest,
        latest_release=dates.latest,
        secure_estate_release_date=dates.secure_estate,
        # The secure estate's date is its half-way point, so s.247's age is taken there when it gave one.
        further_supervision=_further_supervision(state, dates.release_date),
    )
    release = ev.ReleaseDateSet(
        release_date=dates.release_date, source="computed" if dates.secure_estate is None else "secure_estate"
    )
    clocks += [
        _release_clock(state.sentence_date, dates.release_date),
        ScheduleDeadline(rule_id="custody.pre_release", clock_start=dates.release_date),
    ]
    return Decision(events=(outcome, made, release), deadlines=tuple(clocks))


def _release_clock(sentence_date: date, release_date: date) -> ScheduleDeadline:
    # dto.release counts calendar days from the sentence; the count is this case's own.
    return ScheduleDeadline(
        rule_id="dto.release", clock_start=sentence_date, amount=(release_date - sentence_date).days
    )


# --- the steps a person records ------------------------------------------------------------------


class _Step(Step):
    pass


class RecordInitialPlanning(_Step):
    step: Literal["initial_planning_held"] = "initial_planning_held"


class RecordCustodyReview(_Step):
    step: Literal["review_held"] = "review_held"


class RecordReleaseDate(_Step):
    """A new expected release date: the secure estate's own, or an early or late release (DTO, s.241(4)–(5))."""

    step: Literal["release_date_set"] = "release_date_set"
    release_date: date
    source: Literal["secure_estate", "early_release", "late_release"]


class RecordPreRelease(_Step):
    step: Literal["pre_release_confirmed"] = "pre_release_confirmed"
    accommodation: bool
    ete: bool


class RecordReleased(_Step):
    """The child left custody; `effective_date` is the day of release."""

    step: Literal["released"] = "released"


class RecordReleaseContact(_Step):
    step: Literal["release_contact_made"] = "release_contact_made"


class RecordSupervisionBreach(_Step):
    """The youth court's decision (`effective_date`) on a failure to comply with DTO supervision.

    `breach_date` is the first day of the failure (a failure over several days is dated to its first).
    """

    step: Literal["supervision_breach_outcome"] = "supervision_breach_outcome"
    breach_date: date
    decision: ev.BreachDecision
    months: int | None = Field(default=None, ge=1)


class RecordCompleted(_Step):
    step: Literal["completed"] = "completed"


CustodyStep = Annotated[
    AllocateCaseWorker
    | RecordInitialPlanning
    | RecordCustodyReview
    | RecordReleaseDate
    | RecordPreRelease
    | RecordReleased
    | RecordReleaseContact
    | RecordSupervisionBreach
    | RecordCompleted
    | RecordTransfer,
    Field(discriminator="step"),
]


# --- deciding a step ------------------------------------------------------------------------------


def _refuse(step: str, why: str) -> StepRefused:
    return StepRefused(f"{step} refused: {why}")


def _require(state: CustodyState, step: str, allowed: set[CustodyStatus]) -> None:
    if state.status not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise _refuse(step, f"the sentence is {state.status.value}; this step needs it to be {names}")


def _not_before(name: str, day: date, earliest: date | None, what: str) -> None:
    if earliest is not None and day < earliest:
        raise _refuse(name, f"it is dated {day}, before {what} ({earliest})")


def decide(state: CustodyState, step: CustodyStep, *, today: date) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects."""
    name = step.step
    if state.status in CLOSED_STATES:
        raise _refuse(name, f"the sentence is {state.status.value}; nothing more can be recorded on it")
    day = step.effective_date
    if day > today:
        raise _refuse(name, f"effective date {day} is in the future (today is {today})")
    _not_before(name, day, state.sentence_date, "the sentence")
    match step:
        case AllocateCaseWorker():
            return allocate(step)
        case RecordInitialPlanning():
            _require(state, name, {CustodyStatus.IN_CUSTODY})
            if state.initial_planning_date is not None:
                raise _refuse(name, f"the initial planning meeting was already held on {state.initial_planning_date}")
            return Decision(
                events=(ev.InitialPlanningMeetingHeld(meeting_date=day),),
                deadlines=(MeetDeadline(rule_id="custody.initial_planning", met_on=day),),
            )
        case RecordCustodyReview():
            _require(state, name, {CustodyStatus.IN_CUSTODY})
            if state.initial_planning_date is None:
                raise _refuse(name, "a review follows the initial planning meeting, which is not yet recorded")
            _not_before(name, day, state.last_review_date or state.initial_planning_date, "the last meeting")
            return Decision(
                events=(ev.CustodyReviewHeld(number=state.reviews_held + 1, review_date=day),),
                deadlines=(
                    MeetDeadline(rule_id="custody.review", met_on=day),
                    ScheduleDeadline(rule_id="custody.review", clock_start=day),
                ),
            )
        case RecordReleaseDate():
            return _release_date(state, step)
        case RecordPreRelease():
            _require(state, name, {CustodyStatus.IN_CUSTODY})
            if state.pre_release_confirmed_on is not None:
                raise _refuse(name, f"accommodation and ETE were already confirmed on {state.pre_release_confirmed_on}")
            confirmed = ev.PreReleaseConfirmed(review_date=day, accommodation=step.accommodation, ete=step.ete)
            # A gap is recorded so it shows, but the deadline stays open until both are in place.
            met = (MeetDeadline(rule_id="custody.pre_release", met_on=day),) if step.accommodation and step.ete else ()
            return Decision(events=(confirmed,), deadlines=met)
        case RecordReleased():
            return _released(state, step)
        case RecordReleaseContact():
            _require(state, name, {CustodyStatus.RELEASED, CustodyStatus.FURTHER_SUPERVISION})
            if state.release_contact_on is not None:
                raise _refuse(name, f"the release contact was already made on {state.release_contact_on}")
            _not_before(name, day, state.released_on, "the release")
            return Decision(
                events=(ev.ReleaseContactMade(contact_date=day),),
                deadlines=(MeetDeadline(rule_id="custody.release_contact", met_on=day),),
            )
        case RecordSupervisionBreach():
            return _breach(state, step)
        case RecordCompleted():
            return _completed(state, step)
        case RecordTransfer():
            return transfer(step, from_yjs=state.yjs, probation_refused=_probation_refused(state, day))
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive


def _probation_refused(state: CustodyState, day: date) -> str | None:
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


def _release_date(state: CustodyState, step: RecordReleaseDate) -> Decision:
    name = step.step
    day, new = step.effective_date, step.release_date
    _require(state, name, {CustodyStatus.IN_CUSTODY})
    if state.first_released_on is not None:
        raise _refuse(name, "the child was already released once; a further detention's end is fixed by the court")
    if new <= state.sentence_date:
        raise _refuse(name, f"the release date must be after the sentence date ({state.sentence_date})")
    if new < day:
        raise _refuse(name, f"the release date {new} is before the decision that set it ({day})")
    if step.source == "secure_estate":
        return _secure_estate_date(state, step)
    if not state.is_dto:
        raise _refuse(
            name,
            "early and late release (s.241(4)–(5)) are for DTOs; a s.250, s.254 or s.259 release date "
            "comes from the secure estate or the Parole Board (source secure_estate)",
        )
    assert state.months is not None and state.release_point is not None
    assert state.earliest_release is not None and state.latest_release is not None
    band = early_late_months(state.months)
    point = state.release_point
    if band == 0:
        raise _refuse(
            name, f"a term of {state.months} months has no early or late release; only terms of 8 months or more do"
        )
    if step.source == "early_release" and not state.earliest_release <= new < point:
        raise _refuse(
            name,
            f"early release must be before the release point {point} and no earlier than {state.earliest_release} "
            f"({band} month{'s' if band > 1 else ''} before it, s.241(4))",
        )
    if step.source == "late_release" and not point < new <= state.latest_release:
        raise _refuse(
            name,
            f"late release must be after the release point {point} and no later than {state.latest_release} "
            f"({band} month{'s' if band > 1 else ''} after it, s.241(5))",
        )
    return Decision(
        events=(ev.ReleaseDateSet(release_date=new, source=step.source),), deadlines=_moved_release(state, new)
    )


def _secure_estate_date(state: CustodyState, step: RecordReleaseDate) -> Decision:
    new = step.release_date
    if not state.is_dto:
        return Decision(
            events=(ev.ReleaseDateSet(release_date=new, source="secure_estate"),), deadlines=_moved_release(state, new)
        )
    assert state.months is not None
    # The secure estate's date is its half-way point: the limits and s.247's age move with it.
    dates = dto_release_dates(state.sentence_date, state.months, new)
    return Decision(
        events=(
            ev.ReleaseDateSet(
                release_date=new,
                source="secure_estate",
                earliest_release=dates.earliest,
                latest_release=dates.latest,
                further_supervision=_further_supervision(state, new),
            ),
        ),
        deadlines=_moved_release(state, new),
    )


def _moved_release(state: CustodyState, new: date) -> tuple[DeadlineEffect, ...]:
    effects: list[DeadlineEffect] = []
    if state.is_dto:
        effects += [
            CancelDeadline(rule_id="dto.release", why="release date changed"),
            _release_clock(state.sentence_date, new),
        ]
    if state.pre_release_confirmed_on is None:
        effects += [
            CancelDeadline(rule_id="custody.pre_release", why="release date changed"),
            ScheduleDeadline(rule_id="custody.pre_release", clock_start=new),
        ]
    return tuple(effects)


def _released(state: CustodyState, step: RecordReleased) -> Decision:
    name = step.step
    day = step.effective_date
    _require(state, name, {CustodyStatus.IN_CUSTODY})
    if state.release_date is None:
        raise _refuse(name, "no release date is known; record the secure estate's date first (release_date_set)")
    if day != state.release_date:
        raise _refuse(
            name,
            f"the release date is {state.release_date}; record the new date first (release_date_set) "
            "so its limits are checked",
        )
    effects: list[DeadlineEffect] = []
    if state.is_dto and state.first_released_on is None:
        effects.append(MeetDeadline(rule_id="dto.release", met_on=day))
    # Work for the time in custody can no longer be done; one already missed stays recorded as missed.
    effects += [
        CancelDeadline(rule_id=r, why="released")
        for r in ("custody.initial_planning", "custody.review", "custody.pre_release")
    ]
    effects.append(ScheduleDeadline(rule_id="custody.release_contact", clock_start=day))
    return Decision(events=(ev.Released(released_on=day),), deadlines=tuple(effects))


def _breach(state: CustodyState, step: RecordSupervisionBreach) -> Decision:
    name = step.step
    day = step.effective_date
    # The court may decide after the term has ended, even once further supervision has begun (Sch 12 para 3).
    _require(state, name, {CustodyStatus.RELEASED, CustodyStatus.FURTHER_SUPERVISION})
    if not state.is_dto:
        raise _refuse(
            name,
            "a breach of licence after a s.250, s.254 or s.259 sentence leads to recall by the Secretary of "
            "State, not to the youth court (Sch 12 is for DTO supervision)",
        )
    assert state.term_end is not None and state.first_released_on is not None
    if step.breach_date > day:
        raise _refuse(name, f"the failure ({step.breach_date}) cannot be after the court's decision ({day})")
    if not state.first_released_on <= step.breach_date <= state.term_end:
        raise _refuse(
            name,
            f"Sch 12 covers failures during DTO supervision, {state.first_released_on} to {state.term_end}; "
            "a failure during further supervision is for CJA 2003 s.256AC",
        )
    if step.decision in ("fine", "none"):
        if step.months is not None:
            raise _refuse(name, "months are only for a further period of detention or supervision")
        return Decision(
            events=(
                ev.SupervisionBreachOutcome(decision_date=day, breach_date=step.breach_date, decision=step.decision),
            )
        )
    if step.months is None:
        raise _refuse(name, f"{step.decision} needs its length in months")
    limit = min(add_calendar_months(step.breach_date, BREACH_PENALTY_MAX_MONTHS), state.term_end)
    if add_calendar_months(step.breach_date, step.months) > limit:
        raise _refuse(
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


def _completed(state: CustodyState, step: RecordCompleted) -> Decision:
    name = step.step
    day = step.effective_date
    _require(state, name, {CustodyStatus.RELEASED, CustodyStatus.FURTHER_SUPERVISION})
    if state.status == CustodyStatus.FURTHER_SUPERVISION:
        assert state.further_supervision_ends is not None
        if day < state.further_supervision_ends:
            raise _refuse(name, f"further supervision runs until {state.further_supervision_ends} (s.247)")
        return Decision(
            events=(ev.CustodyCompleted(completed_date=day),),
            # It ends on its fixed date however late completion is recorded.
            deadlines=(MeetDeadline(rule_id="dto.further_supervision", met_on=state.further_supervision_ends),),
        )
    ends = state.supervision_until or state.term_end
    if ends is None:
        # A s.259 sentence has no term to end; the YJS's part ends on transfer, which needs saying why.
        if not step.reason:
            raise _refuse(
                name, "a sentence without a term ends the YJS's supervision only with a reason (e.g. transfer)"
            )
        return Decision(events=(ev.CustodyCompleted(completed_date=day),))
    if day < ends:
        raise _refuse(name, f"supervision runs until {ends}")
    if state.further_supervision:
        assert state.release_point is not None and state.term_end is not None
        further_ends = add_calendar_months(state.release_point, FURTHER_SUPERVISION_MONTHS)
        return Decision(
            events=(ev.FurtherSupervisionStarted(starts=state.term_end, ends=further_ends),),
            deadlines=(ScheduleDeadline(rule_id="dto.further_supervision", clock_start=state.release_point),),
        )
    return Decision(events=(ev.CustodyCompleted(completed_date=day),))


# --- folding recorded events into the state ---------------------------------------------------------


def evolve(state: CustodyState, payload: ev.EventPayload) -> CustodyState:
    """The state after a recorded event; events that do not change the sentence leave it as it was."""
    match payload:
        case ev.CustodialSentenceMade():
            return state.model_copy(
                update={
                    "term_end": payload.term_end,
                    "half_way_date": payload.half_way_date,
                    "earliest_release": payload.earliest_release,
                    "latest_release": payload.latest_release,
                    "release_point": payload.secure_estate_release_date or payload.half_way_date,
                    "further_supervision": payload.further_supervision,
                }
            )
        case ev.ReleaseDateSet():
            update: dict[str, object] = {"release_date": payload.release_date, "release_source": payload.source}
            if payload.source == "secure_estate":
                update["release_point"] = payload.release_date
            if payload.earliest_release is not None:
                update["earliest_release"] = payload.earliest_release
            if payload.latest_release is not None:
                update["latest_release"] = payload.latest_release
            if payload.further_supervision is not None:
                update["further_supervision"] = payload.further_supervision
            return state.model_copy(update=update)
        case ev.CaseWorkerAllocated():
            return allocated(state, payload)
        case ev.InitialPlanningMeetingHeld():
            return state.model_copy(update={"initial_planning_date": payload.meeting_date})
        case ev.CustodyReviewHeld():
            return state.model_copy(update={"reviews_held": payload.number, "last_review_date": payload.review_date})
        case ev.PreReleaseConfirmed():
            both = payload.accommodation and payload.ete
            return state.model_copy(
                update={
                    "accommodation_confirmed": payload.accommodation,
                    "ete_confirmed": payload.ete,
                    "pre_release_confirmed_on": payload.review_date if both else None,
                }
            )
        case ev.Released():
            after = CustodyStatus.FURTHER_SUPERVISION if state.further_supervision_ends else CustodyStatus.RELEASED
            return state.model_copy(
                update={
                    "status": after,
                    "released_on": payload.released_on,
                    "first_released_on": state.first_released_on or payload.released_on,
                    "release_contact_on": None,
                }
            )
        case ev.ReleaseContactMade():
            return state.model_copy(update={"release_contact_on": payload.contact_date})
        case ev.SupervisionBreachOutcome() if payload.until is not None:
            if payload.decision == "further_detention":
                return state.model_copy(
                    update={"status": CustodyStatus.IN_CUSTODY, "release_date": payload.until, "release_source": None}
                )
            current = state.supervision_until or state.term_end
            later = payload.until if current is None or payload.until > current else current
            return state.model_copy(update={"supervision_until": later})
        case ev.FurtherSupervisionStarted():
            return state.model_copy(
                update={"status": CustodyStatus.FURTHER_SUPERVISION, "further_supervision_ends": payload.ends}
            )
        case ev.CustodyCompleted():
            return state.model_copy(
                update={"status": CustodyStatus.COMPLETED, "completed_date": payload.completed_date}
            )
        case ev.OrderTransferred() if payload.to == "probation":
            return state.model_copy(update={"status": CustodyStatus.TRANSFERRED_TO_PROBATION})
        case ev.OrderTransferred() if payload.to_yjs is not None:
            return state.model_copy(update={"yjs": payload.to_yjs})
    return state


def victim_milestone(payload: ev.EventPayload) -> str | None:
    """Which recorded events a victim who opted in is kept informed of (as for a YRO)."""
    match payload:
        case ev.Released():
            return "released"
        case ev.CustodyCompleted():
            return "order_ended"
    return None
