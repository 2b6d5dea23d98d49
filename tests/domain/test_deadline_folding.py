"""A deadline's bookkeeping folds under the event that set it, per stream, in reading order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.events.folding import DEADLINE_EVENTS, fold_deadlines


@dataclass(frozen=True)
class Event:
    stream: str
    event_type: str
    payload: dict[str, Any]


def _event(stream: str, event_type: str, deadline_id: str | None = None) -> Event:
    return Event(stream, event_type, {} if deadline_id is None else {"deadline_id": deadline_id})


def test_each_deadlines_events_fold_under_its_setting_and_the_rest_keep_their_order() -> None:
    made = _event("ro-1", "ReferralOrderMade")
    first = _event("ro-1", "DeadlineScheduled", "d-1")
    panel = _event("ro-1", "DeadlineScheduled", "d-2")
    other_stream = _event("ro-2", "DeadlineScheduled", "d-1")  # the same id in another order: its own
    reminded = _event("ro-1", "DeadlineReminderSent", "d-1")
    missed = _event("ro-1", "DeadlineMissed", "d-1")
    contact = _event("ro-1", "FirstContactMade")
    met = _event("ro-1", "DeadlineMet", "d-1")
    rescheduled = _event("ro-1", "DeadlineScheduled", "d-2")
    cancelled = _event("ro-2", "DeadlineCancelled", "d-1")
    events = [made, first, panel, other_stream, reminded, missed, contact, met, rescheduled, cancelled]

    folded = fold_deadlines(events, stream=lambda e: e.stream)

    assert [(f.event, f.under) for f in folded] == [
        (made, []),
        (first, [reminded, missed, met]),
        (panel, [rescheduled]),
        (other_stream, [cancelled]),
        (contact, []),
    ]
    assert [f.deadline_id for f in folded] == [None, "d-1", "d-2", "d-1", None]
    assert sum(1 + len(f.under) for f in folded) == len(events)  # nothing lost, nothing twice


def test_a_deadlines_event_without_its_setting_stays_on_its_own() -> None:
    # A filtered timeline (only DeadlineMissed, or a date range after the deadline was set).
    missed = _event("ro-1", "DeadlineMissed", "d-1")
    met = _event("ro-1", "DeadlineMet", "d-1")
    assert [(f.event, f.under) for f in fold_deadlines([missed, met], stream=lambda e: e.stream)] == [
        (missed, []),
        (met, []),
    ]
    # And a reduced victim step (reference only) names no deadline, so it never folds.
    step = Event("vc-1", "DeadlineScheduled", {"victim_ref": "V-1"})
    assert fold_deadlines([step, step], stream=lambda e: e.stream)[1].under == []


def test_the_deadline_events_are_the_schemas() -> None:
    from domain import events as ev

    assert {t for t in ev.PAYLOAD_TYPES if t.startswith("Deadline")} == DEADLINE_EVENTS
    assert all("deadline_id" in ev.PAYLOAD_TYPES[t].model_fields for t in DEADLINE_EVENTS)
