"""A DTO's release: the dates in force for a sentence (by the method it opened with), a new release date
(the secure estate's, or an early or late release under s.241(4)–(5)), and the release itself."""

from __future__ import annotations

from datetime import date, timedelta

from domain import events as ev
from domain.calendar import add_calendar_months
from domain.custody_dates import (
    FURTHER_SUPERVISION_MONTHS,
    HMPPS_METHOD,
    DtoDates,
    dto_release_dates,
    dto_term_end,
    early_late_months,
    further_supervision_applies,
    hmpps_band_months,
    hmpps_dto_dates,
)
from domain.custody_state import CustodyState, CustodyStatus, age_at, term_words
from domain.custody_steps import RecordReleased, RecordReleaseDate, refuse, require
from domain.decisions import CancelDeadline, DeadlineEffect, Decision, MeetDeadline, ScheduleDeadline

__all__ = ["band_months", "dates_for", "release_clock", "release_date_step", "released_step"]


def dates_for(state: CustodyState, secure_estate_date: date | None = None) -> DtoDates:
    """A DTO's dates by the sentence's own method, around the secure estate's date when it gave one."""
    if state.date_of_birth is None or state.offence_date is None:
        raise ValueError("a DTO needs the offence date and the child's date of birth to decide s.247")
    if state.release_method == HMPPS_METHOD:
        return hmpps_dto_dates(
            state.sentence_date,
            months=state.months,
            weeks=state.weeks,
            remand_days=state.remand_days,
            tagged_bail_days=state.tagged_bail_days,
            date_of_birth=state.date_of_birth,
            offence_date=state.offence_date,
            secure_estate_date=secure_estate_date,
        )
    if state.months is None or state.weeks is not None or state.remand_days or state.tagged_bail_days:
        raise ValueError("the legacy method takes a term in months and counts no days off it")
    legacy = dto_release_dates(state.sentence_date, state.months, secure_estate_date)
    # The secure estate's date is its half-way point, so s.247's age is taken there when it gave one.
    point = legacy.release_date
    further = further_supervision_applies(age_at(state, point), state.months, state.offence_date)
    return DtoDates(
        **legacy.model_dump(),
        sentence_expiry=dto_term_end(state.sentence_date, state.months) - timedelta(days=1),
        band_months=early_late_months(state.months),
        further_supervision_ends=add_calendar_months(point, FURTHER_SUPERVISION_MONTHS) if further else None,
    )


def band_months(state: CustodyState) -> int:
    """The months s.241(4)–(5) allow either side of the release point, as the sentence's method counts them."""
    if state.release_method == HMPPS_METHOD:
        return hmpps_band_months(
            state.sentence_date,
            months=state.months or 0,
            weeks=state.weeks or 0,
            days_counted=state.remand_days + state.tagged_bail_days,
        )
    assert state.months is not None
    return early_late_months(state.months)


def release_clock(sentence_date: date, release_date: date) -> ScheduleDeadline:
    # dto.release counts calendar days from the sentence; the count is this case's own.
    return ScheduleDeadline(
        rule_id="dto.release", clock_start=sentence_date, amount=(release_date - sentence_date).days
    )


def release_date_step(state: CustodyState, step: RecordReleaseDate) -> Decision:
    name = step.step
    day, new = step.effective_date, step.release_date
    require(state, name, {CustodyStatus.IN_CUSTODY})
    if state.first_released_on is not None:
        raise refuse(name, "the child was already released once; a further detention's end is fixed by the court")
    if new <= state.sentence_date:
        raise refuse(name, f"the release date must be after the sentence date ({state.sentence_date})")
    if new < day:
        raise refuse(name, f"the release date {new} is before the decision that set it ({day})")
    if step.source == "secure_estate":
        return _secure_estate_date(state, step)
    if not state.is_dto:
        raise refuse(
            name,
            "early and late release (s.241(4)–(5)) are for DTOs; a s.250, s.254 or s.259 release date "
            "comes from the secure estate or the Parole Board (source secure_estate)",
        )
    assert state.release_point is not None
    assert state.earliest_release is not None and state.latest_release is not None
    band = band_months(state)
    point = state.release_point
    if band == 0:
        raise refuse(
            name,
            f"a term of {term_words(state)} has no early or late release; only terms of 8 months or more do, "
            "and not once released on the day of sentence",
        )
    if step.source == "early_release" and not state.earliest_release <= new < point:
        raise refuse(
            name,
            f"early release must be before the release point {point} and no earlier than {state.earliest_release} "
            f"({band} month{'s' if band > 1 else ''} before it, s.241(4))",
        )
    if step.source == "late_release" and not point < new <= state.latest_release:
        raise refuse(
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
    # The secure estate's date is its release point: the limits and s.247's age move with it.
    dates = dates_for(state, new)
    return Decision(
        events=(
            ev.ReleaseDateSet(
                release_date=new,
                source="secure_estate",
                earliest_release=dates.earliest,
                latest_release=dates.latest,
                further_supervision=dates.further_supervision,
            ),
        ),
        deadlines=_moved_release(state, new),
    )


def _moved_release(state: CustodyState, new: date) -> tuple[DeadlineEffect, ...]:
    effects: list[DeadlineEffect] = []
    if state.is_dto:
        effects += [
            CancelDeadline(rule_id="dto.release", why="release date changed"),
            release_clock(state.sentence_date, new),
        ]
    if state.pre_release_confirmed_on is None:
        effects += [
            CancelDeadline(rule_id="custody.pre_release", why="release date changed"),
            ScheduleDeadline(rule_id="custody.pre_release", clock_start=new),
        ]
    return tuple(effects)


def released_step(state: CustodyState, step: RecordReleased) -> Decision:
    name = step.step
    day = step.effective_date
    require(state, name, {CustodyStatus.IN_CUSTODY})
    if state.release_date is None:
        raise refuse(name, "no release date is known; record the secure estate's date first (release_date_set)")
    if day != state.release_date:
        raise refuse(
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
