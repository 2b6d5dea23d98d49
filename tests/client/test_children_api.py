"""Children by name through the running API: a court outcome makes the child's record, a case worker finds
the child by name or date of birth and reads their age, corrects the record with a reason that lands on the
timeline (fields named, values never), and those who may not read records see ids only."""

from __future__ import annotations

import uuid
from datetime import date

from tests.client.conftest import Stack, outcome, today


def _age(born: date) -> int:
    now = today()
    return now.year - born.year - ((now.month, now.day) < (born.month, born.day))


async def _submitted(stack: Stack, given: str, family: str) -> tuple[str, date]:
    child = f"C-{uuid.uuid4().hex[:10]}"
    body = outcome(child_id=child)
    body["child"].update(given_name=given, family_name=family)
    async with stack.http("intake") as http:
        r = await http.post("/court-outcomes", json=body)
    assert r.status_code == 202, r.text
    await stack.wait_for_events(child, "ReferralOrderMade")  # the case is open once its order is made
    return child, date.fromisoformat(body["child"]["date_of_birth"])


async def test_a_case_worker_finds_a_child_by_name_or_birth_date_and_sees_their_age(stack: Stack) -> None:
    family = f"Quill{uuid.uuid4().hex[:6]}"
    child, born = await _submitted(stack, "Marigold", family)
    async with stack.http("case_worker") as http:
        for q in (family[:7], f"marigold {family}", f"{born.day}/{born.month}/{born.year} {family}"):
            r = await http.get("/children", params={"q": q})
            assert r.status_code == 200, r.text
            found = {c["child_id"]: c for c in r.json()}
            assert child in found, q
            assert found[child]["name"] == f"Marigold {family}"
            assert found[child]["age"] == _age(born)
        # Part of the id still finds the child, with the name.
        r = await http.get("/children", params={"q": child[2:]})
        assert [c["name"] for c in r.json() if c["child_id"] == child] == [f"Marigold {family}"]
        r = await http.get(f"/children/{child}/timeline")
        assert r.json()["child"] == {"name": f"Marigold {family}", "date_of_birth": born.isoformat(), "age": _age(born)}


async def test_those_who_may_not_read_records_see_ids_only(stack: Stack) -> None:
    family = f"Ids{uuid.uuid4().hex[:6]}"
    child, _ = await _submitted(stack, "Only", family)
    async with stack.http("admin") as http:
        r = await http.get("/children", params={"q": child})
        assert r.status_code == 200
        assert [(c["child_id"], c["name"]) for c in r.json()] == [(child, None)]
        assert (await http.get("/children", params={"q": family})).json() == []
        r = await http.get(f"/children/{child}/record")
        assert r.status_code == 403 and "case_worker" in r.text
        assert (await http.get(f"/children/{child}/timeline")).json()["child"] is None
    async with stack.http("intake") as http:
        assert (await http.get(f"/children/{child}/record")).status_code == 403


async def test_a_correction_names_fields_and_reason_on_the_timeline_and_a_bad_value_its_field(stack: Stack) -> None:
    child, born = await _submitted(stack, "Corrie", f"Ection{uuid.uuid4().hex[:6]}")
    async with stack.http("case_worker") as http:
        r = await http.patch(
            f"/children/{child}/record",
            json={"changes": {"pnc": "12345"}, "reason": "from the police"},
        )
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["detail"]] == ["changes.pnc"]
        r = await http.patch(
            f"/children/{child}/record",
            json={
                "changes": {"ethnicity": "black_caribbean", "pnc": "2011/0012345T", "sex": "female"},
                "reason": "As the child and her mother describe it; PNC id from the police summary.",
            },
        )
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["changed"] == ["sex", "ethnicity", "pnc"] and answer["version"] == 2
        assert answer["record"]["pnc"] == "2011/0012345T"
        timeline = (await http.get(f"/children/{child}/timeline")).json()
    corrected = [e for e in timeline["events"] if e["event_type"] == "ChildRecordCorrected"]
    assert len(corrected) == 1
    assert corrected[0]["payload"] == {"fields": ["sex", "ethnicity", "pnc"]}
    assert "describe it" in corrected[0]["reason"] and "black" not in str(corrected[0]["payload"])
    async with stack.http("inspector") as http:
        r = await http.get(f"/children/{child}/record")
        assert r.status_code == 200 and r.json()["record"]["ethnicity"] == "black_caribbean"
        assert r.json()["age"] == _age(born)
        r = await http.patch(f"/children/{child}/record", json={"changes": {"sex": "male"}, "reason": "x"})
        assert r.status_code == 403


async def test_an_unknown_child_is_404(stack: Stack) -> None:
    async with stack.http("case_worker") as http:
        assert (await http.get("/children/C-nobody-here/record")).status_code == 404
