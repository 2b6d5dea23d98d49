"""Reminders and escalations: recorded in the `notifications` outbox, logged, and mailed when SMTP is set up.

The row is the notification; the email is a best-effort copy. So a mail server that is down or refuses the
address never fails `send`: the row records `failed` with the error and the workflow carries on, because a
reminder must never hold up a child's order. The pages and the log read the same rows.

Exactly-once mail is impossible (the server may accept a message just before we crash), so the aim is
"at most once per dedupe key, unless we crash mid-send". The row is claimed and the mail sent inside one
transaction: a concurrent retry of the same key waits on the unique index and then finds the row already
sent; a crash rolls the claim back, so the retry sends again rather than never. The Message-ID is derived
from the dedupe key, so a mail client can still fold that rare duplicate away.
"""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
from collections.abc import Sequence
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Literal

import structlog
from psycopg import AsyncCursor
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from activities.metrics import NOTICES
from activities.service_scope import in_services
from domain.notifications import Message

log = structlog.get_logger(__name__)

NotificationKind = Literal["reminder", "escalation"]
EmailStatus = Literal["not_configured", "no_address", "sent", "failed"]

_COLUMNS = (
    "id, dedupe_key, created_at, kind, recipient, workflow_id, child_id, deadline_id, rule_id, due_date,"
    " subject, body, email_to, email_status, email_error, sent_at"
)
# The placeholder never becomes visible: it is overwritten before the claiming transaction commits.
_CLAIMING = "sending (not committed)"
_MAX_ERROR = 500


class SmtpConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str
    port: int = Field(default=25, ge=1, le=65535)
    sender: str
    use_starttls: bool = False
    username: str | None = None
    password: SecretStr | None = None
    timeout: float = Field(default=10.0, gt=0)


class NotificationRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    dedupe_key: str
    created_at: datetime
    kind: NotificationKind
    recipient: str
    workflow_id: str
    child_id: str
    deadline_id: str
    rule_id: str
    due_date: date
    subject: str
    body: str
    email_to: str | None
    email_status: EmailStatus
    email_error: str | None
    sent_at: datetime | None


def _message_id(dedupe_key: str, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "yjflow.invalid"
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}.yjflow@{domain}>"


def _deliver(smtp: SmtpConfig, to: str, subject: str, body: str, dedupe_key: str) -> None:
    """Blocking SMTP delivery; runs in a worker thread."""
    mail = EmailMessage()
    mail["From"] = smtp.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = _message_id(dedupe_key, smtp.sender)
    # RFC 3834: stops out-of-office replies bouncing back into a mailbox nobody reads.
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
        if smtp.use_starttls:
            client.starttls()
        if smtp.username:
            password = smtp.password.get_secret_value() if smtp.password else ""
            client.login(smtp.username, password)
        client.send_message(mail)


