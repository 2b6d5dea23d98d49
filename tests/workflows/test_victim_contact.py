"""Victims' restorative-justice contact on the time-skipping server, started by the relay from a court
outcome, linked to the child's referral order, with real activities and PostgreSQL."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter
from structlog.testing import capture_logs
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from activities.event_store import EventStore
from activities.users import User
from activities.victim_details import VictimDetailsStore
from client.relay import start_for_outcome
from domain.access import Role
from domain.court_outcome import validate_court_outcome
from domain.victim_contact import RjOption, VictimContactStep
from domain.victim_details import VictimDetails
from tests.workflows.conftest import Harness
from tests.workflows.test_referral_order import HISTORIES, events_of, london, of_type, scheduled, skip_to, step
from workflows.victim_contact import VictimContactWorkflow

STEP: TypeAdapter[VictimContactStep] = TypeAdapter(VictimContactStep)
VICTIM_NAME = "Veronica Quillfeather"


def save_golden(history: Any, name: str) -> None:
    """A golden history: written once, then replayed by CI against every later change."""
    target = HISTORIES / f"{name}.json"
    if not target.exists():
        target.write_text(json.dumps(json.loads(history.to_json()), indent=1))


def outcome(hearing: date, victims: list[dict[str, Any]]) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:7]
    return {
        "outcome_id": f"LUT-{tag}",
        "yjs": "luton",
        "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
        "hearing_date": hearing.isoformat(),
        "case_reference": f"41CJ{tag}",
        "child": {"id": f"C-{tag}", "given_name": "Sam", "family_name": "Example", "date_of_birth": "2010-05-14"},
        "offences": [
            {
                "code": "TH68010",
                "description": "Theft",
                "offence_date": "2026-09-01",
                "plea": "guilty",
                "convicted": True,
            }
        ],
        "disposal": {"kind": "referral_order", "months": 6},
        "victims": victims,
    }


async def open_case(
    h: Harness, hearing: date, victims: list[dict[str, Any]]
) -> tuple[WorkflowHandle[Any, Any], list[WorkflowHandle[Any, Any]]]:
    """Start the order and its victims' contacts the way the relay does, from a validated outcome."""
    await skip_to(h, london(hearing, 11))
    validated = validate_court_outcome(outcome(hearing, victims), today=hearing)
    order_id, *contact_ids = await start_for_outcome(h.client, validated, h.settings.task_queue)
    order = h.client.get_workflow_handle(order_id)
    contacts = [h.client.get_workflow_handle(c) for c in contact_ids]
    for c in contact_ids:
        await events_of(h, c, until=lambda ev: len(of_type(ev, "VictimContactOpened")) == 1)
    return order, contacts


async def vstep(handle: WorkflowHandle[Any, Any], **body: Any) -> Any:
    return await handle.execute_update(
        VictimContactWorkflow.record_step, STEP.validate_python({"actor": "vera-worker", **body})
    )


async def first_steps(h: Harness, contact: WorkflowHandle[Any, Any], day: date, *, option: str) -> None:
    """Allocated, details in, invited, contacted, informed choice, consent to `option`, risk assessed."""
    d = day.isoformat()
    await vstep(contact, step="victim_worker_allocated", effective_date=d, victim_worker="vera-worker")
    await vstep(contact, step="details_received", effective_date=d)
    await vstep(contact, step="suitability_decided", effective_date=d, invite=True)
    await vstep(contact, step="contacted", effective_date=d, channel="phone")
    await vstep(contact, step="informed_choice_given", effective_date=d, options_explained=[o.value for o in RjOption])
    await vstep(
        contact,
        step="consent_recorded",
        effective_date=d,
        option=option,
        given_by="victim",
        how="in_person",
        consented=True,
    )
    await vstep(contact, step="risk_assessed", effective_date=d, outcome="proceed")


