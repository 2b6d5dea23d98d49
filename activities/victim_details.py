"""Victims' personal details: encrypted per victim, readable by victim workers and managers, every access logged.

Storage (`migrations/002_victim_details.sql`; the encryption is `activities.victim_keys`, the log's rows
`activities.victim_access_log`):
- `victim_keys`: one random 32-byte data key per victim ref, stored only wrapped (AES-256-GCM) by the
  victim master key, which is never in the database. The wrapping binds the victim ref and the master
  key id as associated data, so a wrapped key copied to another victim does not unwrap.
- `victim_details`: the JSON of `VictimDetails`, AES-256-GCM under the victim's data key with a fresh
  nonce per write and the victim ref as associated data, so ciphertext swapped between victims fails.
- `access_log`: append-only (the database refuses UPDATE/DELETE/TRUNCATE). Every read, write and erasure
  is a row, and so is every refusal (`denied`). The row is written in the same transaction as the change
  it records, and before a read returns anything, so no access can happen unlogged.

Erasure at the end of retention destroys the victim's key (crypto-shredding): `wrapped_key` becomes NULL,
nothing else is deleted, and the details can no longer be decrypted by anyone, whatever master key they
hold. The database keeps copies of the old wrapped key wherever old row versions live (WAL, backups, until
VACUUM reuses the space); those are still protected by the master key, so full shredding of backups needs
them to expire, or the master key to be rotated and the old one destroyed.

Nothing here logs personal data: log events carry the victim ref, the action and its outcome only, and
exceptions name the victim ref, never a detail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import structlog
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from activities.users import User
from activities.victim_access_log import (
    AccessLogEntry,
    Action,
    Attempt,
    Outcome,
    log_access,
    read_access_log,
)
from activities.victim_details_errors import (
    AccessDenied,
    DetailsErased,
    DetailsIntegrityError,
    VictimDetailsError,
    VictimKeyError,
    VictimNotFound,
)
from activities.victim_keys import VictimKeyring, decrypt_details, encrypt_details
from activities.victim_notes import VictimNotes
from domain.access import PERMISSIONS, Permission, Role
from domain.victim_details import VictimDetails

# The errors and the log's entries are part of the store's public face: callers import them from here.
__all__ = [
    "AccessDenied",
    "AccessLogEntry",
    "Action",
    "Attempt",
    "DetailsErased",
    "DetailsIntegrityError",
    "Outcome",
    "VictimDetailsError",
    "VictimDetailsStore",
    "VictimKeyError",
    "VictimNotFound",
    "check_victim_ref",
]

log = structlog.get_logger(__name__)

AnyPool = AsyncConnectionPool[Any]

# Who may do what with victims' details. These mirror the permissions proposed for `domain.access`
# (READ_VICTIM_DETAILS, RECORD_VICTIM_DETAILS, ERASE_VICTIM_DETAILS, READ_VICTIM_ACCESS_LOG); once they
# exist there, each check below becomes `allows(user.role, Permission.…)`.
# The one access table decides; these names keep the store's checks readable.
READ_ROLES: frozenset[Role] = PERMISSIONS[Permission.READ_VICTIM_DETAILS]
RECORD_ROLES: frozenset[Role] = PERMISSIONS[Permission.RECORD_VICTIM_DETAILS]
ERASE_ROLES: frozenset[Role] = PERMISSIONS[Permission.ERASE_VICTIM_DETAILS]
REVIEW_LOG_ROLES: frozenset[Role] = PERMISSIONS[Permission.READ_VICTIM_ACCESS_LOG]

_VICTIM_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$")
_MAX_PURPOSE = 500
_MAX_LOG_LIMIT = 1000


def check_victim_ref(victim_ref: str) -> str:
    """A victim ref is a pseudonymous id (letters, digits, `._:-`), never a name: it appears in logs."""
    if not isinstance(victim_ref, str) or not _VICTIM_REF.match(victim_ref):
        raise ValueError("invalid victim ref: use 1–100 letters, digits and . _ : - (a pseudonymous id, never a name)")
    return victim_ref


def _check_purpose(what: str, purpose: str) -> str:
    purpose = purpose.strip() if isinstance(purpose, str) else ""
    if not purpose:
        raise ValueError(f"a {what} is required: say why (it is kept in the access log a manager reviews)")
    if len(purpose) > _MAX_PURPOSE:
        raise ValueError(f"the {what} is at most {_MAX_PURPOSE} characters")
    return purpose


class VictimDetailsStore(VictimNotes):
    """The only way into victims' details. `master_key` is the 32-byte victim master key (not the Temporal
    payload key); `key_id` names it, and is stored against every key it wraps. Notes on victim steps are
    sealed and opened under the same keys (`activities.victim_notes`)."""

    def __init__(self, pool: AnyPool, master_key: bytes, key_id: str) -> None:
        self._keys = VictimKeyring(master_key, key_id)
        self._pool = pool

    # --- who may ---

    async def _refuse(self, user: User, attempt: Attempt, victim_ref: str | None, purpose: str, roles: str) -> None:
        """Log the refusal in its own transaction (it must survive the exception), then raise."""
        async with self._pool.connection() as conn:
            await log_access(conn, user, "denied", victim_ref, purpose, attempt)
        log.warning("victim_details.denied", victim_ref=victim_ref, action=attempt)
        why = "is disabled" if user.disabled else f"has role {user.role}"
        raise AccessDenied(
            f"user {user.username} {why} and may not {attempt.replace('_', ' ')} victims' details: "
            f"allowed roles are {roles}",
            victim_ref=victim_ref,
        )

    async def require_role(
        self, user: User, allowed: frozenset[Role], attempt: Attempt, victim_ref: str | None, purpose: str
    ) -> None:
        """Refuse, and log the refusal, unless the user is enabled and holds one of the `allowed` roles."""
        if user.disabled or user.role not in allowed:
            roles = ", ".join(role.value for role in Role if role in allowed)
            await self._refuse(user, attempt, victim_ref, purpose, roles)

    # --- public API ---

    async def record(self, victim_ref: str, details: VictimDetails, *, user: User, purpose: str) -> None:
        """Store (or replace) a victim's details. The first write creates the victim's key; each write
        re-encrypts with a fresh nonce. Refused for an erased victim."""
        victim_ref = check_victim_ref(victim_ref)
        purpose = _check_purpose("purpose", purpose)
        if not isinstance(details, VictimDetails):
            raise TypeError("details must be a VictimDetails")
        await self.require_role(user, RECORD_ROLES, "write", victim_ref, purpose)

        failure: VictimDetailsError | None = None
        async with self._pool.connection() as conn, conn.transaction():
            await self._ensure_key(conn, victim_ref)
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                "SELECT wrapped_key, key_id, destroyed_at FROM victim_keys WHERE victim_ref = %s FOR UPDATE",
                (victim_ref,),
            )
            key_row = await cur.fetchone()
            assert key_row is not None  # inserted above or already there, and never deleted
            outcome: Outcome = "ok"
            if key_row["destroyed_at"] is not None:
                outcome = "erased"
                failure = DetailsErased(
                    f"victim {victim_ref} was erased on {key_row['destroyed_at']:%Y-%m-%d}; "
                    "their details cannot be recorded again under this ref",
                    victim_ref=victim_ref,
                )
            else:
                try:
                    data_key = self._keys.unwrap(victim_ref, bytes(key_row["wrapped_key"]), key_row["key_id"])
                except VictimKeyError as e:
                    # Nothing is overwritten with a key that cannot be the victim's; the attempt is logged.
                    outcome, failure = "key_error", e
                else:
                    ciphertext, nonce = encrypt_details(victim_ref, data_key, details)
                    await conn.execute(
                        "INSERT INTO victim_details"
                        " (victim_ref, ciphertext, nonce, recorded_by, updated_by) VALUES (%s, %s, %s, %s, %s)"
                        " ON CONFLICT (victim_ref) DO UPDATE SET ciphertext = EXCLUDED.ciphertext,"
                        " nonce = EXCLUDED.nonce, updated_at = now(), updated_by = EXCLUDED.updated_by,"
                        " version = victim_details.version + 1",
                        (victim_ref, ciphertext, nonce, user.username, user.username),
                    )
            await log_access(conn, user, "write", victim_ref, purpose, outcome)
        log.info("victim_details.write", victim_ref=victim_ref, action="write", outcome=outcome)
        if failure is not None:
            raise failure

    async def read(self, victim_ref: str, *, user: User, purpose: str) -> VictimDetails:
        """A victim's details, for a victim worker or a manager; the read is logged before it returns."""
        victim_ref = check_victim_ref(victim_ref)
        purpose = _check_purpose("purpose", purpose)
        await self.require_role(user, READ_ROLES, "read", victim_ref, purpose)

        details: VictimDetails | None = None
        failure: VictimDetailsError | None = None
        outcome: Outcome
        async with self._pool.connection() as conn, conn.transaction():
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute(
                "SELECT k.wrapped_key, k.key_id, k.destroyed_at, d.ciphertext, d.nonce"
                " FROM victim_keys k LEFT JOIN victim_details d USING (victim_ref)"
                " WHERE k.victim_ref = %s",
                (victim_ref,),
            )
            row = await cur.fetchone()
            if row is None or (row["destroyed_at"] is None and row["ciphertext"] is None):
                outcome = "not_found"
                failure = VictimNotFound(f"no details are recorded for victim {victim_ref}", victim_ref=victim_ref)
            elif row["destroyed_at"] is not None:
                outcome = "erased"
                failure = DetailsErased(
                    f"the details of victim {victim_ref} were erased on {row['destroyed_at']:%Y-%m-%d}",
                    victim_ref=victim_ref,
                )
            else:
                try:
                    data_key = self._keys.unwrap(victim_ref, bytes(row["wrapped_key"]), row["key_id"])
                    details = decrypt_details(victim_ref, data_key, bytes(row["ciphertext"]), bytes(row["nonce"]))
                    outcome = "ok"
                except VictimKeyError as e:
                    outcome, failure = "key_error", e
                except DetailsIntegrityError as e:
                    outcome, failure = "integrity_error", e
            # Committed with the transaction, before anything is returned.
            await log_access(conn, user, "read", victim_ref, purpose, outcome)
        if failure is not None:
            log.warning("victim_details.read", victim_ref=victim_ref, action="read", outcome=outcome)
            raise failure
        log.info("victim_details.read", victim_ref=victim_ref, action="read", outcome=outcome)
        assert details is not None
        return details

    async def erase(self, victim_ref: str, *, user: User, reason: str) -> None:
        """Destroy the victim's key (crypto-shredding) at the end of retention: the details become
        unreadable for good. Nothing else is deleted. Erasing an erased victim again is a logged no-op."""
        victim_ref = check_victim_ref(victim_ref)
        reason = _check_purpose("reason", reason)
        await self.require_role(user, ERASE_ROLES, "erase", victim_ref, reason)

        failure: VictimDetailsError | None = None
        async with self._pool.connection() as conn, conn.transaction():
            cur = conn.cursor(row_factory=dict_row)
            await cur.execute("SELECT destroyed_at FROM victim_keys WHERE victim_ref = %s FOR UPDATE", (victim_ref,))
            row = await cur.fetchone()
            outcome: Outcome
            if row is None:
                outcome = "not_found"
                failure = VictimNotFound(f"no details are recorded for victim {victim_ref}", victim_ref=victim_ref)
            elif row["destroyed_at"] is not None:
                outcome = "already_erased"
            else:
                outcome = "ok"
                await conn.execute(
                    "UPDATE victim_keys SET wrapped_key = NULL, destroyed_at = now(), destroyed_by = %s"
                    " WHERE victim_ref = %s",
                    (user.username, victim_ref),
                )
            await log_access(conn, user, "erase", victim_ref, reason, outcome)
        log.info("victim_details.erase", victim_ref=victim_ref, action="erase", outcome=outcome)
        if failure is not None:
            raise failure

    async def access_log(
        self,
        *,
        user: User,
        victim_ref: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        services: Sequence[str] | None = None,
    ) -> list[AccessLogEntry]:
        """The access log, newest first, for a manager to review; optionally one victim's, or since a time;
        with `services`, only accesses to victims those services hold a contact of."""
        if victim_ref is not None:
            victim_ref = check_victim_ref(victim_ref)
        if since is not None and since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        if not 1 <= limit <= _MAX_LOG_LIMIT:
            raise ValueError(f"limit must be between 1 and {_MAX_LOG_LIMIT}")
        await self.require_role(user, REVIEW_LOG_ROLES, "review_log", victim_ref, "review of the victim access log")

        return await read_access_log(self._pool, victim_ref=victim_ref, since=since, limit=limit, services=services)

    async def exists(self, victim_ref: str) -> bool:
        """True when details are recorded for this victim ref and not erased. Reveals nothing personal,
        so it needs no user and is not logged (a workflow may check a ref before referring to it)."""
        victim_ref = check_victim_ref(victim_ref)
        async with self._pool.connection() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM victim_keys k JOIN victim_details d USING (victim_ref)"
                " WHERE k.victim_ref = %s AND k.destroyed_at IS NULL",
                (victim_ref,),
            )
            return await cur.fetchone() is not None
