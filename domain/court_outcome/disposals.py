"""The disposals: the orders an outcome starts, the decisions that act on running orders, and their kinds."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from domain.court_outcome.field_types import IsoDate, _Part
from domain.court_outcome.requirements import Requirement


def custodial_months(disposal: object) -> int | None:
    """The length of a custodial sentence in months, for the VCS test; None for a community order."""
    if not isinstance(disposal, DetentionAndTrainingOrderDisposal):
        return None
    if disposal.weeks is not None:
        # Whole months the weeks always reach: 52 weeks (364 days) never make 12 months, 53 always do.
        return disposal.weeks * 7 * 12 // 365
    return disposal.months


RemandType = Literal["bail", "bail_with_support", "local_authority_accommodation", "youth_detention_accommodation"]
CUSTODIAL_REMANDS = frozenset({"local_authority_accommodation", "youth_detention_accommodation"})
CTL_DAYS = frozenset({56, 70, 182})


class ReferralOrderDisposal(_Part):
    kind: Literal["referral_order"]
    months: StrictInt


class YouthRehabilitationOrderDisposal(_Part):
    kind: Literal["youth_rehabilitation_order"]
    end_date: IsoDate
    requirements: list[Requirement]
    iss: StrictBool


class RemandDisposal(_Part):
    kind: Literal["remand"]
    type: RemandType
    next_hearing_date: IsoDate
    first_remand: StrictBool
    # Custody time limits run only in custody, so a bail remand may leave these out.
    ctl_start_date: IsoDate | None = None
    ctl_days: StrictInt | None = None


class DetentionAndTrainingOrderDisposal(_Part):
    """A DTO's term is in whole months or in whole weeks, never both (see `_detention_and_training_order`).

    `remand_days` and `tagged_bail_days` are the days the court directs to count towards the sentence
    (CJA 2003 ss.240ZA, 240A, applied to DTOs by PCSCA 2022 from 28 June 2022); they are optional
    fields the contract allows, and move the release dates (`domain.custody_dates`)."""

    kind: Literal["detention_and_training_order"]
    months: StrictInt | None = None
    weeks: StrictInt | None = None
    release_date: IsoDate | None = None
    remand_days: StrictInt = 0
    tagged_bail_days: StrictInt = 0


class _ActingOnOrder(BaseModel):
    """A decision on a running workflow: `order_ref` names it; the decision's own fields ride along
    (`domain.court_decisions` lists them per kind and maps the outcome to the order's own step)."""

    # The decision's fields stay flat beside `order_ref`, so a dump validates back to the same model.
    model_config = ConfigDict(frozen=True, extra="allow")

    order_ref: StrictStr

    @property
    def decision(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class RemandEndedDisposal(_ActingOnOrder):
    kind: Literal["remand_ended"]


class OrderRevokedDisposal(_ActingOnOrder):
    kind: Literal["order_revoked"]


class OrderExtendedDisposal(_ActingOnOrder):
    kind: Literal["order_extended"]


class BreachOutcomeDisposal(_ActingOnOrder):
    kind: Literal["breach_outcome"]


AnyDisposal = (
    ReferralOrderDisposal
    | YouthRehabilitationOrderDisposal
    | RemandDisposal
    | DetentionAndTrainingOrderDisposal
    | RemandEndedDisposal
    | OrderRevokedDisposal
    | OrderExtendedDisposal
    | BreachOutcomeDisposal
)
Disposal = Annotated[AnyDisposal, Field(discriminator="kind")]

ORDER_KINDS = frozenset({"referral_order", "youth_rehabilitation_order", "remand", "detention_and_training_order"})
ACTING_KINDS = frozenset({"remand_ended", "order_revoked", "order_extended", "breach_outcome"})
DISPOSAL_KINDS = ORDER_KINDS | ACTING_KINDS
# Every kind in the contract: the order kinds start their workflows, the acting kinds act on running
# ones (domain.court_decisions maps each to the order's own step). `validate_court_outcome` still takes
# a narrower set, for a deployment that must refuse some kinds for now.
SUPPORTED_KINDS: frozenset[str] = DISPOSAL_KINDS
ActingDisposal = RemandEndedDisposal | OrderRevokedDisposal | OrderExtendedDisposal | BreachOutcomeDisposal
"""A decision on a running order, named by `order_ref` (see `domain.court_decisions` for its fields)."""
