"""Court outcomes acting on running orders, through intake and the relay, on the time-skipping server with
real activities and PostgreSQL: intake checks the order's stream (no Temporal needed), the relay delivers
the outcome once as the order's `record_step` Update, keeps one the order refuses at delivery for
correction, and starts the sentence a remand ends in."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any

from psycopg.types.json import Jsonb
from pydantic import TypeAdapter

from activities.event_store import EventStore
from activities.intake import receive_value
from activities.rejected_reads import list_rejected
from client.relay import relay_pending, start_for_outcome
from domain.calendar import WorkingCalendar
from domain.court_outcome import validate_court_outcome
from domain.events import COURT_INTAKE
from domain.remand import RemandStep
from tests.workflows.conftest import Harness
from tests.workflows.test_referral_order import events_of, london, of_type, scheduled, skip_to
from tests.workflows.test_remand import YDA, open_remand, remand_outcome
from tests.workflows.test_youth_rehabilitation_order import ystep
from workflows.custody import CustodyWorkflow
from workflows.remand import RemandWorkflow
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

HEARING = date(2027, 1, 4)  # a Monday
COURT_DAY = date(2027, 1, 20)
RemandStepAdapter: TypeAdapter[RemandStep] = TypeAdapter(RemandStep)


def yro_outcome(hearing: date) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:7]
    return {
        "outcome_id": f"LUT-{tag}-1",
        "yjs": "luton",
        "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
        "hearing_date": hearing.isoformat(),
        "case_reference": f"41CJ{tag}",
        "child": {"id": f"C-{tag}", "given_name": "Sam", "family_name": "Example", "date_of_birth": "2011-05-14"},
        "offences": [
            {
                "code": "TH68010",
                "description": "Theft from a shop",
                "offence_date": "2026-12-01",
                "plea": "guilty",
                "convicted": True,
            }
        ],
        "disposal": {
            "kind": "youth_rehabilitation_order",
            "end_date": "2027-12-31",
            "requirements": [{"kind": "supervision"}],
            "iss": False,
        },
        "victims": [],
    }


def acting_outcome(order: dict[str, Any], hearing: date, **disposal: Any) -> dict[str, Any]:
    """A later outcome for the same case and child, acting on the order `order` started."""
    return {
        **order,
        "outcome_id": f"{order['outcome_id']}-{uuid.uuid4().hex[:4]}",
        "hearing_date": hearing.isoformat(),
        "disposal": disposal,
        "victims": [],
    }


async def yro_in_breach(h: Harness) -> tuple[dict[str, Any], Any]:
    """A YRO started as the relay starts it, a failure without excuse and information laid (13 Jan)."""
    body = yro_outcome(HEARING)
    await skip_to(h, london(HEARING, 11))
    (wid,) = await start_for_outcome(h.client, validate_court_outcome(body, today=HEARING), h.settings.task_queue)
    await events_of(h, wid, until=lambda ev: of_type(ev, "DeadlineScheduled"))
    handle = h.client.get_workflow_handle(wid)
    await skip_to(h, london(date(2027, 1, 13), 10))
    await ystep(handle, step="appointment_missed", effective_date="2027-01-11")
    await ystep(handle, step="absence_explained", effective_date="2027-01-12", acceptable=False)
    view = await ystep(handle, step="breach_laid", effective_date="2027-01-13", reason="serious failure")
    assert view.order.state == "breach_laid"
    return body, handle


async def inbox_row(h: Harness, outcome_id: str) -> dict[str, Any]:
    async with h.pool.connection() as conn:
        row = await (await conn.execute("SELECT * FROM inbox WHERE outcome_id = %s", (outcome_id,))).fetchone()
    assert row is not None
    return dict(row)


async def test_a_breach_outcome_is_delivered_once_as_the_orders_update(harness: Harness) -> None:
    h = harness
    order, handle = await yro_in_breach(h)
    await skip_to(h, london(COURT_DAY, 15))
    body = acting_outcome(order, COURT_DAY, kind="breach_outcome", order_ref=handle.id, decision="fine")

    result = await receive_value(h.pool, body, received_by="court-clerk", today=COURT_DAY)

    assert result.status == "accepted", result.errors
    assert result.workflow_ids == [handle.id]
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    events = await events_of(h, handle.id, until=lambda ev: of_type(ev, "CourtBreachOutcome"))
    (outcome,) = of_type(events, "CourtBreachOutcome")
    assert outcome.payload["decision"] == "fine"
    assert (outcome.actor, outcome.reason) == (COURT_INTAKE, f"court outcome {body['outcome_id']}")
    assert outcome.effective_at == london(COURT_DAY, 0)
    view = await handle.query(YouthRehabilitationOrderWorkflow.view)
    assert view.order.state == "order_made"  # back from court; no first appointment yet
    row = await inbox_row(h, body["outcome_id"])
    assert (row["relay_status"], row["last_error"]) == ("started", None)

    # The relay stopped after the Update but before marking the row: delivered again, nothing new recorded.
    async with h.pool.connection() as conn:
        await conn.execute("UPDATE inbox SET relay_status = 'pending' WHERE outcome_id = %s", (body["outcome_id"],))
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    events = await EventStore(h.pool).read_stream(handle.id)
    assert len(of_type(events, "CourtBreachOutcome")) == 1
    # A re-delivery of the outcome is a duplicate, not checked again against the order it changed.
    again = await receive_value(h.pool, body, received_by="court-clerk", today=COURT_DAY)
    assert (again.status, again.workflow_ids) == ("duplicate", [handle.id])


async def test_an_outcome_the_order_refuses_at_delivery_is_kept_for_correction(harness: Harness) -> None:
    """Intake accepted the court's decision on the breach; before the relay delivered it, a worker recorded
    the same hearing's outcome by hand. The order refuses the second: nothing is recorded, the inbox row
    says why, the outcome is in the rejected list, and a corrected one under the same id is accepted."""
    h = harness
    order, handle = await yro_in_breach(h)
    await skip_to(h, london(COURT_DAY, 15))
    body = acting_outcome(order, COURT_DAY, kind="breach_outcome", order_ref=handle.id, decision="continue")
    assert (await receive_value(h.pool, body, received_by="court-clerk", today=COURT_DAY)).status == "accepted"
    await ystep(handle, step="court_breach_outcome", effective_date=COURT_DAY.isoformat(), decision="continue")
    before = await EventStore(h.pool).read_stream(handle.id)

    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 0

    row = await inbox_row(h, body["outcome_id"])
    assert row["relay_status"] == "refused"
    assert "court_breach_outcome refused: the order is order_made" in row["last_error"]
    (kept,) = await list_rejected(h.pool, outcome_id=body["outcome_id"])
    assert kept["body"] == body
    (error,) = kept["errors"]
    assert (error["field"], error["rule"]) == ("disposal", "disposal.refused_by_order_at_delivery")
    assert error["message"].startswith("accepted at intake, but refused when delivered to the order")
    assert "breach_laid" in error["message"]
    assert await EventStore(h.pool).read_stream(handle.id) == before
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 0  # not retried

    # Sent again as it was, intake refuses it now, with the order's reason.
    again = await receive_value(h.pool, body, received_by="court-clerk", today=COURT_DAY)
    assert again.status == "rejected"
    assert [(e.field, e.rule) for e in again.errors] == [("disposal", "disposal.refused_by_order")]
    # A second breach goes to court; the corrected outcome under the same id takes the refused row's place.
    await skip_to(h, london(date(2027, 2, 3), 10))
    await ystep(handle, step="appointment_missed", effective_date="2027-02-01")
    await ystep(handle, step="absence_explained", effective_date="2027-02-02", acceptable=False)
    await ystep(handle, step="breach_laid", effective_date="2027-02-03", reason="second failure")
    fixed = {**body, "hearing_date": "2027-02-03", "disposal": {**body["disposal"], "decision": "fine"}}
    assert (await receive_value(h.pool, fixed, received_by="court-clerk", today=date(2027, 2, 3))).status == "accepted"
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    row = await inbox_row(h, body["outcome_id"])
    assert (row["relay_status"], row["body"], row["last_error"]) == ("started", fixed, None)
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "CourtBreachOutcome")) == 2)
    assert [e.actor for e in of_type(events, "CourtBreachOutcome")] == ["rob-officer", COURT_INTAKE]


async def test_intake_refuses_from_the_stream_an_order_that_cannot_take_the_outcome(harness: Harness) -> None:
    """No Temporal call at intake: the order's stream says what it can take."""
    h = harness
    body = yro_outcome(HEARING)
    await skip_to(h, london(HEARING, 11))
    (wid,) = await start_for_outcome(h.client, validate_court_outcome(body, today=HEARING), h.settings.task_queue)
    await events_of(h, wid, until=lambda ev: of_type(ev, "DeadlineScheduled"))

    cases: list[tuple[dict[str, Any], set[tuple[str, str]], str]] = [
        (
            {"kind": "breach_outcome", "order_ref": wid, "decision": "continue"},
            {("disposal", "disposal.refused_by_order")},
            "court_breach_outcome refused: the order is order_made; this step needs it to be breach_laid",
        ),
        (
            {"kind": "breach_outcome", "order_ref": wid.replace("41CJ", "41CX"), "decision": "continue"},
            {("disposal.order_ref", "disposal.order_ref.no_such_order")},
            "no order has this order_ref",
        ),
        (
            {"kind": "order_extended", "order_ref": wid, "new_end_date": "2030-02-01"},
            {("disposal", "disposal.refused_by_order")},
            "a YRO must end within 3 years of being made",
        ),
        (
            {"kind": "order_extended", "order_ref": wid, "extension_months": 2},
            {
                ("disposal.extension_months", "order_extended.field_not_for_order"),
                ("disposal.new_end_date", "required"),
            },
            "give new_end_date",
        ),
        (
            {"kind": "remand_ended", "order_ref": wid, "how": "bail"},
            {("disposal.order_ref", "remand_ended.order_kind")},
            "remand_ended outcomes act on a remand",
        ),
    ]
    for disposal, expected, says in cases:
        result = await receive_value(
            h.pool, acting_outcome(body, HEARING, **disposal), received_by="court-clerk", today=HEARING
        )
        assert result.status == "rejected", disposal
        assert {(e.field, e.rule) for e in result.errors} == expected, result.errors
        assert any(says in e.message for e in result.errors), result.errors

    other_child = acting_outcome(body, HEARING, kind="order_revoked", order_ref=wid, grounds="further_offence")
    other_child["child"] = {**body["child"], "id": "C-someone-else"}
    result = await receive_value(h.pool, other_child, received_by="court-clerk", today=HEARING)
    assert [(e.field, e.rule) for e in result.errors] == [("child.id", "disposal.order_ref.same_child")]

    revoked = acting_outcome(body, HEARING, kind="order_revoked", order_ref=wid, grounds="further_offence")
    assert (await receive_value(h.pool, revoked, received_by="court-clerk", today=HEARING)).status == "accepted"
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    handle = h.client.get_workflow_handle(wid)
    assert await handle.result() == "revoked"
    # Once revoked, the order takes nothing more: intake reads that from the stream too.
    late = acting_outcome(body, HEARING, kind="order_extended", order_ref=wid, new_end_date="2028-01-31")
    result = await receive_value(h.pool, late, received_by="court-clerk", today=HEARING)
    (error,) = result.errors
    assert error.message == (
        "the order cannot take it: order_amended refused: the order is revoked; nothing more can be recorded on it"
    )
    # Delivered again after the order closed (the relay stopped before marking it): started, not refused.
    async with h.pool.connection() as conn:
        await conn.execute("UPDATE inbox SET relay_status = 'pending' WHERE outcome_id = %s", (revoked["outcome_id"],))
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    assert (await inbox_row(h, revoked["outcome_id"]))["relay_status"] == "started"


