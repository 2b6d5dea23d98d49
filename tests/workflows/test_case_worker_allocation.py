"""Allocating a case worker on a YRO, a remand and a DTO, on the time-skipping server with real activities
and PostgreSQL: the allocation is recorded, reminders go to whoever holds the order when they fall due,
escalations to that worker's manager, and a reallocation takes over from the next notice."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from activities import reports
from activities.event_store import EventStore
from activities.users import add_user, set_disabled
from client import steps
from client.order_kinds import KINDS, OrderKind
from client.relay import start_for_outcome
from client.web import step_forms
from client.web.worker_next_steps import MEETS, order_next_steps
from domain.allocation import AllocateCaseWorker
from domain.court_outcome import validate_court_outcome
from domain.events import RecordedEvent
from tests.workflows.conftest import Harness
from tests.workflows.test_custody import cstep, dto_body, open_dto
from tests.workflows.test_referral_order import CYCLE_RULES, events_of, london, of_type, skip_to
from tests.workflows.test_remand import YDA, remand_outcome, rstep
from tests.workflows.test_youth_rehabilitation_order import start_yro, ystep
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

ALLOCATED = "CaseWorkerAllocated"
REMINDED = "DeadlineReminderSent"
ESCALATED = "DeadlineEscalated"


async def worker_with_manager(h: Harness, name: str) -> tuple[str, str]:
    """A case worker and their manager, named uniquely in the session's database."""
    tag = uuid.uuid4().hex[:6]
    manager, worker = f"mgr-{name}-{tag}", f"cw-{name}-{tag}"
    await add_user(h.pool, manager, "manager")
    await add_user(h.pool, worker, "case_worker", manager=manager)
    return worker, manager


def recipients(events: list[RecordedEvent], event_type: str, rule_id: str) -> list[str]:
    return [e.payload["recipient"] for e in of_type(events, event_type, rule_id)]


def split_at_allocations(events: list[RecordedEvent]) -> list[list[RecordedEvent]]:
    """The stream cut at each allocation: what happened before the first, between each, after the last."""
    parts: list[list[RecordedEvent]] = [[]]
    for e in events:
        if e.event_type == ALLOCATED:
            parts.append([])
        else:
            parts[-1].append(e)
    return parts


async def test_a_yro_reminds_its_worker_escalates_to_their_manager_and_follows_a_reallocation(
    harness: Harness,
) -> None:
    """A YRO made Mon 1 Mar 2027 owes its first appointment by Mon 8 Mar (5 WD). Allocated to Amy, the
    reminder of Fri 5 Mar goes to her; reallocated to Ben that day, the 09:00 reminder on the due day
    goes to him, the miss is escalated on Tue 9 Mar to Ben's manager, not Amy's. The order continues as
    new in between, so the worker is carried across the seam."""
    h = harness
    amy, amy_manager = await worker_with_manager(h, "amy")
    ben, ben_manager = await worker_with_manager(h, "ben")
    hearing = date(2027, 3, 1)
    await skip_to(h, london(hearing, 10))
    handle = await start_yro(h, hearing=hearing, end=date(2028, 3, 1), requirements=[{"kind": "supervision"}])
    await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 3)

    view = await ystep(handle, step="case_worker_allocated", effective_date="2027-03-01", case_worker=amy)
    assert view.case_worker == amy and view.order.case_worker == amy
    await skip_to(h, london(date(2027, 3, 5), 12))
    await events_of(h, handle.id, until=lambda ev: len(of_type(ev, REMINDED, "yro.first_appointment")) >= 1)

    view = await ystep(handle, step="case_worker_allocated", effective_date="2027-03-05", case_worker=ben)
    assert view.case_worker == ben
    await skip_to(h, london(date(2027, 3, 9), 12))
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, ESCALATED, "yro.first_appointment")) >= 1)

    assert [(e.payload["case_worker"], e.actor) for e in of_type(events, ALLOCATED)] == [
        (amy, "rob-officer"),
        (ben, "rob-officer"),
    ]
    _, with_amy, with_ben = split_at_allocations(events)
    assert recipients(with_amy, REMINDED, "yro.first_appointment") == [amy]
    assert recipients(with_ben, REMINDED, "yro.first_appointment") == [ben]
    assert of_type(with_ben, "DeadlineMissed", "yro.first_appointment")
    assert recipients(with_ben, ESCALATED, "yro.first_appointment") == [ben_manager]
    # (Amy's manager was owed the allocation's oversight while Amy held it: that is the cycle's, not hers.)
    assert amy_manager not in {
        e.payload.get("recipient") for e in events if e.payload.get("rule_id") not in CYCLE_RULES
    }
    assert (await handle.query(YouthRehabilitationOrderWorkflow.view)).case_worker == ben
    assert (await EventStore(h.pool).verify(handle.id)).first_break is None


