"""The custody state machine alone: DTO release dates, further supervision, release, breach and completion."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from domain import custody as cu
from domain import events as ev
from domain.calendar import add_calendar_months

STEP: TypeAdapter[cu.CustodyStep] = TypeAdapter(cu.CustodyStep)
TODAY = date(2030, 12, 31)
SENTENCE = date(2027, 1, 4)  # a Monday
OUTCOME = ev.CourtOutcomeRecorded(
    outcome_id="o", case_reference="c", court_kind="youth", hearing_date=SENTENCE, disposal_kind="dto"
)


def fresh(
    months: int | None = 8,
    kind: str = "dto",
    secure_estate: date | None = None,
    born: date = date(2012, 1, 1),
    offence: date = date(2026, 10, 1),
) -> cu.CustodyState:
    return cu.CustodyState.model_validate(
        {
            "child_id": "C-1",
            "yjs": "luton",
            "sentence_date": SENTENCE,
            "kind": kind,
            "months": months,
            "secure_estate_release_date": secure_estate,
            "date_of_birth": born,
            "offence_date": offence,
        }
    )


def fold(state: cu.CustodyState, decision: cu.Decision) -> cu.CustodyState:
    for payload in decision.events:
        state = cu.evolve(state, payload)
    return state


def sentenced(**kw: Any) -> cu.CustodyState:
    state = fresh(**kw)
    return fold(state, cu.open_custody(state, outcome=OUTCOME))


def step(**body: Any) -> cu.CustodyStep:
    return STEP.validate_python({"actor": "alice", **body})


def decide(state: cu.CustodyState, **body: Any) -> cu.Decision:
    return cu.decide(state, step(**body), today=TODAY)


def apply(state: cu.CustodyState, **body: Any) -> cu.CustodyState:
    return fold(state, decide(state, **body))


def refused(state: cu.CustodyState, **body: Any) -> str:
    with pytest.raises(cu.StepRefused) as e:
        decide(state, **body)
    return str(e.value)


def rules(decision: cu.Decision) -> list[tuple[str, str]]:
    return [(type(d).__name__, d.rule_id) for d in decision.deadlines]


def released(**kw: Any) -> cu.CustodyState:
    state = sentenced(**kw)
    assert state.release_date is not None
    return apply(state, step="released", effective_date=state.release_date.isoformat())


# --- DTO release dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "half_way", "earliest", "latest"),
    [
        # 4 months from Mon 4 Jan 2027 is 120 days: half 60.
        (4, date(2027, 3, 5), date(2027, 3, 5), date(2027, 3, 5)),
        # 5 months is 151 days: half 75½, the half day to the child.
        (5, date(2027, 3, 20), date(2027, 3, 20), date(2027, 3, 20)),
        (7, date(2027, 4, 20), date(2027, 4, 20), date(2027, 4, 20)),  # under 8 months: no early or late release
        # 8 months is 243 days: half 121; the 1-month band starts here.
        (8, date(2027, 5, 5), date(2027, 4, 5), date(2027, 6, 5)),
        (9, date(2027, 5, 20), date(2027, 4, 20), date(2027, 6, 20)),
        (17, date(2027, 9, 19), date(2027, 8, 19), date(2027, 10, 19)),  # last term in the 1-month band
        # 18 months is 547 days (2028 is a leap year): half 273; the 2-month band starts here.
        (18, date(2027, 10, 4), date(2027, 8, 4), date(2027, 12, 4)),
        (23, date(2027, 12, 20), date(2027, 10, 20), date(2028, 2, 20)),
        # 24 months is 731 days: half 365.
        (24, date(2028, 1, 4), date(2027, 11, 4), date(2028, 3, 4)),
    ],
)
def test_dto_half_way_and_early_late_limits_by_term(months: int, half_way: date, earliest: date, latest: date) -> None:
    """s.241: release at the half-way point (half the term in days); 1 month either side for 8–<18, 2 for ≥ 18."""
    dates = cu.dto_release_dates(SENTENCE, months)
    assert (dates.half_way, dates.earliest, dates.latest, dates.secure_estate) == (half_way, earliest, latest, None)
    assert dates.release_date == half_way


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2058, 12, 31)), st.integers(min_value=4, max_value=24))
def test_half_way_is_half_the_term_in_days_rounded_towards_release(sentence: date, months: int) -> None:
    """For every term, odd months included, the half-way point halves the days, never lands past the half."""
    dates = cu.dto_release_dates(sentence, months)
    term_days = (add_calendar_months(sentence, months) - sentence).days
    assert 2 * (dates.half_way - sentence).days in (term_days, term_days - 1)
    band = cu.early_late_months(months)
    assert dates.earliest == add_calendar_months(dates.half_way, -band)
    assert dates.latest == add_calendar_months(dates.half_way, band)


def test_the_secure_estates_date_wins_and_the_limits_move_with_it() -> None:
    """The secure estate's date is the release point; early and late limits lie around it."""
    dates = cu.dto_release_dates(SENTENCE, 8, date(2027, 5, 7))
    assert dates.half_way == date(2027, 5, 5)
    assert (dates.release_date, dates.earliest, dates.latest) == (date(2027, 5, 7), date(2027, 4, 7), date(2027, 6, 7))
    decision = cu.open_custody(fresh(8, secure_estate=date(2027, 5, 7)), outcome=OUTCOME)
    assert ev.ReleaseDateSet(release_date=date(2027, 5, 7), source="secure_estate") in decision.events
    assert cu.ScheduleDeadline(rule_id="dto.release", clock_start=SENTENCE, amount=123) in decision.deadlines


