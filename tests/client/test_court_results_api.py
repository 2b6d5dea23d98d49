"""Court results as the courts send them, through the running API into real workflows: a Common Platform
resulted hearing and Libra SPI messages (fixtures modelled on the public schemas, tests/fixtures/court_results)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from activities import metrics
from tests.client.conftest import Stack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "court_results"
SAM, JO = "8d2f4a61-3c5b-4e7d-9f1a-2b3c4d5e6f70", "3e9b1c27-5d4f-4a8e-b6c1-7f2e3d4c5b6a"


async def send(stack: Stack, feed: str, name: str, role: str = "intake") -> Any:
    kind = "application/json" if name.endswith(".json") else "application/xml"
    async with stack.http(role) as http:
        return await http.post(
            f"/court-results/{feed}", content=(FIXTURES / name).read_bytes(), headers={"Content-Type": kind}
        )


def by_child(reply: Any) -> dict[str | None, dict[str, Any]]:
    return {d["defendant"]["child_id"]: d for d in reply.json()["defendants"]}


async def test_a_resulted_hearing_starts_each_youth_defendants_order_and_sets_the_adult_aside(stack: Stack) -> None:
    reply = await send(stack, "common-platform", "cp_resulted_hearing.json")
    assert reply.status_code == 202, reply.text
    answers = by_child(reply)
    assert answers[SAM]["status"] == "accepted" and answers[JO]["status"] == "accepted"
    ignored = [d for d in reply.json()["defendants"] if d["status"] == "ignored"]
    assert len(ignored) == 1 and "adult" in ignored[0]["reason"].lower()

    # Nothing typed by hand: the relay starts the orders, each child's timeline opens with the court's outcome.
    for child, order in ((SAM, "referral-order:"), (JO, "youth-rehabilitation-order:")):
        [workflow_id] = answers[child]["workflow_ids"]
        assert workflow_id.startswith(order)
        await stack.wait_for_inbox(answers[child]["outcome_id"], lambda r: r["relay_status"] == "started")
        timeline = await stack.wait_for_events(child, "CourtOutcomeRecorded")
        assert any(e.get("workflow_id", e.get("stream_id")) == workflow_id for e in timeline["events"]), timeline[
            "events"
        ][0]

    again = await send(stack, "common-platform", "cp_resulted_hearing.json")
    assert again.status_code == 200, again.text
    assert {d["status"] for d in again.json()["defendants"] if d["defendant"]["child_id"] in (SAM, JO)} == {"duplicate"}


def received(feed: str, status: str) -> float:
    """What the API's `yjflow_outcomes_received_total` says, as an operator's scrape would read it."""
    for family in text_string_to_metric_families(metrics.render().decode()):
        for sample in family.samples:
            if sample.name == "yjflow_outcomes_received_total" and sample.labels == {"feed": feed, "status": status}:
                return sample.value
    return 0.0


async def test_spi_results_start_what_is_ours_and_ignore_a_fine(stack: Stack) -> None:
    accepted, ignored = received("spi", "accepted"), received("spi", "ignored")
    referral = await send(stack, "spi", "spi_referral_order.xml")
    assert referral.status_code == 202, referral.text
    [answer] = [d for d in referral.json()["defendants"] if d["status"] == "accepted"]
    assert answer["workflow_ids"][0].startswith("referral-order:")

    fine = await send(stack, "spi", "spi_fine.xml")
    assert fine.status_code == 200, fine.text
    assert [d["status"] for d in fine.json()["defendants"]] == ["ignored"]
    assert (received("spi", "accepted") - accepted, received("spi", "ignored") - ignored) == (1, 1)


async def test_a_hostile_xml_document_is_refused_and_kept_whole(stack: Stack) -> None:
    raw = (FIXTURES / "spi_billion_laughs.xml").read_text()
    reply = await send(stack, "spi", "spi_billion_laughs.xml")
    assert reply.status_code == 422, reply.text
    rejection_id = reply.json()["rejection_id"]
    row = await stack.rejected(rejection_id)
    assert row is not None and row["body_text"] == raw


async def test_only_intake_may_send_court_results(stack: Stack) -> None:
    reply = await send(stack, "spi", "spi_referral_order.xml", role="case_worker")
    assert reply.status_code == 403, reply.text
    assert "intake" in reply.text
