"""What cannot be translated is kept for correction, naming the defendant, the result code and the field,
and can be corrected and resubmitted: through the running API, as the intake team would work the list."""

from __future__ import annotations

import json
from typing import Any

from tests.client.conftest import Stack
from tests.client.court_messages import fresh_common_platform, new_case, spi_for


async def send(stack: Stack, feed: str, content: bytes) -> Any:
    kind = "application/json" if feed == "common-platform" else "application/xml"
    async with stack.http("intake") as http:
        return await http.post(f"/court-results/{feed}", content=content, headers={"Content-Type": kind})


async def test_an_unknown_court_centre_is_kept_per_defendant_corrected_and_resubmitted(stack: Stack) -> None:
    message, children = fresh_common_platform("cp_resulted_hearing.json")
    message["hearing"]["courtCentre"]["code"] = "B99ZZ99"
    raw = json.dumps(message).encode()
    reply = await send(stack, "common-platform", raw)
    assert reply.status_code == 422, reply.text
    rejected = [d for d in reply.json()["defendants"] if d["status"] == "rejected"]
    assert {d["defendant"]["child_id"] for d in rejected} <= set(children.values()) and len(rejected) == 2
    for d in rejected:
        [error] = d["errors"]
        assert error["field"] == "court_centre" and error["rule"] == "court_results.unknown_court_centre"
        assert f"defendant {d['defendant']['child_id']} in case" in error["message"]
        assert "B99ZZ99" in error["message"] and f"(result {d['result_codes'][0]})" in error["message"]

    # The intake team opens the kept outcome, names the service and resubmits it as a court outcome.
    first = rejected[0]
    async with stack.http("intake") as http:
        [kept] = (await http.get("/court-outcomes/rejected", params={"outcome_id": first["outcome_id"]})).json()
        assert kept["body_text"] == raw.decode()  # the court's whole message, kept as sent
        body = kept["body"]
        assert "yjs" not in body and body["child"]["id"] == first["defendant"]["child_id"]
        corrected = await http.post("/court-outcomes", json={**body, "yjs": "luton"})
    assert corrected.status_code == 202, corrected.text
    await stack.wait_for_events(first["defendant"]["child_id"], "CourtOutcomeRecorded")

    # The court sends the hearing again, still with the unknown centre: the corrected one is a duplicate.
    again = await send(stack, "common-platform", raw)
    answers = {d["defendant"]["child_id"]: d for d in again.json()["defendants"]}
    assert answers[first["defendant"]["child_id"]]["status"] == "duplicate"
    assert "corrected and accepted before" in answers[first["defendant"]["child_id"]]["note"]
    assert answers[rejected[1]["defendant"]["child_id"]]["status"] == "rejected"  # not corrected yet


async def test_a_missing_date_of_birth_and_an_unmapped_code_name_the_field_and_the_result(stack: Stack) -> None:
    case, asn = new_case()
    no_dob = spi_for(
        "spi_referral_order.xml", case=case, asn=asn, replace={"<DC:Birthdate>2011-04-02</DC:Birthdate>": ""}
    )
    [answer] = (await send(stack, "spi", no_dob.encode())).json()["defendants"]
    assert answer["status"] == "rejected"
    [error] = answer["errors"]
    assert (error["field"], error["rule"]) == ("child.date_of_birth", "court_results.date_of_birth")
    assert f"defendant {asn} in case {case}" in error["message"] and "(result 1097)" in error["message"]

    case, asn = new_case()
    unmapped = spi_for(
        "spi_referral_order.xml",
        case=case,
        asn=asn,
        replace={"<DC:ResultCode>1097</DC:ResultCode>": "<DC:ResultCode>1999</DC:ResultCode>"},
    )
    [answer] = (await send(stack, "spi", unmapped.encode())).json()["defendants"]
    assert answer["status"] == "rejected", answer
    assert any(e["field"] == "result" and "(result 1999)" in e["message"] for e in answer["errors"]), answer