async def test_a_yro_carries_its_worker_across_continue_as_new(harness: Harness) -> None:
    """A long order continues as new before its history grows large: the worker allocated in one run still
    receives the reminders the next run sends."""
    h = harness
    amy, amy_manager = await worker_with_manager(h, "carry")
    hearing = date(2027, 3, 1)
    await skip_to(h, london(hearing, 10))
    handle = await start_yro(
        h, hearing=hearing, end=date(2028, 3, 1), requirements=[{"kind": "supervision"}], history_limit=20
    )
    await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 3)
    await ystep(handle, step="case_worker_allocated", effective_date="2027-03-01", case_worker=amy)
    await skip_to(h, london(date(2027, 3, 9), 12))
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, ESCALATED, "yro.first_appointment")) >= 1)

    assert (await handle.describe()).run_id != handle.first_execution_run_id  # it did continue as new
    assert recipients(events, REMINDED, "yro.first_appointment") == [amy, amy]
    assert recipients(events, ESCALATED, "yro.first_appointment") == [amy_manager]
    assert (await handle.query(YouthRehabilitationOrderWorkflow.view)).case_worker == amy


async def test_a_remand_goes_to_the_team_until_allocated_then_to_its_worker(harness: Harness) -> None:
    """A remand to youth detention nobody holds reminds the team; once allocated (recorded in its stream)
    it reminds the worker, escalates to their manager, and is among the worker's cases."""
    h = harness
    reema, reema_manager = await worker_with_manager(h, "reema")
    hearing = date(2027, 3, 1)
    body = remand_outcome(
        hearing, type=YDA, next_hearing_date="2027-03-08", first_remand=True, ctl_start_date="2027-03-01", ctl_days=56
    )
    await skip_to(h, london(hearing, 11))
    wid, *_ = await start_for_outcome(h.client, validate_court_outcome(body, today=hearing), h.settings.task_queue)
    handle = h.client.get_workflow_handle(wid)
    await events_of(h, wid, until=lambda ev: of_type(ev, "RemandStarted"))

    # Fri 5 Mar: reminders fall due with nobody holding the remand.
    await skip_to(h, london(date(2027, 3, 5), 12))
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, REMINDED)) >= 1)
    assert {e.payload["recipient"] for e in of_type(events, REMINDED)} == {"team:luton"}
    assert wid not in {c.workflow_id for c in await reports.cases(h.pool, responsible=reema)}

    view = await rstep(handle, step="case_worker_allocated", effective_date="2027-03-05", case_worker=reema)
    assert (
        view.case_worker == reema
        and view.remand.case_worker == reema
        and view.status == "youth_detention_accommodation"
    )
    assert wid in {c.workflow_id for c in await reports.cases(h.pool, responsible=reema)}

    await skip_to(h, london(date(2027, 3, 9), 12))
    events = await events_of(h, wid, until=lambda ev: len(of_type(ev, ESCALATED)) >= 1)
    (allocated,) = of_type(events, ALLOCATED)
    assert allocated.payload == {"case_worker": reema} and allocated.actor == "reema-yjs"
    _, after = split_at_allocations(events)
    assert of_type(after, REMINDED) and {e.payload["recipient"] for e in of_type(after, REMINDED)} == {reema}
    assert {e.payload["recipient"] for e in of_type(after, ESCALATED)} == {reema_manager}


