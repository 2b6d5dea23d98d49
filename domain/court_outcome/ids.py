"""The workflow ids an outcome starts or acts on, derived from its facts so a re-delivery finds them."""

from __future__ import annotations

from domain.court_outcome.disposals import _ActingOnOrder
from domain.court_outcome.outcome import CourtOutcome


def order_workflow_id(outcome: CourtOutcome) -> str:
    """The id of the order workflow this outcome starts, or, for a decision, the one it acts on.

    Built from the service, court case reference, child and disposal kind, so a re-delivered outcome
    names the workflow it already started.
    """
    d = outcome.disposal
    if isinstance(d, _ActingOnOrder):
        return d.order_ref
    prefix = d.kind.replace("_", "-")
    return f"{prefix}:{outcome.yjs}:{outcome.case_reference}:{outcome.child.id}"


def victim_contact_id(yjs: str, case_reference: str, child_id: str, victim_ref: str) -> str:
    """The id of the victim contact workflow for one victim of one case and child: an order and its
    victims' contacts derive their ids from the same facts, so each can find the other."""
    return f"victim-contact:{yjs}:{case_reference}:{child_id}:{victim_ref}"


def victim_workflow_id(outcome: CourtOutcome, ref: str) -> str:
    """The id of the victim contact workflow for one victim of this outcome's case and child."""
    return victim_contact_id(outcome.yjs, outcome.case_reference, outcome.child.id, ref)


def workflow_ids(outcome: CourtOutcome) -> list[str]:
    """Every workflow id this outcome starts or acts on: the order's, then one per victim it names
    (an outcome acting on an existing order starts no victim contacts)."""
    ids = [order_workflow_id(outcome)]
    if not isinstance(outcome.disposal, _ActingOnOrder):
        ids += [victim_workflow_id(outcome, v.ref) for v in outcome.victims]
    return ids


def pnc_as_child_id(pnc: str) -> str:
    """A PNC id as a child id: its '/' (2026/0100001A) becomes '-' (2026-0100001A), because a child id is
    part of workflow ids and page addresses, where '/' cannot stand. The PNC's own form has no '-', so
    the two never collide."""
    return pnc.replace("/", "-")
