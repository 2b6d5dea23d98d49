"""Court messages kept sealed: the inbox's accepted outcomes and the rejected list's refused ones.

Each row keeps two forms of its message (migration 017): in clear, only what lists, filters and reports
need (`domain.court_outcome.privacy.clear_part`: no names, no date of birth), and the whole message
sealed with AES-256-GCM under a data key of the row's own, stored only wrapped by the personal-data master
key (the one that wraps children's and victims' keys, never in the database) under associated data of its
own, so a message key can never pass for a child's or a victim's. An outcome its order refused at delivery
moves from the inbox to the rejected list as it is sealed.

Erasing a child's record (`activities.child_records.ChildRecordStore.erase`) destroys, in the same
transaction, the keys of every message naming that child in that service (`erase_for_child`): the clear
part stays, so the inbox's history, its counts and the returns built on it still add up, and the names
can never be read again.

A row written with no master key configured (the API warns at start) keeps its message in clear, as
rows did before migration 017; readers take either form (`opened`), and the relay seals every such row
once its worker has the key (`seal_kept_in_clear`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from activities.settings import Settings
from domain.court_outcome.privacy import clear_difference, clear_part

# The columns every reader of a sealed row selects beside its clear body.
SEALED_COLUMNS = ("sealed", "sealed_key", "sealed_key_id", "erased_at")

_KEY_AAD = b"yjflow/court-message-key/v1\x00"
_MESSAGE_AAD = b"yjflow/court-message/v1\x00"
_DIGEST_INFO = b"yjflow/court-message-digest/v1"
_NONCE = 12


class MessageSealed(Exception):
    """A sealed message was asked for where no master key is configured to open it."""


@dataclass(frozen=True)
class Sealed:
    """A message as a row stores it: its clear part, and the whole sealed under a wrapped key."""

    clear: dict[str, Any] | None
    sealed: bytes
    sealed_key: bytes
    sealed_key_id: str


class MessageSeal:
    """Seals and opens court messages under the personal-data master key."""

    def __init__(self, master_key: bytes, key_id: str) -> None:
        if len(master_key) != 32:
            raise ValueError("the personal-data master key must be exactly 32 bytes (AES-256)")
        self._master = AESGCM(master_key)
        self._key_id = key_id
        self._digest_key = hmac.new(master_key, _DIGEST_INFO, hashlib.sha256).digest()

    def digest(self, value: object) -> str:
        """A keyed digest of a JSON value: tells equal messages apart from changed ones without naming
        anyone to a reader without the master key (a plain hash of a name and a date can be guessed)."""
        canonical = json.dumps(value, sort_keys=True, separators=(",", ":")).encode("ascii")
        return hmac.new(self._digest_key, canonical, hashlib.sha256).hexdigest()

    def seal(self, body: object, text: str | None) -> Sealed:
        """Seal a message: `body` as JSON (None when it was not JSON, or cannot be stored as JSON) and
        `text` as it came (None where the body is all there is); `body` is also reduced to its clear part."""
        data_key = AESGCM.generate_key(bit_length=256)
        key_nonce, nonce = os.urandom(_NONCE), os.urandom(_NONCE)
        wrapped = key_nonce + self._master.encrypt(key_nonce, data_key, _KEY_AAD + self._key_id.encode())
        # ensure_ascii: a lone surrogate a JSON string may hold has no UTF-8 form, and stays escaped.
        plain = json.dumps({"body": body, "text": text}).encode("ascii")
        sealed = nonce + AESGCM(data_key).encrypt(nonce, plain, _MESSAGE_AAD)
        return Sealed(clear_part(body), sealed, wrapped, self._key_id)

    def open(self, sealed: bytes, sealed_key: bytes, key_id: str) -> dict[str, Any]:
        """The sealed message: {"body": …, "text": …} as `seal` was given them."""
        wrapped = bytes(sealed_key)
        data_key = self._master.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], _KEY_AAD + key_id.encode())
        blob = bytes(sealed)
        opened: dict[str, Any] = json.loads(AESGCM(data_key).decrypt(blob[:_NONCE], blob[_NONCE:], _MESSAGE_AAD))
        return opened


def sealed_columns(sealed: Sealed | None) -> tuple[bytes | None, bytes | None, str | None]:
    """The values of a row's `sealed`, `sealed_key` and `sealed_key_id`, all None for a row kept in clear."""
    return (sealed.sealed, sealed.sealed_key, sealed.sealed_key_id) if sealed is not None else (None, None, None)


