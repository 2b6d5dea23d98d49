"""Court outcomes refused for a child, as the people working the child's cases see them: when each came,
its id and the reasons; never its body, which carries the child's personal details. One corrected and
accepted since (its id now delivered from the inbox) is no longer shown as refused."""

from __future__ import annotations

from typing import Any

from psycopg.rows import dict_row

from activities.db import Pool

_FOR_CHILD = """
SELECT r.id, r.outcome_id, r.received_at, r.errors
FROM rejected_outcomes r
WHERE r.body -> 'child' ->> 'id' = %(child)s
  AND NOT EXISTS (
      SELECT 1 FROM inbox i WHERE i.outcome_id = r.outcome_id AND i.relay_status <> 'refused'
  )
ORDER BY r.id DESC
LIMIT %(limit)s
"""


async def rejected_for_child(pool: Pool, child_id: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """The child's refused outcomes, newest first: id, outcome_id, received_at and errors."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_FOR_CHILD, {"child": child_id, "limit": limit})
        return list(await cur.fetchall())
