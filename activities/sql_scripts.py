"""Several statements in one round trip: a script sent as one simple-protocol message, its parameters
bound on our side, inside a transaction the scripts open and close themselves (what the event store's
append does, `activities.event_append`).

Why not psycopg's pipeline mode, which saves the same round trips: it costs more in Python for each
statement (a send, and a turn of the event loop) than a round trip costs on a local server, and an append
is a few small statements.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncClientCursor, AsyncConnection
from psycopg.pq import TransactionStatus
from psycopg.types.json import Jsonb

Statement = tuple[str, Any]  # a query and its parameters (None: a query to send as it is)


@asynccontextmanager
async def own_transaction(conn: AsyncConnection[Any]) -> AsyncIterator[None]:
    """The connection in autocommit while the scripts run, so that a script's own BEGIN and COMMIT make the
    transaction (psycopg's implicit BEGIN would be a round trip of its own). Afterwards the connection is
    as the pool lent it: idle and not in autocommit, a transaction left open or failed rolled back; or
    closed, for the pool to replace (a script cancelled halfway, a connection lost)."""
    await conn.set_autocommit(True)
    try:
        yield
    finally:
        try:
            if conn.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
                await conn.execute("ROLLBACK")
            await conn.set_autocommit(False)
        except Exception:
            await conn.close()


def script(cur: AsyncClientCursor[Any], statements: Sequence[Statement]) -> str:
    """The statements as one script: the server runs them one after another, each with its own snapshot
    (so a statement sees what the ones before it did, and what other transactions committed meanwhile),
    and the first error stops it. Parameters are bound by psycopg's own quoting (`mogrify`) as untyped
    literals, so each must take its type from where it stands (a column, an operator, a cast, a function's
    argument). Dates, instants, UUIDs and Jsonb go as their text, which psycopg quotes far faster than it
    quotes the objects."""
    return ";\n".join(query if params is None else cur.mogrify(query, _as_text(params)) for query, params in statements)


def json_text(value: Any) -> str:
    """Compact JSON, as jsonb will store it; NaN and Infinity refused (ValueError): they are not JSON."""
    return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def _as_text(params: Any) -> Any:
    if isinstance(params, Mapping):
        return {name: _literal(value) for name, value in params.items()}
    return [_literal(value) for value in params]


def _literal(value: Any) -> Any:
    kind = type(value)
    if kind is datetime or kind is date:
        return value.isoformat()
    if kind is UUID:
        return str(value)
    if kind is Jsonb:
        return json_text(value.obj)
    return value