def seal_from_settings(settings: Settings) -> MessageSeal | None:
    """The seal of this deployment's master key, or None where none is configured."""
    try:
        return MessageSeal(settings.victim_master_key_bytes, settings.victim_master_key_id)
    except ValueError:
        return None


def is_sealed(row: Mapping[str, Any]) -> bool:
    return row.get("sealed") is not None


def is_erased(row: Mapping[str, Any]) -> bool:
    return row.get("erased_at") is not None


def opened(row: Mapping[str, Any], seal: MessageSeal | None) -> dict[str, Any] | None:
    """A row's message as {"body": …, "text": …}, or None once its child's record was erased; a row
    written unsealed gives its own columns. Raises MessageSealed where it is sealed and `seal` is None."""
    if is_erased(row):
        return None
    if not is_sealed(row):
        return {"body": row.get("body"), "text": row.get("body_text")}
    if seal is None:
        raise MessageSealed(
            "this court message is sealed: reading it needs the personal-data master key (YJFLOW_VICTIM_MASTER_KEY)"
        )
    return seal.open(row["sealed"], row["sealed_key"], row["sealed_key_id"])


def whole_body(row: Mapping[str, Any], seal: MessageSeal | None) -> Any:
    """A row's message as JSON (its body as submitted), or None once erased or when it was not JSON."""
    message = opened(row, seal)
    return message["body"] if message is not None else None


def kept_body(row: Mapping[str, Any], seal: MessageSeal | None) -> Any:
    """A row's message whole where it can be opened, else its clear part (erased, or no master key here):
    what a redelivery is compared with (`domain.court_outcome.privacy.clear_part` of the new one matches
    a clear part)."""
    if is_sealed(row) and not is_erased(row) and seal is not None:
        return whole_body(row, seal)
    return row.get("body")


def open_rejected(row: Mapping[str, Any], seal: MessageSeal | None) -> tuple[dict[str, Any], bool]:
    """A rejected-list row as its readers get it, and whether it was opened from its seal here: `body_text`
    the message as sent and `body` that as JSON (None if it was not); once erased, the clear part alone with
    `erased` true; where no master key is configured, the clear part alone with `sealed` true. The sealing
    columns are dropped."""
    out = {k: v for k, v in row.items() if k not in SEALED_COLUMNS}
    out["erased"] = is_erased(row)
    openable = is_sealed(row) and not is_erased(row)
    out["sealed"] = openable and seal is None
    if not openable or seal is None:
        return out, False
    message = seal.open(row["sealed"], row["sealed_key"], row["sealed_key_id"])
    body, text = message["body"], message["text"]
    # An outcome its order refused at delivery came from the inbox, which keeps its body alone.
    out["body"], out["body_text"] = body, text if text is not None else json.dumps(body)
    return out, True


