"""The child's record store: encrypted per child, every read logged, found by keyed hashes of its words.

Storage is migration 015. Each child has a random 32-byte key, stored only wrapped (AES-256-GCM) by the
personal-data master key (the one that wraps victims' keys, YJFLOW_VICTIM_MASTER_KEY, never in the
database), under associated data of its own, so a child's wrapped key can never pass for a victim's or
for another child's. The record is the JSON of `domain.child_record.ChildRecord` encrypted under it.
Search tokens (`domain.child_record.search_tokens`) are stored as HMAC-SHA256 under a key derived from
the master key, so the table of tokens names no one to a reader without that key.

Erasure destroys the key and deletes the tokens; the ciphertext may stay and can never be read again.
A correction is recorded as an event on the child's record stream (`child-record:{yjs}:{child_id}`),
naming the fields and the reason, never the values.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from activities.court_messages import MessageSeal, erase_for_child
from activities.record_streams import append_record_event, child_record_stream
from domain import child_record as cr
from domain import events as ev

log = structlog.get_logger(__name__)

_KEY_AAD = b"yjflow/child-key/v1\x00"
_RECORD_AAD = b"yjflow/child-record/v1\x00"
_SEARCH_INFO = b"yjflow/child-search/v1"
_NONCE = 12


class ChildRecordError(Exception):
    """A record that cannot be read or written; the message names the child, never a detail."""


class RecordNotFound(ChildRecordError):
    pass


class RecordErased(ChildRecordError):
    pass


record_stream_id = child_record_stream


@dataclass(frozen=True)
class HeldRecord:
    """A record as its service reads it, with when and by whom it was last written."""

    yjs: str
    child_id: str
    record: cr.ChildRecord
    version: int
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class Found:
    """One child a search found: enough to tell them apart in a list."""

    yjs: str
    child_id: str
    name: str
    date_of_birth: date


def messages_of(store: ChildRecordStore | None) -> MessageSeal | None:
    """The seal of the court messages, where a store (so the master key) is configured."""
    return store.messages if store is not None else None


class ChildRecordStore:
    def __init__(self, pool: AsyncConnectionPool[Any], master_key: bytes, key_id: str) -> None:
        if len(master_key) != 32:
            raise ValueError("the personal-data master key must be exactly 32 bytes (AES-256)")
        self._pool = pool
        self._master = AESGCM(master_key)
        self._key_id = key_id
        self._search_key = hmac.new(master_key, _SEARCH_INFO, hashlib.sha256).digest()
        # The court messages naming children are sealed under the same master key (and erased with them).
        self.messages = MessageSeal(master_key, key_id)

    # --- writing ------------------------------------------------------------------------------------

    async def fill_from_court(
        self, *, yjs: str, child_id: str, given_name: str, family_name: str, date_of_birth: date, actor: str
    ) -> bool:
        """Make the record from a court outcome if the child has none; True if one was made. A record that
        exists (or was erased) is left as it is: the service's corrections win over a later court's spelling."""
        async with self._pool.connection() as conn, conn.transaction():
            exists = await conn.execute("SELECT 1 FROM child_keys WHERE yjs = %s AND child_id = %s", (yjs, child_id))
            if await exists.fetchone() is not None:
                return False
            record = cr.filled_from_court(None, given_name, family_name, date_of_birth)
            data_key = AESGCM.generate_key(bit_length=256)
            nonce = os.urandom(_NONCE)
            wrapped = nonce + self._master.encrypt(nonce, data_key, self._aad(_KEY_AAD, yjs, child_id, self._key_id))
            inserted = await conn.execute(
                "INSERT INTO child_keys (yjs, child_id, wrapped_key, key_id) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                (yjs, child_id, wrapped, self._key_id),
            )
            if await inserted.fetchone() is None:
                return False  # made by a concurrent delivery of the same child
            await self._write(conn, yjs, child_id, data_key, record, actor, first=True)
            await self._log(conn, actor, yjs, child_id, "create")
        return True

    async def correct(
        self, *, yjs: str, child_id: str, correction: cr.RecordCorrection, actor: str
    ) -> tuple[HeldRecord, list[str]]:
        """Apply a correction (refused by ValueError naming the field at fault); record an event naming the
        fields that changed, with the reason. A correction that changes nothing records nothing."""
        async with self._pool.connection() as conn, conn.transaction():
            held, data_key = await self._read(conn, yjs, child_id, for_update=True)
            after, changed = cr.corrected(held.record, correction)
            if changed:
                await self._write(conn, yjs, child_id, data_key, after, actor, first=False)
                await self._log(conn, actor, yjs, child_id, "correct")
        if changed:
            await self._record_correction(yjs, child_id, changed, correction.reason, actor)
        return await self.read(yjs=yjs, child_id=child_id, actor=actor, log_read=False), changed

    async def _record_correction(self, yjs: str, child_id: str, fields: list[str], reason: str, actor: str) -> None:
        await append_record_event(
            self._pool,
            ev.ChildRecordCorrected(fields=fields),
            stream_id=record_stream_id(yjs, child_id),
            child_id=child_id,
            yjs=yjs,
            actor=actor,
            reason=reason,
        )

    # --- reading ------------------------------------------------------------------------------------

    async def read(self, *, yjs: str, child_id: str, actor: str, log_read: bool = True) -> HeldRecord:
        async with self._pool.connection() as conn, conn.transaction():
            if log_read:
                # Logged before anything is returned, in the same transaction: no read goes unrecorded.
                await self._log(conn, actor, yjs, child_id, "read")
            held, _key = await self._read(conn, yjs, child_id, for_update=False)
        return held

    async def read_many(self, *, keys: list[tuple[str, str]], actor: str) -> dict[tuple[str, str], cr.ChildRecord]:
        """The records of many children at once (a list page's names), each read logged; erased, missing
        and unreadable records (another master key's) are left out."""
        out: dict[tuple[str, str], cr.ChildRecord] = {}
        if not keys:
            return out
        async with self._pool.connection() as conn, conn.transaction():
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                "SELECT k.yjs, k.child_id, k.wrapped_key, k.key_id, r.ciphertext, r.nonce "
                "FROM child_keys k JOIN child_records r USING (yjs, child_id) "
                "WHERE (k.yjs, k.child_id) IN (SELECT * FROM unnest(%s::text[], %s::text[])) "
                "AND k.wrapped_key IS NOT NULL",
                ([y for y, _ in keys], [c for _, c in keys]),
            )
            rows = await cur.fetchall()
            for row in rows:
                await self._log(conn, actor, row["yjs"], row["child_id"], "read")
        for row in rows:
            # One record this process cannot open (wrapped by a master key it does not hold, say after a
            # rotation) must not hide every other child's name: it is left out, and said in the log.
            try:
                data_key = self._unwrap(row["yjs"], row["child_id"], row["wrapped_key"], row["key_id"])
                out[(row["yjs"], row["child_id"])] = self._decrypt(
                    row["yjs"], row["child_id"], data_key, row["ciphertext"], row["nonce"]
                )
            except ChildRecordError as e:
                log.warning("child_record.unreadable", yjs=row["yjs"], child_id=row["child_id"], error=str(e))
        return out

    async def search(self, *, query: cr.SearchQuery, services: list[str] | None, actor: str) -> list[Found]:
        """Children whose record matches every token of the query, in the given services (None: all)."""
        tokens = [self._token(t) for t in sorted(query.tokens)]
        async with self._pool.connection() as conn, conn.transaction():
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                "SELECT yjs, child_id FROM child_search WHERE token = ANY(%s) "
                "AND (%s::text[] IS NULL OR yjs = ANY(%s::text[])) "
                "GROUP BY yjs, child_id HAVING count(DISTINCT token) = %s ORDER BY yjs, child_id LIMIT 200",
                (tokens, services, services, len(tokens)),
            )
            keys = [(r["yjs"], r["child_id"]) for r in await cur.fetchall()]
            for yjs, child_id in keys:
                await self._log(conn, actor, yjs, child_id, "search")
        records = await self.read_many(keys=keys, actor=actor) if keys else {}
        found = [
            Found(yjs=y, child_id=c, name=records[(y, c)].name, date_of_birth=records[(y, c)].date_of_birth)
            for y, c in keys
            if (y, c) in records
        ]
        return sorted(found, key=lambda f: (f.name.casefold(), f.date_of_birth, f.child_id))

    # --- erasure ------------------------------------------------------------------------------------

    async def erase(self, *, yjs: str, child_id: str, actor: str, policy: str) -> None:
        """Destroy the record's key (crypto-shredding), its search tokens and the keys of the court messages
        naming the child (`activities.court_messages`); record the erasure."""
        async with self._pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "UPDATE child_keys SET wrapped_key = NULL, destroyed_at = now(), destroyed_by = %s "
                "WHERE yjs = %s AND child_id = %s AND wrapped_key IS NOT NULL RETURNING 1",
                (actor, yjs, child_id),
            )
            if await cur.fetchone() is None:
                raise RecordNotFound(f"child {child_id} of {yjs} has no live record to erase")
            await conn.execute("DELETE FROM child_search WHERE yjs = %s AND child_id = %s", (yjs, child_id))
            await erase_for_child(conn, yjs, child_id)
            await self._log(conn, actor, yjs, child_id, "erase")
        await append_record_event(
            self._pool,
            ev.ChildRecordErased(policy=policy),
            stream_id=record_stream_id(yjs, child_id),
            child_id=child_id,
            yjs=yjs,
            actor=actor,
        )

    # --- the parts ----------------------------------------------------------------------------------

    async def _read(
        self, conn: AsyncConnection[Any], yjs: str, child_id: str, *, for_update: bool
    ) -> tuple[HeldRecord, bytes]:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(
            "SELECT k.wrapped_key, k.key_id, r.ciphertext, r.nonce, r.version, r.updated_at, r.updated_by "
            "FROM child_keys k JOIN child_records r USING (yjs, child_id) WHERE k.yjs = %s AND k.child_id = %s"
            + (" FOR UPDATE OF r" if for_update else ""),
            (yjs, child_id),
        )
        row = await cur.fetchone()
        if row is None:
            raise RecordNotFound(f"child {child_id} of {yjs} has no record")
        if row["wrapped_key"] is None:
            raise RecordErased(f"the record of child {child_id} of {yjs} was erased")
        data_key = self._unwrap(yjs, child_id, row["wrapped_key"], row["key_id"])
        record = self._decrypt(yjs, child_id, data_key, row["ciphertext"], row["nonce"])
        return HeldRecord(yjs, child_id, record, row["version"], row["updated_at"], row["updated_by"]), data_key

    async def _write(
        self,
        conn: AsyncConnection[Any],
        yjs: str,
        child_id: str,
        data_key: bytes,
        record: cr.ChildRecord,
        actor: str,
        *,
        first: bool,
    ) -> None:
        nonce = os.urandom(_NONCE)
        ciphertext = AESGCM(data_key).encrypt(
            nonce, record.model_dump_json().encode(), self._aad(_RECORD_AAD, yjs, child_id)
        )
        if first:
            await conn.execute(
                "INSERT INTO child_records (yjs, child_id, ciphertext, nonce, updated_by) VALUES (%s, %s, %s, %s, %s)",
                (yjs, child_id, ciphertext, nonce, actor),
            )
        else:
            await conn.execute(
                "UPDATE child_records SET ciphertext = %s, nonce = %s, updated_at = now(), updated_by = %s, "
                "version = version + 1 WHERE yjs = %s AND child_id = %s",
                (ciphertext, nonce, actor, yjs, child_id),
            )
            await conn.execute("DELETE FROM child_search WHERE yjs = %s AND child_id = %s", (yjs, child_id))
        tokens = sorted({self._token(t) for t in cr.search_tokens(record)})
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO child_search (yjs, child_id, token) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                [(yjs, child_id, t) for t in tokens],
            )

    async def _log(self, conn: AsyncConnection[Any], actor: str, yjs: str, child_id: str, action: str) -> None:
        await conn.execute(
            "INSERT INTO child_record_reads (username, yjs, child_id, action) VALUES (%s, %s, %s, %s)",
            (actor, yjs, child_id, action),
        )

    def _token(self, token: str) -> bytes:
        return hmac.new(self._search_key, token.encode(), hashlib.sha256).digest()

    @staticmethod
    def _aad(prefix: bytes, yjs: str, child_id: str, key_id: str | None = None) -> bytes:
        parts = [yjs, child_id] if key_id is None else [key_id, yjs, child_id]
        return prefix + b"\x00".join(p.encode() for p in parts)

    def _unwrap(self, yjs: str, child_id: str, wrapped: bytes, key_id: str) -> bytes:
        if key_id != self._key_id:
            raise ChildRecordError(
                f"the key of child {child_id} was wrapped by master key {key_id!r}, not {self._key_id!r}"
            )
        try:
            return self._master.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], self._aad(_KEY_AAD, yjs, child_id, key_id))
        except InvalidTag:
            raise ChildRecordError(f"the key of child {child_id} does not unwrap with this master key") from None

    def _decrypt(self, yjs: str, child_id: str, data_key: bytes, ciphertext: bytes, nonce: bytes) -> cr.ChildRecord:
        try:
            plaintext = AESGCM(data_key).decrypt(nonce, ciphertext, self._aad(_RECORD_AAD, yjs, child_id))
        except InvalidTag:
            raise ChildRecordError(f"the record of child {child_id} was altered or copied from another") from None
        return cr.ChildRecord.model_validate_json(plaintext)


