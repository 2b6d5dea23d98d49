"""A victim added to a running order (court feeds seldom carry victims): the order records `VictimAdded`,
starts the victim's contact under the id an outcome's victim gets, and treats the victim as its own from
then on. Real workflows on the time-skipping server, real activities and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.court_outcome import victim_contact_id
from tests.workflows.conftest import Harness
from tests.workflows.test_custody import SENTENCE, cstep, dto_body, open_dto
from tests.workflows.test_referral_order import events_of, london, of_type, skip_to, step
from tests.workflows.test_remand import YDA, open_remand, remand_outcome, rstep
from tests.workflows.test_victim_contact import open_case, save_golden, vstep


def contact_of(order_id: str, ref: str) -> str:
    _, yjs, case, child = order_id.split(":")
    return victim_contact_id(yjs, case, child, ref)


async def test_a_victim_added_to_a_referral_order_gets_a_contact_whose_views_reach_the_order(harness: Harness) -> None:
    h = harness
    order, contacts = await open_case(h, date(2027, 3, 1), [])
    assert contacts == []
    await skip_to(h, london(date(2027, 3, 3), 10))
    view = await step(order, step="victim_added", effective_date="2027-03-03", victim_ref="V-ADD", under_18=True)
    assert view.order.victim_refs == ("V-ADD",)
    contact = h.client.get_workflow_handle(contact_of(order.id, "V-ADD"))
    events = await events_of(h, contact.id, until=lambda ev: of_type(ev, "VictimContactOpened"))
    (opened,) = of_type(events, "VictimContactOpened")
    assert opened.payload["victim_ref"] == "V-ADD" and opened.payload["under_18"] is True
    (added,) = of_type(await events_of(h, order.id), "VictimAdded")
    assert added.actor == "alice" and added.payload["added_date"] == "2027-03-03"

    with pytest.raises(WorkflowUpdateFailedError) as again:
        await step(order, step="victim_added", effective_date="2027-03-03", victim_ref="V-ADD")
    assert "V-ADD is already a victim on this order" in str(again.value.cause)

    # The added victim is the order's own: their consent to the panel reaches it as their views.
    await vstep(contact, step="victim_worker_allocated", effective_date="2027-03-03", victim_worker="vera-worker")
    await vstep(contact, step="details_received", effective_date="2027-03-03")
    await vstep(contact, step="suitability_decided", effective_date="2027-03-03", invite=True)
    await vstep(contact, step="contacted", effective_date="2027-03-03", channel="phone")
    await vstep(
        contact, step="informed_choice_given", effective_date="2027-03-03", options_explained=["panel_participation"]
    )
    await vstep(
        contact,
        step="consent_recorded",
        effective_date="2027-03-03",
        option="panel_participation",
        given_by="parent_or_guardian",
        how="in_person",
        consented=True,
    )
    order_events = await events_of(h, order.id, until=lambda ev: of_type(ev, "DeadlineMet", "ro.victim_views"))
    assert [e.payload["victim_ref"] for e in of_type(order_events, "VictimViewsRecorded")] == ["V-ADD"]
    save_golden(await order.fetch_history(), "referral_order_victim_added")


async def test_a_victim_added_to_a_remand_gets_a_contact_linked_to_it(harness: Harness) -> None:
    h = harness
    body = remand_outcome(
        date(2027, 3, 1),
        type=YDA,
        next_hearing_date="2027-03-08",
        first_remand=True,
        ctl_start_date="2027-03-01",
        ctl_days=56,
    )
    remand = await open_remand(h, body)
    await rstep(remand, step="victim_added", effective_date="2027-03-01", victim_ref="V-R1", victim_kind="organisation")
    contact_id = contact_of(remand.id, "V-R1")
    events = await events_of(h, contact_id, until=lambda ev: of_type(ev, "VictimContactOpened"))
    (opened,) = of_type(events, "VictimContactOpened")
    assert opened.payload["victim_kind"] == "organisation"
    assert opened.payload["linked_order_id"] == remand.id


async def test_a_victim_of_violence_added_to_a_years_dto_is_owed_a_vcs_referral_from_sentence(harness: Harness) -> None:
    """Victims' Code Right 11, as for an outcome's victim: the referral is due 10 working days after the
    sentence, however late the victim is added."""
    h = harness
    dto = await open_dto(h, dto_body(months=12))
    await cstep(
        dto, step="victim_added", effective_date=SENTENCE.isoformat(), victim_ref="V-D1", violent_or_sexual=True
    )
    contact_id = contact_of(dto.id, "V-D1")
    events = await events_of(h, contact_id, until=lambda ev: of_type(ev, "DeadlineScheduled", "victim.vcs_referral"))
    (opened,) = of_type(events, "VictimContactOpened")
    assert opened.payload["vcs_referral_needed"] is True and opened.payload["sentence_date"] == SENTENCE.isoformat()