async def test_shuttle_mediation_from_court_outcome_to_closure(harness: Harness) -> None:
    """A victim goes from the court outcome through informed choice, consent, risk assessment,
    preparation with both parties, two rounds of shuttle messages, delivery, conclusion and feedback to a
    completed closure; the RJ-information deadline is met and every step is an event with its actor."""
    h = harness
    _, (contact,) = await open_case(h, date(2027, 2, 1), [{"ref": "V-SHUTTLE", "kind": "person", "under_18": False}])
    await skip_to(h, london(date(2027, 2, 3), 10))
    await first_steps(h, contact, date(2027, 2, 3), option="shuttle_mediation")
    await skip_to(h, london(date(2027, 2, 10), 10))
    for s in (
        {"step": "preparation_meeting_held", "with_party": "victim"},
        {"step": "preparation_meeting_held", "with_party": "child"},
        {"step": "shuttle_message_relayed", "direction": "victim_to_child"},
        {"step": "shuttle_message_relayed", "direction": "child_to_victim"},
        {"step": "intervention_delivered", "option": "shuttle_mediation"},
        {"step": "conclusion_notified"},
        {"step": "feedback_recorded", "satisfied": True},
        {"step": "closed", "outcome": "completed"},
    ):
        await vstep(contact, effective_date="2027-02-10", **s)
    assert await contact.result() == "completed"
    events = await EventStore(h.pool).read_stream(contact.id)
    types = [e.event_type for e in events]
    assert types.count("ShuttleMessageRelayed") == 2
    assert "ContactClosed" in types
    (met,) = of_type(events, "DeadlineMet", "victim.rj_information")
    assert met.payload["late"] is False
    assert {e.actor for e in events if e.event_type == "ShuttleMessageRelayed"} == {"vera-worker"}
    assert (await EventStore(h.pool).verify(contact.id)).first_break is None
    save_golden(await contact.fetch_history(), "victim_contact_shuttle_mediation")
    # The same course as recorded since rounds count a message each way (two messages: one round).
    relayed = [e.payload for e in events if e.event_type == "ShuttleMessageRelayed"]
    assert [(p["message"], p["round"]) for p in relayed] == [(1, 1), (2, 1)]
    save_golden(await contact.fetch_history(), "victim_contact_shuttle_one_round")


async def test_a_letter_explained_consented_and_delivered_in_date_order(harness: Harness) -> None:
    """The informed choice names the options explained (two, then one more); consent to an option not
    explained, a risk assessment dated before the consent and feedback dated before the conclusion was
    told are each refused with nothing recorded; the contact then completes in date order."""
    h = harness
    _, (contact,) = await open_case(h, date(2027, 4, 5), [{"ref": "V-LETTER", "kind": "person", "under_18": False}])
    await skip_to(h, london(date(2027, 4, 20), 10))
    for day, s in (
        ("2027-04-06", {"step": "details_received"}),
        ("2027-04-07", {"step": "suitability_decided", "invite": True}),
        ("2027-04-08", {"step": "contacted", "channel": "phone"}),
        ("2027-04-09", {"step": "informed_choice_given",
                        "options_explained": ["information_only", "panel_participation"]}),
        ("2027-04-12", {"step": "informed_choice_given", "options_explained": ["letter_of_explanation"]}),
        ("2027-04-13", {"step": "consent_recorded", "option": "letter_of_explanation", "given_by": "victim",
                        "how": "phone", "consented": True}),
    ):  # fmt: skip
        await vstep(contact, effective_date=day, **s)
    before = await EventStore(h.pool).read_stream(contact.id)
    for day, s, why in (
        ("2027-04-13", {"step": "consent_recorded", "option": "direct_conference", "given_by": "victim",
                        "how": "phone", "consented": True}, "direct_conference was not explained"),
        ("2027-04-12", {"step": "risk_assessed", "outcome": "proceed"},
         "effective date 2027-04-12 is before the first consent it depends on was given (2027-04-13)"),
    ):  # fmt: skip
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await vstep(contact, effective_date=day, **s)
        assert why in str(refused.value.cause)
    assert await EventStore(h.pool).read_stream(contact.id) == before
    for day, s in (
        ("2027-04-14", {"step": "risk_assessed", "outcome": "proceed"}),
        ("2027-04-16", {"step": "intervention_delivered", "option": "letter_of_explanation"}),
        ("2027-04-17", {"step": "conclusion_notified"}),
    ):
        await vstep(contact, effective_date=day, **s)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await vstep(contact, effective_date="2027-04-16", step="feedback_recorded", satisfied=True)
    assert "before the victim was told the work had concluded (2027-04-17)" in str(refused.value.cause)
    await vstep(contact, effective_date="2027-04-18", step="feedback_recorded", satisfied=True)
    await vstep(contact, effective_date="2027-04-18", step="closed", outcome="completed")
    assert await contact.result() == "completed"
    explained = [e.payload["options_explained"] for e in await EventStore(h.pool).read_stream(contact.id)
                 if e.event_type == "InformedChoiceGiven"]  # fmt: skip
    assert explained == [["information_only", "panel_participation"], ["letter_of_explanation"]]
    save_golden(await contact.fetch_history(), "victim_contact_letter_in_date_order")


