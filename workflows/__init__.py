"""Deterministic orchestration: each workflow carries out what `domain/` decides and records it."""

from workflows.custody import CustodyWorkflow
from workflows.referral_order import ReferralOrderWorkflow
from workflows.remand import RemandWorkflow
from workflows.victim_contact import VictimContactWorkflow
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

ALL_WORKFLOWS = [
    ReferralOrderWorkflow,
    VictimContactWorkflow,
    YouthRehabilitationOrderWorkflow,
    RemandWorkflow,
    CustodyWorkflow,
]

__all__ = [
    "ALL_WORKFLOWS",
    "CustodyWorkflow",
    "ReferralOrderWorkflow",
    "RemandWorkflow",
    "VictimContactWorkflow",
    "YouthRehabilitationOrderWorkflow",
]
