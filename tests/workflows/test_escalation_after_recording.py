"""A step back-dated to before its deadline but recorded after the deadline was escalated, on the
time-skipping server: the escalations that fired stay in the record (explained as fired before the step
was recorded), none fires after the step's recording, and the reports count it met only on paper."""

from __future__ import annotations

from datetime import date

from activities import audit
from domain.compliance import DeadlineRecord, deadline_outcome, escalation_note, met_only_on_paper
from tests.workflows.conftest import Harness
from tests.workflows.test_referral_order import events_of, london, of_type, skip_to, start_order, step
from workflows.referral_order import ReferralOrderWorkflow


async def test_no_escalation_fires_after_the_step_that_met_the_deadline_was_recorded(harness: Harness) -> None:
    h = harness
    # Made Fri 19 Mar 2027: first contact due Tue 30 Mar, escalated 09:00 on 31 Mar and again on 7 Apr.
    await skip_to(h, london(date(2027, 3, 19), 11))
    handle = await start_order(h, hearing=date(2027, 3, 19))
    await skip_to(h, london(date(2027, 4, 8), 12))
    events = await events_of(
        h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineEscalated", "ro.first_contact")) == 2
    )

    # Entered on 8 April, dated 29 March: on time by its date, after both escalations.
    await step(handle, step="first_contact_made", effective_date="2027-03-29")
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineMet", "ro.first_contact")) == 1)
    (met,) = of_type(events, "DeadlineMet", "ro.first_contact")
    assert met.payload["late"] is False and met.payload["met_on"] == "2027-03-29"
    escalated = of_type(events, "DeadlineEscalated", "ro.first_contact")
    assert len(escalated) == 2 and all(e.stream_version < met.stream_version for e in escalated)

    # Two weeks on (the initial panel's escalation on 21 April shows the workflow got there), a deadline
    # still missed would have escalated on 14 and 21 April; this one does not.
    await skip_to(h, london(date(2027, 4, 22), 12))
    events = await events_of(h, handle.id, until=lambda ev: bool(of_type(ev, "DeadlineEscalated", "ro.initial_panel")))
    assert len(of_type(events, "DeadlineEscalated", "ro.first_contact")) == 2
    view = await handle.query(ReferralOrderWorkflow.view)
    assert {d.rule_id: d.status for d in view.deadlines}["ro.first_contact"] == "met"

    # The record as the reports and the timeline read it: met only on paper, the escalations explained.
    (item,) = [d for d in await audit.deadlines(h.pool, workflow_id=handle.id) if d.rule_id == "ro.first_contact"]
    record = DeadlineRecord.model_validate(item.model_dump(include=set(DeadlineRecord.model_fields)))
    assert (item.escalations_before_met, item.missed_before_met) == (2, True)
    assert deadline_outcome(record) == "recorded_late" and met_only_on_paper(record)
    note = escalation_note(record)
    assert note is not None and note.startswith("Fired before the step that met this deadline was recorded")
