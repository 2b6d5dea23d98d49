"""The remand workflow on the time-skipping server, started the way the relay starts it, with real
activities and PostgreSQL: a remand to youth detention accommodation from the court to its end, a bail
remand with no looked-after clocks, and a clear-day breach flagged at intake and in the stream."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from activities.event_store import EventStore
from activities.intake import receive_value
from client.relay import relay_pending, start_for_outcome
from domain.court_outcome import validate_court_outcome
from domain.events import COURT_INTAKE
from domain.remand import RemandStep
from tests.workflows.conftest import Harness, make_harness
from tests.workflows.test_referral_order import CYCLE_RULES, events_of, instants, london, of_type, scheduled, skip_to
from tests.workflows.test_victim_contact import save_golden
from workflows.remand import RemandWorkflow

STEP: TypeAdapter[RemandStep] = TypeAdapter(RemandStep)
YDA = "youth_detention_accommodation"


def remand_outcome(hearing: date, **disposal: Any) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:7]
    return {
        "outcome_id": f"LUT-{tag}",
        "yjs": "luton",
        "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
        "hearing_date": hearing.isoformat(),
        "case_reference": f"41CJ{tag}",
        "child": {"id": f"C-{tag}", "given_name": "Sam", "family_name": "Example", "date_of_birth": "2011-05-14"},
        "offences": [
            {
                "code": "RB11001",
                "description": "Robbery",
                "offence_date": "2027-02-20",
                "plea": "not_guilty",
                "convicted": False,
            }
        ],
        "disposal": {"kind": "remand", **disposal},
    }


async def open_remand(h: Harness, body: dict[str, Any]) -> WorkflowHandle[Any, Any]:
    """Validate the outcome as intake does and start its workflow as the relay does."""
    hearing = date.fromisoformat(body["hearing_date"])
    await skip_to(h, london(hearing, 11))
    outcome = validate_court_outcome(body, today=hearing)
    wid, *_ = await start_for_outcome(h.client, outcome, h.settings.task_queue)
    assert wid.startswith("remand:luton:")
    await events_of(h, wid, until=lambda ev: of_type(ev, "RemandStarted"))
    return h.client.get_workflow_handle(wid)


async def rstep(handle: WorkflowHandle[Any, Any], **body: Any) -> Any:
    return await handle.execute_update(RemandWorkflow.record_step, STEP.validate_python({"actor": "reema-yjs", **body}))


def reminded_at(events: list[Any], rule_id: str) -> list[datetime]:
    return instants([e.payload["reminder_at"] for e in of_type(events, "DeadlineReminderSent", rule_id)])


async def test_remand_to_youth_detention_from_court_to_its_end(harness: Harness) -> None:
    """Remanded to YDA on Mon 8 Mar 2027 (first remand, 56-day CTL, back in 9 clear days): the breach of
    the 8-clear-day limit is flagged; LAC review 1 is due on 7 Apr (20 working days, Good Friday and Easter
    Monday skipped); the first social-worker visit is due within a week; the CTL's 56th day, Mon 3 May, is
    the Early May bank holiday, so the expiry rolls back over it and the weekend to Fri 30 Apr, with
    reminders on 23, 29 and 30 Apr. Renewed twice, visited, reviewed, then bailed on the expiry day."""
    h = harness
    handle = await open_remand(
        h,
        remand_outcome(
            date(2027, 3, 8),
            type=YDA,
            next_hearing_date="2027-03-18",
            first_remand=True,
            ctl_start_date="2027-03-08",
            ctl_days=56,
        ),
    )
    wid = handle.id
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 4)
    assert [e.event_type for e in events[:3]] == ["CourtOutcomeRecorded", "RemandStarted", "NextHearingLimitBreached"]
    started = of_type(events, "RemandStarted")[0].payload
    assert started["looked_after"] is True
    assert started["ctl_expiry"] == "2027-04-30"  # counted once at intake, on the working calendar
    breach = of_type(events, "NextHearingLimitBreached")[0].payload
    assert breach == {
        "remand_date": "2027-03-08",
        "limit_clear_days": 8,
        "latest_lawful_date": "2027-03-17",
        "court_date": "2027-03-18",
    }
    assert scheduled(events, "remand.lac_review_1")["due_date"] == "2027-04-07"
    assert scheduled(events, "remand.sw_first_visit")["due_date"] == "2027-03-15"
    assert scheduled(events, "remand.next_hearing")["due_date"] == "2027-03-17"
    ctl = scheduled(events, "remand.ctl")
    assert (ctl["due_date"], ctl["period_end"]) == ("2027-04-30", "2027-05-03")
    assert instants(ctl["reminders"]) == [london(date(2027, 4, d), 9) for d in (23, 29, 30)]
    view = await handle.query(RemandWorkflow.view)
    assert (view.status, view.looked_after) == (YDA, True)

    await skip_to(h, london(date(2027, 3, 12), 10))
    await rstep(handle, step="social_worker_visit_made", effective_date="2027-03-12")

    # The court sat a day past the limit: the check was missed at the end of the 17th, and the renewal
    # meets it a day late. A later remand in custody may run 28 clear days.
    await skip_to(h, london(date(2027, 3, 18), 10))
    view = await rstep(
        handle, step="remand_renewed", effective_date="2027-03-18", type=YDA, next_hearing_date="2027-04-15"
    )
    assert view.remand.first_remand is True and view.remand.remanded_in_custody_before is True
    events = await events_of(h, wid, until=lambda ev: of_type(ev, "DeadlineScheduled", "remand.next_hearing_later"))
    (renewed,) = of_type(events, "RemandRenewed")
    assert renewed.payload["first_custodial_remand"] is False
    assert renewed.payload["ctl_expiry"] == "2027-04-30"  # the same limit runs on
    (check_met,) = of_type(events, "DeadlineMet", "remand.next_hearing")
    assert (check_met.payload["late"], check_met.payload["days_late"]) == (True, 1)
    assert of_type(events, "DeadlineMissed", "remand.next_hearing")
    assert scheduled(events, "remand.next_hearing_later")["due_date"] == "2027-04-16"
    assert len(of_type(events, "NextHearingLimitBreached")) == 1  # 27 clear days is within the later limit

    await skip_to(h, london(date(2027, 4, 7), 10))
    await rstep(handle, step="lac_review_held", effective_date="2027-04-07")
    await skip_to(h, london(date(2027, 4, 15), 10))
    await rstep(handle, step="remand_renewed", effective_date="2027-04-15", type=YDA, next_hearing_date="2027-04-30")
    await skip_to(h, london(date(2027, 4, 22), 10))
    await rstep(handle, step="social_worker_visit_made", effective_date="2027-04-22")

    await skip_to(h, london(date(2027, 4, 30), 10))
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineReminderSent", "remand.ctl")) == 3)
    assert reminded_at(events, "remand.ctl") == [london(date(2027, 4, d), 9) for d in (23, 29, 30)]
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await rstep(handle, step="ctl_extended", effective_date="2027-04-30", new_expiry="2027-05-28")
    assert "court's reason" in str(refused.value.cause)
    view = await rstep(handle, step="remand_ended", effective_date="2027-04-30", how="bail")
    assert view.status == "ended" and view.looked_after is False
    assert await handle.result() == "ended"

    events = await EventStore(h.pool).read_stream(wid)
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
    (review_met,) = of_type(events, "DeadlineMet", "remand.lac_review_1")
    assert review_met.payload["late"] is False
    assert scheduled(events, "remand.lac_review_2")["due_date"] == "2027-07-07"
    assert [m.payload["late"] for m in of_type(events, "DeadlineMet", "remand.sw_first_visit")] == [False]
    assert [m.payload["late"] for m in of_type(events, "DeadlineMet", "remand.sw_visit")] == [False]
    assert len(of_type(events, "RemandRenewed")) == 2
    assert not of_type(events, "DeadlineMissed", "remand.ctl")
    cancelled = {e.payload["rule_id"] for e in of_type(events, "DeadlineCancelled")}
    assert {"remand.ctl", "remand.lac_review_2", "remand.sw_visit"} <= cancelled
    # The hearing that ended the remand is the one the clear-day check was waiting for: met, not cancelled.
    assert of_type(events, "DeadlineMet", "remand.next_hearing_later")
    (ended,) = of_type(events, "RemandEnded")
    assert ended.payload["how"] == "bail" and ended.actor == "reema-yjs"
    assert (await EventStore(h.pool).verify(wid)).first_break is None
    save_golden(await handle.fetch_history(), "remand_youth_detention_full_course")


async def test_bail_remand_runs_no_looked_after_clocks(harness: Harness) -> None:
    """Bail with support: the child is not looked after, so no LAC reviews, visits, CTL or clear-day
    check run, even with the next hearing four weeks off; a LAC review is refused with the reason, and
    an acquittal ends the remand."""
    h = harness
    handle = await open_remand(
        h,
        remand_outcome(date(2027, 6, 7), type="bail_with_support", next_hearing_date="2027-07-05", first_remand=True),
    )
    events = await EventStore(h.pool).read_stream(handle.id)
    assert [e.event_type for e in events][:2] == ["CourtOutcomeRecorded", "RemandStarted"]
    assert {e.event_type for e in events[2:]} <= {"CaseworkCycleStarted", "DeadlineScheduled"}
    assert {e.payload["rule_id"] for e in events if e.event_type == "DeadlineScheduled"} <= CYCLE_RULES
    started = events[1].payload
    assert started["looked_after"] is False and started["ctl_expiry"] is None
    view = await handle.query(RemandWorkflow.view)
    own = [d for d in view.deadlines if d.rule_id not in CYCLE_RULES]
    assert (view.status, view.looked_after, own) == ("on_bail", False, [])

    await skip_to(h, london(date(2027, 6, 14), 10))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await rstep(handle, step="lac_review_held", effective_date="2027-06-14")
    assert "on bail" in str(refused.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await rstep(handle, step="ctl_extended", effective_date="2027-06-14", new_expiry="2027-08-01", reason="r")
    assert "no custody time limit" in str(refused.value.cause)

    await skip_to(h, london(date(2027, 7, 5), 15))
    await rstep(handle, step="remand_ended", effective_date="2027-07-05", how="acquitted")
    assert await handle.result() == "ended"
    events = await EventStore(h.pool).read_stream(handle.id)
    remand_events = [
        e.event_type
        for e in events
        if e.event_type != "CaseworkCycleStarted" and e.payload.get("rule_id") not in CYCLE_RULES
    ]
    assert remand_events == ["CourtOutcomeRecorded", "RemandStarted", "RemandEnded"]
    assert (await EventStore(h.pool).verify(handle.id)).first_break is None


async def test_a_clear_day_breach_is_accepted_and_flagged_at_intake_and_in_the_stream(fresh_database_url: str) -> None:
    """The contract table says the validator enforces the clear-day limits; the issue says a breach is
    flagged at intake. The court has decided and the child is held, so intake accepts the outcome (202)
    with a warning naming the field and rule, and the relay starts the remand, whose stream records
    `NextHearingLimitBreached`. A re-delivery gets the same warning."""
    async with make_harness(fresh_database_url) as h:
        hearing = date(2027, 10, 1)
        await skip_to(h, london(hearing, 11))
        body = remand_outcome(
            hearing,
            type="local_authority_accommodation",
            next_hearing_date="2027-10-11",  # 9 clear days after a first remand in custody
            first_remand=True,
            ctl_start_date="2027-10-01",
            ctl_days=70,
        )

        result = await receive_value(h.pool, body, received_by="court-clerk", today=hearing)

        assert result.status == "accepted", result.errors
        (warning,) = result.warnings
        assert (warning.field, warning.rule) == (
            "disposal.next_hearing_date",
            "remand.first_custodial_remand_8_clear_days",
        )
        # What the API sends with the 202 (client/api.py dumps the result without its errors).
        sent = result.model_dump(mode="json", exclude={"errors"})
        assert sent["warnings"] == [warning.model_dump()]
        again = await receive_value(h.pool, body, received_by="court-clerk", today=hearing)
        assert again.status == "duplicate" and again.warnings == result.warnings

        assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
        (wid,) = result.workflow_ids
        events = await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 4)
        (flag,) = of_type(events, "NextHearingLimitBreached")
        assert (flag.payload["latest_lawful_date"], flag.payload["court_date"]) == ("2027-10-10", "2027-10-11")
        assert flag.actor == COURT_INTAKE
        # 70 days from 1 Oct is Fri 10 Dec: a working day, so the expiry stays put.
        assert of_type(events, "RemandStarted")[0].payload["ctl_expiry"] == "2027-12-10"
        assert scheduled(events, "remand.ctl")["due_date"] == "2027-12-10"
