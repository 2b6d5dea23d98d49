"""Reading KPI 10 (victims) for a service and a quarter: the orders that closed in it, from the `cases`
projection, and the victims' contacts linked to them, each folded from its own stream (`domain.kpi10`
counts the rows)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from psycopg.rows import dict_row

from activities.db import Pool
from domain import events as ev
from domain.kpi10 import ClosedOrder, Kpi10, LinkedContact, Quarter, kpi10

LONDON = ZoneInfo("Europe/London")
OPENED = ev.VictimContactOpened.event_type


async def kpi10_return(pool: Pool, yjs: str, quarter: Quarter) -> Kpi10:
    """The nine rows for `yjs`: its orders whose closing took effect in the quarter (London days)."""
    start = datetime.combine(quarter.start, time(), LONDON)
    end = datetime.combine(quarter.end, time(), LONDON)
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT stream_id, child_id FROM cases WHERE yjs = %s AND kind <> 'victim_contact'"
            " AND closed_at >= %s AND closed_at < %s",
            (yjs, start, end),
        )
        orders = [ClosedOrder(order_id=r["stream_id"], child_id=r["child_id"]) for r in await cur.fetchall()]
        ids = [o.order_id for o in orders]
        await cur.execute(
            "SELECT e.stream_id, e.event_type, e.payload, o.payload->>'linked_order_id' AS order_id,"
            " o.payload->>'victim_ref' AS victim_ref, o.child_id"
            " FROM events o JOIN events e ON e.stream_id = o.stream_id"
            " WHERE o.event_type = %s AND o.stream_id LIKE 'victim-contact:%%'"
            " AND o.payload->>'linked_order_id' = ANY(%s)"
            " ORDER BY e.stream_id, e.stream_version",
            (OPENED, ids),
        )
        rows = await cur.fetchall()
    grouped: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        grouped.setdefault(r["stream_id"], []).append(r)
    contacts = [
        LinkedContact(
            workflow_id=wid,
            victim_ref=str(rs[0]["victim_ref"]),
            order_id=str(rs[0]["order_id"]),
            child_id=str(rs[0]["child_id"]),
            payloads=[ev.parse_payload(str(r["event_type"]), r["payload"]) for r in rs],  # type: ignore[arg-type]
        )
        for wid, rs in grouped.items()
    ]
    return kpi10(yjs, quarter, orders, contacts)
