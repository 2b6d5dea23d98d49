"""Custody and resettlement on the time-skipping server: detention and training orders started the way
the relay starts them, run from sentence to completion with real activities and PostgreSQL; and the relay
starting every order kind from a validated court outcome."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from activities.event_store import EventStore
from client.relay import dto_input, start_for_outcome
from domain.court_outcome import DetentionAndTrainingOrderDisposal, validate_court_outcome
from domain.custody import CustodyStep
from tests.workflows.conftest import Harness
from tests.workflows.test_referral_order import events_of, instants, london, of_type, scheduled, skip_to
from tests.workflows.test_remand import reminded_at
from tests.workflows.test_victim_contact import save_golden
from tests.workflows.test_youth_rehabilitation_order import _continued_as_new_count
from workflows.custody import CustodyWorkflow

STEP: TypeAdapter[CustodyStep] = TypeAdapter(CustodyStep)
SENTENCE = date(2027, 1, 4)  # a Monday; 8 months is 243 days, so the half-way point is Wed 5 May 2027


def outcome_body(
    hearing: date,
    disposal: dict[str, Any],
    *,
    born: str = "2011-05-14",
    offence: str = "2026-11-01",
    victims: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:7]
    return {
        "outcome_id": f"LUT-{tag}",
        "yjs": "luton",
        "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
        "hearing_date": hearing.isoformat(),
        "case_reference": f"41CJ{tag}",
        "child": {"id": f"C-{tag}", "given_name": "Sam", "family_name": "Example", "date_of_birth": born},
        "offences": [
            {
                "code": "RB11001",
                "description": "Robbery",
                "offence_date": offence,
                "plea": "guilty",
                "convicted": True,
            }
        ],
        "disposal": disposal,
        "victims": victims or [],
    }


def dto_body(months: int = 8, release_date: str | None = None, **kw: Any) -> dict[str, Any]:
    disposal: dict[str, Any] = {"kind": "detention_and_training_order", "months": months}
    if release_date is not None:
        disposal["release_date"] = release_date
    return outcome_body(SENTENCE, disposal, **kw)


async def open_dto(h: Harness, body: dict[str, Any]) -> WorkflowHandle[Any, Any]:
    """Validate the outcome as intake does and start its workflow as the relay does."""
    await skip_to(h, london(SENTENCE, 11))
    wid, *_ = await start_for_outcome(h.client, validate_court_outcome(body, today=SENTENCE), h.settings.task_queue)
    assert wid.startswith("detention-and-training-order:luton:")
    await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 4)
    return h.client.get_workflow_handle(wid)


async def cstep(handle: WorkflowHandle[Any, Any], **body: Any) -> Any:
    return await handle.execute_update(CustodyWorkflow.record_step, STEP.validate_python({"actor": "carl-yjs", **body}))


async def initial_planning(h: Harness, handle: WorkflowHandle[Any, Any]) -> None:
    await skip_to(h, london(date(2027, 1, 14), 10))
    await cstep(handle, step="initial_planning_held", effective_date="2027-01-14")


async def custody_work(
    h: Harness, handle: WorkflowHandle[Any, Any], *, pre_release_on: date, planned: bool = False
) -> None:
    """The time in custody: the initial planning meeting (unless `planned`), a review, the final review."""
    if not planned:
        await initial_planning(h, handle)
    await skip_to(h, london(date(2027, 3, 24), 10))
    await cstep(handle, step="review_held", effective_date="2027-03-24")
    await skip_to(h, london(pre_release_on, 10))
    await cstep(
        handle, step="pre_release_confirmed", effective_date=pre_release_on.isoformat(), accommodation=True, ete=True
    )


async def release_on_the_day(h: Harness, handle: WorkflowHandle[Any, Any], day: date) -> None:
    """Released first thing; the release-day contact's reminder goes at 09:00 and the contact follows."""
    await skip_to(h, london(day, 8))
    view = await cstep(handle, step="released", effective_date=day.isoformat())
    assert view.custody.status == "released"
    await skip_to(h, london(day, 10))
    events = await events_of(
        h, handle.id, until=lambda ev: of_type(ev, "DeadlineReminderSent", "custody.release_contact")
    )
    assert scheduled(events, "custody.release_contact")["due_date"] == day.isoformat()
    (reminder,) = of_type(events, "DeadlineReminderSent", "custody.release_contact")
    assert reminded_at(events, "custody.release_contact") == [london(day, 9)]
    assert reminder.payload["unconfirmed"] is True
    await cstep(handle, step="release_contact_made", effective_date=day.isoformat())


