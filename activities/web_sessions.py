"""Signed-in browser sessions for the pages: started by an API token, ended by sign-out or expiry.

The session id (256 random bits) lives only in the browser's cookie; the table holds its SHA-256, so a
copy of the database cannot be used to sign in. A session ends when idle for `IDLE` or `ABSOLUTE` after
sign-in, whichever comes first, or at once when its user is disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from psycopg.rows import dict_row
from pydantic import BaseModel, ConfigDict

from activities.db import Pool
from activities.users import User, user_from_row

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)


class Session(BaseModel):
    model_config = ConfigDict(frozen=True)

    user: User
    csrf_token: str


class StartedSession(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_id: str  # for the cookie only; never stored
    csrf_token: str


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


async def start(pool: Pool, user: User) -> StartedSession:
    """A new session for `user` (already authenticated by token)."""
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    async with pool.connection() as conn:
        await conn.execute(
            "INSERT INTO web_sessions (session_hash, username, csrf_token, expires_at) VALUES (%s, %s, %s, now() + %s)",
            (_hash(session_id), user.username, csrf, ABSOLUTE),
        )
    return StartedSession(session_id=session_id, csrf_token=csrf)


async def resume(pool: Pool, session_id: str | None) -> Session | None:
    """The live session for this cookie value, its idle clock restarted; None when unknown or ended."""
    if not session_id:
        return None
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        # One statement checks both clocks and the user, and restarts the idle clock, so two tabs cannot
        # race an expiry between a read and a write.
        await cur.execute(
            """
            UPDATE web_sessions s SET last_seen_at = now()
            FROM users u
            WHERE s.session_hash = %s AND u.username = s.username
              AND s.ended_at IS NULL AND NOT u.disabled
              AND s.expires_at > now() AND s.last_seen_at > now() - %s
            RETURNING u.username, u.role, u.email, u.manager, u.disabled, u.valid_from, u.valid_until,
                array(SELECT us.yjs FROM user_services us WHERE us.username = u.username) AS services,
                s.csrf_token
            """,
            (_hash(session_id), IDLE),
        )
        row = await cur.fetchone()
    if row is None:
        return None
    csrf = row.pop("csrf_token")
    return Session(user=user_from_row(row), csrf_token=csrf)


async def end(pool: Pool, session_id: str | None) -> bool:
    """End the session (sign-out); True when a live session was ended."""
    if not session_id:
        return False
    async with pool.connection() as conn:
        cur = await conn.execute(
            "UPDATE web_sessions SET ended_at = now() WHERE session_hash = %s AND ended_at IS NULL",
            (_hash(session_id),),
        )
        return bool(cur.rowcount)
