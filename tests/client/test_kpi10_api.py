"""KPI 10 (victims) through the API on the live stack's database: the nine rows counted from the events
recorded on the contacts of orders that closed in the quarter, each total opening to what it counts, and
the CSV. The events are appended through the real event store, as the workflows append them."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

from activities.event_store import EventStore
from domain import events as ev
from tests.client.conftest import Stack

HEARING = date(2026, 3, 2)


class Stream:
    def __init__(self, stream_id: str, child_id: str, yjs: str) -> None:
        self.stream_id, self.child_id, self.yjs, self.version = stream_id, child_id, yjs, 0

    def __call__(self, *dated: tuple[date, ev.EventPayload]) -> list[ev.NewEvent]:
        out = []
        for day, payload in dated:
            self.version += 1
            out.append(
                ev.new_event(
                    payload,
                    event_id=uuid.uuid4(),
                    stream_id=self.stream_id,
                    stream_version=self.version,
                    child_id=self.child_id,
                    yjs=self.yjs,
                    effective_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                    actor="vw.kpi",
                )
            )
        return out


async def order(store: EventStore, yjs: str, child: str, closed: date | None) -> str:
    s = Stream(f"referral-order:{yjs}:41CJ{uuid.uuid4().hex[:6]}:{child}", child, yjs)
    outcome = ev.CourtOutcomeRecorded(
        outcome_id=f"o-{uuid.uuid4().hex[:6]}",
        case_reference="41CJ1",
        court_kind="youth",
        hearing_date=HEARING,
        disposal_kind="referral_order",
    )
    events = s((HEARING, outcome), (HEARING, ev.ReferralOrderMade(months=6, hearing_date=HEARING)))
    if closed is not None:
        events += s((closed, ev.OrderCompleted(completed_date=closed)))
    await store.append(events)
    return s.stream_id


async def contact(store: EventStore, order_id: str, yjs: str, child: str, ref: str, *steps: Any) -> str:
    s = Stream(f"victim-contact:{yjs}:41CJ1:{child}:{ref}", child, yjs)
    opened = ev.VictimContactOpened(
        victim_ref=ref,
        victim_kind="person",
        under_18=False,
        enhanced_rights=False,
        linked_order_id=order_id,
        on=HEARING,
    )
    await store.append(s((HEARING, opened), *((p.on, p) for p in steps)))
    return s.stream_id


def d(month: int, day: int) -> date:
    return date(2026, month, day)


async def test_kpi10_rows_counted_from_the_contacts_of_orders_closed_in_the_quarter(stack: Stack) -> None:
    yjs = f"kpi-{uuid.uuid4().hex[:6]}"
    store = EventStore(stack.pool)
    closing = await order(store, yjs, "C-A", d(11, 20))  # closes in 2026Q4
    earlier = await order(store, yjs, "C-B", d(9, 30))  # closed in Q3: not counted
    still_open = await order(store, yjs, "C-C", None)
    full = await contact(
        store, closing, yjs, "C-A", "V-FULL",
        ev.VictimContacted(channel="phone", on=d(3, 5)),
        ev.ContactConsentRecorded(consented=True, on=d(3, 5)),
        ev.VictimViewsSought(views_given=True, before_planning=True, on=d(3, 6)),
        ev.KeepInformedChoiceRecorded(opt_in=True, on=d(3, 6)),
        ev.KeptInformed(milestone="contract_signed", on=d(3, 20)),
        ev.SupportRequested(on=d(3, 7)),
        ev.SupportSignposted(on=d(3, 9)),
        ev.ShuttleMessageRelayed(round=1, direction="victim_to_child", on=d(4, 1)),
    )  # fmt: skip
    refused = await contact(
        store, closing, yjs, "C-A", "V-NO",
        ev.VictimContacted(channel="letter", on=d(3, 5)),
        ev.ContactConsentRecorded(consented=False, on=d(3, 5)),
        ev.KeepInformedChoiceRecorded(opt_in=True, on=d(3, 6)),
        ev.SupportRequested(on=d(3, 7)),
    )  # fmt: skip
    await contact(store, earlier, yjs, "C-B", "V-Q3", ev.ContactConsentRecorded(consented=True, on=d(3, 5)))
    await contact(store, still_open, yjs, "C-C", "V-OPEN", ev.ContactConsentRecorded(consented=True, on=d(3, 5)))

    async with stack.http("manager") as http:
        r = await http.get("/reports/yjb/kpi10", params={"yjs": yjs, "quarter": "2026Q4"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["start"], body["end"]) == ("2026-10-01", "2027-01-01")
    totals = [(row["number"], row["total"]) for row in body["rows"]]
    assert totals == [(1, 1), (2, 2), (3, 1), (4, 1), (5, 1), (6, 2), (7, 1), (8, 2), (9, 1)]
    rows = {row["number"]: row for row in body["rows"]}
    assert rows[1]["description"].startswith("Number of children with an order closing with an identified victim")
    assert rows[1]["counted"] == [{"child_id": "C-A", "order_id": closing, "workflow_id": None, "victim_ref": None}]
    assert {c["workflow_id"] for c in rows[2]["counted"]} == {full, refused}
    for n in (3, 4, 5, 7, 9):
        assert [c["victim_ref"] for c in rows[n]["counted"]] == ["V-FULL"], n
    # The financial year's name for the same months answers the same.
    async with stack.http("victim_worker") as http:
        same = await http.get("/reports/yjb/kpi10", params={"yjs": yjs, "quarter": "2026-27-Q3"})
        assert same.json()["rows"] == body["rows"]
        sheet = await http.get("/reports/yjb/kpi10.csv", params={"yjs": yjs, "quarter": "2026Q4"})
        drill = await http.get("/reports/yjb/kpi10.csv", params={"yjs": yjs, "quarter": "2026Q4", "row": 8})
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(sheet.text.removeprefix("\ufeff"))))
    assert table[0] == ["yjs", "quarter", "number", "description", "total"]
    assert [r[2:] for r in table[1:3]] == [["1", rows[1]["description"], "1"], ["2", "Total number of victims", "2"]]
    listed = list(csv.DictReader(io.StringIO(drill.text.removeprefix("\ufeff"))))
    assert sorted(r["victim_ref"] for r in listed) == ["V-FULL", "V-NO"]


async def test_kpi10_refuses_a_bad_quarter_or_service_and_a_role_without_victim_work(stack: Stack) -> None:
    async with stack.http("manager") as http:
        bad = await http.get("/reports/yjb/kpi10", params={"yjs": "luton", "quarter": "2026Q5"})
        missing = await http.get("/reports/yjb/kpi10", params={"quarter": "2026Q4"})
        wrong_year = await http.get("/reports/yjb/kpi10", params={"yjs": "luton", "quarter": "2026-28-Q1"})
    assert bad.status_code == 422
    (problem,) = bad.json()["detail"]
    assert problem["field"] == "quarter" and "YYYYQn" in problem["message"]
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "yjs"
    assert wrong_year.status_code == 422
    async with stack.http("case_worker") as http:
        assert (await http.get("/reports/yjb/kpi10", params={"yjs": "luton", "quarter": "2026Q4"})).status_code == 403
    async with stack.http("inspector") as http:
        empty = await http.get(
            "/reports/yjb/kpi10", params={"yjs": f"none-{uuid.uuid4().hex[:4]}", "quarter": "2026Q4"}
        )
    assert [row["total"] for row in empty.json()["rows"]] == [0] * 9