async def test_eight_month_dto_from_sentence_to_completion(harness: Harness) -> None:
    """An 8-month DTO from Mon 4 Jan 2027: released at the half-way point, Wed 5 May (early and late
    limits a month either side); the final review before release is due Mon 5 Apr, its reminders on
    25 Mar (Good Friday and Easter Monday skipped), 2 Apr and 5 Apr, each flagged unconfirmed; the
    release-day contact is due and reminded on the day; supervision runs to the term's end, Sat 4 Sep."""
    h = harness
    handle = await open_dto(h, dto_body())
    wid = handle.id
    events = await EventStore(h.pool).read_stream(wid)
    made = of_type(events, "CustodialSentenceMade")[0].payload
    assert {k: made[k] for k in ("half_way_date", "earliest_release", "latest_release", "term_end")} == {
        "half_way_date": "2027-05-05",
        "earliest_release": "2027-04-05",
        "latest_release": "2027-06-05",
        "term_end": "2027-09-04",
    }
    assert made["further_supervision"] is False
    assert "date_of_birth" not in made and "offence_date" not in made
    (release,) = of_type(events, "ReleaseDateSet")
    assert (release.payload["release_date"], release.payload["source"]) == ("2027-05-05", "computed")
    assert scheduled(events, "custody.initial_planning")["due_date"] == "2027-01-18"
    assert scheduled(events, "custody.review")["due_date"] == "2027-04-02"  # 4 Apr is a Sunday
    dto_release = scheduled(events, "dto.release")
    assert (dto_release["due_date"], dto_release["reminders"]) == ("2027-05-05", [])
    pre_release = scheduled(events, "custody.pre_release")
    assert pre_release["due_date"] == "2027-04-05"
    expected_reminders = [london(date(2027, 3, 25), 9), london(date(2027, 4, 2), 9), london(date(2027, 4, 5), 9)]
    assert instants(pre_release["reminders"]) == expected_reminders
    assert all(scheduled(events, r)["unconfirmed"] for r in ("custody.initial_planning", "custody.pre_release"))
    assert not dto_release["unconfirmed"]

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await cstep(handle, step="review_held", effective_date="2027-01-04")
    assert "initial planning" in str(refused.value.cause)
    await custody_work(h, handle, pre_release_on=date(2027, 4, 5))
    events = await events_of(h, wid, until=lambda ev: of_type(ev, "DeadlineMet", "custody.pre_release"))
    assert reminded_at(events, "custody.pre_release") == expected_reminders
    reminders = of_type(events, "DeadlineReminderSent")
    assert reminders and all(r.payload["unconfirmed"] for r in reminders)  # every reminder so far is [U]

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await cstep(handle, step="released", effective_date="2027-04-05")
    assert "2027-05-05" in str(refused.value.cause)
    await release_on_the_day(h, handle, date(2027, 5, 5))

    await skip_to(h, london(date(2027, 9, 3), 10))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await cstep(handle, step="completed", effective_date="2027-09-03")
    assert "supervision runs until 2027-09-04" in str(refused.value.cause)
    await skip_to(h, london(date(2027, 9, 4), 10))
    view = await cstep(handle, step="completed", effective_date="2027-09-04")
    assert view.custody.status == "completed"
    assert await handle.result() == "completed"

    events = await EventStore(h.pool).read_stream(wid)
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
    met = {e.payload["rule_id"]: e.payload["late"] for e in of_type(events, "DeadlineMet")}
    assert met == {
        "custody.initial_planning": False,
        "custody.review": False,
        "custody.pre_release": False,
        "dto.release": False,
        "custody.release_contact": False,
    }
    assert not of_type(events, "DeadlineMissed")
    # The review due three months after the last one could no longer happen in custody.
    assert [e.payload["rule_id"] for e in of_type(events, "DeadlineCancelled")] == ["custody.review"]
    assert of_type(events, "CustodyCompleted")[0].payload["completed_date"] == "2027-09-04"
    assert (await EventStore(h.pool).verify(wid)).first_break is None
    save_golden(await handle.fetch_history(), "custody_dto_full_course")