class Notifier:
    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        smtp: SmtpConfig | None,
        *,
        team_address: str | None = None,
    ) -> None:
        self._pool = pool
        self._smtp = smtp
        self._team_address = team_address

    async def _address_for(self, cur: AsyncCursor[dict[str, Any]], recipient: str) -> str | None:
        # A disabled user's reminders go to the team mailbox, so the work is not left with nobody.
        await cur.execute(
            "SELECT email FROM users WHERE username = %s AND NOT disabled AND email IS NOT NULL",
            (recipient,),
        )
        row = await cur.fetchone()
        return str(row["email"]) if row is not None else self._team_address

    async def _mail(self, to: str, subject: str, body: str, dedupe_key: str) -> tuple[EmailStatus, str | None]:
        assert self._smtp is not None
        try:
            await asyncio.to_thread(_deliver, self._smtp, to, subject, body, dedupe_key)
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            return "failed", f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
        return "sent", None

    async def send(
        self,
        *,
        dedupe_key: str,
        kind: NotificationKind,
        recipient: str,
        workflow_id: str,
        child_id: str,
        deadline_id: str,
        rule_id: str,
        due_date: date,
        message: Message,
    ) -> NotificationRecord:
        """Record one notification (once per `dedupe_key`) and mail it when SMTP is configured.

        Never raises for a mail problem. A repeat of a key already sent returns the stored row untouched;
        a repeat of a key whose mail failed tries the mail again with the stored subject and body.
        """
        if kind not in ("reminder", "escalation"):
            raise ValueError(f"unknown notification kind {kind!r}")
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            to = await self._address_for(cur, recipient)
            if self._smtp is None:
                status: EmailStatus = "not_configured"
            elif to is None:
                status = "no_address"
            else:
                status = "failed"
            await cur.execute(
                "INSERT INTO notifications (dedupe_key, kind, recipient, workflow_id, child_id, deadline_id,"
                " rule_id, due_date, subject, body, email_to, email_status, email_error)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                f" ON CONFLICT (dedupe_key) DO NOTHING RETURNING {_COLUMNS}",
                (
                    dedupe_key, kind, recipient, workflow_id, child_id, deadline_id, rule_id, due_date,
                    message.subject, message.body, to, status, _CLAIMING if status == "failed" else None,
                ),
            )  # fmt: skip
            row = await cur.fetchone()
            fresh = row is not None
            if row is None:
                await cur.execute(
                    f"SELECT {_COLUMNS} FROM notifications WHERE dedupe_key = %s FOR UPDATE", (dedupe_key,)
                )
                row = await cur.fetchone()
                assert row is not None, "a conflicting notification row cannot vanish: rows are never deleted"
                if row["email_status"] != "failed" or self._smtp is None:
                    log.info(
                        "notification.duplicate",
                        workflow_id=row["workflow_id"],
                        rule_id=row["rule_id"],
                        deadline_id=row["deadline_id"],
                        email_status=row["email_status"],
                    )
                    return NotificationRecord.model_validate(row)
                # A corrected address since the failure is the likeliest reason a retry would now work.
                to = to or row["email_to"]
                if to is None:
                    row = await self._finish(cur, row["id"], "no_address", None)
            if row["email_status"] == "failed" and to is not None:
                status, error = await self._mail(to, row["subject"], row["body"], dedupe_key)
                row = await self._finish(cur, row["id"], status, error, to)
        record = NotificationRecord.model_validate(row)
        log.info(
            "notification.sent",
            workflow_id=record.workflow_id,
            rule_id=record.rule_id,
            deadline_id=record.deadline_id,
            kind=record.kind,
            recipient=record.recipient,
            email_status=record.email_status,
            retried=not fresh,
        )
        NOTICES.labels(kind=record.kind, status=record.email_status).inc()
        return record

    @staticmethod
    async def _finish(
        cur: AsyncCursor[dict[str, Any]],
        notification_id: int,
        status: EmailStatus,
        error: str | None,
        to: str | None = None,
    ) -> dict[str, Any]:
        await cur.execute(
            # clock_timestamp(), not now(): now() is when the transaction began, before the mail went out.
            "UPDATE notifications SET email_status = %s, email_error = %s,"
            " email_to = COALESCE(%s, email_to),"
            " sent_at = CASE WHEN %s = 'sent' THEN clock_timestamp() ELSE sent_at END"
            f" WHERE id = %s RETURNING {_COLUMNS}",
            (status, error, to, status, notification_id),
        )
        row = await cur.fetchone()
        assert row is not None
        return row


async def list_notifications(
    pool: AsyncConnectionPool[Any],
    *,
    workflow_id: str | None = None,
    limit: int = 100,
    services: Sequence[str] | None = None,
) -> list[NotificationRecord]:
    """Newest first; optionally only one workflow's; with `services`, only of streams they hold."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM notifications"
            " WHERE (%(wf)s::text IS NULL OR workflow_id = %(wf)s)"
            f" AND {in_services('workflow_id')}"
            " ORDER BY created_at DESC, id DESC LIMIT %(limit)s",
            {"wf": workflow_id, "limit": max(0, limit), "services": None if services is None else list(services)},
        )
        rows = await cur.fetchall()
    return [NotificationRecord.model_validate(row) for row in rows]