@pytest.mark.parametrize("months", [3, 25])
def test_a_term_outside_4_to_24_months_is_not_a_dto(months: int) -> None:
    with pytest.raises(ValueError, match="4–24 months"):
        cu.dto_release_dates(SENTENCE, months)


# --- further supervision (s.247) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "months", "offence", "applies"),
    [
        (18, 12, date(2015, 2, 1), True),
        (17, 12, date(2015, 2, 1), False),  # under 18 at half-way
        (18, 23, date(2020, 1, 1), True),
        (18, 24, date(2020, 1, 1), False),  # a 24-month term is not under 24
        (18, 12, date(2015, 1, 31), False),  # offence before the Offender Rehabilitation Act 2014 commenced
        (19, 4, date(2026, 1, 1), True),
    ],
)
def test_further_supervision_conditions_at_each_boundary(age: int, months: int, offence: date, applies: bool) -> None:
    assert cu.further_supervision_applies(age, months, offence) is applies


@pytest.mark.parametrize(("born", "applies"), [(date(2009, 5, 5), True), (date(2009, 5, 6), False)])
def test_age_is_taken_on_the_half_way_point(born: date, applies: bool) -> None:
    """An 8-month DTO from 4 Jan 2027 is half-way on 5 May 2027: 18 that day counts, 18 the day after does not."""
    made = cu.open_custody(fresh(8, born=born), outcome=OUTCOME).events[1]
    assert isinstance(made, ev.CustodialSentenceMade)
    assert made.further_supervision is applies


# --- opening --------------------------------------------------------------------------------------------


def test_opening_a_dto_records_its_dates_and_starts_the_custody_clocks() -> None:
    """Initial planning and review from the sentence; release on its fixed date; pre-release a month before it."""
    decision = cu.open_custody(fresh(8), outcome=OUTCOME)
    assert decision.events[0] == OUTCOME
    assert decision.events[1] == ev.CustodialSentenceMade(
        kind="dto",
        sentence_date=SENTENCE,
        months=8,
        term_end=date(2027, 9, 4),
        half_way_date=date(2027, 5, 5),
        earliest_release=date(2027, 4, 5),
        latest_release=date(2027, 6, 5),
    )
    assert decision.events[2] == ev.ReleaseDateSet(release_date=date(2027, 5, 5), source="computed")
    assert decision.deadlines == (
        cu.ScheduleDeadline(rule_id="custody.initial_planning", clock_start=SENTENCE),
        cu.ScheduleDeadline(rule_id="custody.review", clock_start=SENTENCE),
        cu.ScheduleDeadline(rule_id="dto.release", clock_start=SENTENCE, amount=121),
        cu.ScheduleDeadline(rule_id="custody.pre_release", clock_start=date(2027, 5, 5)),
    )
    state = fold(fresh(8), decision)
    assert (state.status, state.release_date, state.release_source) == (
        cu.CustodyStatus.IN_CUSTODY,
        date(2027, 5, 5),
        "computed",
    )


