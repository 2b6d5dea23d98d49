"""While the child is looked after: LAC reviews (reg 33) and social-worker visits (reg 28)."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.decisions import Decision, MeetDeadline, ScheduleDeadline
from domain.remand.checks import _not_before, _require_looked_after
from domain.remand.state import RemandState


def _lac_review(state: RemandState, name: str, day: date) -> Decision:
    _require_looked_after(state, name)
    _not_before(name, day, state.looked_after_since, "the child became looked after")
    _not_before(name, day, state.last_lac_review, "the last LAC review")
    number = state.lac_reviews_held + 1
    # reg 33: first review within 20 WD, the second 3 months after it, each later one 6 months after the last.
    met = "remand.lac_review_1" if number == 1 else "remand.lac_review_2" if number == 2 else "remand.lac_review_n"
    following = "remand.lac_review_2" if number == 1 else "remand.lac_review_n"
    return Decision(
        events=(ev.LacReviewHeld(number=number, review_date=day),),
        deadlines=(MeetDeadline(rule_id=met, met_on=day), ScheduleDeadline(rule_id=following, clock_start=day)),
    )


def _social_worker_visit(state: RemandState, name: str, day: date) -> Decision:
    _require_looked_after(state, name)
    _not_before(name, day, state.placement_start, "the placement started")
    _not_before(name, day, state.last_sw_visit, "the last visit")
    number = state.sw_visits_made + 1
    # reg 28(2): within a week of the placement starting, then at most 6 weeks apart.
    met = "remand.sw_first_visit" if number == 1 else "remand.sw_visit"
    return Decision(
        events=(ev.SocialWorkerVisitMade(number=number, visit_date=day),),
        deadlines=(MeetDeadline(rule_id=met, met_on=day), ScheduleDeadline(rule_id="remand.sw_visit", clock_start=day)),
    )
