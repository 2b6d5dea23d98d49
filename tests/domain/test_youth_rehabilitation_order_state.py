"""The youth rehabilitation order state machine alone: which steps the law and the order's state allow."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from domain import events as ev
from domain import youth_rehabilitation_order as yro
from domain.calendar import WorkingCalendar, add_calendar_months
from domain.compliance import ComplianceIncident, CompliancePolicy, WarnedPeriod
from domain.court_outcome import YouthRehabilitationOrderDisposal
from domain.deadlines import compute_deadline
from domain.rules import parse_rule_pack

PACK = parse_rule_pack((Path(__file__).resolve().parents[2] / "domain" / "rules" / "default.toml").read_text())
# The warned period's length is [U]: the tests take it from the rule pack, as the workflow does.
MONTHS = PACK.rule("yro.warned_period").amount or 0

STEP: TypeAdapter[yro.YroStep] = TypeAdapter(yro.YroStep)
TODAY = date(2029, 12, 31)
HEARING = date(2027, 1, 4)

STANDARD = [
    {"kind": "supervision"},
    {"kind": "activity", "days": 30},
    {"kind": "unpaid_work", "hours": 40},
    {"kind": "curfew", "hours_per_day": 8.0, "end_date": "2027-07-04"},
    {"kind": "electronic_monitoring"},
]
ISS = [
    {"kind": "supervision"},
    {"kind": "extended_activity", "days": 180},
    {"kind": "curfew", "hours_per_day": 10.0, "end_date": "2027-07-04"},
    {"kind": "electronic_monitoring"},
]


def order(
    *,
    end: str = "2028-01-04",
    iss: bool = False,
    requirements: list[dict[str, Any]] | None = None,
    months: int = MONTHS,
    hearing: date = HEARING,
    eighteenth_birthday: date | None = None,
) -> yro.YroState:
    disposal = YouthRehabilitationOrderDisposal.model_validate(
        {
            "kind": "youth_rehabilitation_order",
            "end_date": end,
            "iss": iss,
            "requirements": requirements if requirements is not None else (ISS if iss else STANDARD),
        }
    )
    return yro.new_order(
        child_id="C-1",
        yjs="luton",
        hearing_date=hearing,
        disposal=disposal,
        warned_period_months=months,
        eighteenth_birthday=eighteenth_birthday,
    )


def step(**body: Any) -> yro.YroStep:
    return STEP.validate_python({"actor": "alice", **body})


def decide(state: yro.YroState, **body: Any) -> yro.Decision:
    return yro.decide(state, step(**body), today=TODAY)


def apply(state: yro.YroState, **body: Any) -> yro.YroState:
    for payload in decide(state, **body).events:
        state = yro.evolve(state, payload)
    return state


def refused(state: yro.YroState, **body: Any) -> str:
    with pytest.raises(yro.StepRefused) as e:
        decide(state, **body)
    return str(e.value)


def active(**kwargs: Any) -> yro.YroState:
    return apply(order(**kwargs), step="first_appointment_attended", effective_date="2027-01-06")


def unexcused(state: yro.YroState, on: date | str) -> yro.YroState:
    """A missed appointment with no acceptable explanation, judged the same day."""
    state = apply(state, step="appointment_missed", effective_date=str(on))
    return apply(state, step="absence_explained", effective_date=str(on), acceptable=False)


def warned(state: yro.YroState, missed_on: date | str, warned_on: date | str) -> yro.YroState:
    return apply(unexcused(state, missed_on), step="warning_issued", effective_date=str(warned_on))


def in_breach(state: yro.YroState | None = None, on: str = "2027-02-01") -> yro.YroState:
    return apply(unexcused(state or active(), on), step="breach_laid", effective_date=on, reason="serious failure")


def progress(state: yro.YroState, ref: str) -> yro.RequirementProgress:
    return next(r for r in state.requirements if r.ref == ref)


# --- opening ---------------------------------------------------------------------------------------


def test_opening_records_the_order_and_starts_first_appointment_review_and_end_clocks() -> None:
    """yro.first_appointment and yro.review run from the order; yro.end is the court's own date."""
    state = order()
    outcome = ev.CourtOutcomeRecorded(
        outcome_id="o", case_reference="c", court_kind="youth", hearing_date=HEARING, disposal_kind="yro"
    )
    decision = yro.open_order(state, outcome=outcome)
    made = decision.events[1]
    assert isinstance(made, ev.YouthRehabilitationOrderMade)
    assert (made.end_date, made.iss, [r.kind for r in made.requirements]) == (
        date(2028, 1, 4),
        False,
        ["supervision", "activity", "unpaid_work", "curfew", "electronic_monitoring"],
    )
    assert decision.deadlines == (
        yro.ScheduleDeadline(rule_id="yro.first_appointment", clock_start=HEARING),
        yro.ScheduleDeadline(rule_id="yro.review", clock_start=HEARING),
        yro.ScheduleDeadline(rule_id="yro.end", clock_start=date(2028, 1, 4), amount=0),
    )
    # Folding the order's own event changes nothing: the state already holds what the court ordered.
    assert yro.evolve(state, made) == state