@pytest.mark.parametrize("kind", ["s250", "s254", "s259"])
def test_longer_sentences_take_their_dates_from_the_secure_estate(kind: str) -> None:
    """No half-way is computed; until the secure estate gives a date there is no release or pre-release clock."""
    months = None if kind == "s259" else 36
    without = cu.open_custody(fresh(months, kind=kind), outcome=OUTCOME)
    made = without.events[1]
    assert isinstance(made, ev.CustodialSentenceMade)
    assert (made.half_way_date, made.earliest_release, made.secure_estate_release_date) == (None, None, None)
    assert rules(without) == [
        ("ScheduleDeadline", "custody.initial_planning"),
        ("ScheduleDeadline", "custody.review"),
    ]
    state = fold(fresh(months, kind=kind), without)
    assert "no release date is known" in refused(state, step="released", effective_date="2028-07-04")
    decision = decide(
        state, step="release_date_set", effective_date="2027-02-01", release_date="2028-07-04", source="secure_estate"
    )
    assert rules(decision) == [
        ("CancelDeadline", "custody.pre_release"),
        ("ScheduleDeadline", "custody.pre_release"),
    ]
    with_date = cu.open_custody(fresh(months, kind=kind, secure_estate=date(2028, 7, 4)), outcome=OUTCOME)
    assert ev.ReleaseDateSet(release_date=date(2028, 7, 4), source="secure_estate") in with_date.events
    assert ("ScheduleDeadline", "custody.pre_release") in rules(with_date)


# --- in custody ------------------------------------------------------------------------------------------


def test_initial_planning_then_reviews_each_scheduling_the_next() -> None:
    state = sentenced()
    planning = decide(state, step="initial_planning_held", effective_date="2027-01-15")
    assert rules(planning) == [("MeetDeadline", "custody.initial_planning")]
    state = fold(state, planning)
    review = decide(state, step="review_held", effective_date="2027-04-01")
    assert rules(review) == [("MeetDeadline", "custody.review"), ("ScheduleDeadline", "custody.review")]
    assert review.events == (ev.CustodyReviewHeld(number=1, review_date=date(2027, 4, 1)),)


def test_pre_release_is_met_only_when_accommodation_and_ete_are_both_in_place() -> None:
    """A gap is recorded so it shows, and the deadline stays open until both are confirmed."""
    state = sentenced()
    gap = decide(state, step="pre_release_confirmed", effective_date="2027-04-01", accommodation=True, ete=False)
    assert gap.deadlines == ()
    state = fold(state, gap)
    assert (state.accommodation_confirmed, state.ete_confirmed, state.pre_release_confirmed_on) == (True, False, None)
    both = decide(state, step="pre_release_confirmed", effective_date="2027-04-05", accommodation=True, ete=True)
    assert rules(both) == [("MeetDeadline", "custody.pre_release")]
    state = fold(state, both)
    assert "already confirmed on 2027-04-05" in refused(
        state, step="pre_release_confirmed", effective_date="2027-04-06", accommodation=True, ete=True
    )
    # Once confirmed, a later change of date leaves the met pre-release deadline alone.
    moved = decide(
        state, step="release_date_set", effective_date="2027-04-06", release_date="2027-04-20", source="early_release"
    )
    assert rules(moved) == [("CancelDeadline", "dto.release"), ("ScheduleDeadline", "dto.release")]


