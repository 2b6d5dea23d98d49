"""Recording a victim's details and marking details_received on their contacts: the one path the API
and the victim's page both record through."""

from __future__ import annotations

from datetime import date
from typing import Any

from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities import victim_contacts
from activities.users import User
from activities.victim_details import VictimDetailsStore
from client.app_context import AppContext
from domain.victim_contact import ContactState, RecordDetailsReceived
from domain.victim_details import VictimDetails
from workflows.victim_contact import VictimContactWorkflow

DEFAULT_RECORD_PURPOSE = "victim's details received for victim contact and restorative justice"


class ContactUnreachable(Exception):
    """Temporal refused the call for a reason of its own (the API answers it as a 5xx)."""

    def __init__(self, error: RPCError, workflow_id: str) -> None:
        super().__init__(str(error))
        self.error, self.workflow_id = error, workflow_id


async def record_and_mark(
    ctx: AppContext,
    store: VictimDetailsStore,
    ref: str,
    details: VictimDetails,
    user: User,
    purpose: str | None,
    on: date,
    contact_ids: list[str],
) -> dict[str, Any]:
    """Store the details, then mark details_received (dated `on`) on each of the victim's contacts; the
    API and the victim's page record through this one path. Raises the store's errors as they are."""
    first = not await store.exists(ref)
    await store.record(ref, details, user=user, purpose=(purpose or "").strip() or DEFAULT_RECORD_PURPOSE)
    updated: list[str] = []
    unchanged: list[dict[str, str]] = []
    for wid in contact_ids:
        why = await details_received(ctx, wid, user, on, details.enhanced_rights, first=first)
        if why is None:
            updated.append(wid)
        else:
            unchanged.append({"workflow_id": wid, "why": why})
    return {"victim_ref": ref, "updated": updated, "unchanged": unchanged}


async def details_received(
    ctx: AppContext, workflow_id: str, user: User, on: date, enhanced_rights: bool, *, first: bool
) -> str | None:
    """Record `details_received` on one contact; None when recorded, else why it was left as it was
    (already received: the new details are simply kept; closed; withdrawn; not running)."""
    state = await victim_contacts.contact_state(ctx.pool, workflow_id)
    if state is None:
        return "no such contact"
    if state.state == ContactState.CLOSED:
        return f"the contact is closed ({state.closed_outcome}); the details are kept"
    if state.details_received_on is not None:
        if first:
            return (
                f"details_received was already recorded on {state.details_received_on}; these are the first "
                "details held for the victim"
            )
        return f"details were already received on {state.details_received_on}; the new details replace them"
    step = RecordDetailsReceived(actor=user.username, effective_date=on, enhanced_rights=enhanced_rights)
    handle = (await ctx.temporal()).get_workflow_handle(workflow_id)
    try:
        await handle.execute_update(VictimContactWorkflow.record_step, step)
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        return str(getattr(cause, "message", None) or cause or e)
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            return "the contact's workflow is not running"
        raise ContactUnreachable(e, workflow_id) from e
    return None