def test_the_end_deadline_falls_on_the_courts_end_date_even_on_a_weekend() -> None:
    """yro.end is a fixed date: the law's date, never rolled to a working day."""
    calendar = WorkingCalendar.england_and_wales(first_year=2026, last_year=2032)
    end = date(2028, 1, 8)  # a Saturday
    effect = yro.open_order(order(end=end.isoformat()), outcome=_outcome()).deadlines[2]
    assert isinstance(effect, yro.ScheduleDeadline)
    scheduled = compute_deadline(
        PACK.rule(effect.rule_id),
        effect.clock_start,
        calendar,
        deadline_id="yro.end#1",
        rule_pack_version=PACK.version,
        amount=effect.amount,
    )
    assert scheduled.due_date == end


def _outcome() -> ev.CourtOutcomeRecorded:
    return ev.CourtOutcomeRecorded(
        outcome_id="o", case_reference="c", court_kind="youth", hearing_date=HEARING, disposal_kind="yro"
    )


def test_requirements_of_the_same_kind_get_their_own_refs() -> None:
    state = order(
        requirements=[
            {"kind": "curfew", "hours_per_day": 8.0, "end_date": "2027-04-04"},
            {"kind": "curfew", "hours_per_day": 6.0, "end_date": "2027-07-04"},
        ]
    )
    assert [r.ref for r in state.requirements] == ["curfew", "curfew#2"]


# --- induction and reviews ---------------------------------------------------------------------------


def test_first_appointment_activates_the_order_and_meets_its_deadline() -> None:
    decision = decide(order(), step="first_appointment_attended", effective_date="2027-01-06")
    assert decision.deadlines == (yro.MeetDeadline(rule_id="yro.first_appointment", met_on=date(2027, 1, 6)),)
    state = active()
    assert state.state == yro.YroStatus.ACTIVE
    assert "already recorded on 2027-01-06" in refused(
        state, step="first_appointment_attended", effective_date="2027-01-07"
    )


def test_a_review_meets_the_review_and_schedules_the_next_from_the_rule() -> None:
    """The interval is the rule's amount ([U]): the state machine only names yro.review."""
    decision = decide(active(), step="review_held", effective_date="2027-04-01")
    assert decision.deadlines == (
        yro.MeetDeadline(rule_id="yro.review", met_on=date(2027, 4, 1)),
        yro.ScheduleDeadline(rule_id="yro.review", clock_start=date(2027, 4, 1)),
    )
    state = apply(active(), step="review_held", effective_date="2027-04-01")
    assert "last review was held on 2027-04-01" in refused(state, step="review_held", effective_date="2027-04-01")


# --- missed appointments and the follow-up ------------------------------------------------------------


def test_a_missed_appointment_opens_an_incident_and_a_one_day_follow_up_deadline() -> None:
    decision = decide(active(), step="appointment_missed", effective_date="2027-02-01")
    assert decision.events == (ev.AppointmentMissed(incident_id="incident-1", appointment_date=date(2027, 2, 1)),)
    assert decision.deadlines == (yro.ScheduleDeadline(rule_id="yro.missed_followup", clock_start=date(2027, 2, 1)),)
    state = apply(active(), step="appointment_missed", effective_date="2027-02-01")
    assert state.open_incident is not None and state.open_incident.explained == "none_yet"
    followed = decide(state, step="follow_up_contact_made", effective_date="2027-02-02")
    assert followed.deadlines == (yro.MeetDeadline(rule_id="yro.missed_followup", met_on=date(2027, 2, 2)),)


def test_an_acceptable_explanation_closes_the_incident_and_the_follow_up_can_still_be_recorded() -> None:
    state = apply(active(), step="appointment_missed", effective_date="2027-02-01")
    state = apply(state, step="absence_explained", effective_date="2027-02-01", acceptable=True)
    assert state.open_incident is None
    assert state.incident is not None and state.incident.outcome == "excused"
    state = apply(state, step="follow_up_contact_made", effective_date="2027-02-02")
    assert state.incident is not None and state.incident.follow_up_made
    assert "no missed appointment waiting" in refused(state, step="follow_up_contact_made", effective_date="2027-02-03")
    # The next failure is a new incident.
    assert apply(state, step="appointment_missed", effective_date="2027-02-08").incident == ComplianceIncident(
        id="incident-2", order_kind=CompliancePolicy.YOUTH_REHABILITATION_ORDER, appointment_date=date(2027, 2, 8)
    )


