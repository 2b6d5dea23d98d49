"""The referral order workflow on the time-skipping server, with real activities and PostgreSQL.

"20 working days later" takes milliseconds, so reminders, misses and escalations are checked on the
exact dates the calendar gives, across Christmas 2026, Easter 2027 and the 2023 coronation.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from activities.event_store import EventStore
from domain.events import RecordedEvent
from domain.messages import ReferralOrderInput, ReferralOrderView
from tests.workflows.conftest import Harness
from workflows.referral_order import ReferralOrderWorkflow

LONDON = ZoneInfo("Europe/London")
HISTORIES = Path(__file__).parent.parent / "histories"


def london(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=LONDON)


async def skip_to(h: Harness, when: datetime) -> None:
    now = await h.env.get_current_time()
    if when > now:
        await h.env.sleep(when - now)


async def start_order(
    h: Harness,
    *,
    hearing: date,
    months: int = 6,
    victims: tuple[str, ...] = (),
    child: str | None = None,
    task_queue: str | None = None,
    memo: dict[str, Any] | None = None,
) -> WorkflowHandle[Any, Any]:
    child = child or f"C-{uuid.uuid4().hex[:6]}"
    wid = f"referral-order:luton:41CJ{uuid.uuid4().hex[:7]}:{child}"
    return await h.client.start_workflow(
        ReferralOrderWorkflow.run,
        ReferralOrderInput(
            outcome_id=f"LUT-{uuid.uuid4().hex[:8]}",
            case_reference="41CJ1234526",
            court_kind="youth",
            child_id=child,
            yjs="luton",
            hearing_date=hearing,
            months=months,
            victim_refs=list(victims),
        ),
        id=wid,
        task_queue=task_queue or h.settings.task_queue,
        memo=memo,
    )


async def events_of(h: Harness, wid: str, *, until: Any = None, timeout: float = 20.0) -> list[RecordedEvent]:
    """The stream's events, polling until `until(events)` holds (activities finish asynchronously)."""
    store = EventStore(h.pool)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        events = await store.read_stream(wid)
        if until is None or until(events):
            return events
        if asyncio.get_running_loop().time() > deadline:
            types = [e.event_type for e in events]
            raise AssertionError(f"condition not reached for {wid}; events so far: {types}")
        await asyncio.sleep(0.1)


# The casework cycle's clocks (domain.casework_cycle) run on every order; a test of a kind's own deadlines
# counts without them unless it names one of their rules.
CYCLE_RULES = frozenset(
    {
        "assessment.initial",
        "oversight.countersign",
        "plan.initial",
        "review.significant_change",
        "oversight.allocation",
        "oversight.risk_rise",
        "oversight.closure",
    }
)


def of_type(events: list[RecordedEvent], event_type: str, rule_id: str | None = None) -> list[RecordedEvent]:
    return [
        e
        for e in events
        if e.event_type == event_type
        and (e.payload.get("rule_id") not in CYCLE_RULES if rule_id is None else e.payload.get("rule_id") == rule_id)
    ]


def scheduled(events: list[RecordedEvent], rule_id: str) -> dict[str, Any]:
    (e,) = of_type(events, "DeadlineScheduled", rule_id)[-1:]
    return e.payload


def instants(values: list[str]) -> list[datetime]:
    return [datetime.fromisoformat(v).astimezone(LONDON) for v in values]


async def step(handle: WorkflowHandle[Any, Any], **body: Any) -> ReferralOrderView:
    from pydantic import TypeAdapter

    from domain.referral_order import ReferralOrderStep

    return await handle.execute_update(
        ReferralOrderWorkflow.record_step,
        TypeAdapter(ReferralOrderStep).validate_python({"actor": "alice", **body}),
    )


