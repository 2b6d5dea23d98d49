"""Which workflow, step union and view belong to an order, found from its workflow id's prefix.

The API serves one `/orders/{id}` and `/orders/{id}/steps` for every order kind; this table is the one
place that knows the kinds, so adding an order kind is one row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from pydantic import TypeAdapter

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
    name: str
    prefix: str
    workflow: Any
    steps: TypeAdapter[Any]
    step_names: tuple[str, ...]

    def state_of(self, view: Any) -> str:
        """The order's state from its view, whatever the kind calls its state model."""
        for attr in ("order", "remand", "custody"):
            model = getattr(view, attr, None)
            if model is not None:
                # Referral orders and YROs name it `state`; remands and custody `status`.
                value = getattr(model, "state", None) or model.status
                return str(value.value)
        raise ValueError(f"{self.name} view has no order state")


def _names(union: Any) -> tuple[str, ...]:
    return tuple(model.model_fields["step"].default for model in get_args(get_args(union)[0]))


KINDS = (
    OrderKind(
        "referral_order", "referral-order:", ReferralOrderWorkflow, TypeAdapter(ReferralOrderStep),
        _names(ReferralOrderStep),
    ),
    OrderKind(
        "youth_rehabilitation_order", "youth-rehabilitation-order:", YouthRehabilitationOrderWorkflow,
        TypeAdapter(YroStep), _names(YroStep),
    ),
    OrderKind("remand", "remand:", RemandWorkflow, TypeAdapter(RemandStep), _names(RemandStep)),
    OrderKind(
        "detention_and_training_order", "detention-and-training-order:", CustodyWorkflow, TypeAdapter(CustodyStep),
        _names(CustodyStep),
    ),
)  # fmt: skip


def kind_of(workflow_id: str) -> OrderKind | None:
    return next((k for k in KINDS if workflow_id.startswith(k.prefix)), None)
