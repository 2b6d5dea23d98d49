"""How a deadline counts in the compliance figures: by the step's own date and by when it was recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.calendar import end_of_day
from domain.compliance import (
    ComplianceFigures,
    DeadlineRecord,
    days_recorded_late,
    deadline_outcome,
    met_only_on_paper,
)

DUE = date(2026, 3, 10)


def record(
    status: str = "met", met_on: date | None = DUE, recorded: datetime | None = None, escalations: int = 0
) -> DeadlineRecord:
    return DeadlineRecord.model_validate(
        {
            "status": status,
            "due_date": DUE,
            "due_at": end_of_day(DUE),
            "met_on": met_on,
            "met_recorded_at": recorded,
            "escalations_before_met": escalations,
        }
    )


def test_recorded_by_the_end_of_the_due_day_is_on_time() -> None:
    assert deadline_outcome(record(recorded=end_of_day(DUE))) == "on_time"
    assert deadline_outcome(record(recorded=None)) == "on_time"  # met before recording times were kept


def test_back_dated_step_recorded_weeks_later_is_recorded_late_with_how_late() -> None:
    late = record(recorded=datetime(2026, 5, 12, 9, 0, tzinfo=UTC), escalations=0)
    assert deadline_outcome(late) == "recorded_late"
    assert days_recorded_late(late) == 63
    assert not met_only_on_paper(late)
    # Seconds into the next day: one day late, never zero.
    assert days_recorded_late(record(recorded=end_of_day(DUE).replace(second=59))) == 1


def test_escalated_before_it_was_recorded_is_met_only_on_paper() -> None:
    paper = record(recorded=datetime(2026, 5, 12, 9, 0, tzinfo=UTC), escalations=3)
    assert met_only_on_paper(paper)
    # Met late is met late however it was recorded; an escalation then is simply deserved.
    assert deadline_outcome(record(met_on=date(2026, 3, 11), escalations=1)) == "met_late"
    assert not met_only_on_paper(record(met_on=date(2026, 3, 11), escalations=1))


def test_not_met_and_cancelled() -> None:
    assert deadline_outcome(record(status="missed", met_on=None)) == "missed"
    assert deadline_outcome(record(status="open", met_on=None)) == "open"
    assert deadline_outcome(record(status="cancelled", met_on=None)) == "cancelled"


def test_figures_count_and_add_up() -> None:
    recorded = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    one = ComplianceFigures.of(
        [
            record(recorded=end_of_day(DUE)),
            record(recorded=recorded, escalations=1),
            record(status="missed", met_on=None),
            record(status="cancelled", met_on=None),
        ]
    )
    assert (one.due, one.recorded_on_time, one.recorded_late, one.met_only_on_paper, one.missed) == (3, 1, 1, 1, 1)
    assert (one.recorded_late_days, one.met_on_time, one.decided) == (10, 2, 3)
    assert (one.pct_on_time, one.pct_on_time_by_date) == (33.3, 66.7)
    two = ComplianceFigures.of([record(recorded=datetime(2026, 4, 9, 12, 0, tzinfo=UTC))])
    both = one + two
    assert (both.due, both.recorded_late, both.recorded_late_max_days, both.mean_days_recorded_late) == (4, 2, 30, 20.0)
    assert ComplianceFigures().pct_on_time is None and ComplianceFigures().mean_days_recorded_late is None


def test_recorded_after_its_miss_is_late_whatever_the_clocks_say() -> None:
    # The record's order tells it: the miss came first, so the step was entered after the deadline passed.
    d = DeadlineRecord.model_validate(
        {"status": "met", "due_date": DUE, "due_at": end_of_day(DUE), "met_on": DUE, "missed_before_met": True}
    )
    assert deadline_outcome(d) == "recorded_late" and days_recorded_late(d) == 1
