"""`yjflow verify` as an operator runs it: exit 0 on intact chains, exit 1 naming the first broken link."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from activities.db import open_pool
from activities.event_store import EventStore
from domain import events as ev
from tests.activities.test_event_store import behind_the_triggers_back
from tests.activities.test_rule_source import yjflow


def _event(stream_id: str, version: int) -> ev.NewEvent:
    return ev.new_event(
        ev.FirstContactMade(contact_date=datetime(2027, 1, 5, tzinfo=UTC).date()),
        event_id=uuid.uuid4(),
        stream_id=stream_id,
        stream_version=version,
        child_id="C-VERIFY",
        yjs="luton",
        effective_at=datetime(2027, 1, 5, tzinfo=UTC),
        actor="alice",
    )


async def test_verify_catches_a_row_changed_behind_the_triggers_back(fresh_database_url: str) -> None:
    """A payload edited with the append-only triggers switched off is named by stream and version."""
    pool = await open_pool(fresh_database_url)
    try:
        store = EventStore(pool)
        for version in (1, 2, 3):
            await store.append([_event("referral-order:luton:41CJ0:C-VERIFY", version)])
    finally:
        await pool.close()
    intact = yjflow("verify", database_url=fresh_database_url)
    assert intact.returncode == 0, intact.stderr
    assert "3 events in 1 streams" in intact.stdout or "intact" in intact.stdout

    await behind_the_triggers_back(
        fresh_database_url,
        "UPDATE events SET payload = jsonb_set(payload, '{method}', '\"phone\"') "
        "WHERE stream_id = %s AND stream_version = 2",
        ("referral-order:luton:41CJ0:C-VERIFY",),
    )
    broken = yjflow("verify", database_url=fresh_database_url)
    assert broken.returncode == 1
    assert "referral-order:luton:41CJ0:C-VERIFY" in broken.stdout
    assert "version 2" in broken.stdout or "v2" in broken.stdout, broken.stdout