def test_a_missed_first_appointment_is_a_failure_too() -> None:
    """Before induction the order is still in force: the incident machinery runs from the day it is made."""
    state = unexcused(order(), "2027-01-08")
    assert apply(state, step="warning_issued", effective_date="2027-01-09").warnings


# --- the warning ladder (Sch 7 para 4) -------------------------------------------------------------------


def test_two_warnings_then_a_third_is_refused_and_breach_must_be_laid() -> None:
    """A failure in a warned period in which a further warning was given must go to court."""
    state = active()
    first = decide(unexcused(state, "2027-02-01"), step="warning_issued", effective_date="2027-02-03")
    ends = add_calendar_months(date(2027, 2, 3), MONTHS)
    assert first.events == (
        ev.WarningIssued(incident_id="incident-1", warning_date=date(2027, 2, 3), number=1, warned_period_ends=ends),
    )
    assert first.deadlines == (
        yro.ScheduleDeadline(rule_id="yro.warned_period", clock_start=date(2027, 2, 3), amount=MONTHS),
    )
    state = warned(state, "2027-02-01", "2027-02-03")
    second = decide(unexcused(state, "2027-03-01"), step="warning_issued", effective_date="2027-03-02")
    assert isinstance(second.events[0], ev.WarningIssued) and second.events[0].number == 2
    state = warned(state, "2027-03-01", "2027-03-02")
    state = unexcused(state, "2027-04-01")
    assert refused(state, step="warning_issued", effective_date="2027-04-02") == (
        f"warning_issued refused: two warnings already given in the warned period ending {ends}: "
        "a further failure must go to court (Sch 7 para 4); record breach_laid"
    )
    # The breach is mandatory now, so no reason is needed for laying it.
    laid = decide(state, step="breach_laid", effective_date="2027-04-02")
    assert laid.events == (ev.BreachLaid(incident_id="incident-3", laid_date=date(2027, 4, 2), mandatory=True),)
    state = apply(state, step="breach_laid", effective_date="2027-04-02")
    assert state.state == yro.YroStatus.BREACH_LAID
    assert state.incident is not None and state.incident.outcome == "breach_laid"


def test_the_first_warned_period_running_out_resets_the_count() -> None:
    """After the first warning's period (the rule's months) the second is the only one a failure falls in."""
    state = active(end="2029-12-31")
    state = warned(state, "2027-02-01", "2027-02-03")
    state = warned(state, "2027-03-01", "2027-03-02")
    first_ends = add_calendar_months(date(2027, 2, 3), MONTHS)
    second_ends = add_calendar_months(date(2027, 3, 2), MONTHS)
    # On the day the first period ends it no longer counts, so a warning is lawful again.
    state = unexcused(state, first_ends)
    third = decide(state, step="warning_issued", effective_date=str(first_ends))
    assert isinstance(third.events[0], ev.WarningIssued) and third.events[0].number == 2
    state = apply(state, step="warning_issued", effective_date=str(first_ends))
    # Now the second and third warnings share the second warning's period.
    state = unexcused(state, first_ends + timedelta(days=7))
    assert f"warned period ending {second_ends}" in refused(
        state, step="warning_issued", effective_date=str(first_ends + timedelta(days=7))
    )


def test_a_warned_period_that_ends_at_a_month_end_clamps() -> None:
    """With a one-month period (a pack where the rule says 1), 31 Jan + 1 month ends on 28 Feb."""
    state = active(months=1, hearing=date(2027, 1, 4))
    state = warned(state, "2027-01-31", "2027-01-31")
    assert state.warnings[0].end == date(2027, 2, 28)
    state = warned(state, "2027-02-01", "2027-02-01")
    assert "ending 2027-02-28" in refused(
        unexcused(state, "2027-02-27"), step="warning_issued", effective_date="2027-02-27"
    )
    # On 28 Feb the first period has run out: only the second warning's period covers the failure.
    assert apply(unexcused(state, "2027-02-28"), step="warning_issued", effective_date="2027-02-28").warnings[-1] == (
        WarnedPeriod(start=date(2027, 2, 28), end=date(2027, 3, 28))
    )


def test_the_warned_period_deadline_falls_on_the_date_the_warning_recorded() -> None:
    """The scheduled yro.warned_period date and the event's warned_period_ends agree."""
    calendar = WorkingCalendar.england_and_wales(first_year=2026, last_year=2032)
    decision = decide(unexcused(active(), "2027-01-29"), step="warning_issued", effective_date="2027-01-31")
    warning, effect = decision.events[0], decision.deadlines[0]
    assert isinstance(warning, ev.WarningIssued) and isinstance(effect, yro.ScheduleDeadline)
    scheduled = compute_deadline(
        PACK.rule(effect.rule_id),
        effect.clock_start,
        calendar,
        deadline_id="yro.warned_period#1",
        rule_pack_version=PACK.version,
        amount=effect.amount,
    )
    assert scheduled.due_date == warning.warned_period_ends


