"""OpenAPI fuzzing: schemathesis drives every operation of the live API with schema-shaped (positive) and
schema-breaking (negative) requests, and no request may end in a server error.

The API runs in the `stack` (uvicorn on the session's event loop, with the real pool, worker and Temporal),
so schemathesis's blocking `requests` calls run in a thread: the loop stays free to answer them. Each
operation is called with a token of a role that holds its permission (`domain.access`), so requests get
past the bearer check and reach the code behind it; one pass without a token checks the 401s.

Checks: `not_a_server_error` (no 5xx), `response_schema_conformance` (a documented response has the
documented shape), `content_type_conformance`. Not `status_code_conformance`: 401, 403 and 404 are answered
by every operation and documented by none, which says nothing about the API's correctness.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from domain.access import PERMISSIONS, Permission, Role
from tests.client.conftest import Stack

# Bounded per operation and mode, so the whole pass stays well under 90 s on a busy 2-core machine.
EXAMPLES_PER_OPERATION = 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

# The permission each operation needs (method, path template) — the role chosen holds it.
OPERATION_PERMISSIONS: dict[tuple[str, str], Permission | None] = {
    ("GET", "/health"): None,
    ("POST", "/court-outcomes"): Permission.SUBMIT_OUTCOME,
    ("POST", "/court-results/common-platform"): Permission.SUBMIT_OUTCOME,
    ("POST", "/court-results/spi"): Permission.SUBMIT_OUTCOME,
    ("GET", "/court-results/amendments"): Permission.DECIDE_AMENDMENT,
    ("POST", "/court-results/amendments/{amendment_id}/confirm"): Permission.DECIDE_AMENDMENT,
    ("POST", "/court-results/amendments/{amendment_id}/reject"): Permission.DECIDE_AMENDMENT,
    ("GET", "/court-outcomes/rejected"): Permission.READ_REJECTED,
    ("GET", "/children/{child_id}/timeline"): Permission.READ_TIMELINE,
    ("GET", "/deadlines"): Permission.READ_DEADLINES,
    ("GET", "/orders/{workflow_id}"): Permission.READ_ORDER,
    ("GET", "/orders/{workflow_id}/export"): Permission.READ_ORDER,
    ("POST", "/orders/{workflow_id}/steps"): Permission.ACT_ON_ORDER,
    ("POST", "/orders/{workflow_id}/corrections"): Permission.ACT_ON_ORDER,
    ("GET", "/verify"): Permission.VERIFY_CHAIN,
    ("GET", "/notifications"): Permission.READ_NOTIFICATIONS,
    ("POST", "/victims/{victim_ref}"): Permission.RECORD_VICTIM_DETAILS,
    ("GET", "/victims/{victim_ref}"): Permission.READ_VICTIM_DETAILS,
    ("POST", "/victims/{victim_ref}/erase"): Permission.ERASE_VICTIM_DETAILS,
    ("GET", "/access-log"): Permission.READ_VICTIM_ACCESS_LOG,
    ("GET", "/victim-contacts"): Permission.READ_VICTIM_CONTACTS,
    ("GET", "/victim-contacts/{workflow_id}"): Permission.READ_VICTIM_CONTACTS,
    ("POST", "/victim-contacts/{workflow_id}/steps"): Permission.ACT_ON_VICTIM_CONTACT,
    ("GET", "/reports/yjb/kpi10"): Permission.READ_VICTIM_CONTACTS,
    ("GET", "/reports/yjb/kpi10.csv"): Permission.READ_VICTIM_CONTACTS,
    ("POST", "/victim-contacts/{workflow_id}/corrections"): Permission.ACT_ON_VICTIM_CONTACT,
    ("GET", "/inspection/sample"): Permission.TAKE_INSPECTION_SAMPLE,
    ("POST", "/codec/decode"): Permission.DECODE_PAYLOADS,
    ("POST", "/codec/encode"): Permission.DECODE_PAYLOADS,
    ("GET", "/children"): Permission.READ_TIMELINE,
    ("GET", "/children/{child_id}/record"): Permission.READ_CHILD_RECORD,
    ("PATCH", "/children/{child_id}/record"): Permission.CORRECT_CHILD_RECORD,
    ("GET", "/retention/preview"): Permission.READ_RETENTION,
    ("GET", "/retention/holds"): Permission.READ_RETENTION,
    ("POST", "/retention/holds"): Permission.HOLD_RECORDS,
    ("POST", "/retention/holds/lift"): Permission.HOLD_RECORDS,
    ("GET", "/reports/compliance"): Permission.READ_DASHBOARD,
    ("GET", "/reports/compliance-by-worker"): Permission.READ_DASHBOARD,
    ("GET", "/reports/board"): Permission.READ_DASHBOARD,
    ("GET", "/reports/board.csv"): Permission.READ_DASHBOARD,
    ("GET", "/reports/yjb-extract"): Permission.READ_DASHBOARD,
    ("GET", "/reports/yjb-extract/schema"): Permission.READ_DASHBOARD,
}
# Fewer examples where one request is costly: /verify walks every hash chain in the database, which the
# session's other tests (2,000 outcomes among them) have filled by the time this runs.
FEWER_EXAMPLES = {("GET", "/verify"): 8}
# Broadest first: manager holds most permissions, admin the rest (submitting outcomes).
ROLE_PREFERENCE = (Role.MANAGER, Role.ADMIN, Role.INTAKE, Role.VICTIM_WORKER, Role.CASE_WORKER, Role.INSPECTOR)


def role_for(permission: Permission | None) -> Role:
    """The broadest role that holds `permission` (any role for an open operation)."""
    if permission is None:
        return Role.MANAGER
    return next(role for role in ROLE_PREFERENCE if role in PERMISSIONS[permission])


async def load_schema(stack: Stack) -> Any:
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        r = await http.get("/openapi.json")
    assert r.status_code == 200, r.text
    return schemathesis.openapi.from_dict(r.json())


def fuzz_operation(operation: Any, mode: GenerationMode, base_url: str, token: str | None) -> list[str]:
    """Run up to `EXAMPLES_PER_OPERATION` generated requests against one operation; the failures' reports."""
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    session = requests.Session()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=FEWER_EXAMPLES.get(_key(operation), EXAMPLES_PER_OPERATION),
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is collected, not minimised
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            failures.append(f"{operation.label} [{mode.value}]: {group}"[:3000])

    try:
        run()
    except Unsatisfiable:
        # Negative mode needs something the schema constrains (a typed parameter, a body): an operation
        # without one (GET /health, a bare string path) has no schema-breaking request to send.
        if mode is not GenerationMode.NEGATIVE:
            raise
    finally:
        session.close()
    return failures


