"""Which workflow, step union and view belong to an order, found from its workflow id's prefix.

The API serves one `/orders/{id}` and `/orders/{id}/steps` for every order kind; this table is the one
place that knows the kinds, so adding an order kind is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import BaseModel, TypeAdapter

from domain.custody import CustodyStep
from domain.referral_order import ReferralOrderStep
from domain.remand import RemandStep
from domain.youth_rehabilitation_order import YroStep
from workflows.custody import CustodyWorkflow
from workflows.referral_order import ReferralOrderWorkflow
from workflows.remand import RemandWorkflow
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow


@dataclass(frozen=True)
class OrderKind:
    """One order kind: its name, its workflow ids' prefix, its workflow and the union of its steps.

    `union` is the kind's `Annotated[A | B | …, Field(discriminator="step")]`; `steps` validates a body
    against it and `step_names` lists its steps in the order the kind declares them.
    """

    name: str
    prefix: str
    workflow: Any
    union: Any
    steps: TypeAdapter[Any] = field(init=False, repr=False, compare=False)
    step_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        # Derived once from `union`, so the three can never disagree.
        object.__setattr__(self, "steps", TypeAdapter(self.union))
        object.__setattr__(self, "step_names", tuple(m.model_fields["step"].default for m in self.step_models()))

    def step_models(self) -> tuple[type[BaseModel], ...]:
        """The union's step models, in the order the kind declares them."""
        return tuple(get_args(get_args(self.union)[0]))

    def state_of(self, view: Any) -> str:
        """The order's state from its view, whatever the kind calls its state model."""
        for attr in ("order", "remand", "custody"):
            model = getattr(view, attr, None)
            if model is not None:
                # Referral orders and YROs name it `state`; remands and custody `status`.
                value = getattr(model, "state", None) or model.status
                return str(value.value)
        raise ValueError(f"{self.name} view has no order state")


KINDS = (
    OrderKind("referral_order", "referral-order:", ReferralOrderWorkflow, ReferralOrderStep),
    OrderKind("youth_rehabilitation_order", "youth-rehabilitation-order:", YouthRehabilitationOrderWorkflow, YroStep),
    OrderKind("remand", "remand:", RemandWorkflow, RemandStep),
    OrderKind("detention_and_training_order", "detention-and-training-order:", CustodyWorkflow, CustodyStep),
)


def kind_of(workflow_id: str) -> OrderKind | None:
    return next((k for k in KINDS if workflow_id.startswith(k.prefix)), None)