async def test_views_given_when_sought_meet_the_orders_victim_views(harness: Harness) -> None:
    """Views recorded on the contact (views_sought, views given) reach the referral order's panel without
    any restorative consent; support asked for and signposted, and consent to contact, are recorded."""
    h = harness
    order, (contact,) = await open_case(h, date(2027, 6, 1), [{"ref": "V-VIEWS", "kind": "person", "under_18": False}])
    await skip_to(h, london(date(2027, 6, 3), 10))
    for s in (
        {"step": "details_received"},
        {"step": "suitability_decided", "invite": True},
        {"step": "contacted", "channel": "phone"},
        {"step": "contact_consent_recorded", "consented": True},
        {"step": "support_requested"},
        {"step": "support_signposted"},
        {"step": "views_sought", "views_given": True, "before_planning": True},
    ):
        await vstep(contact, effective_date="2027-06-02", **s)
    order_events = await events_of(h, order.id, until=lambda ev: of_type(ev, "DeadlineMet", "ro.victim_views"))
    (views,) = of_type(order_events, "VictimViewsRecorded")
    assert views.payload["victim_ref"] == "V-VIEWS"
    types = [e.event_type for e in await EventStore(h.pool).read_stream(contact.id)]
    for t in ("ContactConsentRecorded", "SupportRequested", "SupportSignposted", "VictimViewsSought"):
        assert t in types, t
    save_golden(await contact.fetch_history(), "victim_contact_views_and_support")


async def test_conference_with_panel_views_meets_the_orders_victim_views(harness: Harness) -> None:
    """Consent to panel participation reaches the referral order as the victim's views (ro.victim_views
    met); a restorative conference is then held with an outcome agreement and the contact closes."""
    h = harness
    order, (contact,) = await open_case(h, date(2027, 3, 1), [{"ref": "V-CONF", "kind": "person", "under_18": False}])
    await skip_to(h, london(date(2027, 3, 2), 10))
    await first_steps(h, contact, date(2027, 3, 2), option="direct_conference")
    await vstep(
        contact,
        step="consent_recorded",
        effective_date="2027-03-02",
        option="panel_participation",
        given_by="victim",
        how="in_person",
        consented=True,
    )
    order_events = await events_of(h, order.id, until=lambda ev: of_type(ev, "DeadlineMet", "ro.victim_views"))
    (views,) = of_type(order_events, "VictimViewsRecorded")
    assert views.payload["victim_ref"] == "V-CONF" and views.actor == "system:victim-contact"
    for s in (
        {"step": "preparation_meeting_held", "with_party": "victim"},
        {"step": "preparation_meeting_held", "with_party": "child"},
        {"step": "conference_held", "attendees": ["victim", "child", "facilitator"], "outcome_agreement": True},
        {"step": "intervention_delivered", "option": "direct_conference"},
        {"step": "conclusion_notified"},
        {"step": "closed", "outcome": "completed"},
    ):
        await vstep(contact, effective_date="2027-03-02", **s)
    assert await contact.result() == "completed"
    save_golden(await order.fetch_history(), "referral_order_with_victim_views")


async def test_withdrawal_closes_without_pressure_and_can_be_reopened(harness: Harness) -> None:
    """A withdrawn victim's consents lapse and only reopening is accepted; after reopening the work
    starts again from fresh consent."""
    h = harness
    _, (contact,) = await open_case(h, date(2027, 4, 5), [{"ref": "V-WD", "kind": "person", "under_18": False}])
    await skip_to(h, london(date(2027, 4, 6), 10))
    await first_steps(h, contact, date(2027, 4, 6), option="shuttle_mediation")
    await vstep(contact, step="withdrawn", effective_date="2027-04-06")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await vstep(contact, step="preparation_meeting_held", effective_date="2027-04-06", with_party="victim")
    assert "withdrew" in str(refused.value.cause)
    await skip_to(h, london(date(2027, 4, 7), 10))
    view = await vstep(contact, step="reopened", effective_date="2027-04-07")
    assert view.contact.state != "withdrawn"
    with pytest.raises(WorkflowUpdateFailedError):  # the old consent lapsed with the withdrawal
        await vstep(contact, step="shuttle_message_relayed", effective_date="2027-04-07", direction="victim_to_child")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"step": "consent_recorded", "option": "shuttle_mediation", "given_by": "victim", "how": "phone",
          "consented": True}, "informed"),
        ({"step": "shuttle_message_relayed", "direction": "victim_to_child"}, "consent"),
        ({"step": "suitability_decided", "invite": False}, "reason"),
    ],
)  # fmt: skip
async def test_a_step_out_of_order_or_not_consented_is_refused_and_nothing_recorded(
    harness: Harness, body: dict[str, Any], reason: str
) -> None:
    """The refusal says why, and the stream is unchanged."""
    h = harness
    _, (contact,) = await open_case(h, date(2027, 5, 3), [{"ref": "V-NO", "kind": "person", "under_18": False}])
    await vstep(contact, step="details_received", effective_date="2027-05-03")
    if body["step"] != "suitability_decided":
        await vstep(contact, step="suitability_decided", effective_date="2027-05-03", invite=True)
        await vstep(contact, step="contacted", effective_date="2027-05-03", channel="phone")
    before = await EventStore(h.pool).read_stream(contact.id)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await vstep(contact, effective_date="2027-05-03", **body)
    assert reason in str(refused.value.cause)
    assert await EventStore(h.pool).read_stream(contact.id) == before


