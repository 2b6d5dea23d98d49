"""A referral order through the casework cycle on the time-skipping server, with real activities and
PostgreSQL: the cycle's clocks start as the order opens, oversight reminders go to the case worker's
manager and a missed oversight escalates to that manager's own manager, and a court's revocation leaves
an unmet closure oversight missed. Its run is the golden history of the patched path."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from temporalio.client import WorkflowHandle

from activities.event_store import EventStore
from activities.users import add_user
from domain.casework_cycle import CYCLE_STEP_NAMES
from domain.messages import ReferralOrderInput, ReferralOrderView
from tests.workflows.conftest import Harness
from tests.workflows.test_referral_order import HISTORIES, events_of, london, of_type, skip_to, start_order
from workflows.referral_order import ReferralOrderWorkflow
from workflows.referral_order_before_the_cycle import ReferralOrderBeforeTheCycle


async def management_line(h: Harness) -> tuple[str, str, str]:
    """A case worker, their manager, and that manager's own manager."""
    tag = uuid.uuid4().hex[:6]
    head, manager, worker = f"head-{tag}", f"mgr-{tag}", f"cw-{tag}"
    await add_user(h.pool, head, "manager")
    await add_user(h.pool, manager, "manager", manager=head)
    await add_user(h.pool, worker, "case_worker", manager=manager)
    return worker, manager, head


async def act(handle: WorkflowHandle[Any, Any], actor: str, role: str, **body: Any) -> ReferralOrderView:
    from pydantic import TypeAdapter

    from domain.referral_order import ReferralOrderStep

    who = {"actor": actor, "actor_role": role} if body["step"] in CYCLE_STEP_NAMES else {"actor": actor}
    return await handle.execute_update(
        ReferralOrderWorkflow.record_step, TypeAdapter(ReferralOrderStep).validate_python({**who, **body})
    )


def recipients(events: list[Any], event_type: str, rule_id: str) -> list[str]:
    return [e.payload["recipient"] for e in of_type(events, event_type, rule_id)]


async def test_the_cycle_reminds_the_manager_escalates_up_the_line_and_a_revocation_misses_closure(
    harness: Harness,
) -> None:
    """Made Mon 1 Mar 2027: allocation oversight is due Mon 8 Mar (5 WD). Its reminder goes to the worker's
    manager, its miss is escalated on Tue 9 Mar to the manager's manager; oversight recorded late on Wed 10
    Mar meets it late. An end-of-order assessment starts the closure clock, and the court's revocation
    that day closes the order with the closure oversight missed."""
    h = harness
    worker, manager, head = await management_line(h)
    hearing = date(2027, 3, 1)
    await skip_to(h, london(hearing, 10))
    handle = await start_order(h, hearing=hearing)
    await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled", "oversight.allocation")) == 1)
    await act(
        handle, worker, "case_worker", step="case_worker_allocated", effective_date="2027-03-01", case_worker=worker
    )
    assessed = {
        "step": "assessment_completed",
        "tool": "asset_plus",
        "likelihood_of_reoffending": "medium",
        "risk_of_serious_harm": "high",
        "safety_and_wellbeing": "low",
    }
    await act(handle, worker, "case_worker", **assessed, stage="start", effective_date="2027-03-01")

    await skip_to(h, london(date(2027, 3, 10), 10))
    events = await events_of(
        h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineEscalated", "oversight.allocation")) >= 1
    )
    assert set(recipients(events, "DeadlineReminderSent", "oversight.allocation")) == {manager}
    assert recipients(events, "DeadlineEscalated", "oversight.allocation")[:1] == [head]
    assert of_type(events, "DeadlineMissed", "oversight.risk_rise")  # 1 WD from the rise: Tue 2 Mar

    on = "2027-03-10"
    await act(
        handle, manager, "manager", step="oversight_recorded", effective_date=on, covers=["allocation", "risk"],
        summary="Read the assessment and the safety plan", direction="Weekly home visits",
    )  # fmt: skip
    await act(handle, manager, "manager", step="assessment_countersigned", effective_date=on)
    await act(handle, worker, "case_worker", step="plan_agreed", effective_date=on)
    await act(handle, worker, "case_worker", **assessed, stage="end", effective_date=on)
    await act(handle, "court-intake", "", step="revoked_by_court", effective_date=on)
    assert await handle.result() == "revoked"

    events = await EventStore(h.pool).read_stream(handle.id)
    (met,) = of_type(events, "DeadlineMet", "oversight.allocation")
    assert met.payload["late"] is True and met.payload["days_late"] == 2
    assert of_type(events, "DeadlineMet", "oversight.countersign") and of_type(events, "DeadlineMet", "plan.initial")
    (missed,) = of_type(events, "DeadlineMissed", "oversight.closure")
    assert not of_type(events, "DeadlineCancelled", "oversight.closure")
    assert missed.payload["due_date"] == "2027-03-17"
    assert (await EventStore(h.pool).verify(handle.id)).first_break is None
    history = await handle.fetch_history()
    target = HISTORIES / "referral_order_casework_cycle.json"
    if not target.exists():  # a golden history: written once, then replayed by CI forever
        target.write_text(json.dumps(json.loads(history.to_json()), indent=1))


