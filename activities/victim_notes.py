"""Notes on a victim contact's steps, sealed under the victim's own key (`migrations/008_victim_step_notes.sql`).

A reason or note a victim worker types ("victim (14), same school, mum") is personal data. It is sealed
here before the step reaches the workflow, and the step then carries only `victim-note:<id>`, so neither
the hash-chained event log nor the Temporal history ever holds the clear text, and destroying the
victim's key (erasure) leaves every note unreadable. Sealing and opening are logged in the access log
like any write or read of the victim's details; opening is for `READ_VICTIM_STEP_DETAILS` only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, Literal

import structlog
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from activities.users import User
from activities.victim_access_log import Outcome, log_access
from activities.victim_details_errors import DetailsIntegrityError, VictimKeyError
from activities.victim_keys import VictimKeyring, decrypt_note, encrypt_note
from domain.access import PERMISSIONS, Permission, Role
from domain.victim_details import note_id_of, note_ref

log = structlog.get_logger(__name__)

NOTE_READ_ROLES: frozenset[Role] = PERMISSIONS[Permission.READ_VICTIM_STEP_DETAILS]
NOTE_WRITE_ROLES: frozenset[Role] = PERMISSIONS[Permission.ACT_ON_VICTIM_CONTACT]

# What became of a note when it was opened: shown in clear, or why not.
NoteState = Literal["shown", "withheld", "erased", "unreadable"]


class OpenedNote:
    __slots__ = ("state", "text")

    def __init__(self, state: NoteState, text: str | None = None) -> None:
        self.state = state
        self.text = text


class VictimNotes:
    """Sealing and opening victim-step notes; mixed into `VictimDetailsStore`, whose key ring and pool it uses."""

    _keys: VictimKeyring
    _pool: AsyncConnectionPool[Any]

    async def require_role(
        self, user: User, allowed: frozenset[Role], attempt: Any, victim_ref: str | None, purpose: str
    ) -> None:  # pragma: no cover - provided by VictimDetailsStore
        raise NotImplementedError

    async def _ensure_key(self, conn: Any, victim_ref: str) -> None:
        """Give the victim a key unless they have one. The new key is made and wrapped in any case; ON
        CONFLICT keeps the one already there, and concurrent first writes of one victim all use the same key."""
        await conn.execute(
            "INSERT INTO victim_keys (victim_ref, wrapped_key, key_id) VALUES (%s, %s, %s)"
            " ON CONFLICT (victim_ref) DO NOTHING",
            (victim_ref, self._keys.new_wrapped_key(victim_ref), self._keys.key_id),
        )

    async def _data_key(self, conn: Any, victim_ref: str, *, create: bool) -> bytes | None:
        """The victim's data key (made on first use when `create`); None when erased or never made."""
        if create:
            await self._ensure_key(conn, victim_ref)
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(
            "SELECT wrapped_key, key_id, destroyed_at FROM victim_keys WHERE victim_ref = %s", (victim_ref,)
        )
        row = await cur.fetchone()
        if row is None or row["destroyed_at"] is not None:
            return None
        return self._keys.unwrap(victim_ref, bytes(row["wrapped_key"]), row["key_id"])

    async def seal_note(self, victim_ref: str, workflow_id: str, text: str, *, user: User, step: str) -> str:
        """Seal `text` under the victim's key and return the reference the step's event carries instead."""
        await self.require_role(user, NOTE_WRITE_ROLES, "write", victim_ref, f"note on {step}")
        note_id = str(uuid.uuid4())
        async with self._pool.connection() as conn, conn.transaction():
            data_key = await self._data_key(conn, victim_ref, create=True)
            if data_key is None:
                await log_access(conn, user, "write", victim_ref, f"note on {step} ({workflow_id})", "erased")
                raise VictimKeyError(
                    f"victim {victim_ref} was erased: no note can be recorded under their key", victim_ref=victim_ref
                )
            ciphertext, nonce = encrypt_note(victim_ref, note_id, data_key, text)
            await conn.execute(
                "INSERT INTO victim_step_notes (note_id, victim_ref, workflow_id, ciphertext, nonce, recorded_by)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (note_id, victim_ref, workflow_id, ciphertext, nonce, user.username),
            )
            await log_access(conn, user, "write", victim_ref, f"note on {step} ({workflow_id})", "ok")
        log.info("victim_notes.sealed", victim_ref=victim_ref, workflow_id=workflow_id, step=step)
        return note_ref(note_id)

    async def open_notes(
        self, victim_ref: str, workflow_id: str, reasons: Iterable[str | None], *, user: User
    ) -> dict[str, OpenedNote]:
        """Each sealed reference among `reasons` opened for `user`: the text for those who may read victim
        step details (one access-log row for the lot), `withheld` for anyone else, `erased` once the
        victim's key is destroyed."""
        ids = sorted({i for i in (note_id_of(r) for r in reasons) if i is not None})
        if not ids:
            return {}
        if user.disabled or user.role not in NOTE_READ_ROLES:
            return {note_ref(i): OpenedNote("withheld") for i in ids}
        opened: dict[str, OpenedNote] = {}
        outcome: Outcome
        async with self._pool.connection() as conn, conn.transaction():
            try:
                data_key = await self._data_key(conn, victim_ref, create=False)
            except VictimKeyError:
                data_key = None
                outcome = "key_error"
            else:
                outcome = "ok" if data_key is not None else "erased"
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                "SELECT note_id::text AS note_id, ciphertext, nonce FROM victim_step_notes"
                " WHERE victim_ref = %s AND note_id = ANY(%s::uuid[])",
                (victim_ref, ids),
            )
            rows = {r["note_id"]: r for r in await cur.fetchall()}
            for i in ids:
                row = rows.get(i)
                if data_key is None:
                    opened[note_ref(i)] = OpenedNote("erased" if outcome == "erased" else "unreadable")
                elif row is None:
                    opened[note_ref(i)] = OpenedNote("unreadable")
                else:
                    try:
                        text = decrypt_note(victim_ref, i, data_key, bytes(row["ciphertext"]), bytes(row["nonce"]))
                    except DetailsIntegrityError:
                        opened[note_ref(i)] = OpenedNote("unreadable")
                        outcome = "integrity_error"
                    else:
                        opened[note_ref(i)] = OpenedNote("shown", text)
            await log_access(conn, user, "read", victim_ref, f"notes of {workflow_id}", outcome)
        return opened
