"""Events of a referral order."""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.events.envelope import EventPayload


class ReferralOrderMade(EventPayload):
    months: int
    hearing_date: date
    victim_refs: list[str] = []


class CaseWorkerAllocated(EventPayload):
    case_worker: str


class FirstContactMade(EventPayload):
    contact_date: date
    method: str = "in_person"


class VictimViewsRecorded(EventPayload):
    """A victim was contacted and their views sought before the panel (reference only)."""

    victim_ref: str


class InitialPanelHeld(EventPayload):
    panel_date: date


class ContractSigned(EventPayload):
    signed_date: date
    compliance_start: date
    compliance_end: date
    months: int


class PanelAdjourned(EventPayload):
    panel_date: date
    adjourned_to: date | None = None


class ProgressPanelHeld(EventPayload):
    panel_date: date
    next_panel_due_by: date


class ContractVaried(EventPayload):
    varied_date: date
    summary: str


class ReferredBackToCourt(EventPayload):
    referral_date: date
    grounds: Literal["breach", "no_agreement", "revocation_good_progress", "other"]


class CourtDecisionRecorded(EventPayload):
    decision_date: date
    decision: Literal["continue", "extend", "revoke_and_resentence", "revoke_good_progress"]
    extension_months: int = 0


class OrderExtended(EventPayload):
    extension_months: int
    total_months: int
    compliance_end: date


class RevocationRefused(EventPayload):
    decision_date: date
    bar_until: date


class OrderRevoked(EventPayload):
    revoked_date: date
    grounds: Literal["resentenced", "good_progress", "further_offence"]


class FinalPanelHeld(EventPayload):
    panel_date: date
    discharged: bool = True


class OrderCompleted(EventPayload):
    completed_date: date
