"""The remand state machine alone: looked-after clocks, clear-day checks, custody time limits, renewals, ending."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from domain import events as ev
from domain import remand as rm
from domain.calendar import WorkingCalendar
from domain.court_outcome import RemandDisposal
from domain.deadlines import compute_deadline
from domain.rules import parse_rule_pack

CALENDAR = WorkingCalendar.england_and_wales()
PACK = parse_rule_pack((Path(__file__).resolve().parents[2] / "domain" / "rules" / "default.toml").read_text())
STEP: TypeAdapter[rm.RemandStep] = TypeAdapter(rm.RemandStep)
TODAY = date(2027, 12, 31)
REMAND_DAY = date(2027, 3, 1)  # a Monday
RLAA, YDA = "local_authority_accommodation", "youth_detention_accommodation"
OUTCOME = ev.CourtOutcomeRecorded(
    outcome_id="o", case_reference="c", court_kind="youth", hearing_date=REMAND_DAY, disposal_kind="remand"
)


def disposal(
    type: str = RLAA,
    next_hearing: date = date(2027, 3, 10),
    first_remand: bool = True,
    ctl_start: date | None = REMAND_DAY,
    ctl_days: int | None = 70,
) -> RemandDisposal:
    return RemandDisposal.model_validate(
        {
            "kind": "remand",
            "type": type,
            "next_hearing_date": next_hearing,
            "first_remand": first_remand,
            "ctl_start_date": ctl_start,
            "ctl_days": ctl_days,
        }
    )


def fresh(remand_date: date = REMAND_DAY, **kw: Any) -> rm.RemandState:
    return rm.start_remand(
        child_id="C-1", yjs="luton", remand_date=remand_date, disposal=disposal(**kw), calendar=CALENDAR
    )


def fold(state: rm.RemandState, decision: rm.Decision) -> rm.RemandState:
    for payload in decision.events:
        state = rm.evolve(state, payload)
    return state


def remanded(**kw: Any) -> rm.RemandState:
    state = fresh(**kw)
    return fold(state, rm.open_remand(state, outcome=OUTCOME))


def on_bail() -> rm.RemandState:
    return remanded(type="bail", ctl_start=None, ctl_days=None)


def step(**body: Any) -> rm.RemandStep:
    return STEP.validate_python({"actor": "alice", **body})


def decide(state: rm.RemandState, **body: Any) -> rm.Decision:
    return rm.decide(state, step(**body), today=TODAY)


def apply(state: rm.RemandState, **body: Any) -> rm.RemandState:
    return fold(state, decide(state, **body))


def refused(state: rm.RemandState, **body: Any) -> str:
    with pytest.raises(rm.StepRefused) as e:
        decide(state, **body)
    return str(e.value)


def rules(decision: rm.Decision) -> list[tuple[str, str]]:
    return [(type(d).__name__, d.rule_id) for d in decision.deadlines]


def due(rule_id: str, clock_start: date, amount: int | None = None) -> date:
    """The due date the deadline tracker would record for a scheduled clock."""
    rule = PACK.rule(rule_id)
    return compute_deadline(
        rule, clock_start, CALENDAR, deadline_id="d", rule_pack_version=PACK.version, amount=amount
    ).due_date


def of_type(decision: rm.Decision, kind: type[ev.EventPayload]) -> list[ev.EventPayload]:
    return [e for e in decision.events if isinstance(e, kind)]


# --- opening: bail vs RLAA vs YDA ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bail", "bail_with_support"])
def test_bail_starts_none_of_the_looked_after_clocks(kind: str) -> None:
    """On bail the child is not looked after and no CTL runs: nothing is scheduled, even if CTL fields came."""
    state = fresh(type=kind)
    decision = rm.open_remand(state, outcome=OUTCOME)
    assert decision.deadlines == ()
    started = of_type(decision, ev.RemandStarted)[0]
    assert isinstance(started, ev.RemandStarted)
    assert (started.looked_after, started.ctl_start_date, started.ctl_expiry) == (False, None, None)
    state = fold(state, decision)
    assert state.status == rm.RemandStatus.ON_BAIL
    assert not state.looked_after
    assert state.open_hearing_check is None


@pytest.mark.parametrize(
    ("kind", "status"),
    [(RLAA, rm.RemandStatus.LOCAL_AUTHORITY_ACCOMMODATION), (YDA, rm.RemandStatus.YOUTH_DETENTION_ACCOMMODATION)],
)
def test_rlaa_and_yda_make_the_child_looked_after_and_start_every_clock(kind: str, status: rm.RemandStatus) -> None:
    """LAC review 1 and the first visit from the remand day, the CTL from its start, and the 8-clear-day check."""
    state = fresh(type=kind, ctl_start=date(2027, 2, 26), ctl_days=56)
    decision = rm.open_remand(state, outcome=OUTCOME)
    assert decision.events[0] == OUTCOME
    assert decision.deadlines == (
        rm.ScheduleDeadline(rule_id="remand.lac_review_1", clock_start=REMAND_DAY),
        rm.ScheduleDeadline(rule_id="remand.sw_first_visit", clock_start=REMAND_DAY),
        rm.ScheduleDeadline(rule_id="remand.ctl", clock_start=date(2027, 2, 26), amount=56),
        rm.ScheduleDeadline(rule_id="remand.next_hearing", clock_start=REMAND_DAY),
    )
    started = of_type(decision, ev.RemandStarted)[0]
    assert isinstance(started, ev.RemandStarted)
    assert started.looked_after and started.first_remand
    assert started.ctl_expiry == date(2027, 4, 23)  # 56 days after Fri 26 Feb, a Friday: not moved
    state = fold(state, decision)
    assert (state.status, state.looked_after, state.looked_after_since) == (status, True, REMAND_DAY)


def test_a_custodial_remand_without_a_custody_time_limit_cannot_start() -> None:
    """The intake guarantees CTL fields for RLAA/YDA; the domain refuses to build a remand without them."""
    with pytest.raises(ValueError, match="custody time limit"):
        fresh(ctl_days=None)


# --- the next hearing: clear days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("next_hearing", "first_remand", "ok", "latest"),
    [
        (date(2027, 3, 10), True, True, date(2027, 3, 10)),  # 8 clear days: 2nd–9th
        (date(2027, 3, 11), True, False, date(2027, 3, 10)),
        (date(2027, 3, 2), True, True, date(2027, 3, 10)),
        (date(2027, 3, 1), True, False, date(2027, 3, 10)),  # not after the remand at all
        (date(2027, 3, 30), False, True, date(2027, 3, 30)),  # 28 clear days: 2nd–29th
        (date(2027, 3, 31), False, False, date(2027, 3, 30)),
        (date(2027, 3, 11), False, True, date(2027, 3, 30)),
    ],
)
def test_next_hearing_check_counts_clear_days(next_hearing: date, first_remand: bool, ok: bool, latest: date) -> None:
    """s.128(6): a first remand in custody ≤ 8 clear days; s.128A: a later one ≤ 28."""
    assert rm.next_hearing_check(REMAND_DAY, next_hearing, first_remand) == (ok, latest)


def test_a_first_remand_beyond_eight_clear_days_is_flagged_not_refused() -> None:
    """The court has decided: the remand opens with every clock, and the breach is recorded beside it."""
    decision = rm.open_remand(fresh(next_hearing=date(2027, 3, 12)), outcome=OUTCOME)
    assert of_type(decision, ev.NextHearingLimitBreached) == [
        ev.NextHearingLimitBreached(
            remand_date=REMAND_DAY,
            limit_clear_days=8,
            latest_lawful_date=date(2027, 3, 10),
            court_date=date(2027, 3, 12),
        )
    ]
    assert len(decision.deadlines) == 4
    assert due("remand.next_hearing", REMAND_DAY) == date(2027, 3, 10)


def test_a_later_remand_at_intake_is_checked_against_28_clear_days() -> None:
    """A remand the court says is not the first is checked by remand.next_hearing_later."""
    within = rm.open_remand(fresh(next_hearing=date(2027, 3, 30), first_remand=False), outcome=OUTCOME)
    assert not of_type(within, ev.NextHearingLimitBreached)
    assert within.deadlines[-1] == rm.ScheduleDeadline(rule_id="remand.next_hearing_later", clock_start=REMAND_DAY)
    assert due("remand.next_hearing_later", REMAND_DAY) == date(2027, 3, 30)
    beyond = rm.open_remand(fresh(next_hearing=date(2027, 3, 31), first_remand=False), outcome=OUTCOME)
    flag = of_type(beyond, ev.NextHearingLimitBreached)[0]
    assert isinstance(flag, ev.NextHearingLimitBreached)
    assert (flag.limit_clear_days, flag.latest_lawful_date) == (28, date(2027, 3, 30))


# --- custody time limits on the real calendar --------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expiry"),
    [
        # 56 days from Mon 5 Feb 2024 is Easter Monday 1 Apr: back over Easter Sunday, Saturday and Good Friday.
        (date(2024, 2, 5), 56, date(2024, 3, 28)),
        # 56 days from Fri 29 Jan 2027 is Good Friday 26 Mar 2027.
        (date(2027, 1, 29), 56, date(2027, 3, 25)),
        # 70 days from Mon 19 Oct 2026 is Mon 28 Dec (Boxing Day's substitute): back past Christmas Day, a Friday.
        (date(2026, 10, 19), 70, date(2026, 12, 24)),
        # 182 days from Tue 29 Jun 2027 is Tue 28 Dec: both substitute days, the weekend and Christmas Day.
        (date(2027, 6, 29), 182, date(2027, 12, 24)),
        # 70 days from Mon 1 Mar 2027 is Mon 10 May, an ordinary working day: not moved.
        (date(2027, 3, 1), 70, date(2027, 5, 10)),
    ],
)
def test_ctl_expiry_rolls_back_over_closed_days(start: date, days: int, expiry: date) -> None:
    """CTL Regs 1987 reg 2(4)–(5): the start day is not counted and an expiry on a closed day moves earlier."""
    state = fresh(remand_date=start, ctl_start=start, ctl_days=days, next_hearing=start + timedelta(days=7))
    assert state.ctl_expiry == expiry
    decision = rm.open_remand(state, outcome=OUTCOME)
    started = of_type(decision, ev.RemandStarted)[0]
    assert isinstance(started, ev.RemandStarted)
    assert started.ctl_expiry == expiry
    ctl = next(d for d in decision.deadlines if d.rule_id == "remand.ctl")
    assert isinstance(ctl, rm.ScheduleDeadline)
    # The tracker counts the same clock on the same calendar to the same day.
    assert due("remand.ctl", ctl.clock_start, ctl.amount) == expiry


# --- looked-after reviews and visits -----------------------------------------------------------------


def test_lac_review_chain_20_working_days_then_3_months_then_6_months() -> None:
    """reg 33: review 1 by 20 WD; each review meets its own deadline and schedules the next from its day."""
    state = remanded()
    # 20 WD from Mon 1 Mar 2027 skips Good Friday 26 Mar and Easter Monday 29 Mar.
    assert due("remand.lac_review_1", REMAND_DAY) == date(2027, 3, 31)
    first = decide(state, step="lac_review_held", effective_date="2027-03-30")
    assert rules(first) == [("MeetDeadline", "remand.lac_review_1"), ("ScheduleDeadline", "remand.lac_review_2")]
    assert first.events == (ev.LacReviewHeld(number=1, review_date=date(2027, 3, 30)),)
    state = fold(state, first)
    assert due("remand.lac_review_2", date(2027, 3, 30)) == date(2027, 6, 30)
    second = decide(state, step="lac_review_held", effective_date="2027-06-28")
    assert rules(second) == [("MeetDeadline", "remand.lac_review_2"), ("ScheduleDeadline", "remand.lac_review_n")]
    state = fold(state, second)
    # 6 months from Mon 28 Jun 2027 is Tue 28 Dec 2027, a bank holiday: due the working day before, Fri 24 Dec.
    assert due("remand.lac_review_n", date(2027, 6, 28)) == date(2027, 12, 24)
    third = decide(state, step="lac_review_held", effective_date="2027-12-20")
    assert rules(third) == [("MeetDeadline", "remand.lac_review_n"), ("ScheduleDeadline", "remand.lac_review_n")]
    assert fold(state, third).lac_reviews_held == 3


def test_social_worker_visits_first_within_a_week_then_every_six_weeks() -> None:
    """reg 28(2): the first visit meets sw_first_visit; every visit schedules the next 6 weeks on."""
    state = remanded()
    assert due("remand.sw_first_visit", REMAND_DAY) == date(2027, 3, 8)
    first = decide(state, step="social_worker_visit_made", effective_date="2027-03-05")
    assert rules(first) == [("MeetDeadline", "remand.sw_first_visit"), ("ScheduleDeadline", "remand.sw_visit")]
    state = fold(state, first)
    assert due("remand.sw_visit", date(2027, 3, 5)) == date(2027, 4, 16)
    second = decide(state, step="social_worker_visit_made", effective_date="2027-04-15")
    assert rules(second) == [("MeetDeadline", "remand.sw_visit"), ("ScheduleDeadline", "remand.sw_visit")]
    assert second.events == (ev.SocialWorkerVisitMade(number=2, visit_date=date(2027, 4, 15)),)


# --- renewals ---------------------------------------------------------------------------------------


def test_a_later_custodial_remand_is_checked_against_28_clear_days_and_meets_the_last_check() -> None:
    """The hearing the first check was about took place; the new remand is a later one (s.128A)."""
    state = remanded()
    body = {"step": "remand_renewed", "effective_date": "2027-03-10", "type": RLAA}
    decision = decide(state, **body, next_hearing_date="2027-04-07")
    assert rules(decision) == [
        ("MeetDeadline", "remand.next_hearing"),
        ("ScheduleDeadline", "remand.next_hearing_later"),
    ]
    renewed = decision.events[0]
    assert isinstance(renewed, ev.RemandRenewed)
    assert not renewed.first_custodial_remand
    assert renewed.ctl_expiry == state.ctl_expiry  # the limit runs on
    assert not of_type(decision, ev.NextHearingLimitBreached)
    # 28 clear days after the 10th is the 8th: the 9th is flagged, and the renewal is still recorded.
    late = decide(state, **body, next_hearing_date="2027-04-09")
    flag = of_type(late, ev.NextHearingLimitBreached)
    assert flag == [
        ev.NextHearingLimitBreached(
            remand_date=date(2027, 3, 10),
            limit_clear_days=28,
            latest_lawful_date=date(2027, 4, 8),
            court_date=date(2027, 4, 9),
        )
    ]
    state = fold(state, late)
    assert state.open_hearing_check == "remand.next_hearing_later"
    assert state.next_hearing_date == date(2027, 4, 9)


def test_from_bail_into_custody_is_a_first_custodial_remand_and_starts_the_looked_after_clocks() -> None:
    """Never before in custody, the child gets the 8-day check, LAC review 1, the first visit and a CTL."""
    state = on_bail()
    body = {"step": "remand_renewed", "effective_date": "2027-03-10", "type": YDA, "next_hearing_date": "2027-03-19"}
    assert "needs ctl_start_date, ctl_days and ctl_expiry" in refused(state, **body)
    expiry = CALENDAR.ctl_expiry(date(2027, 3, 10), 56)
    decision = decide(state, **body, ctl_start_date="2027-03-10", ctl_days=56, ctl_expiry=expiry.isoformat())
    assert rules(decision) == [
        ("ScheduleDeadline", "remand.lac_review_1"),
        ("ScheduleDeadline", "remand.sw_first_visit"),
        ("ScheduleDeadline", "remand.ctl"),
        ("ScheduleDeadline", "remand.next_hearing"),
    ]
    state = fold(state, decision)
    assert state.status == rm.RemandStatus.YOUTH_DETENTION_ACCOMMODATION
    assert (state.looked_after_since, state.ctl_expiry, state.remanded_in_custody_before) == (
        date(2027, 3, 10),
        expiry,
        True,
    )


def test_bailed_from_custody_cancels_the_looked_after_clocks_and_the_ctl() -> None:
    """Bail ends looked-after status through the remand; reviews and visits are then refused."""
    state = remanded()
    decision = decide(
        state,
        step="remand_renewed",
        effective_date="2027-03-10",
        type="bail_with_support",
        next_hearing_date="2027-05-04",
    )
    assert rules(decision)[0] == ("MeetDeadline", "remand.next_hearing")
    cancelled = {r for kind, r in rules(decision) if kind == "CancelDeadline"}
    assert cancelled == {*rm.LOOKED_AFTER_RULES, "remand.ctl"}
    assert not any(kind == "ScheduleDeadline" for kind, _ in rules(decision))
    state = fold(state, decision)
    assert (state.status, state.ctl_expiry, state.open_hearing_check) == (rm.RemandStatus.ON_BAIL, None, None)
    assert "not looked after" in refused(state, step="lac_review_held", effective_date="2027-03-11")
    # Back into custody later: s.128A applies (remanded in custody before), and a fresh CTL is needed.
    expiry = CALENDAR.ctl_expiry(date(2027, 5, 4), 56)
    back = decide(
        state,
        step="remand_renewed",
        effective_date="2027-05-04",
        type=RLAA,
        next_hearing_date="2027-05-20",
        ctl_start_date="2027-05-04",
        ctl_days=56,
        ctl_expiry=expiry.isoformat(),
    )
    assert ("ScheduleDeadline", "remand.next_hearing_later") in rules(back)
    again = fold(state, back)
    assert (again.lac_reviews_held, again.looked_after_since) == (0, date(2027, 5, 4))


def test_moving_between_rlaa_and_yda_restarts_the_visits_but_not_the_reviews() -> None:
    """A new placement needs a visit within a week of it; the child stays looked after, so reviews run on."""
    state = apply(remanded(), step="lac_review_held", effective_date="2027-03-05")
    state = apply(state, step="social_worker_visit_made", effective_date="2027-03-05")
    decision = decide(
        state, step="remand_renewed", effective_date="2027-03-10", type=YDA, next_hearing_date="2027-04-01"
    )
    assert rules(decision) == [
        ("MeetDeadline", "remand.next_hearing"),
        ("CancelDeadline", "remand.sw_first_visit"),
        ("CancelDeadline", "remand.sw_visit"),
        ("ScheduleDeadline", "remand.sw_first_visit"),
        ("ScheduleDeadline", "remand.next_hearing_later"),
    ]
    state = fold(state, decision)
    assert (state.sw_visits_made, state.placement_start, state.lac_reviews_held) == (0, date(2027, 3, 10), 1)
    visit = decide(state, step="social_worker_visit_made", effective_date="2027-03-12")
    assert rules(visit)[0] == ("MeetDeadline", "remand.sw_first_visit")


def test_sending_to_the_crown_court_replaces_the_custody_time_limit() -> None:
    """A new limit in custody cancels the old remand.ctl and schedules the new one."""
    state = remanded()
    expiry = CALENDAR.ctl_expiry(date(2027, 3, 10), 182)
    decision = decide(
        state,
        step="remand_renewed",
        effective_date="2027-03-10",
        type=YDA,
        next_hearing_date="2027-04-01",
        ctl_start_date="2027-03-10",
        ctl_days=182,
        ctl_expiry=expiry.isoformat(),
    )
    assert ("CancelDeadline", "remand.ctl") in rules(decision)
    assert rm.ScheduleDeadline(rule_id="remand.ctl", clock_start=date(2027, 3, 10), amount=182) in decision.deadlines
    assert fold(state, decision).ctl_expiry == expiry


# --- CTL extension and the end of the remand ---------------------------------------------------------


def test_ctl_extension_reschedules_the_limit_to_the_courts_date() -> None:
    """s.22(3): extended before expiry, with a reason; the deadline counts to the new date from the same start."""
    state = remanded()
    assert state.ctl_expiry == date(2027, 5, 10)
    decision = decide(state, step="ctl_extended", effective_date="2027-05-07", new_expiry="2027-06-07", reason="r")
    assert decision.deadlines == (
        rm.CancelDeadline(rule_id="remand.ctl", why="custody time limit extended"),
        rm.ScheduleDeadline(rule_id="remand.ctl", clock_start=REMAND_DAY, amount=98),
    )
    assert due("remand.ctl", REMAND_DAY, 98) == date(2027, 6, 7)
    assert fold(state, decision).ctl_expiry == date(2027, 6, 7)


def test_ended_by_conviction_carries_the_new_order_and_closes_everything() -> None:
    """The remand closes, every open deadline is cancelled, and nothing more can be recorded."""
    decision = decide(
        remanded(),
        step="remand_ended",
        effective_date="2027-04-01",
        how="convicted_and_sentenced",
        sentence_order_id="detention-and-training-order:luton:c:C-1",
    )
    assert decision.deadlines[-1] == rm.CancelDeadline(rule_id="*", why="remand ended (convicted_and_sentenced)")
    assert {d.rule_id for d in decision.deadlines[:-1]} == {"remand.next_hearing", "remand.next_hearing_later"}
    state = fold(remanded(), decision)
    assert state.status == rm.RemandStatus.ENDED
    assert state.sentence_order_id == "detention-and-training-order:luton:c:C-1"
    assert not state.looked_after
    assert "nothing more can be recorded" in refused(state, step="lac_review_held", effective_date="2027-04-02")


@pytest.mark.parametrize("how", ["bail", "acquitted", "discontinued"])
def test_ended_otherwise_needs_no_order(how: str) -> None:
    state = apply(remanded(), step="remand_ended", effective_date="2027-03-10", how=how)
    assert (state.status, state.ended_how, state.sentence_order_id) == (rm.RemandStatus.ENDED, how, None)


# --- refusals -----------------------------------------------------------------------------------------

EXPIRY_70 = CALENDAR.ctl_expiry(REMAND_DAY, 70).isoformat()
RENEW = {"step": "remand_renewed", "type": RLAA, "next_hearing_date": "2027-03-20"}


@pytest.mark.parametrize(
    ("state", "body", "reason"),
    [
        (remanded(), {"step": "lac_review_held", "effective_date": "2028-01-01"}, "in the future"),
        (remanded(), {"step": "lac_review_held", "effective_date": "2027-02-28"}, "before the remand began"),
        (on_bail(), {"step": "lac_review_held", "effective_date": "2027-03-02"}, "not looked after"),
        (on_bail(), {"step": "social_worker_visit_made", "effective_date": "2027-03-02"}, "not looked after"),
        (
            apply(remanded(), step="lac_review_held", effective_date="2027-03-20"),
            {"step": "lac_review_held", "effective_date": "2027-03-19"},
            "before lac_review_held on 2027-03-20",
        ),
        (
            apply(remanded(), step="social_worker_visit_made", effective_date="2027-03-05"),
            {"step": "social_worker_visit_made", "effective_date": "2027-03-04"},
            "before social_worker_visit_made on 2027-03-05",
        ),
        (remanded(), {**RENEW, "effective_date": "2027-03-01"}, "after the remand it renews"),
        (remanded(), {**RENEW, "effective_date": "2027-03-20"}, "next hearing must be after"),
        (
            remanded(),
            {**RENEW, "effective_date": "2027-03-10", "ctl_start_date": "2027-03-10", "ctl_days": 56},
            "together",
        ),
        (
            remanded(),
            {
                **RENEW,
                "effective_date": "2027-03-10",
                "ctl_start_date": "2027-03-01",
                "ctl_days": 60,
                "ctl_expiry": "2027-04-30",
            },
            "56, 70 or 182 days, not 60",
        ),
        (
            remanded(),
            {
                **RENEW,
                "effective_date": "2027-03-10",
                "ctl_start_date": "2027-03-01",
                "ctl_days": 70,
                "ctl_expiry": "2027-05-11",
            },
            "reg 2(5) only ever moves an expiry earlier",
        ),
        (
            remanded(),
            {
                **RENEW,
                "type": "bail",
                "effective_date": "2027-03-10",
                "ctl_start_date": "2027-03-01",
                "ctl_days": 70,
                "ctl_expiry": EXPIRY_70,
            },
            "leave the CTL fields out on bail",
        ),
        (
            on_bail(),
            {"step": "ctl_extended", "effective_date": "2027-03-02", "new_expiry": "2027-06-01", "reason": "r"},
            "no custody time limit runs",
        ),
        (
            remanded(),
            {"step": "ctl_extended", "effective_date": "2027-03-02", "new_expiry": "2027-06-01"},
            "needs the court's reason",
        ),
        (
            remanded(),
            {"step": "ctl_extended", "effective_date": "2027-05-11", "new_expiry": "2027-06-01", "reason": "r"},
            "expired on 2027-05-10",
        ),
        (
            remanded(),
            {"step": "ctl_extended", "effective_date": "2027-05-01", "new_expiry": "2027-05-10", "reason": "r"},
            "must be after the present one",
        ),
        (
            remanded(),
            {"step": "remand_ended", "effective_date": "2027-04-01", "how": "convicted_and_sentenced"},
            "needs sentence_order_id",
        ),
        (
            remanded(),
            {"step": "remand_ended", "effective_date": "2027-04-01", "how": "acquitted", "sentence_order_id": "x"},
            "only for a remand ended by conviction",
        ),
        (on_bail(), {"step": "remand_ended", "effective_date": "2027-04-01", "how": "bail"}, "already on bail"),
        (
            apply(remanded(), **RENEW, effective_date="2027-03-10"),
            {"step": "remand_ended", "effective_date": "2027-03-09", "how": "acquitted"},
            "before remand_renewed on 2027-03-10",
        ),
    ],
)
def test_steps_out_of_order_or_out_of_law_are_refused_with_the_reason(
    state: rm.RemandState, body: dict[str, Any], reason: str
) -> None:
    """Each refusal names what is wrong and, where there is one, the limit."""
    assert reason in refused(state, **body)


def test_remand_events_round_trip_through_the_registry() -> None:
    """Every remand payload is registered by name and survives JSON."""
    for payload in (
        *rm.open_remand(fresh(next_hearing=date(2027, 3, 12)), outcome=OUTCOME).events[1:],
        ev.CtlExtended(extended_on=REMAND_DAY, previous_expiry=REMAND_DAY, new_expiry=REMAND_DAY, reason="r"),
        ev.RemandEnded(how="convicted_and_sentenced", ended_on=REMAND_DAY, sentence_order_id="x"),
    ):
        assert ev.parse_payload(payload.event_type, payload.model_dump(mode="json")) == payload
