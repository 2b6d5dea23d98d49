"""Reminders and escalations reach a real SMTP server, with no personal data in the subject."""

from __future__ import annotations

from datetime import date

from activities.users import add_user
from tests.activities.test_notify import Collecting, free_port, start_smtp
from tests.workflows.conftest import make_harness
from tests.workflows.test_referral_order import events_of, london, of_type, skip_to, start_order


async def test_reminder_and_escalation_are_emailed_to_worker_and_manager(database_url: str) -> None:
    """The allocated case worker gets the reminders by email and their manager the escalation; subjects
    name the rule and workflow but never the child's name or date of birth."""
    port = free_port()
    handler = Collecting()
    controller = start_smtp(port, handler)
    try:
        async with make_harness(database_url, smtp_host="127.0.0.1", smtp_port=port) as h:
            suffix = h.settings.task_queue[-8:]
            await add_user(h.pool, f"mgr-{suffix}", "manager", email=f"mgr-{suffix}@yjs.example.org")
            await add_user(
                h.pool, f"cw-{suffix}", "case_worker", email=f"cw-{suffix}@yjs.example.org", manager=f"mgr-{suffix}"
            )
            await skip_to(h, london(date(2027, 5, 3), 8))
            handle = await start_order(h, hearing=date(2027, 5, 3), child="C-MAIL1")
            from tests.workflows.test_referral_order import step

            await step(handle, step="case_worker_allocated", effective_date="2027-05-03", case_worker=f"cw-{suffix}")
            await skip_to(h, london(date(2027, 5, 12), 12))
            await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineEscalated")) >= 1)
    finally:
        controller.stop()
    mails = handler.mails()
    to_worker = [m for m in mails if m["To"] == f"cw-{suffix}@yjs.example.org"]
    to_manager = [m for m in mails if m["To"] == f"mgr-{suffix}@yjs.example.org"]
    assert to_worker and to_manager
    assert any("ro.first_contact" in m["Subject"] for m in to_worker)
    for m in mails:
        assert m["Subject"].startswith("yjflow:")
        assert "Sam" not in m["Subject"] and "2010" not in m["Subject"]
