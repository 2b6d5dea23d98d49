"""The steps a person records on a referral order."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from domain.allocation import AllocateCaseWorker
from domain.casework_cycle.steps import CycleStep
from domain.decisions import Step
from domain.transfers import RecordTransfer


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
    discharged: bool = True


class RecordCompletion(_Step):
    step: Literal["order_completed"] = "order_completed"


class RecordRevokedByCourt(_Step):
    """A court dealing with the child for a further offence revoked the order without a referral back
    (SA 2020 Sch 4 para 14: a custodial sentence or further order; youth-justice.md §1.2)."""

    step: Literal["revoked_by_court"] = "revoked_by_court"
    grounds: Literal["further_offence"] = "further_offence"


ReferralOrderStep = Annotated[
    AllocateCaseWorker
    | RecordFirstContact
    | RecordInitialPanel
    | RecordPanelAdjourned
    | RecordProgressPanel
    | RecordContractVaried
    | RecordReferralBack
    | RecordCourtDecision
    | RecordRevocationRefused
    | RecordVictimViews
    | RecordFinalPanel
    | RecordCompletion
    | RecordRevokedByCourt
    | RecordTransfer
    | CycleStep,
    Field(discriminator="step"),
]
