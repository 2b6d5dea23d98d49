"""Notifications against real PostgreSQL and a real SMTP server (aiosmtpd on a free local port)."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
import pytest_asyncio
from aiosmtpd.controller import Controller
from psycopg.rows import tuple_row
from psycopg_pool import AsyncConnectionPool
from structlog.testing import capture_logs

from activities.db import open_pool
from activities.notify import Notifier, SmtpConfig, list_notifications
from activities.users import add_user
from domain.access import Role
from domain.notifications import Message, escalation_message, reminder_message

SENDER = "yjflow@yjs.example.org"
TEAM = "yjs-team@yjs.example.org"


@dataclass
class Collecting:
    """An aiosmtpd handler that keeps every envelope it accepts."""

    envelopes: list[Any] = field(default_factory=list)
    refuse_recipients: bool = False

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse_recipients:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def mails(self) -> list[EmailMessage]:
        return [message_from_bytes(e.original_content, policy=default_policy) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_smtp(port: int, handler: Collecting) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[tuple[Collecting, SmtpConfig]]:
    handler = Collecting()
    port = free_port()
    controller = start_smtp(port, handler)
    try:
        yield handler, SmtpConfig(host="127.0.0.1", port=port, sender=SENDER, timeout=5)
    finally:
        controller.stop()


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    # The worker's own pool (dict rows), so these tests exercise what production runs.
    pool = await open_pool(database_url, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def worker_with_email(pool: AsyncConnectionPool[Any]) -> tuple[str, str]:
    username = unique("cw")
    email = f"{username}@yjs.example.org"
    await add_user(pool, username, Role.CASE_WORKER, email=email)
    return username, email


def a_reminder(workflow_id: str, *, unconfirmed: bool = True) -> Message:
    return reminder_message(
        workflow_id=workflow_id,
        child_id="C42",
        rule_id="yro.first_appointment",
        description="First YRO appointment",
        due_date=date(2024, 3, 8),
        unconfirmed=unconfirmed,
        source="2013 national standards, reported",
        reminder_label="1 working day before",
    )


async def send(notifier: Notifier, *, recipient: str, key: str | None = None, **extra: Any) -> Any:
    workflow_id = extra.pop("workflow_id", unique("yro"))
    return await notifier.send(
        dedupe_key=key or unique("key"),
        kind=extra.pop("kind", "reminder"),
        recipient=recipient,
        workflow_id=workflow_id,
        child_id="C42",
        deadline_id="first_appointment",
        rule_id="yro.first_appointment",
        due_date=date(2024, 3, 8),
        message=extra.pop("message", a_reminder(workflow_id)),
    )


async def rows_with_key(pool: AsyncConnectionPool[Any], key: str) -> int:
    async with pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
        await cur.execute("SELECT count(*) FROM notifications WHERE dedupe_key = %s", (key,))
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def test_email_is_delivered_to_the_recipient_with_the_subject(
    pool: AsyncConnectionPool[Any], smtp_server: tuple[Collecting, SmtpConfig]
) -> None:
    handler, smtp = smtp_server
    username, email = await worker_with_email(pool)
    workflow_id = unique("yro")
    message = a_reminder(workflow_id)

    record = await send(Notifier(pool, smtp), recipient=username, workflow_id=workflow_id, message=message)

    assert record.email_status == "sent"
    assert record.email_to == email
    assert record.email_error is None
    assert record.sent_at is not None
    assert [e.rcpt_tos for e in handler.envelopes] == [[email]]
    assert handler.envelopes[0].mail_from == SENDER
    (mail,) = handler.mails()
    assert mail["Subject"] == message.subject
    assert mail["Subject"].startswith("yjflow:") and "[unconfirmed rule]" in mail["Subject"]
    assert mail["To"] == email
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "This rule's source is unconfirmed" in mail.get_content()
    assert await list_notifications(pool, workflow_id=workflow_id) == [record]


async def test_same_dedupe_key_twice_gives_one_row_and_one_email(
    pool: AsyncConnectionPool[Any], smtp_server: tuple[Collecting, SmtpConfig]
) -> None:
    handler, smtp = smtp_server
    username, _ = await worker_with_email(pool)
    notifier = Notifier(pool, smtp)
    key = unique("retry")

    first = await send(notifier, recipient=username, key=key)
    again = await send(notifier, recipient=username, key=key, message=Message(subject="yjflow: other", body="x"))

    assert again == first
    assert again.subject != "yjflow: other"
    assert await rows_with_key(pool, key) == 1
    assert len(handler.envelopes) == 1


async def test_concurrent_retries_of_one_key_send_one_email(
    pool: AsyncConnectionPool[Any], smtp_server: tuple[Collecting, SmtpConfig]
) -> None:
    handler, smtp = smtp_server
    username, _ = await worker_with_email(pool)
    notifier = Notifier(pool, smtp)
    key = unique("race")

    records = await asyncio.gather(*(send(notifier, recipient=username, key=key) for _ in range(3)))

    assert {r.id for r in records} == {records[0].id}
    assert {r.email_status for r in records} == {"sent"}
    assert await rows_with_key(pool, key) == 1
    assert len(handler.envelopes) == 1


async def test_smtp_down_records_failure_without_raising_then_a_retry_sends(
    pool: AsyncConnectionPool[Any],
) -> None:
    username, email = await worker_with_email(pool)
    port = free_port()  # nothing listens here
    notifier = Notifier(pool, SmtpConfig(host="127.0.0.1", port=port, sender=SENDER, timeout=5))
    key = unique("down")

    record = await send(notifier, recipient=username, key=key)

    assert record.email_status == "failed"
    assert record.email_error is not None and "ConnectionRefusedError" in record.email_error
    assert record.sent_at is None
    assert record.email_to == email
    assert await rows_with_key(pool, key) == 1

    # The mail server comes back; the activity's retry of the same key delivers it, still one row.
    handler = Collecting()
    controller = start_smtp(port, handler)
    try:
        retried = await send(notifier, recipient=username, key=key)
    finally:
        controller.stop()
    assert retried.id == record.id
    assert retried.email_status == "sent" and retried.email_error is None and retried.sent_at is not None
    assert len(handler.envelopes) == 1
    assert await rows_with_key(pool, key) == 1


async def test_refused_recipient_is_recorded_as_failed(
    pool: AsyncConnectionPool[Any], smtp_server: tuple[Collecting, SmtpConfig]
) -> None:
    handler, smtp = smtp_server
    handler.refuse_recipients = True
    username, _ = await worker_with_email(pool)

    record = await send(Notifier(pool, smtp), recipient=username)

    assert record.email_status == "failed"
    assert record.email_error is not None and "SMTPRecipientsRefused" in record.email_error
    assert handler.envelopes == []


async def test_not_configured_is_recorded(pool: AsyncConnectionPool[Any]) -> None:
    username, _ = await worker_with_email(pool)
    key = unique("nosmtp")

    record = await send(Notifier(pool, None, team_address=TEAM), recipient=username, key=key)

    assert record.email_status == "not_configured"
    assert record.sent_at is None and record.email_error is None
    assert await rows_with_key(pool, key) == 1
    # Configuring SMTP later does not resend what was recorded without it.
    again = await send(Notifier(pool, SmtpConfig(host="127.0.0.1", port=1, sender=SENDER)), recipient=username, key=key)
    assert again == record


async def test_team_address_and_no_address(
    pool: AsyncConnectionPool[Any], smtp_server: tuple[Collecting, SmtpConfig]
) -> None:
    handler, smtp = smtp_server
    no_email = unique("cw")
    await add_user(pool, no_email, Role.CASE_WORKER)

    to_team = await send(Notifier(pool, smtp, team_address=TEAM), recipient="north-team")
    assert to_team.email_status == "sent" and to_team.email_to == TEAM
    user_without_email = await send(Notifier(pool, smtp, team_address=TEAM), recipient=no_email)
    assert user_without_email.email_to == TEAM
    nowhere = await send(Notifier(pool, smtp), recipient="north-team")
    assert nowhere.email_status == "no_address" and nowhere.email_to is None and nowhere.sent_at is None
    assert [e.rcpt_tos for e in handler.envelopes] == [[TEAM], [TEAM]]


async def test_escalation_and_one_log_event_without_personal_data(
    pool: AsyncConnectionPool[Any], smtp_server: tuple[Collecting, SmtpConfig]
) -> None:
    handler, smtp = smtp_server
    boss, boss_email = await worker_with_email(pool)
    workflow_id = unique("ro")
    message = escalation_message(
        workflow_id=workflow_id,
        child_id="C42",
        rule_id="ro.first_contact",
        description="First contact with Jayden Smith",
        due_date=date(2024, 3, 8),
        escalation_number=1,
        responsible="priya",
    )

    with capture_logs() as logs:
        record = await send(
            Notifier(pool, smtp), recipient=boss, kind="escalation", workflow_id=workflow_id, message=message
        )

    assert record.kind == "escalation" and record.email_to == boss_email
    events = [e for e in logs if e["event"].startswith("notification.")]
    assert len(events) == 1
    event = events[0]
    assert event["event"] == "notification.sent"
    assert {k: event[k] for k in ("workflow_id", "rule_id", "deadline_id", "kind", "recipient")} == {
        "workflow_id": workflow_id,
        "rule_id": "yro.first_appointment",
        "deadline_id": "first_appointment",
        "kind": "escalation",
        "recipient": boss,
    }
    logged = repr(event)
    for secret in ("Jayden", "priya", boss_email, message.body, message.subject):
        assert secret not in logged
    assert len(handler.envelopes) == 1


async def test_list_notifications_filters_and_limits(pool: AsyncConnectionPool[Any]) -> None:
    notifier = Notifier(pool, None)
    workflow_id = unique("wf")
    sent = [await send(notifier, recipient="north-team", workflow_id=workflow_id) for _ in range(3)]
    await send(notifier, recipient="north-team")

    listed = await list_notifications(pool, workflow_id=workflow_id)
    assert [r.id for r in listed] == [r.id for r in reversed(sent)]
    assert len(await list_notifications(pool, workflow_id=workflow_id, limit=2)) == 2
    assert len(await list_notifications(pool, limit=1)) == 1


async def test_unknown_kind_is_a_programming_error(pool: AsyncConnectionPool[Any]) -> None:
    with pytest.raises(ValueError, match="unknown notification kind"):
        await send(Notifier(pool, None), recipient="north-team", kind="sms")


async def test_works_with_a_pool_of_plain_tuple_rows(
    database_url: str, smtp_server: tuple[Collecting, SmtpConfig]
) -> None:
    handler, smtp = smtp_server
    async with AsyncConnectionPool(database_url, min_size=1, max_size=2, open=False) as plain:
        username, email = await worker_with_email(plain)
        record = await send(Notifier(plain, smtp), recipient=username)
        assert record.email_status == "sent" and record.email_to == email
        assert await list_notifications(plain, workflow_id=record.workflow_id) == [record]
    assert len(handler.envelopes) == 1