async def test_a_dto_in_weeks_with_remand_gets_the_calculators_dates(harness: Harness) -> None:
    """30 weeks from Mon 4 Jan 2027 with 10 days on remand, as a court sends it: the term's last day is
    Sun 1 Aug (210 days, 105 to release), so HMPPS's calculator releases on Thu 8 Apr (4 Jan + 104 - 10)
    and the term ends Thu 22 Jul; under 8 months there is no early or late release. The opening event
    records the method; the run is a golden history for the patched path."""
    h = harness
    body = outcome_body(SENTENCE, {"kind": "detention_and_training_order", "weeks": 30, "remand_days": 10})
    handle = await open_dto(h, body)
    wid = handle.id
    events = await EventStore(h.pool).read_stream(wid)
    made = of_type(events, "CustodialSentenceMade")[0].payload
    assert {k: made[k] for k in ("weeks", "months", "remand_days", "release_method")} == {
        "weeks": 30,
        "months": None,
        "remand_days": 10,
        "release_method": "hmpps-crds",
    }
    assert (made["half_way_date"], made["earliest_release"], made["latest_release"]) == ("2027-04-08",) * 3
    assert made["term_end"] == "2027-07-23"  # the day after the calculator's SED, 22 Jul
    assert scheduled(events, "dto.release")["due_date"] == "2027-04-08"
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await cstep(
            handle,
            step="release_date_set",
            effective_date="2027-01-04",
            release_date="2027-03-20",
            source="early_release",
        )
    assert "a term of 30 weeks has no early or late release" in str(refused.value.cause)

    await initial_planning(h, handle)
    await release_on_the_day(h, handle, date(2027, 4, 8))
    await skip_to(h, london(date(2027, 7, 22), 10))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await cstep(handle, step="completed", effective_date="2027-07-22")
    assert "supervision runs until 2027-07-23" in str(refused.value.cause)
    await skip_to(h, london(date(2027, 7, 23), 10))
    await cstep(handle, step="completed", effective_date="2027-07-23")
    assert await handle.result() == "completed"
    history = await handle.fetch_history()
    # Started as the relay starts it, on the current baseline: the calculator's method is in force (the
    # opening event says so above) with no patch marker. The saved golden history was recorded before
    # baselines, with the marker, and replays with it.
    markers = [e for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert not any(b"hmpps-release-dates" in e.SerializeToString() for e in markers)
    save_golden(history, "custody_dto_hmpps_weeks_remand")


async def test_the_secure_estates_date_replaces_the_computed_one(harness: Harness) -> None:
    """The secure estate gives Wed 28 Apr 2027 instead of the computed 5 May: the release deadline and
    the final review move with it (due 25 Mar, since 28 Mar is a Sunday and 26 Mar Good Friday), the early
    and late limits move a month either side of the new date, and only the new date can be released on."""
    h = harness
    handle = await open_dto(h, dto_body())
    wid = handle.id
    await initial_planning(h, handle)
    await skip_to(h, london(date(2027, 3, 1), 10))
    view = await cstep(
        handle, step="release_date_set", effective_date="2027-03-01", release_date="2027-04-28", source="secure_estate"
    )
    assert (view.custody.release_date, view.custody.release_point) == (date(2027, 4, 28), date(2027, 4, 28))
    assert (view.custody.earliest_release, view.custody.latest_release) == (date(2027, 3, 28), date(2027, 5, 28))
    assert view.custody.half_way_date == date(2027, 5, 5)  # the computed point stays on record
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 6)
    cancelled = {e.payload["rule_id"] for e in of_type(events, "DeadlineCancelled")}
    assert cancelled == {"dto.release", "custody.pre_release"}
    assert scheduled(events, "dto.release")["due_date"] == "2027-04-28"
    assert scheduled(events, "custody.pre_release")["due_date"] == "2027-03-25"
    secure = of_type(events, "ReleaseDateSet")[-1].payload
    assert (secure["source"], secure["earliest_release"], secure["latest_release"]) == (
        "secure_estate",
        "2027-03-28",
        "2027-05-28",
    )

    with pytest.raises(WorkflowUpdateFailedError) as refused:  # before the moved early-release limit
        await cstep(
            handle,
            step="release_date_set",
            effective_date="2027-03-01",
            release_date="2027-03-26",
            source="early_release",
        )
    assert "no earlier than 2027-03-28" in str(refused.value.cause)
    await custody_work(h, handle, pre_release_on=date(2027, 3, 25), planned=True)
    await release_on_the_day(h, handle, date(2027, 4, 28))
    await skip_to(h, london(date(2027, 9, 4), 10))
    await cstep(handle, step="completed", effective_date="2027-09-04")
    assert await handle.result() == "completed"

    events = await EventStore(h.pool).read_stream(wid)
    (released,) = of_type(events, "DeadlineMet", "dto.release")
    assert (released.payload["due_date"], released.payload["late"]) == ("2027-04-28", False)
    assert not of_type(events, "DeadlineMissed")
    assert (await EventStore(h.pool).verify(wid)).first_break is None


