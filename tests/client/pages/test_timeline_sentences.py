"""Every event type of the schema on a child's timeline, in Chromium: each entry reads as its own sentence,
a deadline's bookkeeping is folded under it with a tag of its own, the stored record is one click away,
and what the page shows (with its details closed) holds no ISO timestamp, list, mapping or Python value.

The events are appended through the real event store (payloads validated, projections updated) to a
stream of a kind no projection opens a case for, one of each type, from the examples the domain test
holds, so a new event type reaches this page test as soon as it has its sentence."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Page

from activities.event_store import EventStore
from client.web.timeline_data import shipped_rule_names
from domain import events as ev
from domain.calendar import london_instant
from domain.events import sentences
from domain.events.folding import DEADLINE_EVENTS
from tests.client.conftest import Stack
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.domain.event_examples import EXAMPLES

# What a reader must never meet on the page: stored timestamps and dates, lists, mappings, Python values.
NOT_PLAIN = re.compile(r"\dT\d|\d{4}-\d{2}-\d{2}|\d\d:\d\d:\d\d|\dZ\b|[{}]|\[(?!U\])|(?<!\[U)\]|\b(True|False|None)\b")
START = date(2026, 9, 7)  # the first event takes effect on a BST day: its London midnight is 23:00 UTC before


@pytest.fixture(scope="module")
async def every_type(stack: Stack) -> dict[str, Any]:
    child = f"C-story-{uuid.uuid4().hex[:8]}"
    stream = f"story:luton:{child}"
    # The deadline's setting first, so its bookkeeping has something to fold under; then the rest.
    order = ["DeadlineScheduled", *(t for t in sorted(EXAMPLES) if t != "DeadlineScheduled")]
    new = [
        ev.NewEvent(
            event_id=uuid.uuid4(),
            stream_id=stream,
            stream_version=version,
            event_type=event_type,
            child_id=child,
            yjs="luton",
            effective_at=london_instant(START + timedelta(days=version - 1), 0),
            actor="sam.worker",
            payload=EXAMPLES[event_type][0],
        )
        for version, event_type in enumerate(order, start=1)
    ]
    await EventStore(stack.pool).append(new)
    return {"child": child, "stream": stream, "events": {e.event_type: e for e in new}}


async def test_every_event_type_on_a_timeline_reads_as_its_sentence(
    stack: Stack, page: Page, every_type: dict[str, Any]
) -> None:
    child = every_type["child"]
    await sign_in(page, stack, "manager", next_path=f"/app/children/{child}")
    names = shipped_rule_names()
    items = page.locator("[data-testid=timeline] li")
    assert await items.count() == len(ev.PAYLOAD_TYPES)
    for event_type, event in every_type["events"].items():
        item = page.locator(f"li[data-event-type={event_type}]")
        assert await item.count() == 1, event_type
        said = await item.locator("> [data-testid=event-sentence]").text_content()
        assert said == sentences.sentence(event_type, event.payload, names), event_type
        title = await item.locator("> h3").text_content()
        assert title is not None and title.strip().startswith(sentences.title(event_type))

    # The deadline's bookkeeping is under the deadline, each with its own tag: "missed" is never "met".
    head = page.locator("[data-testid=timeline] > li[data-event-type=DeadlineScheduled]")
    folded = head.locator("[data-testid=deadline-folded] li")
    assert {await folded.nth(i).get_attribute("data-event-type") for i in range(await folded.count())} == (
        DEADLINE_EVENTS - {"DeadlineScheduled"}
    )
    summary = await head.locator("> [data-testid=deadline-folded] > summary").inner_text()
    assert summary == "What followed: no longer needed, escalated, met, missed and 1 reminder"  # in stored order
    tags = {
        await folded.nth(i).get_attribute("data-event-type"): await folded.nth(i)
        .locator("[data-testid=deadline-tag]")
        .all_text_contents()
        for i in range(await folded.count())
    }
    assert tags == {
        "DeadlineCancelled": ["cancelled"],
        "DeadlineReminderSent": [],
        "DeadlineEscalated": ["escalated"],
        "DeadlineMet": ["met 3 days late"],
        "DeadlineMissed": ["missed"],
    }
    assert await page.locator("[data-testid=timeline] > li").count() == len(ev.PAYLOAD_TYPES) - 5

    # What the page shows, every stored record folded away: plain words only.
    shown = await page.inner_text("main")
    assert "Monday 7 September 2026" in shown  # the first event's London day, though it is 6 September in UTC
    assert not re.search(r"\b6 September 2026", shown)
    found = NOT_PLAIN.search(shown)
    assert found is None, f"{found.group()!r} on the page near {shown[max(0, found.start() - 80) : found.end() + 80]!r}"
    await check_a11y(page, "timeline-every-type")
    await shoot(page, "timeline-every-type")

    # One click away, for an auditor: the event as stored.
    entry = page.locator("[data-testid=timeline] > li[data-event-type=ReferralOrderMade]")
    record = entry.locator("> [data-testid=stored-record]")
    assert not await record.locator("[data-testid=stored-json]").is_visible()
    await record.locator("summary").click()
    stored = json.loads(await record.locator("[data-testid=stored-json]").inner_text())
    made = every_type["events"]["ReferralOrderMade"]
    assert {k: v for k, v in stored.items() if k not in ("global_position", "recorded_at")} == {
        "stream_id": made.stream_id,
        "stream_version": made.stream_version,
        "event_type": "ReferralOrderMade",
        "effective_at": made.effective_at.isoformat(),
        "actor": "sam.worker",
        "reason": None,
        "payload": made.payload,
    }
    assert datetime.fromisoformat(stored["recorded_at"]).tzinfo is not None
    await check_a11y(page, "timeline-stored-record")


async def test_the_verify_badge_says_what_was_checked(stack: Stack, page: Page, every_type: dict[str, Any]) -> None:
    await sign_in(page, stack, "inspector", next_path=f"/app/children/{every_type['child']}")
    badge = await page.inner_text("main p:has([data-testid=verify-badge])")
    assert f"All {len(ev.PAYLOAD_TYPES)} events of this child's records were checked" in badge
    assert "no record has been changed or removed" in badge