def operations(schema: Any) -> list[Any]:
    found = [result.ok() for result in schema.get_all_operations()]
    return found


def _key(operation: Any) -> tuple[str, str]:
    return operation.method.upper(), operation.path


async def in_thread(fn: Callable[[], list[str]]) -> list[str]:
    return await asyncio.wait_for(asyncio.to_thread(fn), timeout=240)


async def test_every_operation_is_known_to_this_test(stack: Stack) -> None:
    """A new operation must be added to OPERATION_PERMISSIONS (with its permission), never skipped silently."""
    schema = await load_schema(stack)
    assert {_key(op) for op in operations(schema)} == set(OPERATION_PERMISSIONS)


@pytest.mark.timeout(240)
async def test_no_server_error_for_any_generated_request(stack: Stack) -> None:
    schema = await load_schema(stack)
    failures: list[str] = []
    for operation in operations(schema):
        role = role_for(OPERATION_PERMISSIONS[_key(operation)])
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            began = time.perf_counter()
            failures += await in_thread(
                lambda op=operation, m=mode, r=role: fuzz_operation(op, m, stack.api_url, stack.tokens[r.value])
            )
            print(f"{operation.label} [{mode.value}] as {role.value}: {time.perf_counter() - began:.1f} s")
    assert not failures, "\n\n".join(failures[:10])