@pytest.mark.parametrize(
    ("months", "source", "release_date"),
    [
        (8, "early_release", date(2027, 4, 5)),  # the earliest day, 1 month before
        (8, "late_release", date(2027, 6, 5)),  # the latest day, 1 month after
        (18, "early_release", date(2027, 8, 4)),  # 2 months before
        (18, "late_release", date(2027, 12, 4)),  # 2 months after
    ],
)
def test_early_and_late_release_within_the_limits_move_the_release_clocks(
    months: int, source: str, release_date: date
) -> None:
    state = sentenced(months=months)
    decision = decide(
        state,
        step="release_date_set",
        effective_date="2027-02-01",
        release_date=release_date.isoformat(),
        source=source,
    )
    assert decision.events == (ev.ReleaseDateSet(release_date=release_date, source=source),)
    assert decision.deadlines == (
        cu.CancelDeadline(rule_id="dto.release", why="release date changed"),
        cu.ScheduleDeadline(rule_id="dto.release", clock_start=SENTENCE, amount=(release_date - SENTENCE).days),
        cu.CancelDeadline(rule_id="custody.pre_release", why="release date changed"),
        cu.ScheduleDeadline(rule_id="custody.pre_release", clock_start=release_date),
    )
    assert fold(state, decision).release_date == release_date


def test_a_later_secure_estate_date_moves_the_limits_and_the_age_test() -> None:
    """The secure estate's date is the release point: the early limit and s.247 follow it."""
    state = sentenced(months=8, born=date(2009, 5, 6))  # 18 on 6 May, the day after the computed half-way
    assert not state.further_supervision
    decision = decide(
        state, step="release_date_set", effective_date="2027-02-01", release_date="2027-05-06", source="secure_estate"
    )
    assert decision.events == (
        ev.ReleaseDateSet(
            release_date=date(2027, 5, 6),
            source="secure_estate",
            earliest_release=date(2027, 4, 6),
            latest_release=date(2027, 6, 6),
            further_supervision=True,
        ),
    )
    state = fold(state, decision)
    assert (state.release_point, state.earliest_release, state.further_supervision) == (
        date(2027, 5, 6),
        date(2027, 4, 6),
        True,
    )
    assert "no earlier than 2027-04-06" in refused(
        state, step="release_date_set", effective_date="2027-02-01", release_date="2027-04-05", source="early_release"
    )


# --- release and after ------------------------------------------------------------------------------------


def test_release_meets_the_release_date_and_starts_the_same_day_contact() -> None:
    state = sentenced()
    decision = decide(state, step="released", effective_date="2027-05-05")
    assert rules(decision) == [
        ("MeetDeadline", "dto.release"),
        ("CancelDeadline", "custody.initial_planning"),
        ("CancelDeadline", "custody.review"),
        ("CancelDeadline", "custody.pre_release"),
        ("ScheduleDeadline", "custody.release_contact"),
    ]
    assert cu.ScheduleDeadline(rule_id="custody.release_contact", clock_start=date(2027, 5, 5)) in decision.deadlines
    state = fold(state, decision)
    assert (state.status, state.released_on) == (cu.CustodyStatus.RELEASED, date(2027, 5, 5))
    contact = decide(state, step="release_contact_made", effective_date="2027-05-05")
    assert rules(contact) == [("MeetDeadline", "custody.release_contact")]
    state = fold(state, contact)
    assert "already made on 2027-05-05" in refused(state, step="release_contact_made", effective_date="2027-05-06")


def test_breach_penalty_is_the_shorter_of_three_months_and_the_rest_of_the_term() -> None:
    """Sch 12 para 3: counted from the failure; the court may decide after the term has ended."""
    state = released()  # 8-month term ends 4 Sep 2027
    body = {"step": "supervision_breach_outcome", "decision": "further_supervision"}
    # Early in supervision, 3 months is the shorter.
    assert "may run from 2027-05-10 to 2027-08-10 at most" in refused(
        state, **body, effective_date="2027-05-20", breach_date="2027-05-10", months=4
    )
    assert decide(state, **body, effective_date="2027-05-20", breach_date="2027-05-10", months=3).events[0] == (
        ev.SupervisionBreachOutcome(
            decision_date=date(2027, 5, 20),
            breach_date=date(2027, 5, 10),
            decision="further_supervision",
            months=3,
            until=date(2027, 8, 20),
        )
    )
    # Near the end, the rest of the term is the shorter, even when the court sits after the term.
    assert "may run from 2027-07-10 to 2027-09-04 at most" in refused(
        state, **body, effective_date="2027-09-20", breach_date="2027-07-10", months=2
    )
    fine = decide(
        state, step="supervision_breach_outcome", effective_date="2027-09-20", breach_date="2027-07-10", decision="fine"
    )
    assert fine.events[0] == ev.SupervisionBreachOutcome(
        decision_date=date(2027, 9, 20), breach_date=date(2027, 7, 10), decision="fine"
    )