def test_laying_information_instead_of_a_warning_needs_a_reason() -> None:
    """Before two warnings the officer must warn unless information is laid; the choice is recorded."""
    state = unexcused(active(), "2027-02-01")
    assert "needs a reason" in refused(state, step="breach_laid", effective_date="2027-02-02")
    laid = decide(state, step="breach_laid", effective_date="2027-02-02", reason="serious failure")
    assert laid.events == (ev.BreachLaid(incident_id="incident-1", laid_date=date(2027, 2, 2), mandatory=False),)


# --- the court's decision on a breach -------------------------------------------------------------------


UPW_20 = {"kind": "unpaid_work", "hours": 20}


def test_court_continues_the_order() -> None:
    state = apply(in_breach(), step="court_breach_outcome", effective_date="2027-02-10", decision="continue")
    assert state.state == yro.YroStatus.ACTIVE and state.breach_laid_date is None


def test_a_breach_before_induction_returns_the_order_to_waiting_for_it() -> None:
    state = in_breach(order(), "2027-01-08")
    assert apply(state, step="court_breach_outcome", effective_date="2027-01-12", decision="fine").state == (
        yro.YroStatus.ORDER_MADE
    )


def test_adding_a_requirement_may_move_the_end_date_up_to_six_months_once() -> None:
    """LASPO 2012 s.83: at most 6 months beyond the previous end date, once only per order."""
    state = in_breach()  # end date 2028-01-04
    body = {"step": "court_breach_outcome", "effective_date": "2027-02-10", "decision": "add_requirement"}
    assert "at most 6 months beyond 2028-01-04, to 2028-07-04" in refused(
        state, **body, requirement=UPW_20, new_end_date="2028-07-05"
    )
    assert "must be after the current end date" in refused(state, **body, requirement=UPW_20, new_end_date="2028-01-04")
    decision = decide(state, **body, requirement=UPW_20, new_end_date="2028-07-04")
    assert [type(d).__name__ for d in decision.deadlines] == ["CancelDeadline", "ScheduleDeadline"]
    assert decision.deadlines[1] == yro.ScheduleDeadline(rule_id="yro.end", clock_start=date(2028, 7, 4), amount=0)
    state = apply(state, **body, requirement=UPW_20, new_end_date="2028-07-04")
    assert (state.end_date, state.breach_extension_used, state.state) == (date(2028, 7, 4), True, yro.YroStatus.ACTIVE)
    assert [r.ref for r in state.requirements][-1] == "unpaid_work#2"
    # A second breach may add a requirement but not move the end date again.
    again = in_breach(state, "2027-03-01")
    body["effective_date"] = "2027-03-05"
    assert "only once per order" in refused(again, **body, requirement=UPW_20, new_end_date="2028-08-01")
    assert apply(again, **body, requirement=UPW_20).end_date == date(2028, 7, 4)


def test_the_six_month_extension_clamps_at_a_month_end() -> None:
    """31 Aug + 6 months is 29 Feb in a leap year."""
    state = in_breach(active(end="2027-08-31"))
    body = {"step": "court_breach_outcome", "effective_date": "2027-02-10", "decision": "add_requirement"}
    assert apply(state, **body, requirement=UPW_20, new_end_date="2028-02-29").end_date == date(2028, 2, 29)
    assert "to 2028-02-29" in refused(state, **body, requirement=UPW_20, new_end_date="2028-03-01")


def test_revoking_and_resentencing_on_breach_closes_the_order() -> None:
    decision = decide(
        in_breach(), step="court_breach_outcome", effective_date="2027-02-10", decision="revoke_and_resentence"
    )
    assert any(isinstance(e, ev.YroRevoked) and e.grounds == "breach" for e in decision.events)
    assert decision.deadlines == (
        yro.CancelDeadline(rule_id="*", why="order revoked and the child resentenced for breach"),
    )
    state = apply(
        in_breach(), step="court_breach_outcome", effective_date="2027-02-10", decision="revoke_and_resentence"
    )
    assert state.state == yro.YroStatus.REVOKED
    assert "nothing more can be recorded" in refused(state, step="review_held", effective_date="2027-02-11")


# --- requirements -----------------------------------------------------------------------------------------


