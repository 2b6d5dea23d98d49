"""Recording a person's step on an order or a victim's contact: the one way the API and the pages do it.

Given the Temporal client, the workflow id, the step's body and the acting username, a step is checked
(storable text, the kind's step union, an allocated worker who may act), sent as the workflow's `record_step`
Update, and the new view comes back. Anything else is a typed error that says what to show:
`StepInvalid` (the body: each failing field named), `StepRefused` (the workflow's validator refused it, or
the case has ended), `CaseNotFound`, `TemporalUnavailable`. Each carries the HTTP status the API answers
with, so the API and the pages cannot drift apart in what they accept.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from activities import intake, victim_contacts
from activities.db import Pool
from activities.service_scope import stream_service
from activities.users import get_user
from activities.victim_details import VictimDetailsError
from activities.victim_notes import VictimNotes
from client.order_kinds import OrderKind, kind_of
from domain.access import Permission, allowed_roles, allows, holds_service
from domain.allocation import AllocateCaseWorker
from domain.casework_cycle import CYCLE_STEP_NAMES
from domain.messages import VictimContactView
from domain.victim_contact import AllocateVictimWorker, ContactState, VictimContactStep
from workflows.victim_contact import VictimContactWorkflow

VICTIM_CONTACT = "victim_contact"
# The client itself, or how to get it (e.g. `AppContext.temporal`): asked only once the body is valid, so
# an invalid step is answered as invalid even while Temporal is down.
TemporalSource = Client | Callable[[], Awaitable[Client]]
VICTIM_STEP: TypeAdapter[Any] = TypeAdapter(VictimContactStep)
VICTIM_STEP_NAMES: tuple[str, ...] = tuple(
    model.model_fields["step"].default for model in get_args(get_args(VictimContactStep)[0])
)


# --- what can go wrong ----------------------------------------------------------------------------------


class StepError(Exception):
    """Why a step was not recorded; `status_code` is what the API answers with."""

    status_code = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StepInvalid(StepError):
    """The body is not a step that can be sent: each failing field as {field, rule, message}."""

    status_code = 422

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


class StepRefused(StepError):
    """The workflow refused the step (out of order or out of law), or the case has ended; the message is
    the workflow's own reason, verbatim, and `field` the step's field at fault when the domain named one."""

    status_code = 409

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotesUnavailable(StepError):
    """A victim step's note cannot be sealed: no victim master key is configured."""

    status_code = 503


class CaseNotFound(StepError):
    """No order or victim contact has this workflow id."""

    status_code = 404