async def test_keep_informed_follows_the_orders_milestones_for_victims_who_opted_in(harness: Harness) -> None:
    """When the order's initial panel is held, the opted-in victim's contact records the milestone and
    owes an update within 5 working days: reminded on the due day, missed and escalated if not given.
    A victim who did not opt in is not chased."""
    h = harness
    order, (opted, silent) = await open_case(
        h,
        date(2027, 6, 7),
        [{"ref": "V-IN", "kind": "person", "under_18": False}, {"ref": "V-OUT", "kind": "person", "under_18": False}],
    )
    await skip_to(h, london(date(2027, 6, 8), 10))
    await first_steps(h, opted, date(2027, 6, 8), option="information_only")
    await vstep(silent, step="details_received", effective_date="2027-06-08")
    await step(order, step="initial_panel_held", effective_date="2027-06-08", contract_signed_date="2027-06-08")
    # Both milestones of that one step (the panel held, the contract signed) reach the contact.
    events = await events_of(
        h,
        opted.id,
        until=lambda ev: (
            len(of_type(ev, "OrderMilestoneReceived")) == 2 and of_type(ev, "DeadlineScheduled", "victim.keep_informed")
        ),
    )
    milestones = {e.payload["milestone"] for e in of_type(events, "OrderMilestoneReceived")}
    assert milestones == {"panel_held", "contract_signed"}
    due = of_type(events, "DeadlineScheduled", "victim.keep_informed")[0].payload["due_date"]
    assert due == "2027-06-15"  # 5 working days after Tue 8 June
    await skip_to(h, london(date(2027, 6, 16), 12))
    events = await events_of(h, opted.id, until=lambda ev: of_type(ev, "DeadlineEscalated", "victim.keep_informed"))
    assert of_type(events, "DeadlineReminderSent", "victim.keep_informed")
    reminders = of_type(events, "DeadlineReminderSent", "victim.keep_informed")
    assert {r.payload["recipient"] for r in reminders} == {"team:luton"}  # vera-worker is not a user here
    silent_events = await EventStore(h.pool).read_stream(silent.id)
    assert of_type(silent_events, "OrderMilestoneReceived")  # recorded, so a returning victim can be told
    assert not of_type(silent_events, "DeadlineScheduled", "victim.keep_informed")


