"""KPI 10 as CSV: the nine rows as the return reads them, or one row's drill-down (the contacts it counts)."""

from __future__ import annotations

import csv
import io

from activities.inspection import BOM, _cell
from domain.kpi10 import Kpi10


def kpi10_csv(report: Kpi10, row: int | None = None) -> str:
    """The rows (number, description, total), or with `row` the references that row counts."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    if row is None:
        writer.writerow(["yjs", "quarter", "number", "description", "total"])
        for r in report.rows:
            writer.writerow([_cell(v) for v in (report.yjs, report.quarter, r.number, r.description, r.total)])
        return out.getvalue()
    writer.writerow(["yjs", "quarter", "number", "child_id", "order_id", "victim_contact", "victim_ref"])
    for c in report.rows[row - 1].counted:
        values = (report.yjs, report.quarter, row, c.child_id, c.order_id, c.workflow_id or "", c.victim_ref or "")
        writer.writerow([_cell(v) for v in values])
    return out.getvalue()