def test_activity_days_and_unpaid_work_hours_are_bounded_by_the_order() -> None:
    state = apply(
        active(), step="requirement_progress", effective_date="2027-02-01", requirement="activity", activity_days=25
    )
    assert progress(state, "activity").activity_days_used == 25
    assert "25 of 30 days used; 6 more would exceed the 30 days" in refused(
        state, step="requirement_progress", effective_date="2027-02-02", requirement="activity", activity_days=6
    )
    state = apply(
        state, step="requirement_progress", effective_date="2027-02-02", requirement="activity", activity_days=5
    )
    assert progress(state, "activity").activity_days_used == 30
    state = apply(
        state, step="requirement_progress", effective_date="2027-02-06", requirement="unpaid_work", unpaid_work_hours=35
    )
    assert "35 of 40 hours done; 6 more would exceed" in refused(
        state, step="requirement_progress", effective_date="2027-02-13", requirement="unpaid_work", unpaid_work_hours=6
    )


def test_curfew_and_monitoring_periods_start_and_end_in_turn() -> None:
    body = {"step": "requirement_progress", "requirement": "curfew"}
    state = apply(order(), **body, effective_date="2027-01-04", period="started")
    assert "running since 2027-01-04" in refused(state, **body, effective_date="2027-01-05", period="started")
    assert "before the start of this curfew period" in refused(
        state.model_copy(update={"hearing_date": date(2027, 1, 1)}), **body, effective_date="2027-01-03", period="ended"
    )
    state = apply(state, **body, effective_date="2027-03-01", period="ended")
    assert progress(state, "curfew").periods == (yro.SupervisedPeriod(start=date(2027, 1, 4), end=date(2027, 3, 1)),)
    assert "not running" in refused(state, **body, effective_date="2027-03-02", period="ended")
    assert "the curfew requirement ended on 2027-07-04" in refused(
        state, **body, effective_date="2027-07-04", period="started"
    )
    state = apply(state, **body, effective_date="2027-03-08", period="started")
    assert progress(state, "curfew").running_period == yro.SupervisedPeriod(start=date(2027, 3, 8))
    em = apply(
        state,
        step="requirement_progress",
        requirement="electronic_monitoring",
        effective_date="2027-01-04",
        period="started",
    )
    assert progress(em, "electronic_monitoring").running_period is not None


def test_a_progress_step_names_exactly_one_kind_of_progress() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        step(
            step="requirement_progress",
            effective_date="2027-02-01",
            requirement="activity",
            activity_days=1,
            period="started",
        )
    with pytest.raises(ValidationError, match="exactly one"):
        step(step="requirement_progress", effective_date="2027-02-01", requirement="activity")


# --- completion -------------------------------------------------------------------------------------------


def test_completion_needs_the_end_date_reached_and_unpaid_work_done() -> None:
    """s.198: the order is in force until its end date, or until the unpaid work is done if later."""
    state = active()
    assert "runs until its end date, 2028-01-04" in refused(state, step="order_completed", effective_date="2028-01-03")
    assert "unpaid_work: 0 of 40 hours done; the order stays in force until the unpaid work is done (s.198)" in (
        refused(state, step="order_completed", effective_date="2028-01-04")
    )
    state = apply(
        state, step="requirement_progress", effective_date="2027-06-05", requirement="unpaid_work", unpaid_work_hours=40
    )
    decision = decide(state, step="order_completed", effective_date="2028-01-20")
    assert decision.deadlines == (yro.MeetDeadline(rule_id="yro.end", met_on=date(2028, 1, 4)),)
    assert apply(state, step="order_completed", effective_date="2028-01-20").state == yro.YroStatus.COMPLETED


def test_completion_waits_for_an_open_incident() -> None:
    state = active(requirements=[{"kind": "supervision"}])
    state = apply(state, step="appointment_missed", effective_date="2028-01-02")
    assert "still open" in refused(state, step="order_completed", effective_date="2028-01-04")


# --- ISS -----------------------------------------------------------------------------------------------------


def test_an_iss_order_counts_extended_activity_days_past_ninety() -> None:
    state = active(iss=True, end="2027-07-04")
    assert state.iss
    state = apply(
        state,
        step="requirement_progress",
        effective_date="2027-03-01",
        requirement="extended_activity",
        activity_days=150,
    )
    assert progress(state, "extended_activity").activity_days_used == 150
    assert "150 of 180 days used" in refused(
        state,
        step="requirement_progress",
        effective_date="2027-03-02",
        requirement="extended_activity",
        activity_days=31,
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"remove_requirements": ["curfew"]}, "needs extended activity, supervision and curfew; missing curfew"),
        ({"remove_requirements": ["extended_activity"]}, "missing extended activity"),
        ({"new_end_date": "2027-07-03"}, "at least 6 months, to 2027-07-04 (s.187)"),
    ],
)
def test_an_iss_order_keeps_its_core_and_its_six_months(body: dict[str, Any], reason: str) -> None:
    state = active(iss=True, end="2027-10-04")
    assert reason in refused(state, step="order_amended", effective_date="2027-02-01", summary="varied", **body)