async def test_an_order_opens_with_its_deadlines_in_one_activity_and_one_transaction(harness: Harness) -> None:
    """The order's opening events and the deadlines they start are appended together: one activity
    (no record_events before it) and one transaction, so no reader ever sees an order without them."""
    h = harness
    await skip_to(h, london(date(2027, 3, 1)))
    handle = await start_order(h, hearing=date(2027, 3, 1))
    events = await events_of(h, handle.id, until=lambda es: bool(of_type(es, "DeadlineScheduled")))
    opened = [e for e in events if e.event_type != "DeadlineScheduled"]
    assert "ReferralOrderMade" in [e.event_type for e in opened]
    activities = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        async for e in handle.fetch_history_events()
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    assert activities[:1] == ["schedule_deadlines"], activities
    first_scheduled = next(e.stream_version for e in events if e.event_type == "DeadlineScheduled")
    async with h.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(DISTINCT transaction_id) AS n FROM events WHERE stream_id = %s AND stream_version <= %s",
            (handle.id, first_scheduled),
        )
        row = await cur.fetchone()
    assert row is not None and row["n"] == 1


async def test_a_step_sent_as_the_order_starts_is_recorded_after_its_opening(harness: Harness) -> None:
    """An Update that reaches a new run in its first activation runs before the run's main function:
    the step waits for the opening, so the stream still starts with the court's events."""
    h = harness
    await skip_to(h, london(date(2027, 3, 1)))
    queue = f"yjflow-early-{uuid.uuid4().hex[:6]}"  # no worker polls it yet
    handle = await start_order(h, hearing=date(2027, 3, 1), task_queue=queue)
    early = asyncio.create_task(step(handle, step="first_contact_made", effective_date="2027-03-01"))
    await asyncio.sleep(1.0)  # the Update waits at the server with the start: one first activation
    from worker import create_worker

    async with create_worker(h.client, h.pool, h.settings.model_copy(update={"task_queue": queue})):
        await early
        events = await events_of(h, handle.id, until=lambda es: bool(of_type(es, "FirstContactMade")))
    types = [e.event_type for e in events]
    assert types.index("ReferralOrderMade") < types.index("FirstContactMade"), types
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))


async def test_deadlines_across_christmas_reminders_miss_escalation_and_late_panel(harness: Harness) -> None:
    """An order made on 14 Dec 2026 has its initial panel due 14 Jan 2027 (Christmas, Boxing Day substitute
    and New Year skipped); reminders land on 7, 13 and 14 Jan at 09:00, the miss is recorded at the end of
    14 Jan and escalated at 09:00 on 15 Jan; a panel held on 18 Jan meets it 4 days late."""
    h = harness
    await skip_to(h, london(date(2026, 12, 14)))
    handle = await start_order(h, hearing=date(2026, 12, 14), victims=("V-1",))
    wid = handle.id
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 3)
    assert scheduled(events, "ro.first_contact")["due_date"] == "2026-12-21"
    initial = scheduled(events, "ro.initial_panel")
    assert initial["due_date"] == "2027-01-14"
    assert scheduled(events, "ro.victim_views")["due_date"] == "2027-01-14"
    assert instants(initial["reminders"]) == [
        london(date(2027, 1, 7), 9),
        london(date(2027, 1, 13), 9),
        london(date(2027, 1, 14), 9),
    ]
    assert initial["rule_pack_version"] and initial["calendar_version"]

    await skip_to(h, london(date(2026, 12, 16), 15))
    await step(handle, step="first_contact_made", effective_date="2026-12-16")

    await skip_to(h, london(date(2027, 1, 15), 12))
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineEscalated", "ro.initial_panel")) == 1)
    met = of_type(events, "DeadlineMet", "ro.first_contact")
    assert met and met[0].payload["late"] is False
    reminders = of_type(events, "DeadlineReminderSent", "ro.initial_panel")
    assert [datetime.fromisoformat(r.payload["reminder_at"]).astimezone(LONDON) for r in reminders] == [
        london(date(2027, 1, 7), 9),
        london(date(2027, 1, 13), 9),
        london(date(2027, 1, 14), 9),
    ]
    (missed,) = of_type(events, "DeadlineMissed", "ro.initial_panel")
    assert missed.effective_at == london(date(2027, 1, 15), 0)
    (escalated,) = of_type(events, "DeadlineEscalated", "ro.initial_panel")
    assert escalated.effective_at == london(date(2027, 1, 15), 9)
    assert escalated.payload["recipient"] == "managers:luton"

    await skip_to(h, london(date(2027, 1, 18), 16))
    view = await step(handle, step="initial_panel_held", effective_date="2027-01-18", contract_signed_date="2027-01-18")
    assert view.order.state == "contract_agreed"
    assert view.order.compliance_end == date(2027, 7, 18)
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 6)
    (panel_met,) = of_type(events, "DeadlineMet", "ro.initial_panel")
    assert panel_met.payload["late"] is True and panel_met.payload["days_late"] == 4
    assert scheduled(events, "ro.progress_panel")["due_date"] == "2027-04-16"  # 18 Apr is a Sunday
    assert scheduled(events, "ro.progress_panel")["period_end"] == "2027-04-18"
    assert scheduled(events, "ro.end")["due_date"] == "2027-07-18"  # a date the law fixes is never moved
    assert scheduled(events, "ro.final_panel")["due_date"] == "2027-07-16"

    async with h.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT rule_id, status, days_late FROM deadlines WHERE stream_id = %s ORDER BY rule_id", (wid,)
        )
        rows = {r["rule_id"]: (r["status"], r["days_late"]) for r in await cur.fetchall()}
    assert rows["ro.initial_panel"] == ("missed", 4)
    assert rows["ro.first_contact"] == ("met", 0)
    assert rows["ro.progress_panel"][0] == "open"
    report = await EventStore(h.pool).verify(wid)
    assert report.first_break is None


