"""The access matrix: every operation of the OpenAPI schema and every page, called by every role holding
luton only (on a luton record and on a bedford one), with no token, and as an inspector whose grant has
ended, against the running API; each answer compared with the one derived from `domain.access.PERMISSIONS`
and the service rule. The matrix is printed (`pytest -s`) and is the assertion's message on failure.

Expected, in this order: a public route answers the same to everyone; no token 401 (a page: 303 to
sign-in); an ended grant 401; a role without the permission 403; a record of another service 404 as an
unknown id would; a list of another service 200 naming none of its records; the caller's own records
the route's own answer (a deliberately invalid body where a valid one would change a record for good).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from activities import web_sessions
from activities.users import get_user
from client.api import AppContext, create_app
from domain.access import PERMISSIONS, Permission, Role
from tests.client.conftest import Stack, outcome, today
from tests.client.two_services import OWN, Records, TwoServices, two_services, victim_details

P = Permission
NO_TOKEN, EXPIRED = "no token", "ended grant"


@dataclass(frozen=True)
class Call:
    path: str
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None  # JSON, or bytes sent as they are
    form: dict[str, str] | None = None


@dataclass(frozen=True)
class Op:
    method: str
    route: str
    permission: Permission | None  # None: anyone signed in (or, with `public`, anyone at all)
    kind: str  # "record" (another service's: 404), "list" (another's: 200, none of its records), "submit"
    call: Callable[[Records], Call]
    own: int = 200  # the answer on the caller's own service
    other: int | None = None  # another service's answer when it is not the kind's default
    page: bool = False
    every_service_only: bool = False  # refused (403) to anyone holding only some services
    public: bool = False


def _bad_step(_: Records) -> dict[str, str]:
    return {"step": "no_such_step"}


def _sample(r: Records) -> dict[str, str]:
    base = {"start": "2000-01-01", "end": today().isoformat(), "children": "91"}
    return base if r.yjs == OWN else {**base, "yjs": r.yjs}


def _step_body(r: Records) -> Any:
    # Own: refused by validation (nothing recorded); another's: a valid step, refused as unknown.
    return {"step": "no_such_step"} if r.yjs == OWN else {"step": "first_contact_made", "method": "phone"}


def _correction(r: Records) -> Any:
    # Own: refused by validation (nothing changes); another's: a valid correction, refused as unknown.
    return {"changes": {}, "reason": "matrix"} if r.yjs == OWN else {"changes": {"sex": "male"}, "reason": "matrix"}


def _correction_of_step(r: Records) -> Any:
    # Own: refused by validation (no reason); another's: a well-formed correction, refused as unknown.
    return {"supersedes": 1} if r.yjs == OWN else {"supersedes": 1, "reason": "matrix"}


def _hold(r: Records) -> Any:
    body = {"record_kind": "child_record", "yjs": r.yjs, "subject": r.child_id, "reason": "matrix"}
    return {**body, "record_kind": "no_such_kind"} if r.yjs == OWN else body


def _window(r: Records) -> dict[str, str]:
    return {"from": "2000-01-01", "to": "2100-01-01", "yjs": r.yjs}


OPS: list[Op] = [
    Op("GET", "/health", None, "list", lambda r: Call("/health"), public=True),
    Op(
        "POST",
        "/court-outcomes",
        P.SUBMIT_OUTCOME,
        "submit",
        lambda r: Call("/court-outcomes", body=outcome(yjs=r.yjs)),
        own=202,
    ),
    Op("GET", "/court-outcomes/rejected", P.READ_REJECTED, "list", lambda r: Call("/court-outcomes/rejected")),
    Op(
        "POST",
        "/court-results/common-platform",
        P.SUBMIT_OUTCOME,
        "list",
        lambda r: Call("/court-results/common-platform", body={}),
        own=422,
        other=422,
    ),
    Op(
        "POST",
        "/court-results/spi",
        P.SUBMIT_OUTCOME,
        "list",
        lambda r: Call("/court-results/spi", body=b"<x/>"),
        own=422,
        other=422,
    ),
    Op(
        "GET",
        "/children/{child_id}/timeline",
        P.READ_TIMELINE,
        "record",
        lambda r: Call(f"/children/{r.child_id}/timeline"),
    ),
    Op("GET", "/deadlines", P.READ_DEADLINES, "list", lambda r: Call("/deadlines", {"yjs": r.yjs})),
    Op("GET", "/verify", P.VERIFY_CHAIN, "record", lambda r: Call("/verify", {"stream_id": r.order_id})),
    Op("GET", "/notifications", P.READ_NOTIFICATIONS, "list", lambda r: Call("/notifications")),
    Op("GET", "/orders/{workflow_id}", P.READ_ORDER, "record", lambda r: Call(f"/orders/{r.order_id}")),
    Op("GET", "/orders/{workflow_id}/export", P.READ_ORDER, "record", lambda r: Call(f"/orders/{r.order_id}/export")),
    Op(
        "POST",
        "/orders/{workflow_id}/steps",
        P.ACT_ON_ORDER,
        "record",
        lambda r: Call(f"/orders/{r.order_id}/steps", body=_step_body(r)),
        own=422,
    ),
    Op(
        "POST",
        "/victims/{victim_ref}",
        P.RECORD_VICTIM_DETAILS,
        "record",
        lambda r: Call(f"/victims/{r.victim_ref}", body=[] if r.yjs == OWN else victim_details("Matrix")),
        own=422,
    ),
    Op(
        "GET",
        "/victims/{victim_ref}",
        P.READ_VICTIM_DETAILS,
        "record",
        lambda r: Call(f"/victims/{r.victim_ref}", {"purpose": "access matrix"}),
    ),
    Op(
        "POST",
        "/victims/{victim_ref}/erase",
        P.ERASE_VICTIM_DETAILS,
        "record",
        lambda r: Call(f"/victims/{r.victim_ref}/erase", body={} if r.yjs == OWN else {"reason": "matrix"}),
        own=422,
    ),
    Op("GET", "/access-log", P.READ_VICTIM_ACCESS_LOG, "list", lambda r: Call("/access-log")),
    Op("GET", "/victim-contacts", P.READ_VICTIM_CONTACTS, "list", lambda r: Call("/victim-contacts", {"yjs": r.yjs})),
    Op(
        "GET",
        "/victim-contacts/{workflow_id}",
        P.READ_VICTIM_CONTACTS,
        "record",
        lambda r: Call(f"/victim-contacts/{r.contact_id}"),
    ),
    Op(
        "POST",
        "/victim-contacts/{workflow_id}/steps",
        P.ACT_ON_VICTIM_CONTACT,
        "record",
        lambda r: Call(f"/victim-contacts/{r.contact_id}/steps", body=_step_body(r)),
        own=422,
    ),
    Op(
        "POST",
        "/codec/decode",
        P.DECODE_PAYLOADS,
        "list",
        lambda r: Call("/codec/decode", body={"payloads": []}),
        every_service_only=True,
    ),
    Op(
        "POST",
        "/codec/encode",
        P.DECODE_PAYLOADS,
        "list",
        lambda r: Call("/codec/encode", body={"payloads": []}),
        every_service_only=True,
    ),
    Op("GET", "/inspection/sample", P.TAKE_INSPECTION_SAMPLE, "list", lambda r: Call("/inspection/sample", _sample(r))),
    Op("GET", "/children", P.READ_TIMELINE, "list", lambda r: Call("/children", {"q": r.child_id})),
    Op(
        "GET",
        "/children/{child_id}/record",
        P.READ_CHILD_RECORD,
        "record",
        lambda r: Call(f"/children/{r.child_id}/record"),
    ),
    Op(
        "PATCH",
        "/children/{child_id}/record",
        P.CORRECT_CHILD_RECORD,
        "record",
        lambda r: Call(f"/children/{r.child_id}/record", body=_correction(r)),
        own=422,
    ),
    Op("GET", "/retention/preview", P.READ_RETENTION, "list", lambda r: Call("/retention/preview", {"days": "30"})),
    Op("GET", "/retention/holds", P.READ_RETENTION, "list", lambda r: Call("/retention/holds")),
    Op(
        "POST", "/retention/holds", P.HOLD_RECORDS, "record", lambda r: Call("/retention/holds", body=_hold(r)), own=422
    ),
    Op(
        "POST",
        "/retention/holds/lift",
        P.HOLD_RECORDS,
        "record",
        lambda r: Call("/retention/holds/lift", body=_hold(r)),
        own=422,
    ),
    Op("GET", "/reports/compliance", P.READ_DASHBOARD, "list", lambda r: Call("/reports/compliance", _window(r))),
    Op(
        "GET",
        "/reports/compliance-by-worker",
        P.READ_DASHBOARD,
        "list",
        lambda r: Call("/reports/compliance-by-worker", _window(r)),
    ),
    Op("GET", "/reports/board", P.READ_DASHBOARD, "record", lambda r: Call("/reports/board", {"yjs": r.yjs})),
    Op("GET", "/reports/board.csv", P.READ_DASHBOARD, "record", lambda r: Call("/reports/board.csv", {"yjs": r.yjs})),
    Op("GET", "/reports/yjb-extract", P.READ_DASHBOARD, "record", lambda r: Call("/reports/yjb-extract", _window(r))),
    Op("GET", "/reports/yjb-extract/schema", P.READ_DASHBOARD, "list", lambda r: Call("/reports/yjb-extract/schema")),
    # Pages.
    Op("GET", "/app", None, "list", lambda r: Call("/app"), page=True),
    Op("GET", "/app/sign-in", None, "list", lambda r: Call("/app/sign-in"), page=True, public=True),
    Op("GET", "/app/signed-out", None, "list", lambda r: Call("/app/signed-out"), page=True, public=True),
    Op(
        "GET",
        "/app/children",
        P.READ_TIMELINE,
        "list",
        lambda r: Call("/app/children", {"q": r.child_id if r.yjs == OWN else r.child_id[:6]}),
        page=True,
    ),
    Op(
        "GET",
        "/app/children/{child_id}",
        P.READ_TIMELINE,
        "record",
        lambda r: Call(f"/app/children/{r.child_id}"),
        page=True,
    ),
    Op("GET", "/app/dashboard", P.READ_DASHBOARD, "list", lambda r: Call("/app/dashboard", {"yjs": r.yjs}), page=True),
    Op("GET", "/app/intake", P.READ_REJECTED, "list", lambda r: Call("/app/intake"), page=True),
    Op(
        "GET",
        "/app/children/{child_id}/record",
        P.CORRECT_CHILD_RECORD,
        "record",
        lambda r: Call(f"/app/children/{r.child_id}/record"),
        page=True,
    ),
    Op(
        "POST",
        "/app/children/{child_id}/record",
        P.CORRECT_CHILD_RECORD,
        "record",
        lambda r: Call(f"/app/children/{r.child_id}/record", form={}),
        own=400,  # the form refused on its fields (no reason given), nothing changed
        page=True,
    ),
    Op("GET", "/app/oversight", P.READ_DASHBOARD, "list", lambda r: Call("/app/oversight", {"team": "all"}), page=True),
    Op(
        "GET",
        "/app/reports/board",
        P.READ_DASHBOARD,
        "record",
        lambda r: Call("/app/reports/board", {"yjs": r.yjs}),
        page=True,
    ),
    Op(
        "GET",
        "/app/reports/board.csv",
        P.READ_DASHBOARD,
        "record",
        lambda r: Call("/app/reports/board.csv", {"yjs": r.yjs}),
        page=True,
    ),
    Op(
        "GET",
        "/app/inspection",
        P.TAKE_INSPECTION_SAMPLE,
        "list",
        lambda r: Call(
            "/app/inspection", {"from": "2000-01-01", "to": today().isoformat(), "children": "91", "yjs": r.yjs}
        ),
        page=True,
    ),
    Op(
        "GET",
        "/app/inspection/cases/{workflow_id}/chronology",
        P.EXPORT_CHRONOLOGY,
        "record",
        lambda r: Call(f"/app/inspection/cases/{r.order_id}/chronology"),
        page=True,
    ),
    Op(
        "GET",
        "/app/inspection/cases/{workflow_id}/chronology.csv",
        P.EXPORT_CHRONOLOGY,
        "record",
        lambda r: Call(f"/app/inspection/cases/{r.order_id}/chronology.csv"),
        page=True,
    ),
    Op("GET", "/app/my-cases", P.ACT_ON_ORDER, "list", lambda r: Call("/app/my-cases"), page=True),
    Op(
        "GET",
        "/app/my-victim-contacts",
        P.ACT_ON_VICTIM_CONTACT,
        "list",
        lambda r: Call("/app/my-victim-contacts"),
        page=True,
    ),
    Op(
        "GET", "/app/cases/{workflow_id}", P.READ_ORDER, "record", lambda r: Call(f"/app/cases/{r.order_id}"), page=True
    ),
    Op(
        "GET",
        "/app/cases/{workflow_id} (contact)",
        P.READ_VICTIM_CONTACTS,
        "record",
        lambda r: Call(f"/app/cases/{r.contact_id}"),
        page=True,
    ),
    Op(
        "GET",
        "/app/cases/{workflow_id}/steps/{step_name}",
        P.ACT_ON_ORDER,
        "record",
        lambda r: Call(f"/app/cases/{r.order_id}/steps/first_contact_made"),
        page=True,
    ),
    Op(
        "POST",
        "/app/cases/{workflow_id}/steps/{step_name}",
        P.ACT_ON_ORDER,
        "record",
        lambda r: Call(f"/app/cases/{r.order_id}/steps/first_contact_made", form={}),
        own=422,
        page=True,
    ),
    Op("GET", "/court-results/amendments", P.DECIDE_AMENDMENT, "list", lambda r: Call("/court-results/amendments")),
    Op(
        "POST",
        "/court-results/amendments/{amendment_id}/confirm",
        P.DECIDE_AMENDMENT,
        "list",
        lambda r: Call("/court-results/amendments/999999999/confirm", body={}),
        own=404,
        other=404,
    ),
    Op(
        "POST",
        "/court-results/amendments/{amendment_id}/reject",
        P.DECIDE_AMENDMENT,
        "list",
        lambda r: Call("/court-results/amendments/999999999/reject", body={"reason": "matrix"}),
        own=404,
        other=404,
    ),
    Op(
        "GET",
        "/app/court-results/amendments",
        P.DECIDE_AMENDMENT,
        "list",
        lambda r: Call("/app/court-results/amendments"),
        page=True,
    ),
    Op(
        "POST",
        "/app/court-results/amendments/{amendment_id}",
        P.DECIDE_AMENDMENT,
        "list",
        lambda r: Call("/app/court-results/amendments/999999999", form={"decision": "reject", "reason": "matrix"}),
        own=422,
        other=422,
        page=True,
    ),
    Op(
        "POST",
        "/orders/{workflow_id}/corrections",
        P.ACT_ON_ORDER,
        "record",
        lambda r: Call(f"/orders/{r.order_id}/corrections", body=_correction_of_step(r)),
        own=422,
    ),
    Op(
        "POST",
        "/victim-contacts/{workflow_id}/corrections",
        P.ACT_ON_VICTIM_CONTACT,
        "record",
        lambda r: Call(f"/victim-contacts/{r.contact_id}/corrections", body=_correction_of_step(r)),
        own=422,
    ),
    Op(
        "GET",
        "/app/cases/{workflow_id}/corrections",
        P.ACT_ON_ORDER,
        "record",
        lambda r: Call(f"/app/cases/{r.order_id}/corrections"),
        page=True,
    ),
    Op(
        "POST",
        "/app/cases/{workflow_id}/corrections",
        P.ACT_ON_ORDER,
        "record",
        lambda r: Call(f"/app/cases/{r.order_id}/corrections", form={}),
        own=422,
        page=True,
    ),
    Op(
        "GET",
        "/reports/yjb/kpi10",
        P.READ_VICTIM_CONTACTS,
        "record",
        lambda r: Call("/reports/yjb/kpi10", {"yjs": r.yjs, "quarter": "2026Q4"}),
    ),
    Op(
        "GET",
        "/reports/yjb/kpi10.csv",
        P.READ_VICTIM_CONTACTS,
        "record",
        lambda r: Call("/reports/yjb/kpi10.csv", {"yjs": r.yjs, "quarter": "2026Q4"}),
    ),
    Op(
        "GET",
        "/app/reports/yjb/kpi10",
        P.READ_VICTIM_CONTACTS,
        "record",
        lambda r: Call("/app/reports/yjb/kpi10", {"yjs": r.yjs, "quarter": "2026Q4"}),
        page=True,
    ),
    Op(
        "GET",
        "/app/victims/access-log",
        P.READ_VICTIM_ACCESS_LOG,
        "list",
        lambda r: Call("/app/victims/access-log"),
        page=True,
    ),
    Op(
        "GET",
        "/app/victims/{victim_ref}",
        P.READ_VICTIM_DETAILS,
        "record",
        lambda r: Call(f"/app/victims/{r.victim_ref}"),
        page=True,
    ),
    Op(
        "POST",
        "/app/victims/{victim_ref}",
        P.RECORD_VICTIM_DETAILS,
        "record",
        lambda r: Call(f"/app/victims/{r.victim_ref}", form={}),
        own=422,
        page=True,
    ),
]
# Routes the matrix does not call, with why.
NOT_CALLED = {
    ("POST", "/app/sign-in"): "signing in itself: tests/client/pages/test_sign_in.py",
    ("POST", "/app/sign-out"): "signing out itself: tests/client/pages/test_sign_in.py",
    ("GET", "/app/sign-in/organisation"): "a redirect to the provider: tests/client/pages/test_organisation_sign_in.py",
    ("GET", "/app/sign-in/organisation/callback"): "the provider's answer: test_organisation_sign_in.py",
    ("POST", "/app/codec/decode"): "the Temporal UI's codec calls: tests/client/test_codec_server.py",
    ("POST", "/app/codec/encode"): "the Temporal UI's codec calls: tests/client/test_codec_server.py",
    ("OPTIONS", "/app/codec/decode"): "CORS preflight: tests/client/test_codec_server.py",
    ("OPTIONS", "/app/codec/encode"): "CORS preflight: tests/client/test_codec_server.py",
    ("GET", "/app/intake/refused/{rejection_id}"): "needs a refusal per service; the rule is the list's (below)",
    ("POST", "/app/intake/refused/{rejection_id}"): "needs a refusal per service; the rule is the list's (below)",
}
CALLERS = [f"{role.value}/{side}" for role in Role for side in ("own", "other")] + [NO_TOKEN, EXPIRED]


def expected(op: Op, caller: str) -> int:
    if op.public:
        return op.own
    if caller == NO_TOKEN:
        return 303 if op.page else 401
    if caller == EXPIRED:
        return 401
    role, side = caller.split("/")
    if op.permission is not None and Role(role) not in PERMISSIONS[op.permission]:
        return 403
    if op.every_service_only:
        return 403
    if side == "own":
        return op.own
    if op.other is not None:
        return op.other
    return {"record": 404, "list": op.own, "submit": 403}[op.kind]


@dataclass
class Session:
    cookie: str
    csrf: str


async def _sessions(stack: Stack, two: TwoServices) -> dict[str, Session]:
    sessions = {}
    for who in [*(r.value for r in Role), "expired_inspector"]:
        user = await get_user(stack.pool, two.usernames[who])
        assert user is not None
        started = await web_sessions.start(stack.pool, user)
        sessions[who] = Session(started.session_id, started.csrf_token)
    return sessions


async def _answer(
    clients: dict[str, httpx.AsyncClient], two: TwoServices, sessions: dict[str, Session], op: Op, caller: str
) -> tuple[int, list[str]]:
    side = "other" if caller.endswith("/other") else "own"
    call = op.call(two.other if side == "other" else two.own)
    who = {NO_TOKEN: None, EXPIRED: "expired_inspector"}.get(caller, caller.split("/")[0])
    http = clients[f"{who}/{'page' if op.page else 'api'}"]
    form = call.form
    if form is not None and who is not None:
        form = {**form, "csrf_token": sessions[who].csrf}
    if form is not None:
        r = await http.request(op.method, call.path, params=call.params, data=form)
    elif isinstance(call.body, bytes):
        r = await http.request(op.method, call.path, params=call.params, content=call.body)
    elif call.body is not None:
        r = await http.request(op.method, call.path, params=call.params, json=call.body)
    else:
        r = await http.request(op.method, call.path, params=call.params)
    # Another service's identifiers in the answer, other than those the caller sent (a 404 names the id asked for).
    sent = f"{call.path} {call.params} {call.body!r} {call.form}"
    leaked = [i for i in two.other.ids() if i in r.text and i not in sent] if side == "other" else []
    return r.status_code, leaked


def _clients(stack: Stack, two: TwoServices, sessions: dict[str, Session]) -> dict[str, httpx.AsyncClient]:
    """One client (one kept-alive connection pool) per caller: bearer token for the API, cookie for pages."""
    clients = {}
    for who in [None, *(r.value for r in Role), "expired_inspector"]:
        token = {"Authorization": f"Bearer {two.tokens[who]}"} if who else {}
        cookie = {"yjflow_session": sessions[who].cookie} if who else {}
        clients[f"{who}/api"] = httpx.AsyncClient(base_url=stack.api_url, headers=token, timeout=30)
        clients[f"{who}/page"] = httpx.AsyncClient(base_url=stack.api_url, cookies=cookie, timeout=30)
    return clients


def _table(results: dict[tuple[str, str], tuple[int, list[str]]], bad: set[tuple[str, str]]) -> str:
    width = max(len(f"{op.method} {op.route}") for op in OPS)
    head = "operation".ljust(width) + " | " + " | ".join(c.rjust(max(len(c), 5)) for c in CALLERS)
    lines = [head, "-" * len(head)]
    for op in OPS:
        name = f"{op.method} {op.route}"
        cells = []
        for c in CALLERS:
            status, leaked = results[(name, c)]
            mark = ("!" if (name, c) in bad else "") + ("L" if leaked else "")
            cells.append(f"{mark}{status}".rjust(max(len(c), 5)))
        lines.append(name.ljust(width) + " | " + " | ".join(cells))
    lines.append("(! an unexpected answer, L a list naming another service's record)")
    lines += [f"not called: {m} {p}: {why}" for (m, p), why in NOT_CALLED.items()]
    return "\n".join(lines)


def _every_route(routes: Any) -> Any:
    """Each route, those of included routers too (an included router is one route of the app's, whole)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _every_route(included.routes)
        else:
            yield route


def _schema_routes() -> set[tuple[str, str]]:
    app = create_app(AppContext(None, None))
    routes = {(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops}
    for route in _every_route(app.routes):
        path = getattr(route, "path", "")
        if path == "/app" or (path.startswith("/app/") and not path.startswith("/app/static")):
            routes |= {(m, path) for m in getattr(route, "methods", set()) if m != "HEAD"}
    return routes


def test_every_operation_and_page_is_in_the_matrix() -> None:
    covered = {(op.method, op.route.partition(" (")[0]) for op in OPS} | set(NOT_CALLED)
    missing = _schema_routes() - covered
    assert not missing, f"routes without a row in the access matrix (add them to OPS): {sorted(missing)}"


async def test_the_access_matrix_has_no_unexpected_answer(stack: Stack) -> None:
    two = await two_services(stack)
    sessions = await _sessions(stack, two)
    limit = asyncio.Semaphore(8)
    clients = _clients(stack, two, sessions)

    async def one(op: Op, caller: str) -> tuple[tuple[str, str], tuple[int, list[str]]]:
        async with limit:
            return (f"{op.method} {op.route}", caller), await _answer(clients, two, sessions, op, caller)

    try:
        results = dict(await asyncio.gather(*(one(op, c) for op in OPS for c in CALLERS)))
    finally:
        await asyncio.gather(*(c.aclose() for c in clients.values()))
    bad = {
        (f"{op.method} {op.route}", c)
        for op in OPS
        for c in CALLERS
        if results[(f"{op.method} {op.route}", c)][0] != expected(op, c) or results[(f"{op.method} {op.route}", c)][1]
    }
    table = _table(results, bad)

    print("\n" + table)
    wanted = {(f"{op.method} {op.route}", c): expected(op, c) for op in OPS for c in CALLERS}
    details = [f"{n} as {c}: expected {wanted[(n, c)]}, got {results[(n, c)]}" for n, c in sorted(bad)]
    assert not bad, f"{len(bad)} unexpected answers:\n" + "\n".join(details) + "\n\n" + table
