"""Deterministic orchestration: each workflow carries out what `domain/` decides and records it."""

from workflows.referral_order import ReferralOrderWorkflow
from workflows.victim_contact import VictimContactWorkflow

ALL_WORKFLOWS = [ReferralOrderWorkflow, VictimContactWorkflow]

__all__ = ["ALL_WORKFLOWS", "ReferralOrderWorkflow", "VictimContactWorkflow"]