async def test_easter_2027_first_contact_missed_and_escalated_in_bst(harness: Harness) -> None:
    """An order made on Fri 19 Mar 2027 has first contact due Tue 30 Mar (Good Friday and Easter Monday
    skipped); the miss is escalated at 09:00 BST on 31 Mar, and weekly after that while still open."""
    h = harness
    await skip_to(h, london(date(2027, 3, 19), 11))
    handle = await start_order(h, hearing=date(2027, 3, 19))
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 2)
    assert scheduled(events, "ro.first_contact")["due_date"] == "2027-03-30"
    assert scheduled(events, "ro.initial_panel")["due_date"] == "2027-04-20"
    await skip_to(h, london(date(2027, 4, 8), 12))
    events = await events_of(
        h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineEscalated", "ro.first_contact")) == 2
    )
    first, second = of_type(events, "DeadlineEscalated", "ro.first_contact")
    assert first.effective_at == london(date(2027, 3, 31), 9)
    assert first.effective_at.astimezone(UTC).hour == 8  # 09:00 BST
    assert second.effective_at == first.effective_at + timedelta(days=7)
    # The 09:00 reminder on the order day had already passed when the order arrived: not sent late.
    # "1 working day before" 30 Mar is Thu 25 Mar, over Good Friday and Easter Monday.
    sent = of_type(events, "DeadlineReminderSent", "ro.first_contact")
    assert [r.payload["reminder_at"][:10] for r in sent] == ["2027-03-25", "2027-03-30"]


async def test_outcome_loaded_after_its_deadlines_records_misses_at_once(harness: Harness) -> None:
    """A 2023 order loaded today does not hang: its deadlines (counted around the 8 May 2023 coronation)
    are recorded as missed at once and escalated once each, with no back-dated reminders."""
    h = harness
    handle = await start_order(h, hearing=date(2023, 5, 2), victims=("V-9",))
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineEscalated")) == 3, timeout=30)
    assert scheduled(events, "ro.first_contact")["due_date"] == "2023-05-10"
    assert scheduled(events, "ro.initial_panel")["due_date"] == "2023-06-01"
    assert len(of_type(events, "DeadlineMissed")) == 3
    assert of_type(events, "DeadlineReminderSent") == []
    view = await handle.query(ReferralOrderWorkflow.view)
    assert {d.status for d in view.deadlines if d.rule_id not in CYCLE_RULES} == {"missed"}