async def test_a_remand_ended_by_conviction_starts_the_sentence_linked_to_it(harness: Harness) -> None:
    h = harness
    remand_body = remand_outcome(
        date(2027, 3, 8),
        type="youth_detention_accommodation",
        next_hearing_date="2027-03-16",
        first_remand=True,
        ctl_start_date="2027-03-08",
        ctl_days=56,
    )
    remand = await open_remand(h, remand_body)
    await skip_to(h, london(date(2027, 3, 16), 15))
    offences = [{**remand_body["offences"][0], "convicted": True}]
    body = {
        **acting_outcome(
            remand_body,
            date(2027, 3, 16),
            kind="remand_ended",
            order_ref=remand.id,
            how="convicted_and_sentenced",
            sentence={"kind": "detention_and_training_order", "months": 8},
        ),
        "offences": offences,
    }

    result = await receive_value(h.pool, body, received_by="court-clerk", today=date(2027, 3, 16))

    assert result.status == "accepted", result.errors
    sentence_id = remand.id.replace("remand:", "detention-and-training-order:")
    assert result.workflow_ids == [remand.id, sentence_id]
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    assert await remand.result() == "ended"
    (ended,) = of_type(await EventStore(h.pool).read_stream(remand.id), "RemandEnded")
    assert ended.payload == {
        "how": "convicted_and_sentenced",
        "ended_on": "2027-03-16",
        "sentence_order_id": sentence_id,
    }
    assert ended.actor == COURT_INTAKE
    view = await remand.query(RemandWorkflow.view)
    assert view.remand.sentence_order_id == sentence_id
    assert not [d for d in view.deadlines if d.status == "open"]

    events = await events_of(h, sentence_id, until=lambda ev: of_type(ev, "ReleaseDateSet"))
    made = of_type(events, "CourtOutcomeRecorded")[0].payload
    assert (made["outcome_id"], made["disposal_kind"], made["hearing_date"]) == (
        body["outcome_id"],
        "detention_and_training_order",
        "2027-03-16",
    )
    sentence = await h.client.get_workflow_handle(sentence_id).query(CustodyWorkflow.view)
    assert (sentence.custody.months, sentence.custody.sentence_date) == (8, date(2027, 3, 16))

    # A second sentence of the same kind for the case and child is refused: that order exists.
    again = {**body, "outcome_id": f"{body['outcome_id']}-b"}
    refused = await receive_value(h.pool, again, received_by="court-clerk", today=date(2027, 3, 16))
    assert ("disposal.sentence", "remand_ended.sentence_order_exists") in {(e.field, e.rule) for e in refused.errors}


