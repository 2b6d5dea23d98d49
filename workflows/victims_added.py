"""Starting the contact of a victim added to a running order (`VictimAdded`), for every order kind.

The contact starts as a child workflow the order abandons (it outlives the order, as an outcome's
victims' contacts do), under the id an outcome's victim gets, so a victim already in contact for this
case and child is not contacted twice: that start is refused by Temporal and the order goes on.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from temporalio import workflow
from temporalio.exceptions import WorkflowAlreadyStartedError

from workflows import changes

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain.court_outcome import victim_contact_id
    from domain.decisions import Decision
    from domain.messages import VictimContactInput

from workflows.victim_contact import VictimContactWorkflow


class Opened(Protocol):
    """What an order's start input says of the court outcome that opened it."""

    outcome_id: str
    case_reference: str


class Held(Protocol):
    """An order's state: whose it is and which service holds it now."""

    @property
    def child_id(self) -> str: ...

    @property
    def yjs(self) -> str: ...


async def start_added_victims(
    decision: Decision,
    opened: Opened,
    order: Held,
    *,
    opened_by: str,
    sentence_date: date | None = None,
) -> None:
    """Start a contact for each victim the decision added. `opened_by` is the service that opened the
    order, which names its victims' contacts; the service holding it now works the contact."""
    case_reference, child_id, yjs, outcome_id = opened.case_reference, order.child_id, order.yjs, opened.outcome_id
    added = [p for p in decision.events if isinstance(p, ev.VictimAdded)]
    # Runs from before victims could be added never record VictimAdded, so they replay without this.
    if not added or not changes.in_force("victim-added"):
        return
    for victim in added:
        wid = victim_contact_id(opened_by, case_reference, child_id, victim.victim_ref)
        try:
            await workflow.start_child_workflow(
                VictimContactWorkflow.run,
                VictimContactInput(
                    victim_ref=victim.victim_ref,
                    victim_kind=victim.victim_kind,
                    under_18=victim.under_18,
                    linked_order_id=workflow.info().workflow_id,
                    child_id=child_id,
                    yjs=yjs,
                    opened_on=victim.added_date,
                    outcome_id=outcome_id,
                    vcs_referral_needed=victim.vcs_referral_needed,
                    sentence_date=sentence_date if victim.vcs_referral_needed else None,
                ),
                id=wid,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                memo=changes.child_memo(),
            )
        except WorkflowAlreadyStartedError:
            workflow.logger.info("victim contact %s already exists; not started again", wid)
