"""Who a cycle clock's notices go to: oversight is the manager's work, so its reminders go to the case
worker's manager and a missed oversight escalates one step further up, to that manager's own manager."""

from __future__ import annotations

from typing import Literal

__all__ = ["OVERSIGHT_PREFIX", "levels_up"]

OVERSIGHT_PREFIX = "oversight."


def levels_up(rule_id: str, kind: Literal["reminder", "escalation"]) -> int:
    """How many managers above the responsible worker a notice of this rule goes: 0 the worker, 1 their
    manager, 2 their manager's manager."""
    base = 1 if rule_id.startswith(OVERSIGHT_PREFIX) else 0
    return base + (1 if kind == "escalation" else 0)