async def test_further_supervision_when_the_child_is_18_at_the_half_way_point(harness: Harness) -> None:
    """Born 1 Mar 2009, sentenced at 17 to 8 months for an offence after 1 Feb 2015, 18 at the half-way
    point: at the term's end s.247 further supervision starts and runs to 12 months after the half-way
    point, 5 May 2028; only then does the order complete. Long enough to continue as new on the way, with
    nothing lost across the seams."""
    h = harness
    body = dto_body(born="2009-03-01")
    outcome = validate_court_outcome(body, today=SENTENCE)
    assert isinstance(outcome.disposal, DetentionAndTrainingOrderDisposal)
    start = dto_input(outcome, outcome.disposal).model_copy(update={"history_limit": 60})
    assert (start.date_of_birth, start.offence_date) == (date(2009, 3, 1), date(2026, 11, 1))
    await skip_to(h, london(SENTENCE, 11))
    handle = await h.client.start_workflow(
        CustodyWorkflow.run,
        start,
        id=f"detention-and-training-order:luton:{outcome.case_reference}:{outcome.child.id}",
        task_queue=h.settings.task_queue,
    )
    wid = handle.id
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 4)
    assert of_type(events, "CustodialSentenceMade")[0].payload["further_supervision"] is True

    await custody_work(h, handle, pre_release_on=date(2027, 4, 5))
    await release_on_the_day(h, handle, date(2027, 5, 5))
    await skip_to(h, london(date(2027, 9, 4), 10))
    view = await cstep(handle, step="completed", effective_date="2027-09-04")
    assert view.custody.status == "further_supervision"
    assert view.custody.further_supervision_ends == date(2028, 5, 5)
    events = await events_of(h, wid, until=lambda ev: of_type(ev, "DeadlineScheduled", "dto.further_supervision"))
    (started,) = of_type(events, "FurtherSupervisionStarted")
    assert (started.payload["starts"], started.payload["ends"]) == ("2027-09-04", "2028-05-05")
    assert scheduled(events, "dto.further_supervision")["due_date"] == "2028-05-05"

    await skip_to(h, london(date(2028, 5, 4), 10))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await cstep(handle, step="completed", effective_date="2028-05-04")
    assert "further supervision runs until 2028-05-05" in str(refused.value.cause)
    await skip_to(h, london(date(2028, 5, 5), 10))
    await cstep(handle, step="completed", effective_date="2028-05-05")
    assert await handle.result() == "completed"

    events = await EventStore(h.pool).read_stream(wid)
    assert [e.stream_version for e in events] == list(range(1, len(events) + 1))
    (ended,) = of_type(events, "DeadlineMet", "dto.further_supervision")
    assert ended.payload["met_on"] == "2028-05-05"
    assert not of_type(events, "DeadlineMissed")
    assert (await EventStore(h.pool).verify(wid)).first_break is None
    assert await _continued_as_new_count(h, wid) >= 1


ORDER_KINDS: list[tuple[str, dict[str, Any], str, str]] = [
    ("referral_order", {"kind": "referral_order", "months": 6}, "referral-order", "ReferralOrder"),
    (
        "youth_rehabilitation_order",
        {
            "kind": "youth_rehabilitation_order",
            "end_date": "2028-01-31",
            "iss": False,
            "requirements": [{"kind": "supervision"}],
        },
        "youth-rehabilitation-order",
        "YouthRehabilitationOrder",
    ),
    (
        "remand",
        {
            "kind": "remand",
            "type": "local_authority_accommodation",
            "next_hearing_date": "2027-02-08",
            "first_remand": True,
            "ctl_start_date": "2027-02-01",
            "ctl_days": 70,
        },
        "remand",
        "Remand",
    ),
    (
        "detention_and_training_order",
        {"kind": "detention_and_training_order", "months": 6, "release_date": "2027-04-30"},
        "detention-and-training-order",
        "CustodyResettlement",
    ),
]