def further_remand(first: dict[str, Any], hearing: date, **disposal: Any) -> dict[str, Any]:
    """A later hearing's remand outcome for the same case and child as `first`."""
    return {
        **first,
        "outcome_id": f"{first['outcome_id']}-{uuid.uuid4().hex[:4]}",
        "hearing_date": hearing.isoformat(),
        "disposal": {"kind": "remand", **disposal},
    }


async def test_a_further_remand_outcome_renews_the_running_remand(harness: Harness) -> None:
    """Remanded to YDA on 8 Mar 2027 (56-day CTL to Fri 30 Apr); the court remands again on 18 Mar,
    re-sending the same limit, and on 15 Apr, sending the case to the Crown Court with a 182-day limit.
    Each further remand comes through intake and the relay as the same workflow's `remand_renewed`, with
    the court as actor; the running limit is kept, the new one counted on the calendar (rolled back)."""
    h = harness
    first = remand_outcome(
        date(2027, 3, 8),
        type=YDA,
        next_hearing_date="2027-03-18",
        first_remand=True,
        ctl_start_date="2027-03-08",
        ctl_days=56,
    )
    handle = await open_remand(h, first)
    day = date(2027, 3, 18)
    await skip_to(h, london(day, 15))
    body = further_remand(
        first,
        day,
        type=YDA,
        next_hearing_date="2027-04-15",
        first_remand=False,
        ctl_start_date="2027-03-08",
        ctl_days=56,
    )

    result = await receive_value(h.pool, body, received_by="court-clerk", today=day)

    assert result.status == "accepted", result.errors
    assert (result.workflow_ids, result.warnings) == ([handle.id], [])  # 27 clear days: within the later limit
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    events = await events_of(
        h, handle.id, until=lambda ev: of_type(ev, "DeadlineScheduled", "remand.next_hearing_later")
    )
    (renewed,) = of_type(events, "RemandRenewed")
    assert (renewed.actor, renewed.reason) == (COURT_INTAKE, f"court outcome {body['outcome_id']}")
    assert renewed.effective_at == london(day, 0)
    assert renewed.payload["next_hearing_date"] == "2027-04-15"
    assert renewed.payload["ctl_expiry"] == "2027-04-30"  # the same limit runs on
    assert of_type(events, "DeadlineMet", "remand.next_hearing")
    assert scheduled(events, "remand.next_hearing_later")["due_date"] == "2027-04-16"
    assert len(of_type(events, "DeadlineScheduled", "remand.ctl")) == 1  # not restarted
    row = await inbox_row(h, body["outcome_id"])
    assert (row["relay_status"], row["workflow_ids"], row["last_error"]) == ("started", [handle.id], None)

    # Relayed again (the relay stopped before marking the row) or re-delivered: nothing new.
    async with h.pool.connection() as conn:
        await conn.execute("UPDATE inbox SET relay_status = 'pending' WHERE outcome_id = %s", (body["outcome_id"],))
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    assert len(of_type(await EventStore(h.pool).read_stream(handle.id), "RemandRenewed")) == 1
    again = await receive_value(h.pool, body, received_by="court-clerk", today=day)
    assert (again.status, again.workflow_ids) == ("duplicate", [handle.id])
    # The first outcome relayed again is still the remand's start, not a renewal of itself.
    async with h.pool.connection() as conn:
        await conn.execute(
            "INSERT INTO inbox (outcome_id, received_by, body, workflow_ids) VALUES (%s, 'court-clerk', %s, %s)",
            (first["outcome_id"], Jsonb(first), [handle.id]),
        )
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    assert len(of_type(await EventStore(h.pool).read_stream(handle.id), "RemandRenewed")) == 1

    # Sent to the Crown Court: a new 182-day limit from 8 Mar, its 182nd day Tue 7 Sep is counted as is.
    day = date(2027, 4, 15)
    await skip_to(h, london(day, 15))
    crown = further_remand(
        first,
        day,
        type=YDA,
        next_hearing_date="2027-05-13",
        first_remand=False,
        ctl_start_date="2027-03-08",
        ctl_days=182,
    )
    assert (await receive_value(h.pool, crown, received_by="court-clerk", today=day)).status == "accepted"
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 1
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "RemandRenewed")) == 2)
    second = of_type(events, "RemandRenewed")[1]
    expiry = WorkingCalendar.england_and_wales().ctl_expiry(date(2027, 3, 8), 182)
    assert (second.payload["ctl_days"], second.payload["ctl_expiry"]) == (182, expiry.isoformat())
    assert second.actor == COURT_INTAKE
    view = await handle.query(RemandWorkflow.view)
    assert view.remand.ctl_expiry == expiry


