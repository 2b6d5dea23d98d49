"""Deterministic orchestration: each workflow carries out what `domain/` decides and records it."""

from workflows.referral_order import ReferralOrderWorkflow

ALL_WORKFLOWS = [ReferralOrderWorkflow]

__all__ = ["ALL_WORKFLOWS", "ReferralOrderWorkflow"]
