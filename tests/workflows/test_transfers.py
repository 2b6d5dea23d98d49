"""Order end and hand-over on the time-skipping server: a transfer to another YJS moves the order, its
later events and its open deadlines to the receiving service; a transfer to probation closes it; a
referral order is revoked by the court without a referral back; a DTO tells its victims' contacts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError

from activities import deadline_projection
from activities.audit import deadlines
from activities.event_store import EventStore
from domain.court_outcome import victim_contact_id
from tests.workflows.conftest import Harness
from tests.workflows.test_custody import cstep, custody_work, dto_body, open_dto
from tests.workflows.test_referral_order import CYCLE_RULES, events_of, london, of_type, skip_to, start_order, step
from workflows import search_attributes as sa


async def test_a_referral_order_transferred_to_another_yjs_goes_on_there_then_is_revoked_by_the_court(
    harness: Harness,
) -> None:
    h = harness
    hearing = date(2027, 3, 1)
    await skip_to(h, london(hearing, 11))
    handle = await start_order(h, hearing=hearing)
    wid = handle.id
    await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 2)
    await skip_to(h, london(date(2027, 3, 2), 10))

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await step(handle, step="transferred", effective_date="2027-03-02", to="probation")
    assert "does not pass to probation" in str(refused.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await step(handle, step="transferred", effective_date="2027-03-02", to="yjs", to_yjs="luton")
    assert "already with luton" in str(refused.value.cause)

    view = await step(handle, step="transferred", effective_date="2027-03-02", to="yjs", to_yjs="bedford")
    assert (view.order.yjs, view.order.state) == ("bedford", "order_made")
    await step(handle, step="first_contact_made", effective_date="2027-03-02")

    events = await events_of(h, wid, until=lambda ev: of_type(ev, "DeadlineMet"))
    (moved,) = of_type(events, "OrderTransferred")
    assert moved.payload == {
        "transfer_date": "2027-03-02",
        "to": "yjs",
        "from_yjs": "luton",
        "to_yjs": "bedford",
    }
    assert moved.yjs == "luton"  # recorded by the service handing it over
    after = [e for e in events if e.stream_version > moved.stream_version]
    assert after and {e.yjs for e in after} == {"bedford"}
    assert {e.yjs for e in events if e.stream_version < moved.stream_version} == {"luton"}
    described = await handle.describe()
    assert described.typed_search_attributes.get(sa.SERVICE) == "bedford"

    rows = await deadlines(h.pool, workflow_id=wid)
    assert {(d.rule_id, d.status, d.yjs) for d in rows if d.rule_id not in CYCLE_RULES} == {
        ("ro.first_contact", "met", "bedford"),
        ("ro.initial_panel", "open", "bedford"),
    }
    # Applying the transfer again (a replayed projection) changes nothing.
    async with h.pool.connection() as conn:
        await deadline_projection.apply(conn, moved)
    assert await deadlines(h.pool, workflow_id=wid) == rows

    # The court sentencing a further offence revokes the order, with no referral back.
    view = await step(handle, step="revoked_by_court", effective_date="2027-03-02", reason="court outcome LUT-9")
    assert view.order.state == "revoked"
    assert await handle.result() == "revoked"
    events = await EventStore(h.pool).read_stream(wid)
    (revoked,) = of_type(events, "OrderRevoked")
    assert (revoked.payload["grounds"], revoked.yjs) == ("further_offence", "bedford")
    rows = await deadlines(h.pool, workflow_id=wid)
    assert {d.status for d in rows if d.rule_id == "ro.initial_panel"} == {"cancelled"}
    assert (await EventStore(h.pool).verify(wid)).first_break is None


async def _victim_events(h: Harness, contact: str, until: Any) -> list[Any]:
    return await events_of(h, contact, until=until)


async def test_a_dto_tells_its_victims_contacts_of_release_and_passes_to_probation_at_18(harness: Harness) -> None:
    """Born 14 May 2009, the child is 18 on 14 May 2027: released on 5 May, supervision passes to
    probation only from the birthday; the victim's contact hears of the release."""
    h = harness
    body = dto_body(born="2009-05-14", victims=[{"ref": "V-1", "kind": "person", "under_18": False}])
    handle = await open_dto(h, body)
    wid = handle.id
    contact = victim_contact_id("luton", body["case_reference"], body["child"]["id"], "V-1")

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await cstep(handle, step="transferred", effective_date="2027-01-04", to="probation")
    assert "only supervision after release" in str(refused.value.cause)
    await custody_work(h, handle, pre_release_on=date(2027, 4, 5))
    await skip_to(h, london(date(2027, 5, 5), 8))
    await cstep(handle, step="released", effective_date="2027-05-05")
    told = await _victim_events(h, contact, lambda ev: of_type(ev, "OrderMilestoneReceived"))
    (milestone,) = of_type(told, "OrderMilestoneReceived")
    assert (milestone.payload["milestone"], milestone.payload["order_id"]) == ("released", wid)

    await skip_to(h, london(date(2027, 5, 13), 10))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await cstep(handle, step="transferred", effective_date="2027-05-13", to="probation")
    assert "turns 18 on 2027-05-14" in str(refused.value.cause)
    await skip_to(h, london(date(2027, 5, 14), 10))
    view = await cstep(handle, step="transferred", effective_date="2027-05-14", to="probation")
    assert view.custody.status == "transferred_to_probation"
    assert await handle.result() == "transferred_to_probation"
    rows = await deadlines(h.pool, workflow_id=wid)
    assert "open" not in {d.status for d in rows}
    assert (await EventStore(h.pool).verify(wid)).first_break is None


async def test_a_dto_transferred_to_another_yjs_moves_its_open_deadlines(harness: Harness) -> None:
    h = harness
    handle = await open_dto(h, dto_body())
    wid = handle.id
    await skip_to(h, london(date(2027, 1, 5), 10))
    view = await cstep(handle, step="transferred", effective_date="2027-01-05", to="yjs", to_yjs="bedford")
    assert (view.custody.yjs, view.custody.status) == ("bedford", "in_custody")
    events = await EventStore(h.pool).read_stream(wid)
    assert of_type(events, "OrderTransferred")
    rows = await deadlines(h.pool, workflow_id=wid)
    assert rows and {d.yjs for d in rows if d.status == "open"} == {"bedford"}
    assert (await handle.describe()).typed_search_attributes.get(sa.SERVICE) == "bedford"
    await handle.terminate("test over")