async def cases_of_children(
    pool: AsyncConnectionPool[Any],
    *,
    id_like: str | None,
    keys: list[tuple[str, str]] | None,
    services: list[str] | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Each child's cases from the cases projection, by (yjs, child id): those whose id contains `id_like`
    (case-insensitive), and those in `keys` (a search's finds); in `services` only (None: every one)."""
    pattern = (
        None if id_like is None else "%" + id_like.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    )
    keys = keys or []
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            """
            SELECT yjs, child_id, string_agg(DISTINCT kind, ', ' ORDER BY kind) AS kinds,
                   count(*) FILTER (WHERE closed_at IS NULL) AS open_cases, max(opened_at) AS last_opened
            FROM cases
            WHERE ((%(pattern)s::text IS NOT NULL AND child_id ILIKE %(pattern)s)
               OR (yjs, child_id) IN (SELECT * FROM unnest(%(yjs)s::text[], %(ids)s::text[])))
              AND (%(services)s::text[] IS NULL OR yjs = ANY(%(services)s::text[]))
            GROUP BY yjs, child_id ORDER BY child_id, yjs LIMIT %(limit)s
            """,
            {
                "pattern": pattern,
                "yjs": [y for y, _ in keys],
                "ids": [c for _, c in keys],
                "services": services,
                "limit": limit,
            },
        )
        return list(await cur.fetchall())


async def services_of_child(pool: AsyncConnectionPool[Any], child_id: str) -> list[str]:
    """The services that hold a record or a case for this child id (usually one)."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT yjs FROM child_keys WHERE child_id = %s UNION SELECT yjs FROM cases WHERE child_id = %s ORDER BY 1",
            (child_id, child_id),
        )
        return [row["yjs"] for row in await cur.fetchall()]
