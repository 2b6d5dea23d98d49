"""What Temporal stores about a child: encrypted payloads only, and search attributes free of names."""

from __future__ import annotations

import base64
import json
from datetime import date

from tests.workflows.conftest import Harness
from tests.workflows.test_referral_order import events_of, london, of_type, skip_to, start_order
from workflows import changes

ENCRYPTED = "YmluYXJ5L2VuY3J5cHRlZA=="  # base64 of b"binary/encrypted"


def _payloads(node: object, path: str = "") -> list[tuple[str, dict[str, object]]]:
    found: list[tuple[str, dict[str, object]]] = []
    if isinstance(node, dict):
        if "metadata" in node and "data" in node:
            found.append((path, node))
        for k, v in node.items():
            found += _payloads(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _payloads(v, f"{path}[{i}]")
    return found


async def test_history_payloads_are_encrypted_and_search_attributes_carry_no_names(harness: Harness) -> None:
    """Every payload in the workflow's history is AES-GCM ciphertext except search attributes, which hold
    only the opaque child id, order kind, service and state."""
    h = harness
    await skip_to(h, london(date(2027, 2, 1)))
    handle = await start_order(h, hearing=date(2027, 2, 1), child="C-PRIV1", victims=("V-PRIV",))
    await events_of(h, handle.id, until=lambda ev: len(of_type(ev, "DeadlineScheduled")) == 3)
    history = json.loads((await handle.fetch_history()).to_json())
    plain = [(p, n) for p, n in _payloads(history) if n["metadata"].get("encoding") != ENCRYPTED]  # type: ignore[union-attr]
    assert plain, "search attributes are expected as the only plain payloads"
    # Search attributes are never encoded; a patch marker holds only the patch's name.
    assert all("searchAttributes" in p or "markerRecorded" in p for p, _ in plain), [p for p, _ in plain]
    plain = [(p, n) for p, n in plain if "searchAttributes" in p]
    values = {base64.b64decode(n["data"]).decode() for _, n in plain}  # type: ignore[arg-type]
    allowed = {'"C-PRIV1"', '"referral_order"', '"luton"', '"order_made"', '["C-PRIV1"]'}
    # TemporalChangeVersion, set by workflow.patched: the names of the patches the run has taken, only.
    patches = set().union(*changes.BASELINES.values())  # every patch so far is in a baseline
    values = {v for v in values if not (v.startswith('["') and set(json.loads(v)) <= patches)}
    assert values <= allowed, values
