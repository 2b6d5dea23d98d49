"""A transfer of an order, for every order kind: to another YJS (the order goes on there) or to probation
(the YJS's part ends).

One step (`transferred`) and one event (`OrderTransferred`) serve every order kind. A transfer to another
YJS keeps the order running under the receiving service: the same workflow, the same stream and its
whole timeline, a new owner; nothing else about the order changes. A transfer to probation closes the
order for the YJS, so every open deadline is cancelled; each order kind says whether, and when, its
orders may pass to probation, and refuses with its own reason otherwise.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from domain import events as ev
from domain.decisions import CancelDeadline, Decision, Step, StepRefused

__all__ = ["RecordTransfer", "transfer"]


class RecordTransfer(Step):
    step: Literal["transferred"] = "transferred"
    to: Literal["yjs", "probation"]
    to_yjs: str | None = Field(default=None, min_length=1)


def _refuse(why: str) -> StepRefused:
    return StepRefused(f"transferred refused: {why}")


def transfer(step: RecordTransfer, *, from_yjs: str, probation_refused: str | None) -> Decision:
    """The decision for a transfer of an order held by `from_yjs`. `probation_refused` is the order
    kind's reason a transfer to probation cannot happen now, or None when it may."""
    moved = ev.OrderTransferred(transfer_date=step.effective_date, to=step.to, from_yjs=from_yjs, to_yjs=step.to_yjs)
    if step.to == "yjs":
        if step.to_yjs is None:
            raise _refuse("a transfer to another YJS needs to_yjs, the receiving service")
        if step.to_yjs == from_yjs:
            raise _refuse(f"the order is already with {from_yjs}")
        return Decision(events=(moved,))
    if step.to_yjs is not None:
        raise _refuse("to_yjs is only for a transfer to another YJS")
    if probation_refused is not None:
        raise _refuse(probation_refused)
    return Decision(events=(moved,), deadlines=(CancelDeadline(rule_id="*", why="order transferred to probation"),))
