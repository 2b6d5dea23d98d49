"""Checking the event store's hash chains: each stream is a SHA-256 chain (`domain.chain`), and this
recomputes it and names the first link that does not hold.

`verify` walks the stored rows; `first_break` and `row_hash` check rows already in hand (the timeline page
checks the chains of the streams it shows from its own read). `chain_hash` is the hash an append stores.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import rfc8785
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ConfigDict

from activities.event_reads import EVENT_COLUMNS
from domain.chain import GENESIS_HASH, canonical_json, event_hash

_VERIFY_BATCH = 2000

Problem = Literal["hash mismatch", "prev_hash does not link", "version gap"]


class BrokenLink(BaseModel):
    """The first row at which a stream's chain does not hold."""

    model_config = ConfigDict(frozen=True)

    stream_id: str
    stream_version: int
    global_position: int
    problem: Problem
    expected: str
    found: str

    def __str__(self) -> str:
        return (
            f"stream {self.stream_id!r} version {self.stream_version} (global position "
            f"{self.global_position}): {self.problem} (expected {_short(self.expected)}, "
            f"found {_short(self.found)})"
        )


class VerifyReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    streams_checked: int
    events_checked: int
    first_break: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.first_break is None

    def __str__(self) -> str:
        checked = f"{self.events_checked} events in {self.streams_checked} streams"
        if self.first_break is None:
            return f"hash chains intact: {checked} verified"
        return f"hash chain BROKEN at {self.first_break}; {checked} checked"


def _short(value: str) -> str:
    return value[:12] + "…" if len(value) > 16 else value


async def verify(
    pool: AsyncConnectionPool[Any], stream_id: str | None = None, *, services: Sequence[str] | None = None
) -> VerifyReport:
    """Recompute every stream's chain (or one stream's) and report the first link that does not hold.

    Rows stream through a server-side cursor in (stream, version) order, so memory stays flat however
    large the table. What this cannot see: a whole stream tail rewritten with recomputed hashes, or
    the last events of a stream deleted; anchoring the heads outside the database covers those.
    With `services`, only the streams those services hold.
    """
    query = f"SELECT {EVENT_COLUMNS} FROM events"
    conditions: list[str] = []
    params: list[Any] = []
    if stream_id is not None:
        conditions.append("stream_id = %s")
        params.append(stream_id)
    if services is not None:
        conditions.append("stream_id IN (SELECT stream_id FROM cases WHERE yjs = ANY(%s::text[]))")
        params.append(list(services))
    if conditions:
        query += " WHERE " + " AND ".join(conditions)
    query += " ORDER BY stream_id, stream_version"

    streams = events = 0
    broken: BrokenLink | None = None
    current: str | None = None
    expected_version, expected_prev = 1, GENESIS_HASH
    async with pool.connection() as conn, conn.transaction():
        cur = conn.cursor("yjflow_verify", row_factory=dict_row)
        cur.itersize = _VERIFY_BATCH
        await cur.execute(query, params)
        async for row in cur:
            if row["stream_id"] != current:
                current = row["stream_id"]
                streams += 1
                expected_version, expected_prev = 1, GENESIS_HASH
            events += 1
            if broken is None:
                broken = check_link(row, expected_version, expected_prev)
            expected_version, expected_prev = row["stream_version"] + 1, row["hash"]
        await cur.close()
    return VerifyReport(streams_checked=streams, events_checked=events, first_break=broken)


def first_break(stream: Sequence[Mapping[str, Any]]) -> BrokenLink | None:
    """The first link of one stream's rows (in version order) that does not hold: versions gap-free from 1,
    each prev_hash the hash before it, each hash recomputed (what `verify` checks)."""
    expected_version, expected_prev = 1, GENESIS_HASH
    for row in stream:
        broken = check_link(row, expected_version, expected_prev)
        if broken is not None:
            return broken
        expected_version, expected_prev = row["stream_version"] + 1, row["hash"]
    return None


def check_link(row: Mapping[str, Any], expected_version: int, expected_prev: str) -> BrokenLink | None:
    """Whether one row holds as the link after (expected_version - 1, expected_prev); None when it does."""

    def broken(problem: Problem, expected: str, found: str) -> BrokenLink:
        return BrokenLink(
            stream_id=row["stream_id"],
            stream_version=row["stream_version"],
            global_position=row["global_position"],
            problem=problem,
            expected=expected,
            found=found,
        )

    if row["stream_version"] != expected_version:
        return broken("version gap", str(expected_version), str(row["stream_version"]))
    if row["prev_hash"] != expected_prev:
        return broken("prev_hash does not link", expected_prev, row["prev_hash"])
    recomputed = row_hash(row)
    if recomputed != row["hash"]:
        return broken("hash mismatch", recomputed, row["hash"])
    return None


def row_hash(row: Mapping[str, Any]) -> str:
    """The chain hash of a stored row, or 'a canonical payload (…)' when its payload has no canonical form.
    A mismatch is looked at again with the reference serialiser (`rfc8785`), so a slip of the fast
    canonical path could only ever raise a false alarm that this clears, never hide a broken link."""
    try:
        fast = chain_hash(row)
        if fast == row["hash"]:
            return fast
        return chain_hash(row, lambda value: bytes(rfc8785.dumps(value)))
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:
        # UnicodeEncodeError: rfc8785 sorts keys by encoding them, and a key with a lone surrogate (which
        # jsonb itself refuses, so only a hand-made row can hold one) fails there instead.
        return f"a canonical payload ({exc})"


def chain_hash(row: Mapping[str, Any], canonical: Callable[[Any], bytes] = canonical_json) -> str:
    """The hash of a row's fields after its prev_hash (`domain.chain.event_hash`); raises
    rfc8785.CanonicalizationError for a payload with no canonical form."""
    return event_hash(
        prev_hash=row["prev_hash"],
        event_id=str(row["event_id"]),
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        event_type=row["event_type"],
        child_id=row["child_id"],
        yjs=row["yjs"],
        effective_at=row["effective_at"],
        recorded_at=row["recorded_at"],
        actor=row["actor"],
        reason=row["reason"],
        payload=row["payload"],
        canonical=canonical,
    )
