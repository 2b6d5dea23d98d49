"""The YJB case-level extract on the live stack, from an outcome received through the API: its document
items valid against the shipped JSON Schema, the items not held listed, by the API and by
`yjflow export yjb`; `yjflow export ORDER_ID` still exports an order."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from activities.yjb_extract import extract_schema
from tests.client.conftest import Stack, cli_env, run_cli, today
from tests.client.pages.data import late_referral_order


def child_of(extract: dict[str, Any], child_id: str) -> dict[str, Any]:
    (child,) = [c for c in extract["children"] if c["ypid"] == child_id]
    return child


async def test_extract_holds_what_yjflow_holds_and_says_what_it_does_not(stack: Stack, tmp_path: Path) -> None:
    body = await late_referral_order(stack, days_ago=20)
    child_id, order = body["child"]["id"], body["_order"]
    start, end = (today() - timedelta(days=30)).isoformat(), (today() + timedelta(days=1)).isoformat()
    async with stack.http("manager") as http:
        r = await http.get("/reports/yjb-extract", params={"from": start, "to": end, "yjs": "luton"})
        assert r.status_code == 200, r.text
        extract = r.json()
        schema = (await http.get("/reports/yjb-extract/schema")).json()
    assert schema == extract_schema()
    assert list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(extract)) == []

    child = child_of(extract, child_id)
    assert child["person_details"] == {
        "ypid": child_id,
        "current_yot_id": "luton",
        "date_of_birth": body["child"]["date_of_birth"],
        "pnc_number": None,
        "ethnicity": None,
        "ethnic_group": None,
        "sex": None,
        "yjb_ypid": None,
    }
    (offence,) = child["offence"]
    assert (offence["cjs_code"], offence["plea"]) == ("TH68010", "guilty")
    (outcome,) = offence["offenceLegalOutcome"]
    assert (outcome["legal_outcome"], outcome["term_months"], outcome["outcome_date"]) == (
        "REFERRAL_ORDER",
        6,
        body["hearing_date"],
    )
    (hearing,) = child["hearing"]
    assert (hearing["hearing_id"], hearing["court_name"]) == (body["outcome_id"], body["court"]["name"])
    assert child["link_hearing_offence"] == [{"hearing_id": body["outcome_id"], "offence_id": offence["offence_id"]}]
    programme = [p for p in child["intervention_programme"] if p["intervention_programme_id"] == order]
    assert programme[0]["disposal_type"] == "REFERRAL_ORDER" and programme[0]["successfully_completed"] is None
    (victim,) = child["victim_intervention"]
    assert victim["victim_id"] == body["victims"][0]["ref"] and victim["linked_order_id"] == order
    # The child's record is as the court filled it: the person details it lacks are said, with how many.
    assert {"pnc_number", "ethnicity", "sex", "yjb_ypid"} <= set(extract["not_held"]["person_details"])
    assert "is not on the child's record for" in extract["not_held"]["person_details"]["sex"]
    assert "satisfaction" in extract["not_held"]["victim_intervention"]

    async with stack.http("manager") as http:
        r = await http.get("/reports/yjb-extract", params={"from": end, "to": start, "yjs": "luton"})
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "to"
        r = await http.get("/reports/yjb-extract", params={"from": start, "to": end})
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "yjs"

    # Once the service records them, the extract carries them from the child's record (read as the extract's).
    changes = {"sex": "male", "ethnicity": "asian_indian", "pnc": "2010/0046583U", "ypid": "YP-12345"}
    async with stack.http("case_worker") as http:
        r = await http.patch(f"/children/{child_id}/record", json={"changes": changes, "reason": "Told by the child"})
        assert r.status_code == 200, r.text
    async with stack.http("manager") as http:
        extract = (await http.get("/reports/yjb-extract", params={"from": start, "to": end, "yjs": "luton"})).json()
    assert list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(extract)) == []
    child = child_of(extract, child_id)
    person = child["person_details"]
    assert (person["sex"], person["ethnicity"], person["ethnic_group"]) == ("male", "asian_indian", "asian")
    assert (person["pnc_number"], person["yjb_ypid"]) == ("2010/0046583U", "YP-12345")
    async with stack.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) AS n FROM child_record_reads WHERE child_id = %s AND username = 'yjb-extract'", (child_id,)
        )
        assert (await cur.fetchone())["n"] == 2  # type: ignore[index]

    env = cli_env(stack, stack.tokens["manager"], tmp_path)
    out = tmp_path / "yjb.json"
    ran = await run_cli(
        "export", "yjb", "--from", start, "--to", end, "--yjs", "luton", "--out", str(out), env=env, cwd=tmp_path
    )
    assert ran.code == 0, ran.stderr
    assert child_of(json.loads(out.read_text(encoding="utf-8")), child_id) == child
    ran = await run_cli("export", order, env=env, cwd=tmp_path)
    assert ran.code == 0, ran.stderr
    assert json.loads(ran.stdout)["events"]