async def test_a_further_remand_of_an_ended_remand_is_refused_at_intake_and_kept(harness: Harness) -> None:
    h = harness
    first = remand_outcome(
        date(2027, 3, 8),
        type=YDA,
        next_hearing_date="2027-03-16",
        first_remand=True,
        ctl_start_date="2027-03-08",
        ctl_days=56,
    )
    handle = await open_remand(h, first)
    day = date(2027, 3, 16)
    await skip_to(h, london(day, 10))
    await handle.execute_update(
        RemandWorkflow.record_step,
        RemandStepAdapter.validate_python(
            {"step": "remand_ended", "actor": "reema-yjs", "effective_date": day.isoformat(), "how": "bail"}
        ),
    )
    assert await handle.result() == "ended"
    before = await EventStore(h.pool).read_stream(handle.id)
    body = further_remand(
        first,
        day,
        type=YDA,
        next_hearing_date="2027-04-13",
        first_remand=False,
        ctl_start_date="2027-03-08",
        ctl_days=56,
    )

    result = await receive_value(h.pool, body, received_by="court-clerk", today=day)

    assert result.status == "rejected"
    (error,) = result.errors
    assert (error.field, error.rule) == ("disposal", "disposal.refused_by_order")
    assert "remand_renewed refused: the remand has ended" in error.message
    (kept,) = await list_rejected(h.pool, outcome_id=body["outcome_id"])
    assert kept["body"] == body and kept["errors"] == [error.model_dump()]
    assert await relay_pending(h.pool, h.client, h.settings.task_queue) == 0
    assert await EventStore(h.pool).read_stream(handle.id) == before


