"""The reports over HTTP on the live stack: compliance by rule and month and by worker, the board's
quarterly report as JSON and CSV, and refusals naming the field and the rule."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

from activities.child_records import ChildRecordStore
from activities.event_store import EventStore
from domain import child_record as cr
from tests.activities.test_board_report_queries import referral, remand
from tests.activities.test_reports import met, scheduled
from tests.client.conftest import Stack

# The shipped population file has figures for this service only; its own quarter keeps the counts apart.
YJS = "milton-keynes"


async def test_board_report_as_json_and_csv(stack: Stack) -> None:
    child = f"C-{uuid.uuid4().hex[:6]}"
    may = date(2024, 5, 7)
    store = EventStore(stack.pool)
    await store.append(
        referral(
            YJS, child, date(2024, 4, 8), (may, scheduled("ro.test_api", 1, may)), (may, met("ro.test_api", 1, may, 0))
        )
    )
    await store.append(
        remand(YJS, f"{child}-R", "youth_detention_accommodation", date(2024, 4, 9), (may, "bail", None))
    )
    async with stack.http("manager") as http:
        r = await http.get("/reports/board", params={"quarter": "2024-25-Q1", "yjs": YJS})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["label"] == "Q1 2024-25 (April to June 2024)"
        assert [(o["kind"], o["started"], o["ended"]) for o in body["orders"]] == [
            ("referral_order", 1, 0),
            ("remand", 1, 1),
        ]
        assert body["remands"][0]["ended_how"] == {"bail": 1} and body["remands"][0]["pct_ended_in_custody"] == 0.0
        # Recorded today for a deadline of 2024: met on time by its date, recorded late.
        figures = body["compliance"]["ro.test_api"]
        assert (figures["recorded_on_time"], figures["recorded_late"], figures["pct_on_time"]) == (0, 1, 0.0)
        assert body["ethnicity"][0] == {"group": "black", "population_pct": 9.7, "cohort": None, "cohort_pct": None}
        assert "2021 Census" in body["population_source"] and body["girls_pct"] is None

        r = await http.get("/reports/board.csv", params={"quarter": "2024-25-Q1", "yjs": YJS})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert 'filename="board-report-milton-keynes-2024-25-Q1.csv"' in r.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["section", "item", "measure", "value"]
        assert ["orders", "referral_order", "started", "1"] in rows
        assert ["compliance", "ro.test_api", "recorded_late", "1"] in rows
        assert ["ethnicity", "black", "pct of cohort", "not held"] in rows
        assert ["sex", "girls", "pct of cohort", "not held"] in rows

        r = await http.get("/reports/compliance", params={"from": "2024-05-01", "to": "2024-06-01", "yjs": YJS})
        assert r.status_code == 200
        assert [(x["rule_id"], x["recorded_late"], x["pct_on_time_by_date"]) for x in r.json()] == [
            ("ro.test_api", 1, 100.0)
        ]
        r = await http.get(
            "/reports/compliance-by-worker", params={"from": "2024-05-01", "to": "2024-06-01", "yjs": YJS}
        )
        assert [(x["rule_id"], x["responsible"]) for x in r.json()] == [("ro.test_api", None)]

    # Once the child's record holds their sex and ethnicity, the cohort's lines count them, read as the
    # report's (each read logged).
    records = ChildRecordStore(stack.pool, stack.settings.victim_master_key_bytes, stack.settings.victim_master_key_id)
    await records.fill_from_court(
        yjs=YJS, child_id=child, given_name="Ama", family_name="Test", date_of_birth=date(2009, 6, 1), actor="intake"
    )
    change = {"sex": "female", "ethnicity": "mixed_other"}
    await records.correct(
        yjs=YJS, child_id=child, correction=cr.RecordCorrection(changes=change, reason="told"), actor="m"
    )
    async with stack.http("manager") as http:
        body = (await http.get("/reports/board", params={"quarter": "2024-25-Q1", "yjs": YJS})).json()
        assert {e["group"]: e["cohort"] for e in body["ethnicity"]}["mixed"] == 1
        assert body["girls_pct"] == 100.0 and body["sex_not_held"] == 0 and body["ethnicity_not_held"] == 0
        assert body["not_held"] == []
        rows = list(
            csv.reader(
                io.StringIO((await http.get("/reports/board.csv", params={"quarter": "2024-25-Q1", "yjs": YJS})).text)
            )
        )
        assert ["ethnicity", "mixed", "children in cohort", "1"] in rows and [
            "sex",
            "girls",
            "pct of cohort",
            "100.0",
        ] in rows
    async with stack.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) AS n FROM child_record_reads WHERE child_id = %s AND username = 'board-report'", (child,)
        )
        assert (await cur.fetchone())["n"] == 2  # type: ignore[index]


async def test_bad_report_parameters_name_the_field_and_rule(stack: Stack) -> None:
    async with stack.http("manager") as http:
        r = await http.get("/reports/board", params={"quarter": "2024-Q1"})
        assert r.status_code == 422
        (problem,) = r.json()["detail"]
        assert (problem["field"], problem["rule"]) == ("quarter", "quarter.format")
        assert "2026-27-Q1" in problem["message"]
        r = await http.get("/reports/compliance", params={"from": "2024-06-01", "to": "2024-05-01"})
        assert r.status_code == 422 and r.json()["detail"][0]["rule"] == "to.after_from"
        r = await http.get("/reports/compliance", params={"from": "June"})
        assert r.status_code == 422 and {p["field"] for p in r.json()["detail"]} == {"from", "to"}
    async with stack.http("case_worker") as http:
        assert (await http.get("/reports/board")).status_code == 403
