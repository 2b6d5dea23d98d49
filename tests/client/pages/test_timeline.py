"""A child's case timeline in the browser: find the child, every event in effective order with recorded
time and actor, late entries and deadline tags, filters, the verify badge (which sees a row edited behind
the store's back), and victim steps shown in detail only to the roles allowed it; and the page's own
chain check, held to `EventStore.verify` and RFC 8785 on a real PostgreSQL."""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
import rfc8785
from playwright.async_api import Page, expect

from activities import audit, event_chain
from activities.db import Pool, open_pool
from activities.event_store import EventStore
from domain import chain
from domain.chain import event_hash
from domain.events import NewEvent
from domain.events.folding import fold_deadlines
from tests.client.conftest import Stack
from tests.client.pages.conftest import check_a11y, shoot, sign_in
from tests.client.pages.data import SECRET_REASON, late_referral_order, victim_not_invited


@pytest.fixture(scope="module")
async def child_case(stack: Stack) -> dict:  # type: ignore[type-arg]
    body = await late_referral_order(stack)
    await victim_not_invited(stack, body)
    return body


async def test_find_a_child_by_part_of_the_id_and_see_their_name(stack: Stack, page: Page, child_case: dict) -> None:  # type: ignore[type-arg]
    child = child_case["child"]["id"]
    await sign_in(page, stack, "case_worker", next_path="/app/children")
    await page.fill("#q", child[2:9])
    await page.click("button:has-text('Search')")
    results = page.locator("[data-testid=children-results]")
    assert child in await results.inner_text()
    # A case worker knows the child by name and age, from the record the court outcome made.
    named = child_case["child"]
    row = await results.locator("tr", has_text=child).inner_text()
    assert f"{named['given_name']} {named['family_name']}" in row and "(" in row
    await check_a11y(page, "find-a-child")
    await shoot(page, "find-a-child")
    await page.click(f"a:has-text('{child}')")
    await page.wait_for_url(f"**/app/children/{child}")
    # Each entry links to its case page, for a role that may open it.
    order = child_case["_order"]
    link = page.locator("[data-testid=timeline] > li[data-event-type=ReferralOrderMade] .app-timeline__byline a")
    assert await link.get_attribute("href") == f"/app/cases/{order}"
    await link.click()
    await page.wait_for_url(f"**/app/cases/{order}")
    await page.go_back()

    await page.goto(f"{stack.api_url}/app/children")
    await page.fill("#q", "x")
    await page.click("button:has-text('Search')")
    assert "Enter at least 2 characters" in await page.inner_text(".govuk-error-summary")
    await check_a11y(page, "find-a-child-error")


