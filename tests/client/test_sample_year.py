"""The sample year on the live stack: loaded through the client functions the API uses, it gives the
dashboard's compliance report, KPI 10, the board report and the oversight page real figures, every order
kind is there, and a second load (the next `yjflow dev` start) adds nothing. The whole year is loaded
(scale 1): it takes a few seconds."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx

from activities import web_sessions
from activities.child_records import ChildRecordStore
from activities.users import get_user
from activities.victim_details import VictimDetailsStore
from client.sample_data.year import Actors, hearing_of, load_sample_year, plan
from domain.board_report import Quarter as BoardQuarter
from tests.client.conftest import Stack, today

KINDS = {"referral_order", "youth_rehabilitation_order", "remand", "detention_and_training_order"}


def _calendar_quarters(now: date) -> list[str]:
    """The four calendar quarters ending with the current one, as KPI 10 names them (`2026Q4`)."""
    index = now.year * 4 + (now.month - 1) // 3
    return [f"{i // 4}Q{i % 4 + 1}" for i in range(index - 3, index + 1)]


async def _get(http: httpx.AsyncClient, path: str, **params: Any) -> Any:
    r = await http.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_sample_year_fills_the_reports_and_loads_once(stack: Stack) -> None:
    now = today()
    actors = Actors(stack.usernames["case_worker"], stack.usernames["manager"], stack.usernames["victim_worker"])
    store = VictimDetailsStore(stack.pool, stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    children = ChildRecordStore(stack.pool, stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    cases = plan()
    first = await load_sample_year(
        stack.pool, stack.temporal, today=now, actors=actors, notes=store, child_records=children
    )
    assert first.accepted == len(cases) and first.refused == [], first.refused
    assert first.steps > 150

    async with stack.http("manager") as http:
        start = min(hearing_of(c, now) for c in cases).replace(day=1)
        rows = await _get(
            http,
            "/reports/compliance",
            **{"from": start.isoformat(), "to": (now + timedelta(days=1)).isoformat(), "yjs": "luton"},
        )
        totals = {k: sum(r[k] for r in rows) for k in ("due", "recorded_late", "met_late", "missed")}
        # Every step is recorded today with its own (past) date: met on time shows as recorded late.
        assert all(totals.values()), totals

        kpi = [await _get(http, "/reports/yjb/kpi10", yjs="luton", quarter=q) for q in _calendar_quarters(now)]
        assert all(sum(k["rows"][n]["total"] for k in kpi) > 0 for n in range(9)), "every KPI 10 row has figures"
        assert all(k["rows"][0]["total"] > 0 for k in kpi[:3]), "a closed order with a victim in each past quarter"

        quarters = [BoardQuarter.containing(now)]
        for _ in range(4):
            quarters.append(quarters[-1].previous())
        boards = [await _get(http, "/reports/board", yjs="luton", quarter=q.id) for q in quarters]
        assert {o["kind"] for b in boards for o in b["orders"] if o["started"]} == KINDS
        assert sum(o["ended"] for b in boards for o in b["orders"]) >= 4
        assert all(b["cohort_size"] > 0 for b in boards[:4])
        assert any(f["due"] for b in boards for f in b["compliance"].values())

        search = await _get(http, "/children", q="Hill")
    assert search, "the sample children are found by name"

    manager = await get_user(stack.pool, actors.manager)
    assert manager is not None
    session = await web_sessions.start(stack.pool, manager)
    async with httpx.AsyncClient(base_url=stack.api_url, cookies={"yjflow_session": session.session_id}) as page:
        r = await page.get("/app/oversight", params={"yjs": "luton", "team": "all"})
    assert r.status_code == 200, r.text
    assert re.search(r"\b[1-9]\d*(\.\d+)?%", r.text), "the oversight page shows a timely share"

    second = await load_sample_year(stack.pool, stack.temporal, today=now, actors=actors, notes=store)
    assert (second.accepted, second.duplicate, second.steps, second.refused) == (0, len(cases), 0, [])