def test_further_detention_returns_the_child_to_custody_until_the_courts_period_ends() -> None:
    state = released()
    state = apply(
        state,
        step="supervision_breach_outcome",
        effective_date="2027-06-01",
        breach_date="2027-05-20",
        decision="further_detention",
        months=2,
    )
    assert (state.status, state.release_date) == (cu.CustodyStatus.IN_CUSTODY, date(2027, 8, 1))
    assert "release date is 2027-08-01" in refused(state, step="released", effective_date="2027-07-31")
    again = decide(state, step="released", effective_date="2027-08-01")
    # dto.release was met on the first release; this release only needs its contact.
    assert ("MeetDeadline", "dto.release") not in rules(again)
    assert rules(again)[-1] == ("ScheduleDeadline", "custody.release_contact")
    assert fold(state, again).status == cu.CustodyStatus.RELEASED


def test_completion_without_further_supervision_at_the_end_of_the_term() -> None:
    state = released()
    assert "supervision runs until 2027-09-04" in refused(state, step="completed", effective_date="2027-09-03")
    state = apply(state, step="completed", effective_date="2027-09-04")
    assert state.status == cu.CustodyStatus.COMPLETED
    assert "nothing more can be recorded" in refused(state, step="completed", effective_date="2027-09-05")


def test_further_supervision_runs_to_twelve_months_after_half_way_then_completes() -> None:
    """s.247: 18+ at half-way (5 May 2027), term 8 months, offence after 1 Feb 2015."""
    state = released(born=date(2009, 1, 1))
    assert state.further_supervision
    start = decide(state, step="completed", effective_date="2027-09-06")
    assert start.events == (ev.FurtherSupervisionStarted(starts=date(2027, 9, 4), ends=date(2028, 5, 5)),)
    assert start.deadlines == (cu.ScheduleDeadline(rule_id="dto.further_supervision", clock_start=date(2027, 5, 5)),)
    state = fold(state, start)
    assert state.status == cu.CustodyStatus.FURTHER_SUPERVISION
    assert "runs until 2028-05-05 (s.247)" in refused(state, step="completed", effective_date="2028-05-04")
    end = decide(state, step="completed", effective_date="2028-05-10")
    assert end.deadlines == (cu.MeetDeadline(rule_id="dto.further_supervision", met_on=date(2028, 5, 5)),)
    assert fold(state, end).status == cu.CustodyStatus.COMPLETED


def test_a_breach_penalty_of_supervision_beyond_the_term_delays_completion() -> None:
    state = apply(
        released(),
        step="supervision_breach_outcome",
        effective_date="2027-08-20",
        breach_date="2027-08-01",
        decision="further_supervision",
        months=1,
    )
    assert state.supervision_until == date(2027, 9, 20)
    assert "supervision runs until 2027-09-20" in refused(state, step="completed", effective_date="2027-09-10")


def test_custody_events_round_trip_through_the_registry() -> None:
    """Every custody payload is registered by name and survives JSON."""
    day = SENTENCE + timedelta(days=1)
    for payload in (
        *cu.open_custody(fresh(8), outcome=OUTCOME).events[1:],
        ev.InitialPlanningMeetingHeld(meeting_date=day),
        ev.CustodyReviewHeld(number=1, review_date=day),
        ev.PreReleaseConfirmed(review_date=day, accommodation=True, ete=False),
        ev.Released(released_on=day),
        ev.ReleaseContactMade(contact_date=day),
        ev.FurtherSupervisionStarted(starts=day, ends=day),
        ev.SupervisionBreachOutcome(
            decision_date=day, breach_date=day, decision="further_detention", months=1, until=day
        ),
        ev.CustodyCompleted(completed_date=day),
    ):
        assert ev.parse_payload(payload.event_type, payload.model_dump(mode="json")) == payload