async def test_timeline_shows_events_late_entries_deadlines_and_the_verify_badge(
    stack: Stack,
    page: Page,
    child_case: dict,  # type: ignore[type-arg]
) -> None:
    child, order = child_case["child"]["id"], child_case["_order"]
    await sign_in(page, stack, "inspector", next_path=f"/app/children/{child}")
    api = await stack.timeline(child, role="inspector")
    assert api is not None
    items = page.locator("[data-testid=timeline] > li")
    every = page.locator("[data-testid=timeline] li")  # with each deadline's bookkeeping folded under it
    assert await every.count() == len(api["events"])
    # Effective order, as the API gives it, for every entry not folded under its deadline (the domain's fold).
    shown = [await items.nth(i).get_attribute("data-event-type") for i in range(await items.count())]
    events = [SimpleNamespace(**e) for e in api["events"]]
    assert shown == [f.event.event_type for f in fold_deadlines(events, stream=lambda e: e.workflow_id)]
    assert "Verified" in await page.inner_text("[data-testid=verify-badge]")
    met = page.locator("li[data-event-type=FirstContactMade]")
    assert await met.locator("[data-testid=late-entry]").count() == 1
    assert stack.usernames["case_worker"] in await met.inner_text()
    # The first appointment's deadline: missed, then met late. Its setting says so; under it, the miss
    # reads "missed" and the meeting "met … late" (a "Deadline missed" row never wears a "met" tag).
    first = page.locator("[data-testid=timeline] > li[data-event-type=DeadlineScheduled]", has_text="ro.first_contact")
    head_tag = await first.locator("> h3 [data-testid=deadline-tag]").inner_text()
    assert "missed, met" in head_tag and "days late" in head_tag
    assert (
        "First YJS appointment with the child: due by the end of"
        in await first.locator("> [data-testid=event-sentence]").inner_text()
    )
    missed = first.locator("li[data-event-type=DeadlineMissed]")
    assert await missed.locator("[data-testid=deadline-tag]").all_text_contents() == ["missed"]
    deadline_met = first.locator("li[data-event-type=DeadlineMet]")
    (met_tag,) = await deadline_met.locator("[data-testid=deadline-tag]").all_text_contents()
    assert met_tag.startswith("met ") and met_tag.endswith(" days late")
    for tag in await page.locator("li[data-event-type=DeadlineMissed] [data-testid=deadline-tag]").all_text_contents():
        assert "met" not in tag
    assert order in await page.inner_text("[data-testid=deadlines]")
    await check_a11y(page, "timeline")
    await shoot(page, "timeline")

    # Filters: one event type, then a date range that holds nothing, then a bad date.
    await page.select_option("#type", "FirstContactMade")
    await page.click("button:has-text('Apply filters')")
    assert await items.count() == 1
    assert "type=FirstContactMade" in page.url
    await page.goto(f"{stack.api_url}/app/children/{child}?from=2001-01-01&to=2001-12-31")
    assert await items.count() == 0
    assert (await page.inner_text("[data-testid=event-count]")).startswith("0 of ")
    await page.goto(f"{stack.api_url}/app/children/{child}?order={order}")
    # GOV.UK's date input: day, month and year boxes; an impossible date is refused in GOV.UK's words, on
    # the boxes at fault, and the boxes keep what was typed.
    for part, value in (("day", "30"), ("month", "2"), ("year", "2026")):
        await page.fill(f"#from-{part}", value)
    await page.fill("#to-month", "3")
    await page.click("button:has-text('Apply filters')")
    summary = page.locator(".govuk-error-summary")
    await expect(summary).to_contain_text("From date must be a real date")
    await expect(summary).to_contain_text("To date must include a day and year")
    await expect(summary.get_by_role("link", name="From date must be a real date")).to_have_attribute(
        "href", "#from-day"
    )
    await expect(page.locator("#from-error")).to_contain_text("From date must be a real date")
    await expect(page.locator("#from-day")).to_have_class(re.compile("govuk-input--error"))
    await expect(page.locator("#from-month")).not_to_have_class(re.compile("govuk-input--error"))
    await expect(page.locator("#to-year")).to_have_class(re.compile("govuk-input--error"))
    await expect(page.locator("#from-day")).to_have_value("30")
    streams = {await items.nth(i).get_attribute("data-stream") for i in range(await items.count())}
    assert streams == {order}  # the order filter still applies beside the bad date
    await check_a11y(page, "timeline-filter-error")


@pytest.mark.parametrize(("role", "sees_details"), [("manager", True), ("inspector", False), ("case_worker", False)])
async def test_victim_steps_show_in_detail_only_to_victim_work(
    stack: Stack,
    page: Page,
    child_case: dict,  # type: ignore[type-arg]
    role: str,
    sees_details: bool,
) -> None:
    child, ref = child_case["child"]["id"], child_case["victims"][0]["ref"]
    await sign_in(page, stack, role, next_path=f"/app/children/{child}")
    decided = page.locator("li[data-event-type=SuitabilityDecided]")
    text = await decided.inner_text()
    assert f"Victim {ref}: Decision on inviting the victim" in text
    # The step's sentence shows only where its detail may: "not to invite the victim", a decision.
    assert ("not to invite the victim" in text) is sees_details
    assert (SECRET_REASON in text) is sees_details
    assert (SECRET_REASON in await page.content()) is sees_details
    assert "Pat Example" not in await page.content()  # the victim's details never reach a timeline
    await shoot(page, f"timeline-victim-{role}")


async def test_an_unknown_child_is_a_404_page(stack: Stack, page: Page) -> None:
    await sign_in(page, stack, "manager")
    r = await page.goto(f"{stack.api_url}/app/children/C-no-such-child")
    assert r is not None and r.status == 404
    assert "Nothing is recorded for child C-no-such-child" in await page.inner_text("main")
    await check_a11y(page, "child-not-found")


