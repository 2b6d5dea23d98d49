"""Two services on one deployment (luton and bedford) for the service-boundary tests and the access
matrix: one referral order with a victim in each (and a child id both services use), victims' details
recorded for both, and a user of every role holding luton only, an inspector granted luton for a month,
one whose grant has ended, and a court account for bedford.

Built once per session on the client tests' stack, through the API as a court and a victim worker
would, and cached: the matrix and the boundary tests read the same records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from activities.users import add_user
from domain.access import Role
from tests.client.conftest import Stack, all_workflow_ids_of, eventually, outcome, today

OWN, OTHER = "luton", "bedford"


@dataclass(frozen=True)
class Records:
    """One service's records: a child (and the id both services use), its order, its victim's contact."""

    yjs: str
    child_id: str
    shared_child_id: str
    order_id: str
    shared_order_id: str
    contact_id: str
    victim_ref: str

    def ids(self) -> list[str]:
        """Every identifier of this service's records, for checking that a list leaks none of them."""
        return [self.child_id, self.order_id, self.shared_order_id, self.contact_id, self.victim_ref]


@dataclass(frozen=True)
class TwoServices:
    own: Records  # luton's
    other: Records  # bedford's
    tokens: dict[str, str]  # luton-only users by role; also "expired_inspector", "bedford_intake"
    usernames: dict[str, str]


_BUILT: dict[str, TwoServices] = {}


def victim_details(name: str) -> dict[str, Any]:
    return {
        "kind": "person",
        "under_18": False,
        "enhanced_rights": False,
        "contact_route": "phone",
        "name": name,
        "phone": "07700 900123",
    }


async def _service_records(stack: Stack, yjs: str, shared_child: str) -> Records:
    tag = uuid.uuid4().hex[:6]
    own = outcome(yjs=yjs, child_id=f"C-{yjs[:3].upper()}-{tag}")
    shared = outcome(yjs=yjs, child_id=shared_child, victims=[])
    async with stack.http("intake") as http:
        for body in (own, shared):
            r = await http.post("/court-outcomes", json=body)
            assert r.status_code == 202, r.text
    order_id, contact_id = all_workflow_ids_of(own)
    shared_order_id = all_workflow_ids_of(shared)[0]
    ref = own["victims"][0]["ref"]
    async with stack.http("manager") as http:

        async def seen() -> list[int]:
            return [
                (await http.get(f"/victim-contacts/{contact_id}")).status_code,
                (await http.get(f"/orders/{order_id}")).status_code,
                (await http.get(f"/orders/{shared_order_id}")).status_code,
            ]

        await eventually(seen, lambda codes: set(codes) == {200}, what=f"{yjs}'s workflows recorded")
    async with stack.http("victim_worker") as http:
        r = await http.post(f"/victims/{ref}", json=victim_details(f"Victim of {yjs}"))
        assert r.status_code == 200, r.text
    return Records(yjs, own["child"]["id"], shared_child, order_id, shared_order_id, contact_id, ref)


async def two_services(stack: Stack) -> TwoServices:
    built = _BUILT.get(stack.api_url)
    if built is not None:
        return built
    tag = uuid.uuid4().hex[:6]
    shared_child = f"C-BOTH-{tag}"
    own = await _service_records(stack, OWN, shared_child)
    other = await _service_records(stack, OTHER, shared_child)
    tokens, names = {}, {}
    now = today()
    for role in Role:
        name = f"{OWN}-{role.value.replace('_', '-')}-{tag}"
        window = {"valid_from": now - timedelta(days=1), "valid_until": now + timedelta(days=30)}
        extra: dict[str, Any] = window if role == Role.INSPECTOR else {}
        tokens[role.value] = await add_user(stack.pool, name, role, services=[OWN], **extra)
        names[role.value] = name
    names["expired_inspector"] = f"{OWN}-inspector-ended-{tag}"
    tokens["expired_inspector"] = await add_user(
        stack.pool,
        names["expired_inspector"],
        Role.INSPECTOR,
        services=[OWN],
        valid_from=now - timedelta(days=30),
        valid_until=now - timedelta(days=1),
    )
    names["bedford_intake"] = f"{OTHER}-court-{tag}"
    tokens["bedford_intake"] = await add_user(stack.pool, names["bedford_intake"], Role.INTAKE, services=[OTHER])
    built = TwoServices(own, other, tokens, names)
    _BUILT[stack.api_url] = built
    return built