async def log_message_reads(pool: AsyncConnectionPool[Any], reader: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Log each opened message naming a child as `reader`'s read of that child's record."""
    named = {
        (body["yjs"], body["child"]["id"])
        for row in rows
        if isinstance(body := row.get("body"), dict)
        and isinstance(body.get("yjs"), str)
        and isinstance(body.get("child"), dict)
        and isinstance(body["child"].get("id"), str)
    }
    if not named:
        return
    async with pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO child_record_reads (username, yjs, child_id, action) VALUES (%s, %s, %s, 'read')",
            [(reader, yjs, child) for yjs, child in sorted(named)],
        )


# Every message naming a child in a service, sealed or not: a row written unsealed loses its child's
# names here instead (its body reduced to the child's id, its text gone).
_ERASE = """
UPDATE {table} SET sealed_key = NULL, erased_at = now(){clear_text}
, body = CASE WHEN jsonb_typeof(body -> 'child') = 'object'
              THEN jsonb_set(body, '{{child}}', jsonb_strip_nulls(jsonb_build_object('id', body -> 'child' -> 'id')))
              ELSE body END
WHERE jsonb_typeof(body) = 'object' AND body ->> 'yjs' = %(yjs)s AND body -> 'child' ->> 'id' = %(child)s
  AND erased_at IS NULL
"""


# A held amendment names its child in its new outcome; one written unsealed loses the child's names from
# both outcomes and its difference, and the court's message.
_ERASE_AMENDMENTS = """
UPDATE court_result_amendments SET sealed_key = NULL, erased_at = now(), message_text = NULL,
    previous_body = jsonb_set(previous_body, '{child}', coalesce(jsonb_strip_nulls(
        jsonb_build_object('id', previous_body -> 'child' -> 'id')), '{}'::jsonb)),
    new_body = jsonb_set(new_body, '{child}', jsonb_strip_nulls(jsonb_build_object('id', new_body -> 'child' -> 'id'))),
    difference = coalesce((SELECT jsonb_agg(CASE WHEN d ->> 'field' LIKE 'child.%%' AND d ->> 'field' <> 'child.id'
                                         THEN jsonb_build_object('field', d -> 'field') ELSE d END)
                           FROM jsonb_array_elements(difference) AS d), '[]'::jsonb)
WHERE new_body ->> 'yjs' = %(yjs)s AND new_body -> 'child' ->> 'id' = %(child)s AND erased_at IS NULL
"""


async def erase_for_child(conn: AsyncConnection[Any], yjs: str, child_id: str) -> int:
    """Destroy the keys of every message naming the child in `yjs`; how many rows were erased."""
    erased = 0
    statements = [
        _ERASE.format(table="inbox", clear_text=""),
        _ERASE.format(table="rejected_outcomes", clear_text=", body_text = NULL"),
        _ERASE_AMENDMENTS,
    ]
    for statement in statements:
        cur = await conn.execute(statement, {"yjs": yjs, "child": child_id})  # type: ignore[arg-type]
        erased += max(cur.rowcount, 0)
    return erased


# --- rows kept in clear before migration 017 (or with no master key) ---------------------------------

_UNSEALED = {
    "inbox": "SELECT outcome_id AS key, body FROM inbox WHERE sealed IS NULL AND erased_at IS NULL",
    "rejected_outcomes": "SELECT id AS key, body, body_text FROM rejected_outcomes WHERE sealed IS NULL "
    "AND erased_at IS NULL",
    "court_result_amendments": "SELECT id AS key, previous_body, new_body, difference, message_text "
    "FROM court_result_amendments WHERE sealed IS NULL AND erased_at IS NULL",
}
_SEAL_ROW = {
    "inbox": "UPDATE inbox SET body = %(clear)s, sealed = %(sealed)s, sealed_key = %(sealed_key)s, "
    "sealed_key_id = %(key_id)s WHERE outcome_id = %(key)s",
    "rejected_outcomes": "UPDATE rejected_outcomes SET body = %(clear)s, body_text = NULL, sealed = %(sealed)s, "
    "sealed_key = %(sealed_key)s, sealed_key_id = %(key_id)s WHERE id = %(key)s",
    "court_result_amendments": "UPDATE court_result_amendments SET previous_body = %(previous)s, new_body = %(clear)s, "
    "difference = %(difference)s, message_text = NULL, new_digest = %(digest)s, sealed = %(sealed)s, "
    "sealed_key = %(sealed_key)s, sealed_key_id = %(key_id)s WHERE id = %(key)s",
}


def _sealed_row(table: str, row: Mapping[str, Any], seal: MessageSeal) -> dict[str, Any]:
    if table == "court_result_amendments":
        whole = {k: row[k] for k in ("previous_body", "new_body", "difference")}
        sealed = seal.seal(whole, row["message_text"])
        extra = {
            "previous": Jsonb(clear_part(row["previous_body"]) or {}),
            "clear": Jsonb(clear_part(row["new_body"]) or {}),
            "difference": Jsonb(clear_difference(row["difference"])),
            "digest": seal.digest(row["new_body"]),
        }
    else:
        sealed = seal.seal(row["body"], row.get("body_text"))
        extra = {"clear": Jsonb(sealed.clear) if sealed.clear is not None else None}
    return {
        "key": row["key"],
        "sealed": sealed.sealed,
        "sealed_key": sealed.sealed_key,
        "key_id": sealed.sealed_key_id,
        **extra,
    }


async def seal_kept_in_clear(pool: AsyncConnectionPool[Any], seal: MessageSeal, *, batch: int = 200) -> int:
    """Seal every court message still kept in clear, a batch per transaction (rows another transaction
    holds are left for the next run); how many were sealed."""
    sealed = 0
    for table, select in _UNSEALED.items():
        while True:
            async with pool.connection() as conn, conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                await cur.execute(f"{select} LIMIT %s FOR UPDATE SKIP LOCKED", (batch,))  # type: ignore[arg-type]
                rows = await cur.fetchall()
                if rows:
                    await cur.executemany(_SEAL_ROW[table], [_sealed_row(table, r, seal) for r in rows])  # type: ignore[arg-type]
            sealed += len(rows)
            if len(rows) < batch:
                break
    return sealed
