"""One realistic payload of each casework cycle event, and the facts its sentence must state (merged into
`event_examples.EXAMPLES`)."""

from __future__ import annotations

from typing import Any

CYCLE_EXAMPLES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "CaseworkCycleStarted": ({"clocks_from": "2026-09-07"}, ["Monday 7 September 2026", "assessment.initial"]),
    "AssessmentCompleted": (
        {
            "assessed_on": "2026-09-21",
            "assessor": "cw.jones",
            "tool": "asset_plus",
            "stage": "start",
            "likelihood_of_reoffending": "medium",
            "risk_of_serious_harm": "high",
            "safety_and_wellbeing": "very_high",
            "mappa_level": "none",
            "raised": ["risk_of_serious_harm", "safety_and_wellbeing"],
        },
        ["by cw.jones with AssetPlus", "risk of serious harm to others high", "safety and wellbeing very high"],
    ),
    "AssessmentCountersigned": (
        {
            "assessed_on": "2026-09-21",
            "author": "cw.jones",
            "countersigned_on": "2026-09-23",
            "direction": "Refer to the exploitation panel",
        },
        ["countersigned by a manager on Wednesday 23 September 2026", "Direction: Refer to the exploitation panel"],
    ),
    "PlanAgreed": (
        {"agreed_on": "2026-09-28", "child_participated": True, "parent_participated": False},
        ["agreed with the child on Monday 28 September 2026"],
    ),
    "PlanReviewed": ({"reviewed_on": "2026-12-01", "trigger": "significant_change"}, ["after a significant change"]),
    "SignificantChangeRecorded": (
        {"on": "2026-11-20", "kind": "exploitation_concern"},
        ["an exploitation concern", "review.significant_change"],
    ),
    "OversightRecorded": (
        {
            "on": "2026-09-24",
            "manager": "mgr.patel",
            "covers": ["allocation", "risk"],
            "summary": "Read the assessment and the safety plan",
            "direction": "Weekly contact until the strategy meeting",
        },
        ["oversight of the allocation and risk recorded by mgr.patel", "Weekly contact"],
    ),
    "ClosureWithoutOversight": (
        {"on": "2027-03-01", "manager": "mgr.patel", "why": "The manager was on leave; the deputy read the file"},
        ["mgr.patel allowed the order to close", "on leave"],
    ),
}
