"""Deterministic orchestration: each workflow carries out what `domain/` decides and records it."""

from workflows.referral_order import ReferralOrderWorkflow
from workflows.victim_contact import VictimContactWorkflow
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

ALL_WORKFLOWS = [ReferralOrderWorkflow, VictimContactWorkflow, YouthRehabilitationOrderWorkflow]

__all__ = [
    "ALL_WORKFLOWS",
    "ReferralOrderWorkflow",
    "VictimContactWorkflow",
    "YouthRehabilitationOrderWorkflow",
]