async def test_no_server_error_without_a_token(stack: Stack) -> None:
    schema = await load_schema(stack)
    failures: list[str] = []
    for operation in operations(schema):
        failures += await in_thread(
            lambda op=operation: fuzz_operation(op, GenerationMode.POSITIVE, stack.api_url, None)
        )
    assert not failures, "\n\n".join(failures[:10])


# --- what the fuzzing found, pinned ------------------------------------------------------------------


async def test_a_nul_character_in_a_path_or_query_parameter_is_a_422_naming_it(stack: Stack) -> None:
    """Found by fuzzing: `GET /verify?stream_id=l%00` reached PostgreSQL and answered 500."""
    async with stack.http("manager") as http:
        r = await http.get("/verify", params={"stream_id": "l\x00x"})
        assert r.status_code == 422, r.text
        assert [(e["field"], e["rule"]) for e in r.json()["detail"]] == [("stream_id", "text.no_nul_character")]
        r = await http.get("/children/C-1%00x/timeline")
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["detail"]] == ["child_id"]
        r = await http.get("/deadlines", params={"child_id": "a\x00", "rule_id": "\x00"})
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["detail"]] == ["child_id", "rule_id"]
        # The same lookups without the NUL still work.
        assert (await http.get("/verify", params={"stream_id": "lx"})).status_code == 200


async def test_every_422_has_the_documented_shape(stack: Stack) -> None:
    """Found by fuzzing: 422s came in three shapes, and the schema documented only FastAPI's own."""
    schema = (await load_schema(stack)).raw_schema
    refused = schema["components"]["schemas"]["Refused"]
    assert refused["required"] == ["detail"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    async with stack.http("manager") as http:
        # FastAPI's own validation (a query parameter): the API's fields, and FastAPI's `loc` kept.
        r = await http.get("/deadlines", params={"status": "overdue", "limit": "0"})
        assert r.status_code == 422
        problems = r.json()["detail"]
        assert {(e["field"], tuple(e["loc"])) for e in problems} == {
            ("status", ("query", "status")),
            ("limit", ("query", "limit")),
        }
        assert all(e["rule"] and e["message"].startswith(e["field"]) for e in problems)
        assert all("input" not in e for e in problems)  # a refused value is never echoed
        # A step whose body is not JSON, or not an object: the body is the field.
        for content in (b"{not json", b"[1, 2]"):
            r = await http.post("/orders/referral-order:luton:X:C-1/steps", content=content)
            assert r.status_code == 422, r.text
            assert [e["field"] for e in r.json()["detail"]] == ["body"]
            r = await http.post("/victim-contacts/victim-contact:luton:X:C-1:V-1/steps", content=content)
            assert r.status_code == 422, r.text
            assert [e["field"] for e in r.json()["detail"]] == ["body"]


async def test_a_nul_character_in_an_erasure_reason_is_refused_not_logged_as_a_500(stack: Stack) -> None:
    """The erasure's reason goes into the access log (PostgreSQL text): a NUL in it is a 422 naming it,
    and a refused role's attempt is still logged (the NUL replaced) and answered 403."""
    body = {"reason": "end of\x00retention"}
    async with stack.http("manager") as http:
        r = await http.post("/victims/V-NUL-1/erase", json=body)
        assert r.status_code == 422, r.text
        assert [(e["field"], e["rule"]) for e in r.json()["detail"]] == [("reason", "text.no_nul_character")]
    async with stack.http("case_worker") as http:
        r = await http.post("/victims/V-NUL-1/erase", json=body)
        assert r.status_code == 403, r.text
    async with stack.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT purpose FROM access_log WHERE victim_ref = 'V-NUL-1' AND action = 'denied' ORDER BY id DESC"
        )
        row = await cur.fetchone()
    assert row is not None and row["purpose"] == "end of\ufffdretention"