async def test_steps_out_of_order_or_out_of_law_are_refused_and_record_nothing(harness: Harness) -> None:
    """A progress panel before the initial panel, a future date, and a 4-month extension are refused
    with the reason, and the stream is unchanged."""
    h = harness
    await skip_to(h, london(date(2027, 2, 1)))
    handle = await start_order(h, hearing=date(2027, 2, 1), months=10)
    before = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 2)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await step(handle, step="progress_panel_held", effective_date="2027-02-01")
    assert "the order is order_made" in str(refused.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as future:
        await step(handle, step="first_contact_made", effective_date="2027-03-01")
    assert "in the future" in str(future.value.cause)
    await skip_to(h, london(date(2027, 2, 10)))
    await step(handle, step="initial_panel_held", effective_date="2027-02-10", contract_signed_date="2027-02-10")
    await step(
        handle,
        step="referred_back_to_court",
        effective_date="2027-02-10",
        grounds="breach",
        reason="no attendance",
    )
    with pytest.raises(WorkflowUpdateFailedError) as too_long:
        await step(handle, step="court_decision", effective_date="2027-02-10", decision="extend", extension_months=3)
    assert "may not exceed 12 months" in str(too_long.value.cause)
    after = await EventStore(h.pool).read_stream(handle.id)
    assert len(after) > len(before)  # the valid steps were recorded …
    assert not of_type(after, "OrderExtended")  # … the refused one was not


async def full_course(h: Harness, *handles: WorkflowHandle[Any, Any]) -> None:
    """Run orders started on 4 January 2027 (3 months) through their whole course, each step to each
    order alike: first contact, initial panel, a referral back for good progress refused by the court (the
    3-month bar enforced), an extension, the final panel and completion; each ends with every deadline
    met or cancelled and its chain verified."""

    async def each(**body: Any) -> list[ReferralOrderView]:
        return [await step(handle, **body) for handle in handles]

    await skip_to(h, london(date(2027, 1, 6)))
    await each(step="case_worker_allocated", effective_date="2027-01-06", case_worker="alice")
    await each(step="first_contact_made", effective_date="2027-01-06")
    await skip_to(h, london(date(2027, 1, 20)))
    await each(step="initial_panel_held", effective_date="2027-01-20", contract_signed_date="2027-01-20")
    await skip_to(h, london(date(2027, 2, 22)))
    await each(
        step="referred_back_to_court",
        effective_date="2027-02-22",
        grounds="revocation_good_progress",
        reason="excellent progress",
    )
    await each(step="revocation_refused", effective_date="2027-02-22")
    for handle in handles:
        with pytest.raises(WorkflowUpdateFailedError) as barred:
            await step(
                handle,
                step="referred_back_to_court",
                effective_date="2027-02-22",
                grounds="revocation_good_progress",
                reason="again",
            )
        assert "s.102(4)" in str(barred.value.cause)
    await skip_to(h, london(date(2027, 3, 1)))
    await each(step="progress_panel_held", effective_date="2027-03-01")
    await each(
        step="referred_back_to_court",
        effective_date="2027-03-01",
        grounds="breach",
        reason="missed sessions",
    )
    views = await each(
        step="court_decision",
        effective_date="2027-03-01",
        decision="extend",
        extension_months=2,
        reason="court extended by 2 months",
    )
    assert {view.order.compliance_end for view in views} == {date(2027, 6, 20)}
    await skip_to(h, london(date(2027, 6, 14)))
    await each(step="final_panel_held", effective_date="2027-06-14", discharged=True)
    await skip_to(h, london(date(2027, 6, 21)))
    await each(step="order_completed", effective_date="2027-06-21")
    for handle in handles:
        assert await handle.result() == "completed"
        events = await EventStore(h.pool).read_stream(handle.id)
        types = [e.event_type for e in events]
        for expected in (
            "ReferralOrderMade",
            "FirstContactMade",
            "ContractSigned",
            "RevocationRefused",
            "OrderExtended",
            "FinalPanelHeld",
            "OrderCompleted",
        ):
            assert expected in types
        statuses = {d.deadline_id: d.status for d in (await handle.query(ReferralOrderWorkflow.view)).deadlines}
        assert "open" not in statuses.values()
        assert (await EventStore(h.pool).verify(handle.id)).first_break is None


def keep_golden_history(history: Any, name: str) -> None:
    """A golden history: written once, then replayed by CI forever (tests/workflows/test_replay.py)."""
    HISTORIES.mkdir(exist_ok=True)
    target = HISTORIES / name
    if not target.exists():
        target.write_text(json.dumps(json.loads(history.to_json()), indent=1))


async def test_referral_order_runs_from_court_outcome_to_completion(harness: Harness) -> None:
    """An order runs its whole course (`full_course`)."""
    h = harness
    await skip_to(h, london(date(2027, 1, 4)))
    handle = await start_order(h, hearing=date(2027, 1, 4), months=3)
    await full_course(h, handle)
    # referral_order_full_course.json is the same course recorded before a step's events and its
    # deadlines were appended by one activity; both are replayed by CI.
    keep_golden_history(await handle.fetch_history(), "referral_order_recorded_with_its_deadlines.json")


async def test_a_closure_entered_late_cancels_misses_that_fell_due_after_it(harness: Harness) -> None:
    """An order revoked on 6 Jan but recorded in February: its first contact (due 11 Jan) and initial
    panel (due 1 Feb) were marked missed meanwhile, but were never owed, so closing cancels them."""
    h = harness
    await skip_to(h, london(date(2027, 1, 4)))
    handle = await start_order(h, hearing=date(2027, 1, 4))
    await skip_to(h, london(date(2027, 2, 20)))
    await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineMissed")) == 2)
    await step(
        handle, step="revoked_by_court", effective_date="2027-01-06", reason="custodial sentence for a further offence"
    )
    assert await handle.result() == "revoked"
    async with h.pool.connection() as conn:
        cur = await conn.execute("SELECT rule_id, status FROM deadlines WHERE stream_id = %s", (handle.id,))
        statuses = {r["rule_id"]: r["status"] for r in await cur.fetchall() if r["rule_id"] not in CYCLE_RULES}
    assert statuses == {"ro.first_contact": "cancelled", "ro.initial_panel": "cancelled"}


async def test_no_progress_panel_is_owed_past_the_end_and_a_further_conviction_extends(harness: Harness) -> None:
    """A 3-month order: the progress panel the contract would start falls due on the day the order ends,
    so it is cancelled at once with the reason; a court sentencing a further offence then extends the
    order without a referral back (Sch 4 paras 13–16); a step dated before the panel it follows is refused."""
    h = harness
    await skip_to(h, london(date(2027, 1, 4)))
    handle = await start_order(h, hearing=date(2027, 1, 4), months=3)
    await skip_to(h, london(date(2027, 1, 20)))
    await step(handle, step="initial_panel_held", effective_date="2027-01-20", contract_signed_date="2027-01-20")
    events = await events_of(h, handle.id, until=lambda ev: of_type(ev, "DeadlineCancelled", "ro.progress_panel"))
    (cancelled,) = of_type(events, "DeadlineCancelled", "ro.progress_panel")
    assert "after the compliance period ends on 2027-04-20" in cancelled.payload["why"]
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await step(handle, step="contract_varied", effective_date="2027-01-19", summary="more reparation")
    assert "before contract_signed on 2027-01-20" in str(early.value.cause)
    await skip_to(h, london(date(2027, 2, 10)))
    view = await step(
        handle, step="extended_by_court", effective_date="2027-02-10", extension_months=4, reason="court outcome"
    )
    assert view.order.compliance_end == date(2027, 8, 20)
    types = [e.event_type for e in await EventStore(h.pool).read_stream(handle.id)]
    at = types.index("ExtendedOnFurtherConviction")
    assert types[at + 1] == "OrderExtended"
    history = await handle.fetch_history()
    target = HISTORIES / "referral_order_progress_panel_within_order.json"
    if not target.exists():  # a golden history: written once, then replayed by CI forever
        target.write_text(json.dumps(json.loads(history.to_json()), indent=1))