def _worker(h: Harness, queue: str, workflow_class: type) -> Any:
    import pydantic
    from temporalio.worker import Worker

    from activities.event_store import EventStore as Store
    from activities.notify import Notifier
    from activities.order_activities import OrderActivities
    from workflows.registry import workflow_runner

    acts = OrderActivities(h.pool, Store(h.pool), Notifier(h.pool, None), None)
    return Worker(
        h.client,
        task_queue=queue,
        workflows=[workflow_class],
        activities=acts.all(),  # type: ignore[arg-type]
        workflow_runner=workflow_runner(),
        workflow_failure_exception_types=[pydantic.ValidationError],
        max_cached_workflows=0,
    )


async def test_an_order_running_before_the_cycle_landed_starts_its_clocks_from_its_next_step(harness: Harness) -> None:
    """Opened by the old code, then picked up by today's: its history replays (no cycle at its opening),
    and its next step starts the cycle's clocks from that day, not from the order."""

    h = harness
    hearing = date(2027, 3, 1)
    await skip_to(h, london(hearing, 10))
    queue = f"old-{uuid.uuid4().hex[:6]}"
    wid = f"referral-order:luton:41CJ{uuid.uuid4().hex[:7]}:C-old"
    order = ReferralOrderInput(
        outcome_id=f"LUT-{uuid.uuid4().hex[:8]}",
        case_reference="41CJ1",
        court_kind="youth",
        child_id="C-old",
        yjs="luton",
        hearing_date=hearing,
        months=6,
    )
    async with _worker(h, queue, ReferralOrderBeforeTheCycle):
        handle = await h.client.start_workflow("ReferralOrder", order, id=wid, task_queue=queue)
        await events_of(h, wid, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 2)
    events = await EventStore(h.pool).read_stream(wid)
    assert not [e for e in events if e.event_type == "CaseworkCycleStarted"]

    await skip_to(h, london(date(2027, 3, 3), 10))
    async with _worker(h, queue, ReferralOrderWorkflow):
        await act(handle, "cw", "case_worker", step="first_contact_made", effective_date="2027-03-02")
        events = await events_of(
            h, wid, until=lambda ev: bool(of_type(ev, "DeadlineScheduled", "oversight.allocation"))
        )
    (started,) = [e for e in events if e.event_type == "CaseworkCycleStarted"]
    assert started.payload["clocks_from"] == "2027-03-03"
    assert of_type(events, "DeadlineScheduled", "assessment.initial")[0].payload["clock_start"] == "2027-03-03"
    assert (await EventStore(h.pool).verify(wid)).first_break is None
