"""The load the fault tests put on yjflow: a mix of court outcomes, taken in through intake as a court
system would send them, retrying what the outage broke until intake answers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, cast

import psycopg
from psycopg_pool import PoolTimeout

from activities.db import Pool
from activities.intake import receive_value
from tests.client.conftest import outcome, today

# Out of every ten outcomes: seven referral orders (every other one with a victim), a YRO with a victim,
# a remand and a DTO. Every outcome of a kind has the same shape, so its workflows record the same events.
_MIX = ("ro_victim", "ro", "ro_victim", "ro", "ro_victim", "ro", "ro_victim", "yro", "remand", "dto")


def mixed_outcomes(n: int) -> list[dict[str, Any]]:
    """`n` valid outcomes, heard today, mostly referral orders, with fresh ids."""
    return [outcome_of(_MIX[i % len(_MIX)]) for i in range(n)]


def outcome_of(shape: str) -> dict[str, Any]:
    hearing = today()
    if shape == "ro_victim":
        return outcome()
    if shape == "ro":
        return outcome(victims=[])
    if shape == "yro":
        disposal = {
            "kind": "youth_rehabilitation_order",
            "end_date": (hearing + timedelta(days=365)).isoformat(),
            "requirements": [{"kind": "supervision"}],
            "iss": False,
        }
        return outcome(disposal=disposal)
    if shape == "remand":
        disposal = {
            "kind": "remand",
            "type": "youth_detention_accommodation",
            "next_hearing_date": (hearing + timedelta(days=7)).isoformat(),
            "first_remand": True,
            "ctl_start_date": hearing.isoformat(),
            "ctl_days": 56,
        }
        return outcome(victims=[], disposal=disposal)
    if shape == "dto":
        return outcome(victims=[], disposal={"kind": "detention_and_training_order", "months": 8})
    raise ValueError(f"no outcome shape {shape!r}")


async def ingest(pool: Pool, bodies: list[dict[str, Any]], *, concurrency: int = 6, timeout: float = 120) -> None:
    """Take every outcome in through intake, `concurrency` at a time. A call the outage broke is sent
    again (a court system retries until answered); its answer may then be "duplicate", which is the
    promise that it was kept the first time. A refusal fails the test: these outcomes are all valid."""
    gate = asyncio.Semaphore(concurrency)

    async def one(body: dict[str, Any]) -> None:
        async with gate:
            while True:
                try:
                    # intake is typed for any pool; ours returns dict rows, which it reads the same way.
                    result = await receive_value(cast(Any, pool), body, received_by="court-feed", today=today())
                except (psycopg.OperationalError, PoolTimeout):
                    await asyncio.sleep(0.2)
                    continue
                assert result.status in ("accepted", "duplicate"), (body["outcome_id"], result.errors)
                return

    await asyncio.wait_for(asyncio.gather(*(one(b) for b in bodies)), timeout=timeout)
