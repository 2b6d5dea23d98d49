"""The steps a person records on a remand."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from domain import events as ev
from domain.allocation import AllocateCaseWorker
from domain.casework_cycle.steps import CycleStep
from domain.court_outcome import RemandType
from domain.decisions import Step
from domain.transfers import RecordTransfer
from domain.victims_added import AddVictim


class _Step(Step):
    pass


class RecordLacReview(_Step):
    step: Literal["lac_review_held"] = "lac_review_held"


class RecordSocialWorkerVisit(_Step):
    step: Literal["social_worker_visit_made"] = "social_worker_visit_made"


class RecordRemandRenewed(_Step):
    """A later hearing's remand. `effective_date` is that hearing's date.

    The CTL fields come together, with the expiry counted by `WorkingCalendar.ctl_expiry`: required when
    the child moves from bail into custody, optional in custody (a new limit, e.g. 182 days on sending
    to the Crown Court), refused on bail.
    """

    step: Literal["remand_renewed"] = "remand_renewed"
    type: RemandType
    next_hearing_date: date
    ctl_start_date: date | None = None
    ctl_days: int | None = None
    ctl_expiry: date | None = None


class RecordCtlExtended(_Step):
    """The court extended the custody time limit to `new_expiry`; `reason` carries the court's grounds."""

    step: Literal["ctl_extended"] = "ctl_extended"
    new_expiry: date


class RecordRemandEnded(_Step):
    step: Literal["remand_ended"] = "remand_ended"
    how: ev.RemandEndedHow
    sentence_order_id: str | None = Field(default=None, min_length=1)


RemandStep = Annotated[
    AllocateCaseWorker
    | RecordLacReview
    | RecordSocialWorkerVisit
    | RecordRemandRenewed
    | RecordCtlExtended
    | RecordRemandEnded
    | RecordTransfer
    | AddVictim
    | CycleStep,
    Field(discriminator="step"),
]