async def test_a_row_edited_behind_the_stores_back_breaks_the_badge_on_the_next_load(
    stack: Stack,
    page: Page,
    child_case: dict,  # type: ignore[type-arg]
) -> None:
    child, order = child_case["child"]["id"], child_case["_order"]
    await sign_in(page, stack, "inspector", next_path=f"/app/children/{child}")
    assert await page.locator("[data-testid=verify-badge]").count() == 1
    original = await _edit(stack.database_url, "UPDATE events SET actor = actor || ' (edited)'", order, 1)
    try:
        await page.goto(f"{stack.api_url}/app/children/{child}")
        broken = await page.inner_text("[data-testid=verify-badge-broken]")
        assert order in broken and "version 1" in broken and "hash mismatch" in broken
        assert f"{order}: entry 1 has been changed since it was recorded" in broken
        assert await page.locator("[data-testid=verify-badge]").count() == 0
        assert "(edited)" in await page.inner_text("[data-testid=timeline]")  # the edit shows, flagged
        await check_a11y(page, "timeline-chain-broken")
    finally:
        await _edit(stack.database_url, "UPDATE events SET actor = %s", order, 1, original)
    await page.goto(f"{stack.api_url}/app/children/{child}")
    assert await page.locator("[data-testid=verify-badge]").count() == 1