class TemporalUnavailable(StepError):
    """Temporal could not be asked (503) or refused the call for a reason of its own (502)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True)
class StepRecorded:
    """A recorded step: which kind of case, the case's state now and the workflow's whole view."""

    workflow_id: str
    kind: str  # an order kind's name, or "victim_contact"
    step: str
    state: str
    view: BaseModel


# --- recording ------------------------------------------------------------------------------------------


def is_victim_contact(workflow_id: str) -> bool:
    return victim_contacts.is_contact_id(workflow_id)


def step_permission(workflow_id: str) -> Permission:
    """The permission needed to record a step on this workflow (orders and victims' contacts differ)."""
    return Permission.ACT_ON_VICTIM_CONTACT if is_victim_contact(workflow_id) else Permission.ACT_ON_ORDER


def order_kind(workflow_id: str) -> OrderKind:
    """The order's kind from its id, or `CaseNotFound` saying what an order id looks like."""
    kind = kind_of(workflow_id)
    if kind is None:
        raise CaseNotFound(f"no order workflow {workflow_id}: an order id starts with its kind, e.g. referral-order:")
    return kind


async def record_step(
    temporal: TemporalSource, pool: Pool, workflow_id: str, body: Any, actor: str, *, notes: VictimNotes | None = None
) -> StepRecorded:
    """Record a step on an order or a victim's contact, whichever the workflow id names."""
    if is_victim_contact(workflow_id):
        return await record_victim_step(temporal, pool, workflow_id, body, actor, notes=notes)
    return await record_order_step(temporal, workflow_id, body, actor, pool=pool)


async def record_order_step(
    temporal: TemporalSource, workflow_id: str, body: Any, actor: str, *, pool: Pool | None = None
) -> StepRecorded:
    """Validate `body` with the order kind's step union and run the order's `record_step` Update. An
    allocation is checked against the users in `pool`; without a pool it cannot be, so it is refused."""
    kind = order_kind(workflow_id)
    step = _validate(kind.steps, kind.step_names, body, actor, role=await _cycle_role(pool, body, actor))
    await check_allocation(pool, step, workflow_id)
    client = await _client(temporal)
    handle = client.get_workflow_handle(workflow_id)
    try:
        view = await send_step(client, workflow_id, kind.workflow.record_step, step)
    except WorkflowUpdateFailedError as e:
        raise _refusal(e) from e
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            # Temporal says "not found" for an order that has ended, too: say which it is.
            ended = await _ended_order(handle, step.step, kind)
            if ended is not None:
                raise ended from e
        raise _rpc_error(e, f"no order workflow {workflow_id}") from e
    return StepRecorded(workflow_id, kind.name, step.step, kind.state_of(view), view)


async def record_victim_step(
    temporal: TemporalSource,
    pool: Pool,
    workflow_id: str,
    body: Any,
    actor: str,
    *,
    notes: VictimNotes | None = None,
) -> StepRecorded:
    """Validate `body` as a victim contact's step and run the contact's `record_step` Update.

    A reason or note is sealed under the victim's key first (`notes`, the victim details store) and the
    step goes on with only its reference, so the clear text reaches neither Temporal nor the event log."""
    if not is_victim_contact(workflow_id):
        raise CaseNotFound(f"no victim contact {workflow_id}")
    step = _validate(VICTIM_STEP, VICTIM_STEP_NAMES, body, actor)
    await check_allocation(pool, step, workflow_id)
    if step.reason and step.reason.strip():
        step = step.model_copy(update={"reason": await _seal_note(pool, notes, workflow_id, step)})
    client = await _client(temporal)
    try:
        view: VictimContactView = await send_step(client, workflow_id, VictimContactWorkflow.record_step, step)
    except WorkflowUpdateFailedError as e:
        raise _refusal(e) from e
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            state = await victim_contacts.contact_state(pool, workflow_id)
            if state is not None and state.state == ContactState.CLOSED:
                raise StepRefused(
                    f"{step.step} refused: the contact is closed ({state.closed_outcome}); "
                    "nothing more can be recorded on it"
                ) from e
            raise CaseNotFound(f"no victim contact {workflow_id}") from e
        raise _rpc_error(e, f"no victim contact {workflow_id}") from e
    return StepRecorded(workflow_id, VICTIM_CONTACT, step.step, str(view.contact.state.value), view)


async def send_step(
    client: Client, workflow_id: str, update: Any, step: Any, *, run_id: str | None = None, result_type: Any = None
) -> Any:
    """Run the `record_step` Update on the case, once, even as its run continues as new.

    An Update that reaches a run as it continues as new (or that names a run, `run_id`, that has just
    done so) fails with "update ... not found" although the case goes on in a later run, and its answer
    can be lost after the old run recorded it. So the step gets an Update id of its own and, when the
    workflow id still has a running run, is sent once more with that id to the latest run: a run knows the
    ids of the steps it carried over and answers a repeat with its view instead of recording it again."""
    step_id = str(uuid.uuid4())
    try:
        return await client.get_workflow_handle(workflow_id, run_id=run_id).execute_update(
            update, step, id=step_id, result_type=result_type
        )
    except RPCError as e:
        if e.status != RPCStatusCode.NOT_FOUND or not await _case_goes_on(client, workflow_id):
            raise
    return await client.get_workflow_handle(workflow_id).execute_update(
        update, step, id=step_id, result_type=result_type
    )


async def _case_goes_on(client: Client, workflow_id: str) -> bool:
    """Whether the workflow id has a running run (the successor of the one an Update just missed)."""
    try:
        description = await client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return False
    return description.status == WorkflowExecutionStatus.RUNNING


# --- helpers --------------------------------------------------------------------------------------------


async def _seal_note(pool: Pool, notes: VictimNotes | None, workflow_id: str, step: Any) -> str:
    if notes is None:
        raise NotesUnavailable(
            "reason: a note on a victim step is kept encrypted under the victim's key, and this service has no "
            "victim master key (YJFLOW_VICTIM_MASTER_KEY); record the step without a reason, or ask an "
            "administrator to configure the key"
        )
    state = await victim_contacts.contact_state(pool, workflow_id)
    if state is None:
        raise CaseNotFound(f"no victim contact {workflow_id}")
    user = await get_user(pool, step.actor)
    if user is None:
        raise StepInvalid([_error("actor", "known_user", f"{step.actor} is not a user of this service")])
    try:
        return await notes.seal_note(state.victim_ref, workflow_id, step.reason.strip(), user=user, step=step.step)
    except VictimDetailsError as e:
        raise StepRefused(f"{step.step} refused: {e}") from e


async def _cycle_role(pool: Pool | None, body: Any, actor: str) -> str | None:
    """The acting user's role, carried in a casework cycle step (countersigning and oversight are for
    managers); None for any other step. Read from the user directory, never from the body: without a
    directory it is blank, and a manager's step is refused for it."""
    if not isinstance(body, dict) or body.get("step") not in CYCLE_STEP_NAMES:
        return None
    user = await get_user(pool, actor) if pool is not None else None
    return str(user.role) if user is not None else ""


def _validate(
    adapter: TypeAdapter[Any], names: tuple[str, ...], body: Any, actor: str, *, role: str | None = None
) -> Any:
    if not isinstance(body, dict):
        raise StepInvalid([_error("body", "object", "the body must be a JSON object naming the step")])
    unstorable = intake.nul_character_errors(body)
    if unstorable:
        # Refused here: the workflow would accept the step, then retry forever to record what
        # PostgreSQL cannot store, holding the case (and every later step and deadline) meanwhile.
        raise StepInvalid([e.model_dump() for e in unstorable])
    try:
        carried = {"actor": actor} if role is None else {"actor": actor, "actor_role": role}
        return adapter.validate_python({**body, **carried})
    except ValidationError as e:
        raise StepInvalid(step_errors(e, names)) from e


def step_errors(e: ValidationError, names: tuple[str, ...]) -> list[dict[str, str]]:
    """Each failing field of a step, named as the client sent it: pydantic puts the step's name (the
    union's tag) first in every location, and an absent or unknown step has no location at all."""
    errors = []
    for err in e.errors():
        if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
            field = "step"
            message = (
                "step is required" if err["type"] == "union_tag_not_found" else "step is not a known step"
            ) + f": one of {', '.join(names)}"
        else:
            field = ".".join(str(p) for p in err["loc"][1:]) or "body"
            message = err["msg"]
        errors.append(_error(field, err["type"], message))
    return errors


async def _client(temporal: TemporalSource) -> Client:
    if isinstance(temporal, Client):
        return temporal
    return await temporal()


def _error(field: str, rule: str, message: str) -> dict[str, str]:
    return {"field": field, "rule": rule, "message": message}


def _refusal(e: WorkflowUpdateFailedError) -> StepRefused:
    cause = e.cause
    message = str(getattr(cause, "message", None) or cause or e)
    details = getattr(cause, "details", None) or ()
    said = details[0] if details and isinstance(details[0], dict) else {}
    field = said.get("field")
    return StepRefused(message, field if isinstance(field, str) else None)


@dataclass(frozen=True)
class _Holder:
    """Who an allocation step gives a case to: the step's field naming them and what they must be allowed."""

    field: str
    permission: Permission
    cases: str  # what they will hold, for the message


_HOLDERS: dict[type[BaseModel], _Holder] = {
    AllocateCaseWorker: _Holder("case_worker", Permission.ACT_ON_ORDER, "orders"),
    AllocateVictimWorker: _Holder("victim_worker", Permission.ACT_ON_VICTIM_CONTACT, "victim contacts"),
}


async def check_allocation(pool: Pool | None, step: Any, workflow_id: str | None = None) -> None:
    """Refuse an allocation (of an order's case worker or a contact's victim worker) to anyone but an
    enabled user who may act on that kind of case and holds the case's service: the case's reminders go
    to whoever holds it, and to a name that is nobody they would reach nobody. Any other step passes
    untouched. Answered as `StepInvalid` on the named field, rule `<field>.may_act`."""
    holder = _HOLDERS.get(type(step))
    if holder is None:
        return
    username: str = getattr(step, holder.field)
    roles = ", ".join(allowed_roles(holder.permission))
    if pool is None:
        why = "cannot be checked here (no user directory)"
    else:
        worker = await get_user(pool, username)
        service = None if workflow_id is None else await stream_service(pool, workflow_id)
        held = worker is not None and (service is None or holds_service(worker.services, service))
        if worker is not None and not worker.disabled and allows(worker.role, holder.permission) and held:
            return
        why = (
            "is not a user"
            if worker is None
            else "is disabled"
            if worker.disabled
            else f"has role {worker.role}"
            if not allows(worker.role, holder.permission)
            else f"does not hold service {service}"
        )
    raise StepInvalid(
        [
            _error(
                holder.field,
                f"{holder.field}.may_act",
                f"{username} {why}: allocate a user who may act on {holder.cases} ({roles})",
            )
        ]
    )


async def _ended_order(handle: WorkflowHandle[Any, Any], step_name: str, kind: OrderKind) -> StepRefused | None:
    """The refusal for a step on an order whose workflow has closed (completed, revoked), else None."""
    try:
        description = await handle.describe()
    except RPCError:
        return None
    if description.status in (None, WorkflowExecutionStatus.RUNNING):
        return None
    try:
        state = kind.state_of(await handle.query(kind.workflow.view))
    except Exception:  # a query on a closed run can fail (no worker): the run's status still explains
        state = f"closed ({description.status.name.lower()})"
    return StepRefused(f"{step_name} refused: the order is {state}; nothing more can be recorded on it")


def _rpc_error(e: RPCError, not_found: str) -> StepError:
    if e.status == RPCStatusCode.NOT_FOUND:
        return CaseNotFound(not_found)
    if e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return TemporalUnavailable(f"Temporal is not reachable: {e.message}", 503)
    return TemporalUnavailable(f"Temporal refused: {e.message}", 502)
