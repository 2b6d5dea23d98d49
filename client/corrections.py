"""Correcting a step recorded by mistake on an order: the one way the API, the CLI and the pages do it.

The body names the event the mistaken step recorded (`supersedes`, its stream version in the timeline),
why it was wrong (`reason`) and, unless the step is voided, the step as it should have been
(`replacement`: only what differs need be given; the step's name is the original's). The acting user
and their role come from the token, the policy from `activities.rule_source.correction_policy`; the
order's `correct_step` Update decides (domain.corrections) and the order's view comes back. Errors are
`client.steps`' own, so every surface answers alike: 422 naming the field, 409 with the workflow's reason.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from activities import intake
from activities.rule_source import correction_policy
from activities.settings import Settings
from activities.users import User
from client import steps
from domain.corrections import StepCorrection
from workflows.victim_contact import VictimContactWorkflow


class CorrectionBody(BaseModel):
    """What a person sends to correct a step."""

    model_config = ConfigDict(extra="forbid")

    supersedes: int = Field(ge=1, description="The stream version of an event the mistaken step recorded.")
    reason: str = Field(min_length=1, max_length=2000, description="Why the step was wrong.")
    replacement: dict[str, Any] | None = Field(
        default=None,
        description="The step as it should have been (e.g. {'effective_date': '2027-01-08'}); leave out to void.",
    )


def correction_errors(e: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "rule": err["type"], "message": err["msg"]}
        for err in e.errors()
    ]


async def correct_step(temporal: steps.TemporalSource, workflow_id: str, body: Any, user: User) -> steps.StepRecorded:
    """Validate the body, send the case's `correct_step` Update (an order's or a victim's contact's), and
    return the case's view."""
    contact = steps.is_victim_contact(workflow_id)
    kind = None if contact else steps.order_kind(workflow_id)
    if not isinstance(body, dict):
        raise steps.StepInvalid([{"field": "body", "rule": "object", "message": "the body must be a JSON object"}])
    unstorable = intake.nul_character_errors(body)
    if unstorable:
        raise steps.StepInvalid([e.model_dump() for e in unstorable])
    try:
        request = CorrectionBody.model_validate(body)
    except ValidationError as e:
        raise steps.StepInvalid(correction_errors(e)) from e
    if request.replacement is not None and "actor" in request.replacement:
        raise steps.StepInvalid(
            [{"field": "replacement.actor", "rule": "set_by_token", "message": "the actor comes from the token"}]
        )
    correction = StepCorrection(
        actor=user.username,
        actor_role=user.role,
        supersedes=request.supersedes,
        reason=request.reason,
        replacement=request.replacement,
        policy=correction_policy(Settings().corrections_file),
    )
    client = await steps._client(temporal)
    workflow_class = VictimContactWorkflow if kind is None else kind.workflow
    # `correct_step` is every kind's (on the shared base class), so the kind's view type is named here.
    view_type = typing.get_type_hints(workflow_class.view)["return"]
    try:
        view = await steps.send_step(
            client, workflow_id, workflow_class.correct_step, correction, result_type=view_type
        )
    except WorkflowUpdateFailedError as e:
        raise steps._refusal(e) from e
    except RPCError as e:
        raise steps._rpc_error(e, f"no {'victim contact' if contact else 'order workflow'} {workflow_id}") from e
    if kind is None:
        return steps.StepRecorded(workflow_id, steps.VICTIM_CONTACT, "correction", view.contact.state.value, view)
    return steps.StepRecorded(workflow_id, kind.name, "correction", kind.state_of(view), view)