@pytest.mark.parametrize(
    ("disposal", "prefix", "workflow_type"),
    [pytest.param(d, p, t, id=kind) for kind, d, p, t in ORDER_KINDS],
)
async def test_the_relay_starts_each_order_kind_from_a_validated_court_outcome(
    harness: Harness, disposal: dict[str, Any], prefix: str, workflow_type: str
) -> None:
    """Each order kind's outcome starts its own workflow type under the id intake promised, with the
    court outcome recorded first and its victim's contact beside it; relaying it again starts nothing new."""
    h = harness
    hearing = date(2027, 2, 1)
    await skip_to(h, london(hearing, 11))
    body = outcome_body(hearing, disposal, victims=[{"ref": "V-1", "kind": "person", "under_18": False}])
    outcome = validate_court_outcome(body, today=hearing)

    ids = await start_for_outcome(h.client, outcome, h.settings.task_queue)

    wid, contact = ids
    assert wid == f"{prefix}:luton:{outcome.case_reference}:{outcome.child.id}"
    assert contact.startswith("victim-contact:luton:")
    assert (await h.client.get_workflow_handle(wid).describe()).workflow_type == workflow_type
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) >= 1)
    first = events[0]
    assert first.event_type == "CourtOutcomeRecorded"
    assert (first.payload["outcome_id"], first.payload["disposal_kind"]) == (outcome.outcome_id, disposal["kind"])
    assert await start_for_outcome(h.client, outcome, h.settings.task_queue) == ids
    if disposal["kind"] == "detention_and_training_order":
        (release,) = of_type(events, "ReleaseDateSet")
        assert (release.payload["release_date"], release.payload["source"]) == ("2027-04-30", "secure_estate")
    if disposal["kind"] == "remand":
        # 70 days from Mon 1 Feb 2027 is Mon 12 Apr: a working day, so nothing rolls back.
        assert of_type(events, "RemandStarted")[0].payload["ctl_expiry"] == "2027-04-12"


async def test_a_longer_sentence_runs_through_the_same_workflow_on_the_secure_estates_dates(harness: Harness) -> None:
    """A s.250 sentence: no half-way point is computed; the secure estate's release date drives the
    pre-release review and the release, and the release-day contact falls due that day. (The intake
    contract has no disposal kind for s.250/s.254/s.259 yet, so it is started here directly.)"""
    from domain.messages import CustodyInput

    h = harness
    sentence = date(2027, 3, 1)
    release = date(2028, 9, 4)
    await skip_to(h, london(sentence, 11))
    tag = uuid.uuid4().hex[:7]
    handle = await h.client.start_workflow(
        CustodyWorkflow.run,
        CustodyInput(
            outcome_id=f"LUT-{tag}",
            case_reference=f"41CJ{tag}",
            court_kind="crown",
            child_id=f"C-{tag}",
            yjs="luton",
            sentence_date=sentence,
            kind="s250",
            secure_estate_release_date=release,
        ),
        id=f"custodial-sentence:luton:41CJ{tag}:C-{tag}",
        task_queue=h.settings.task_queue,
    )
    events = await events_of(h, handle.id, until=lambda ev: of_type(ev, "DeadlineScheduled", "custody.pre_release"))
    assert scheduled(events, "custody.pre_release")["due_date"] == "2028-08-04"
    assert not of_type(events, "DeadlineScheduled", "dto.release")  # no computed half-way for s.250
    await skip_to(h, london(date(2027, 3, 5), 10))
    await cstep(handle, step="initial_planning_held", effective_date="2027-03-05")
    await skip_to(h, london(release, 10))
    await cstep(handle, step="released", effective_date=release.isoformat())
    events = await events_of(h, handle.id, until=lambda ev: of_type(ev, "DeadlineScheduled", "custody.release_contact"))
    assert scheduled(events, "custody.release_contact")["due_date"] == release.isoformat()
    assert (await EventStore(h.pool).verify(handle.id)).first_break is None
