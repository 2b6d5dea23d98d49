"""The steps a person records on a referral order."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from domain.allocation import AllocateCaseWorker
from domain.casework_cycle.steps import CycleStep
from domain.decisions import Step
from domain.transfers import RecordTransfer
from domain.victims_added import AddVictim


class _Step(Step):
    pass


class RecordFirstContact(_Step):
    step: Literal["first_contact_made"] = "first_contact_made"
    method: Literal["in_person", "home_visit", "phone", "video"] = "in_person"


class RecordInitialPanel(_Step):
    step: Literal["initial_panel_held"] = "initial_panel_held"
    contract_signed_date: date = Field(description="The compliance period runs from this date.")


class RecordPanelAdjourned(_Step):
    step: Literal["panel_adjourned"] = "panel_adjourned"
    adjourned_to: date | None = None


class RecordProgressPanel(_Step):
    step: Literal["progress_panel_held"] = "progress_panel_held"


class RecordContractVaried(_Step):
    step: Literal["contract_varied"] = "contract_varied"
    summary: str = Field(min_length=1, max_length=2000)


class RecordReferralBack(_Step):
    step: Literal["referred_back_to_court"] = "referred_back_to_court"
    grounds: Literal["breach", "no_agreement", "revocation_good_progress", "other"]


class RecordCourtDecision(_Step):
    step: Literal["court_decision"] = "court_decision"
    decision: Literal["continue", "extend", "revoke_and_resentence", "revoke_good_progress"]
    extension_months: int = Field(default=0, ge=0)


class RecordRevocationRefused(_Step):
    step: Literal["revocation_refused"] = "revocation_refused"


class RecordVictimViews(_Step):
    step: Literal["victim_views_recorded"] = "victim_views_recorded"
    victim_ref: str = Field(min_length=1)


class RecordFinalPanel(_Step):
    step: Literal["final_panel_held"] = "final_panel_held"
    # No default: a discharge is the panel's decision, never assumed (an unticked box is not a "no" either).
    discharged: bool = Field(description="Whether the panel discharged the child (s.101(4)); if not, it refers back.")


class RecordCompletion(_Step):
    step: Literal["order_completed"] = "order_completed"


class RecordRevokedByCourt(_Step):
    """A court dealing with the child for a further offence revoked the order without a referral back
    (SA 2020 Sch 4 para 14: a custodial sentence or further order; youth-justice.md §1.2)."""

    step: Literal["revoked_by_court"] = "revoked_by_court"
    grounds: Literal["further_offence"] = "further_offence"


class RecordExtendedByCourt(_Step):
    """A court dealing with the child for a further offence extended the compliance period, with no
    referral back by the panel (Sentencing Act 2020 Sch 4 paras 13–16: para 14 for an offence committed
    before the order was made, para 15 for one committed after it); the period may not exceed 12 months
    in all (para 16)."""

    step: Literal["extended_by_court"] = "extended_by_court"
    extension_months: int = Field(ge=1, description="Whole months added to the compliance period.")


ReferralOrderStep = Annotated[
    AllocateCaseWorker
    | RecordFirstContact
    | RecordInitialPanel
    | RecordPanelAdjourned
    | RecordProgressPanel
    | RecordContractVaried
    | RecordReferralBack
    | RecordCourtDecision
    | RecordExtendedByCourt
    | RecordRevocationRefused
    | RecordVictimViews
    | RecordFinalPanel
    | RecordCompletion
    | RecordRevokedByCourt
    | RecordTransfer
    | AddVictim
    | CycleStep,
    Field(discriminator="step"),
]