def test_extended_activity_is_only_for_an_iss_order() -> None:
    assert "only for a YRO with ISS (s.185)" in refused(
        active(),
        step="order_amended",
        effective_date="2027-02-01",
        summary="add",
        add_requirements=[{"kind": "extended_activity", "days": 120}],
    )


# --- amendment -------------------------------------------------------------------------------------------------


def test_amendment_removes_and_adds_requirements_and_may_move_the_end_date() -> None:
    state = active()
    decision = decide(
        state,
        step="order_amended",
        effective_date="2027-02-01",
        summary="unpaid work replaced by a programme",
        remove_requirements=["unpaid_work"],
        add_requirements=[{"kind": "programme"}],
        new_end_date="2028-06-04",
    )
    assert decision.deadlines == (
        yro.CancelDeadline(rule_id="yro.end", why="end date amended"),
        yro.ScheduleDeadline(rule_id="yro.end", clock_start=date(2028, 6, 4), amount=0),
    )
    for payload in decision.events:
        state = yro.evolve(state, payload)
    assert progress(state, "unpaid_work").removed_on == date(2027, 2, 1)
    assert [r.ref for r in state.requirements_in_force()][-1] == "programme"
    assert "was removed from the order on 2027-02-01" in refused(
        state, step="requirement_progress", effective_date="2027-02-02", requirement="unpaid_work", unpaid_work_hours=1
    )
    # With the unpaid work gone, reaching the end date is enough.
    assert apply(state, step="order_completed", effective_date="2028-06-04").state == yro.YroStatus.COMPLETED


# --- revocation and transfer ---------------------------------------------------------------------------------


def test_revocation_closes_the_order_and_cancels_every_open_deadline() -> None:
    decision = decide(active(), step="revoked", effective_date="2027-06-01", grounds="good_progress")
    assert decision.deadlines == (yro.CancelDeadline(rule_id="*", why="order revoked (good_progress)"),)
    assert apply(order(), step="revoked", effective_date="2027-01-10", grounds="further_offence").state == (
        yro.YroStatus.REVOKED
    )


def test_a_transfer_to_another_yjs_keeps_the_order_going_there() -> None:
    state = apply(active(), step="transferred", effective_date="2027-03-01", to="yjs", to_yjs="milton-keynes")
    assert (state.yjs, state.state) == ("milton-keynes", yro.YroStatus.ACTIVE)


def test_a_transfer_to_probation_only_from_eighteen_and_it_ends_the_yjs_part() -> None:
    state = active(eighteenth_birthday=date(2027, 6, 1))
    assert "turns 18 on 2027-06-01" in refused(state, step="transferred", effective_date="2027-05-31", to="probation")
    decision = decide(state, step="transferred", effective_date="2027-06-01", to="probation")
    assert decision.events == (
        ev.OrderTransferred(transfer_date=date(2027, 6, 1), to="probation", from_yjs="luton", to_yjs=None),
    )
    assert decision.deadlines == (yro.CancelDeadline(rule_id="*", why="order transferred to probation"),)
    closed = apply(state, step="transferred", effective_date="2027-06-01", to="probation")
    assert closed.state == yro.YroStatus.TRANSFERRED_TO_PROBATION
    assert "nothing more can be recorded" in refused(closed, step="review_held", effective_date="2027-06-02")


# --- every refusal, with its reason -------------------------------------------------------------------------


def _open_unexplained() -> yro.YroState:
    return apply(active(), step="appointment_missed", effective_date="2027-02-01")


def _excused() -> yro.YroState:
    return apply(_open_unexplained(), step="absence_explained", effective_date="2027-02-01", acceptable=True)


