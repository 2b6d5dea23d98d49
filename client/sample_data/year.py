"""Loading the sample year (`client.sample_data.year_plan`) into a running yjflow: each case's court outcome
through intake, then its people's steps through `client.steps`, the API's own way, on the running
workflows; cases in parallel, each case's steps in order. A second load finds the outcomes in the inbox
(answered as duplicates) and takes no steps again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta
from typing import cast

from psycopg_pool import AsyncConnectionPool
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.child_records import ChildRecordStore
from activities.db import Pool
from activities.intake import receive_value
from activities.victim_notes import VictimNotes
from client.sample_data.year_plan import (
    PLAN,
    Actors,
    Loaded,
    SampleCase,
    Step,
    contact_id,
    hearing_of,
    order_id,
    order_steps,
    outcome_body,
    plan,
    victim_steps,
)
from client.steps import StepError, TemporalSource, record_order_step, record_victim_step

__all__ = ["PLAN", "Actors", "Loaded", "hearing_of", "load_sample_year", "plan"]

# The sample users `yjflow dev` makes (frozen, so one default serves every load).
SAMPLE_ACTORS = Actors()


async def load_sample_year(
    pool: Pool,
    temporal: TemporalSource,
    *,
    today: date,
    actors: Actors = SAMPLE_ACTORS,
    child_records: ChildRecordStore | None = None,
    notes: VictimNotes | None = None,
    scale: float = 1.0,
    progress: Callable[[str], None] = lambda _: None,
    parallel: int = 17,
) -> Loaded:
    """Receive the sample outcomes, then take each newly accepted case's steps on its workflows."""
    cases = plan(scale)
    loaded = Loaded(cases=len(cases))
    fresh = []
    for case in cases:
        # The intake is typed for a plain pool; it is given this same one by the API and `yjflow dev`.
        result = await receive_value(
            cast(AsyncConnectionPool, pool),
            outcome_body(case, today),
            received_by="sample-data",
            today=today,
            child_records=child_records,
        )
        if result.status == "accepted":
            loaded.accepted += 1
            fresh.append(case)
        elif result.status == "duplicate":
            loaded.duplicate += 1
        else:
            loaded.refused.append(f"{case.number}: outcome rejected: {result.errors}")
    done = 0
    gate = asyncio.Semaphore(parallel)

    async def take(case: SampleCase) -> None:
        nonlocal done
        async with gate:
            await _take_case(pool, temporal, case, actors, today, notes, loaded)
        done += 1
        progress(f"Loading a sample year: {done}/{len(fresh)} cases…")

    await asyncio.gather(*(take(case) for case in fresh))
    return loaded


async def _take_case(
    pool: Pool,
    temporal: TemporalSource,
    case: SampleCase,
    actors: Actors,
    today: date,
    notes: VictimNotes | None,
    loaded: Loaded,
) -> None:
    hearing = hearing_of(case, today)
    actor = {"worker": actors.case_worker, "manager": actors.manager, "victim": actors.victim_worker}
    streams: list[tuple[str, list[Step]]] = [(order_id(case), order_steps(case, actors, hearing, today))]
    streams += [
        (contact_id(case, i), victim_steps(path, option, actors, case.pace))
        for i, (path, option) in enumerate(case.victims)
    ]

    # One case's steps in the order of their days, across its order and its victims' contacts: the order
    # tells a contact of its milestones as they happen, and a contact stepped ahead on its own would have
    # closed before the order's panel was held, missing what it should have been told.
    merged = sorted(
        (
            (days, rank, workflow_id, who, body)
            for rank, (workflow_id, steps) in enumerate(streams)
            for days, who, body in steps
        ),
        key=lambda s: (s[0], s[1]),
    )

    async def run() -> None:
        for days, _, workflow_id, who, body in merged:
            when = hearing + timedelta(days=days)
            if when > today:
                continue
            step = body | {"effective_date": when.isoformat()}
            try:
                if workflow_id.startswith("victim-contact:"):
                    await record_victim_step(temporal, pool, workflow_id, step, actor[who], notes=notes)
                else:
                    await record_order_step(temporal, workflow_id, step, actor[who], pool=pool)
                loaded.steps += 1
            except StepError as e:
                loaded.refused.append(f"{workflow_id} {body['step']}: {e.message}")

    # The order tells its victims' contacts of its milestones: they must be running before it moves.
    await asyncio.gather(*(_started(temporal, w) for w, _ in streams))
    await run()


async def _started(temporal: TemporalSource, workflow_id: str) -> None:
    """Wait (up to 30 s) for the relay to start the workflow from the inbox."""
    client = temporal if isinstance(temporal, Client) else await temporal()
    for attempt in range(300):
        try:
            await client.get_workflow_handle(workflow_id).describe()
            return
        except RPCError as e:
            if e.status != RPCStatusCode.NOT_FOUND or attempt == 299:
                raise
            await asyncio.sleep(0.1)