async def test_two_remands_of_one_case_ingested_together_start_once_and_renew_once(harness: Harness) -> None:
    """Both hearings' remands arrive before the relay runs (a bulk file): the first starts the remand,
    the second is its renewal, never a second start that would be lost. If the remand has not recorded
    its opening when the renewal is relayed, the renewal waits (kept pending) and is delivered after."""
    h = harness
    day = date(2027, 5, 10)
    await skip_to(h, london(day, 15))
    first = remand_outcome(
        day - timedelta(days=7),
        type=YDA,
        next_hearing_date=day.isoformat(),
        first_remand=True,
        ctl_start_date=(day - timedelta(days=7)).isoformat(),
        ctl_days=56,
    )
    second = further_remand(
        first,
        day,
        type=YDA,
        next_hearing_date="2027-06-01",
        first_remand=False,
        ctl_start_date=first["disposal"]["ctl_start_date"],
        ctl_days=56,
    )
    a = await receive_value(h.pool, first, received_by="court-clerk", today=day)
    b = await receive_value(h.pool, second, received_by="court-clerk", today=day)
    assert a.status == b.status == "accepted"
    remand_id = a.workflow_ids[0]
    assert b.workflow_ids == [remand_id]  # the second acts on the first's remand

    async def relayed() -> bool:
        await relay_pending(h.pool, h.client, h.settings.task_queue)
        async with h.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT count(*) AS n FROM inbox WHERE outcome_id = ANY(%s) AND relay_status = 'started'",
                ([first["outcome_id"], second["outcome_id"]],),
            )
            row = await cur.fetchone()
        return row is not None and row["n"] == 2

    for _ in range(50):
        if await relayed():
            break
        await asyncio.sleep(0.1)
    events = await events_of(h, remand_id, until=lambda ev: of_type(ev, "RemandRenewed"))
    assert len(of_type(events, "RemandStarted")) == 1
    (renewed,) = of_type(events, "RemandRenewed")
    assert renewed.reason == f"court outcome {second['outcome_id']}"