async def test_a_dto_records_its_allocation_and_a_reallocation(harness: Harness) -> None:
    """A DTO's allocation and reallocation are both recorded; the initial planning meeting's reminder
    (5 WD before it is due) goes to whoever holds the sentence then."""
    h = harness
    carl, _ = await worker_with_manager(h, "carl")
    dana, _ = await worker_with_manager(h, "dana")
    handle = await open_dto(h, dto_body())  # sentenced Mon 4 Jan 2027; initial planning due Mon 18 Jan
    view: Any = await cstep(handle, step="case_worker_allocated", effective_date="2027-01-04", case_worker=carl)
    assert view.case_worker == carl and view.custody.status == "in_custody"
    await skip_to(h, london(date(2027, 1, 5), 10))
    view = await cstep(handle, step="case_worker_allocated", effective_date="2027-01-05", case_worker=dana)
    assert view.case_worker == dana and view.custody.case_worker == dana

    await skip_to(h, london(date(2027, 1, 11), 12))
    events = await events_of(h, handle.id, until=lambda ev: len(of_type(ev, REMINDED, "custody.initial_planning")) >= 1)
    assert [e.payload["case_worker"] for e in of_type(events, ALLOCATED)] == [carl, dana]
    assert [e.actor for e in of_type(events, ALLOCATED)] == ["carl-yjs", "carl-yjs"]
    assert recipients(events, REMINDED, "custody.initial_planning") == [dana]


async def test_an_allocation_through_client_steps_must_name_a_user_who_may_hold_orders(harness: Harness) -> None:
    """`client.steps` (what the pages use, and the API should) refuses to allocate an order to an unknown,
    disabled or intake user, naming the field and the rule, and records nothing; a case worker or a
    manager is accepted and recorded."""
    h = harness
    tag = uuid.uuid4().hex[:6]
    intake, gone, boss = f"in-{tag}", f"gone-{tag}", f"boss-{tag}"
    await add_user(h.pool, intake, "intake")
    await add_user(h.pool, boss, "manager")
    await add_user(h.pool, gone, "case_worker", manager=boss)
    await set_disabled(h.pool, gone)
    hearing = date(2027, 3, 1)
    await skip_to(h, london(hearing, 10))
    handle = await start_yro(h, hearing=hearing, end=date(2028, 3, 1), requirements=[{"kind": "supervision"}])
    await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 3)

    def body(worker: str) -> dict[str, Any]:
        return {"step": "case_worker_allocated", "effective_date": "2027-03-01", "case_worker": worker}

    for worker, why in (
        (f"nobody-{tag}", "is not a user"),
        (gone, "is disabled"),
        (intake, "has role intake"),
    ):
        with pytest.raises(steps.StepInvalid) as refused:
            await steps.record_step(h.client, h.pool, handle.id, body(worker), boss)
        (error,) = refused.value.errors
        assert error["field"] == "case_worker" and error["rule"] == "case_worker.may_act"
        assert error["message"] == f"{worker} {why}: allocate a user who may act on orders (case_worker, manager)"
    with pytest.raises(steps.StepInvalid, match="cannot be checked here"):
        await steps.record_order_step(h.client, handle.id, body(boss), boss)
    assert of_type(await EventStore(h.pool).read_stream(handle.id), ALLOCATED) == []

    done = await steps.record_step(h.client, h.pool, handle.id, body(boss), boss)
    assert (done.kind, done.step, done.state) == ("youth_rehabilitation_order", "case_worker_allocated", "order_made")
    (allocated,) = of_type(await EventStore(h.pool).read_stream(handle.id), ALLOCATED)
    assert allocated.payload == {"case_worker": boss} and allocated.actor == boss


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_every_kind_offers_allocation_first_until_someone_holds_it(kind: OrderKind) -> None:
    """The pages' guide puts allocation first on any kind of order nobody holds, and drops it once one is
    held; the step forms come from the kind's public union, allocation's form first."""
    owed = [rule for rule in MEETS if rule.split(".")[0] in {"ro", "yro", "remand", "custody", "dto"}]
    unheld = order_next_steps(owed, allocated=False, step_names=kind.step_names)
    held = order_next_steps(owed, allocated=True, step_names=kind.step_names)
    assert unheld[0] == "case_worker_allocated" and len(unheld) > 1
    assert "case_worker_allocated" not in held and held == unheld[1:]
    models = step_forms.step_models(f"{kind.prefix}luton:41CJ0:C-0")
    assert next(iter(models.values())) is AllocateCaseWorker
    assert tuple(models) == kind.step_names