async def test_no_victim_name_anywhere_but_the_encrypted_row(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """With a victim's details recorded and their contact worked, the victim's name is in no Temporal
    history (decoded), no log line, no event and no other table: only in their encrypted row."""
    h = harness
    caplog.set_level(logging.DEBUG)
    key = h.settings.payload_key_bytes[::-1]  # any 32 bytes other than the payload key
    store = VictimDetailsStore(h.pool, key, "victim-test")
    worker = User(username="vera-worker", role=Role.VICTIM_WORKER, email=None, manager=None)
    with capture_logs() as structured:
        _, (contact,) = await open_case(h, date(2027, 7, 5), [{"ref": "V-NAME", "kind": "person", "under_18": False}])
        await store.record(
            "V-NAME",
            VictimDetails.model_validate(
                {
                    "kind": "person",
                    "name": VICTIM_NAME,
                    "contact_route": "phone",
                    "phone": "07700 900123",
                    "under_18": False,
                    "enhanced_rights": False,
                }
            ),
            user=worker,
            purpose="details from police referral",
        )
        await skip_to(h, london(date(2027, 7, 6), 10))
        await first_steps(h, contact, date(2027, 7, 6), option="letter_of_explanation")
        assert (await store.read("V-NAME", user=worker, purpose="arrange call")).name == VICTIM_NAME
        await skip_to(h, london(date(2027, 7, 20), 10))
    # Every history in the namespace, with every payload decoded through the codec.
    texts = []
    # The time-skipping server cannot list workflows; every stream yjflow recorded names one.
    async with h.pool.connection() as conn:
        ids = [r["stream_id"] for r in await (await conn.execute("SELECT DISTINCT stream_id FROM events")).fetchall()]
    for wid in ids:
        try:
            history = await h.client.get_workflow_handle(wid).fetch_history()
        except RPCError:
            continue  # a stream of another test's server
        raw = history.to_json()
        texts.append(raw)
        codec = h.client.data_converter.payload_codec
        assert codec is not None
        decoded = await codec.decode(_payloads_in(json.loads(raw)))
        texts.extend(p.data.decode("utf-8", "replace") for p in decoded)
    assert texts and all(VICTIM_NAME not in t for t in texts)
    assert all(VICTIM_NAME not in json.dumps(entry, default=str) for entry in structured)
    assert all(VICTIM_NAME not in r.getMessage() for r in caplog.records)
    async with h.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        for row in await cur.fetchall():
            dump = await conn.execute(f'SELECT t::text FROM "{row["table_name"]}" t')
            for (text,) in [tuple(r.values()) for r in await dump.fetchall()]:
                assert VICTIM_NAME not in text, row["table_name"]


def _payloads_in(node: object) -> list[Any]:
    """Every Payload anywhere in a history's JSON form, as protobuf messages the codec can decode."""
    from temporalio.api.common.v1 import Payload

    found: list[Any] = []
    if isinstance(node, dict):
        if "metadata" in node and "data" in node:
            found.append(
                Payload(
                    metadata={k: base64.b64decode(v) for k, v in node["metadata"].items()},
                    data=base64.b64decode(node["data"]),
                )
            )
        for v in node.values():
            found += _payloads_in(v)
    elif isinstance(node, list):
        for v in node:
            found += _payloads_in(v)
    return found


async def test_a_violent_offence_with_12_months_custody_owes_a_vcs_referral(harness: Harness) -> None:
    """A 12-month DTO for a violent offence: each victim's contact owes a referral to the probation
    Victim Contact Scheme within 10 working days of sentence (Victims' Code Right 11); 8 months does not."""
    h = harness
    hearing = date(2027, 9, 6)
    await skip_to(h, london(hearing, 11))
    for months, expected in ((12, True), (8, False)):
        body = outcome(hearing, [{"ref": f"V-VCS{months}", "kind": "person", "under_18": False}])
        body["disposal"] = {"kind": "detention_and_training_order", "months": months}
        body["offences"][0].update({"description": "Wounding", "violent_or_sexual": True})
        validated = validate_court_outcome(body, today=hearing)
        _, contact_id = await start_for_outcome(h.client, validated, h.settings.task_queue)
        events = await events_of(h, contact_id, until=lambda ev: of_type(ev, "VictimContactOpened"))
        if expected:
            events = await events_of(h, contact_id, until=lambda ev: of_type(ev, "DeadlineScheduled"))
            assert scheduled(events, "victim.vcs_referral")["due_date"] == "2027-09-20"
        else:
            assert not of_type(events, "DeadlineScheduled", "victim.vcs_referral")


async def test_a_clear_text_note_never_reaches_the_contact(harness: Harness) -> None:
    """A reason that is not a sealed note's reference is refused by the contact itself, whoever sends it."""
    h = harness
    _, (contact,) = await open_case(h, date(2027, 7, 1), [{"ref": "V-CLEAR", "kind": "person", "under_18": False}])
    before = await EventStore(h.pool).read_stream(contact.id)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await vstep(
            contact, step="details_received", effective_date="2027-07-01", reason="victim (14), same school, mum"
        )
    assert "sealed under the victim's key" in str(refused.value.cause)
    assert await EventStore(h.pool).read_stream(contact.id) == before
    sealed = "victim-note:0b5c2a6e-8f3d-4c1a-9e7b-2d4f6a8c0e13"
    await vstep(contact, step="details_received", effective_date="2027-07-01", reason=sealed)
    (received,) = [
        e for e in await EventStore(h.pool).read_stream(contact.id) if e.event_type == "VictimDetailsReceived"
    ]
    assert received.reason == sealed