@pytest.mark.parametrize(
    ("state", "body", "reason"),
    [
        # dates
        (order(), {"step": "first_appointment_attended", "effective_date": "2030-01-01"}, "in the future"),
        (order(), {"step": "first_appointment_attended", "effective_date": "2027-01-03"}, "before the order was made"),
        # incidents out of order
        (
            active(),
            {"step": "absence_explained", "effective_date": "2027-02-01", "acceptable": False},
            "no open missed",
        ),
        (active(), {"step": "follow_up_contact_made", "effective_date": "2027-02-01"}, "no missed appointment waiting"),
        (active(), {"step": "warning_issued", "effective_date": "2027-02-01"}, "none is open"),
        (active(), {"step": "breach_laid", "effective_date": "2027-02-01", "reason": "r"}, "none is open"),
        (_open_unexplained(), {"step": "appointment_missed", "effective_date": "2027-02-03"}, "is still open"),
        (_open_unexplained(), {"step": "warning_issued", "effective_date": "2027-02-02"}, "as not acceptable first"),
        (_open_unexplained(), {"step": "breach_laid", "effective_date": "2027-02-02", "reason": "r"}, "not acceptable"),
        (
            _open_unexplained(),
            {"step": "absence_explained", "effective_date": "2027-01-31", "acceptable": True},
            "before appointment_missed on 2027-02-01",
        ),
        (
            _open_unexplained(),
            {"step": "follow_up_contact_made", "effective_date": "2027-01-31"},
            "before appointment_missed on",
        ),
        (
            unexcused(active(), "2027-02-01"),
            {"step": "absence_explained", "effective_date": "2027-02-02", "acceptable": True},
            "already explained",
        ),
        (
            unexcused(active(), "2027-02-01"),
            {"step": "warning_issued", "effective_date": "2027-01-31"},
            "before appointment_missed on 2027-02-01",
        ),
        (
            unexcused(warned(active(), "2027-02-01", "2027-02-10"), "2027-02-03"),
            {"step": "warning_issued", "effective_date": "2027-02-05"},
            "before warning_issued on 2027-02-10",
        ),
        (_excused(), {"step": "warning_issued", "effective_date": "2027-02-02"}, "none is open"),
        # breach and court
        (
            active(),
            {"step": "court_breach_outcome", "effective_date": "2027-02-01", "decision": "continue"},
            "breach_laid",
        ),
        (
            in_breach(),
            {"step": "breach_laid", "effective_date": "2027-02-03", "reason": "r"},
            "already before the court",
        ),
        (
            in_breach(),
            {"step": "court_breach_outcome", "effective_date": "2027-01-31", "decision": "continue"},
            "before breach_laid on 2027-02-01",
        ),
        (
            in_breach(),
            {
                "step": "court_breach_outcome",
                "effective_date": "2027-02-05",
                "decision": "fine",
                "new_end_date": "2028-02-01",
            },
            "only with a decision to add a requirement",
        ),
        (
            in_breach(),
            {"step": "court_breach_outcome", "effective_date": "2027-02-05", "decision": "add_requirement"},
            "needs the requirement the court added",
        ),
        (
            in_breach(),
            {
                "step": "court_breach_outcome",
                "effective_date": "2027-02-05",
                "decision": "add_requirement",
                "requirement": {"kind": "curfew", "hours_per_day": 18.0, "end_date": "2027-06-01"},
            },
            "2–16 hours a day (Sch 6 para 18)",
        ),
        (
            in_breach(),
            {
                "step": "court_breach_outcome",
                "effective_date": "2027-02-05",
                "decision": "add_requirement",
                "requirement": {"kind": "curfew", "hours_per_day": 8.0, "end_date": "2028-06-01"},
            },
            "after the order's end date (2028-01-04)",
        ),
        (
            in_breach(),
            {"step": "order_amended", "effective_date": "2027-02-05", "summary": "s"},
            "court_breach_outcome",
        ),
        (in_breach(), {"step": "order_completed", "effective_date": "2028-02-01"}, "this step needs it to be active"),
        # requirements
        (
            active(),
            {
                "step": "requirement_progress",
                "effective_date": "2027-02-01",
                "requirement": "drug_testing",
                "period": "started",
            },
            "no requirement drug_testing; its requirements are supervision, activity",
        ),
        (
            active(),
            {
                "step": "requirement_progress",
                "effective_date": "2027-02-01",
                "requirement": "curfew",
                "activity_days": 1,
            },
            "against an activity requirement, not curfew",
        ),
        (
            active(),
            {
                "step": "requirement_progress",
                "effective_date": "2027-02-01",
                "requirement": "activity",
                "unpaid_work_hours": 1,
            },
            "against an unpaid work requirement, not activity",
        ),
        (
            active(),
            {
                "step": "requirement_progress",
                "effective_date": "2027-02-01",
                "requirement": "supervision",
                "period": "started",
            },
            "curfew or electronic monitoring, not supervision",
        ),
        # amendment
        (
            active(),
            {
                "step": "order_amended",
                "effective_date": "2027-02-01",
                "summary": "s",
                "remove_requirements": ["fostering"],
            },
            "no requirement fostering",
        ),
        (
            active(),
            {
                "step": "order_amended",
                "effective_date": "2027-02-01",
                "summary": "s",
                "remove_requirements": ["curfew", "curfew"],
            },
            "listed for removal twice",
        ),
        (
            active(requirements=[{"kind": "supervision"}]),
            {
                "step": "order_amended",
                "effective_date": "2027-02-01",
                "summary": "s",
                "remove_requirements": ["supervision"],
            },
            "at least one requirement (s.174)",
        ),
        (
            active(requirements=[{"kind": "supervision"}, {"kind": "electronic_monitoring"}]),
            {
                "step": "order_amended",
                "effective_date": "2027-02-01",
                "summary": "s",
                "remove_requirements": ["supervision"],
            },
            "electronic monitoring needs another requirement beside it (s.185)",
        ),
        (
            active(),
            {"step": "order_amended", "effective_date": "2027-02-01", "summary": "s", "new_end_date": "2030-01-05"},
            "within 3 years of being made, by 2030-01-04 (s.187)",
        ),
        (
            active(),
            {"step": "order_amended", "effective_date": "2027-02-01", "summary": "s", "new_end_date": "2028-01-04"},
            "already 2028-01-04",
        ),
        (
            active(),
            {"step": "order_amended", "effective_date": "2027-02-01", "summary": "s", "new_end_date": "2027-02-01"},
            "must be after the amendment",
        ),
        # revocation, completion, transfer
        (
            order(),
            {"step": "revoked", "effective_date": "2027-01-10", "grounds": "good_progress"},
            "the order is order_made",
        ),
        (order(), {"step": "order_completed", "effective_date": "2028-02-01"}, "the order is order_made"),
        (active(), {"step": "transferred", "effective_date": "2027-03-01", "to": "yjs"}, "needs to_yjs"),
        (
            active(),
            {"step": "transferred", "effective_date": "2027-03-01", "to": "yjs", "to_yjs": "luton"},
            "already with luton",
        ),
        (
            active(),
            {"step": "transferred", "effective_date": "2027-03-01", "to": "probation", "to_yjs": "x"},
            "only for a transfer to another YJS",
        ),
    ],
)
def test_steps_out_of_order_or_out_of_law_are_refused_with_the_reason(
    state: yro.YroState, body: dict[str, Any], reason: str
) -> None:
    """Each refusal names what is wrong."""
    assert reason in refused(state, **body)


