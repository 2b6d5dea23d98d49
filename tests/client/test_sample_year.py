"""The sample year on the live stack: loaded through the client functions the API uses, it gives the
dashboard, KPI 10, the board report and the oversight page real figures, and a second load adds nothing.
Run at scale 0.5 (the first eight cases, which cover every order kind) to stay fast."""

from __future__ import annotations

from datetime import date, timedelta

from activities.victim_notes import VictimNotes
from activities.victim_details import VictimDetailsStore
from client.sample_data.year import Actors, load_sample_year, plan
from domain.board_report import Quarter as BoardQuarter
from tests.client.conftest import Stack, today

SCALE = 1.0


def _calendar_quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


async def test_sample_year_fills_the_reports_and_loads_once(stack: Stack) -> None:
    now = today()
    actors = Actors(stack.usernames["case_worker"], stack.usernames["manager"], stack.usernames["victim_worker"])
    store = VictimDetailsStore(stack.pool, stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    first = await load_sample_year(stack.pool, stack.temporal, today=now, actors=actors, notes=store, scale=SCALE)
    print(first)
    assert first.accepted == len(plan(SCALE)) and first.refused == [], first.refused
    assert first.steps > 50