async def _edit(url: str, update: str, stream_id: str, version: int, *values: Any) -> str:
    """What a superuser could do: switch the append-only triggers off for one session and edit a row.
    Returns the row's actor as it was."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        cur = await conn.execute(
            "SELECT actor FROM events WHERE stream_id = %s AND stream_version = %s", (stream_id, version)
        )
        row = await cur.fetchone()
        assert row is not None
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(f"{update} WHERE stream_id = %s AND stream_version = %s", (*values, stream_id, version))
        await conn.execute("SET session_replication_role = DEFAULT")
    return str(row[0])


# --- the page's chain check, without a browser -----------------------------------------------------

# Characters that make JSON serialisers disagree: escapes, controls, quotes, line separators, the edge of
# the BMP, private use (sorts after surrogate pairs in UTF-16), astral planes, and a lone surrogate.
_TRICKY = [
    '"',
    "\\",
    "\b",
    "\f",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x1f",
    "\x7f",
    "/",
    "<",
    "é",
    "\u2028",
    "\u2029",
    "\ud7ff",
    "\ue000",
    "\uffff",
    "\U0001f600",
    "\U0010ffff",
    "\ud800",
    "a",
    "B",
    "0",
    " ",
]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_TRICKY) for _ in range(rng.randint(0, 6)))


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.choice(["str", "str", "int", "bool", "none", "float", "list", "dict"] if depth < 3 else ["str", "int"])
    if kind == "str":
        return _text(rng)
    if kind == "int":
        return rng.choice([0, -1, 7, 2**53 - 1, -(2**53) + 1, 2**53, 10**20, rng.randint(-(10**9), 10**9)])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "float":
        return rng.choice([1.0, 0.5, 1e21, 1e-7, -0.0, 123456789.125])
    if kind == "list":
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _canonical(value: Any) -> bytes | None:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):  # a lone surrogate in a key: no canonical form
        return None


def test_the_fast_canonical_json_is_rfc8785_wherever_it_is_used() -> None:
    rng = random.Random(8785)
    plain = refused = 0
    for _ in range(5000):
        payload = {_text(rng): _value(rng) for _ in range(rng.randint(0, 5))}
        expected = _canonical(payload)
        if expected is not None:
            assert chain.canonical_json(payload) == expected, payload
        if chain._plain_json(payload):
            plain += 1
        else:
            refused += 1
    assert plain > 1000 and refused > 1000  # both paths were really exercised

    # Why the rule on keys: U+E000 sorts before U+1F600 by code point, after it by UTF-16 code unit.
    astral = {"\ue000": 1, "\U0001f600": 2}
    assert json.dumps(astral, sort_keys=True, ensure_ascii=False) != rfc8785.dumps(astral).decode()
    assert not chain._plain_json(astral)
    # And on numbers: a float prints differently, an integer past 2**53 - 1 has no canonical form.
    assert not chain._plain_json({"a": 1.0}) and not chain._plain_json({"a": 2**53})


def test_row_hash_is_the_chains_hash_on_either_path() -> None:
    rng = random.Random(6)
    row: dict[str, Any] = {
        "prev_hash": "0" * 64,
        "event_id": uuid.UUID(int=6),
        "stream_id": "referral-order:yjs-leeds:C1:child-é",
        "stream_version": 3,
        "event_type": "CaseWorkerAllocated",
        "child_id": "child-é",
        "yjs": "yjs-leeds",
        "effective_at": datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        "recorded_at": datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=UTC).astimezone(),
        "actor": 'worker "a"',
        "reason": "late\nentry",
    }
    fields = {k: row[k] for k in row if k != "event_id"} | {"event_id": str(row["event_id"])}
    checked = 0
    for _ in range(1500):
        payload = {_text(rng): _value(rng) for _ in range(rng.randint(0, 5))}
        try:
            expected = event_hash(**fields, payload=payload)
        except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:
            assert event_chain.row_hash(row | {"payload": payload, "hash": "x" * 64}) == f"a canonical payload ({exc})"
            continue
        assert event_chain.row_hash(row | {"payload": payload, "hash": expected}) == expected
        assert event_chain.row_hash(row | {"payload": payload, "hash": "f" * 64}) == expected  # a mismatch is rechecked
        checked += 1
    assert checked > 500


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    pool = await open_pool(database_url, max_size=4)
    yield pool
    await pool.close()


def _event(stream_id: str, version: int, child_id: str, payload: dict[str, Any], at: datetime) -> NewEvent:
    return NewEvent(
        event_id=uuid.uuid4(),
        stream_id=stream_id,
        stream_version=version,
        event_type="CaseWorkerAllocated",
        child_id=child_id,
        yjs="yjs-leeds",
        effective_at=at,
        actor="worker.a",
        reason=None,
        payload=payload,
    )


async def test_the_page_check_is_verify_of_every_stream_and_sees_every_edit(pool: Pool, database_url: str) -> None:
    child = f"child-{uuid.uuid4().hex[:8]}"
    order, other = f"referral-order:yjs-leeds:{child}:1", f"youth-rehabilitation-order:yjs-leeds:{child}:2"
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    # Payloads outside the fast path too: a float, keys that sort differently in UTF-16, a big integer.
    payloads = [
        {"case_worker": "w-1"},
        {"case_worker": "w-2", "score": 1.5, "\ue000": 1, "\U0001f600": 2},
        {"case_worker": "w-3", "note": 'tab\there \u2028 "quoted"', "count": 2**40},
    ]
    store = EventStore(pool, validate_payloads=False)  # the odd payloads above are no CaseWorkerAllocated
    await store.append([_event(order, v + 1, child, p, t0 + timedelta(days=2 * v)) for v, p in enumerate(payloads)])
    await store.append([_event(other, v + 1, child, p, t0 + timedelta(days=2 * v + 1)) for v, p in enumerate(payloads)])

    async def holds_to_verify() -> audit.CheckedTimeline:
        checked = await audit.checked_timeline(pool, child)
        assert checked is not None
        assert list(checked.chains) == await store.streams_for_child(child)
        for stream_id, report in checked.chains.items():
            assert report == await store.verify(stream_id)
        return checked

    checked = await holds_to_verify()
    assert all(r.ok and r.events_checked == 3 for r in checked.chains.values())
    assert checked.timeline.events == (await audit.timeline(pool, child)).events  # what the API reads
    assert [e.workflow_id[:2] for e in checked.timeline.events] == ["re", "yo"] * 3  # effective order
    assert await audit.checked_timeline(pool, "child-nobody") is None

    url = database_url
    await _edit(url, "UPDATE events SET payload = payload || '{\"score\": 1.25}'", order, 2)
    await _edit(url, "UPDATE events SET child_id = 'child-elsewhere'", other, 3)  # moved off the timeline
    checked = await holds_to_verify()
    broken = checked.chains[order].first_break
    assert broken is not None and (broken.stream_version, broken.problem) == (2, "hash mismatch")
    moved = checked.chains[other].first_break
    assert moved is not None and (moved.stream_version, moved.problem) == (3, "hash mismatch")
    assert len(checked.timeline.events) == 5