# --- the record ----------------------------------------------------------------------------------------------


def test_every_event_of_a_whole_order_round_trips_through_the_registry() -> None:
    """Each payload is registered and validates back from its stored JSON."""
    state = order()
    history: list[ev.EventPayload] = list(yro.open_order(state, outcome=_outcome()).events)
    steps: list[dict[str, Any]] = [
        {"step": "first_appointment_attended", "effective_date": "2027-01-06"},
        {"step": "review_held", "effective_date": "2027-04-01"},
        {"step": "requirement_progress", "effective_date": "2027-04-02", "requirement": "curfew", "period": "started"},
        {"step": "requirement_progress", "effective_date": "2027-04-03", "requirement": "curfew", "period": "ended"},
        {"step": "requirement_progress", "effective_date": "2027-04-04", "requirement": "activity", "activity_days": 2},
        {"step": "appointment_missed", "effective_date": "2027-05-03"},
        {"step": "follow_up_contact_made", "effective_date": "2027-05-04"},
        {"step": "absence_explained", "effective_date": "2027-05-04", "acceptable": False},
        {"step": "warning_issued", "effective_date": "2027-05-05"},
        {"step": "appointment_missed", "effective_date": "2027-06-01"},
        {"step": "absence_explained", "effective_date": "2027-06-01", "acceptable": False},
        {"step": "breach_laid", "effective_date": "2027-06-02", "reason": "r"},
        {
            "step": "court_breach_outcome",
            "effective_date": "2027-06-10",
            "decision": "add_requirement",
            "requirement": {"kind": "attendance_centre"},
            "new_end_date": "2028-03-01",
        },
        {
            "step": "order_amended",
            "effective_date": "2027-07-01",
            "summary": "s",
            "remove_requirements": ["unpaid_work"],
        },
        {"step": "transferred", "effective_date": "2027-08-01", "to": "yjs", "to_yjs": "bedford"},
        {"step": "order_completed", "effective_date": "2028-03-01"},
    ]
    for body in steps:
        decision = decide(state, **body)
        history.extend(decision.events)
        for payload in decision.events:
            state = yro.evolve(state, payload)
    assert state.state == yro.YroStatus.COMPLETED
    for payload in history:
        assert ev.parse_payload(payload.event_type, payload.model_dump(mode="json")) == payload
    kinds = {type(p).__name__ for p in history}
    assert {"YouthRehabilitationOrderMade", "WarningIssued", "CourtBreachOutcome", "YroCompleted"} <= kinds


def test_the_state_survives_continue_as_new() -> None:
    """Everything the workflow carries dumps to JSON and validates back to the same state."""
    state = in_breach(warned(active(), "2027-01-10", "2027-01-11"), "2027-02-01")
    state = apply(
        state, step="requirement_progress", effective_date="2027-02-02", requirement="curfew", period="started"
    )
    assert yro.YroState.model_validate_json(state.model_dump_json()) == state
