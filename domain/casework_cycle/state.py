"""What an order's casework cycle has reached: its classifications, plan, open changes and oversight."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

__all__ = ["Classifications", "CycleState"]


class Classifications(BaseModel):
    """The three lenses of an assessment (AssetPlus practice), and MAPPA where it applies."""

    model_config = ConfigDict(frozen=True)

    likelihood_of_reoffending: str
    risk_of_serious_harm: str
    safety_and_wellbeing: str
    mappa_level: str | None = None


class CycleState(BaseModel):
    """Carried inside each order kind's state; an order from before the cycle landed has `started` False
    until its next step, and none of the cycle's clocks or gates apply to it until then."""

    model_config = ConfigDict(frozen=True)

    started: bool = False
    current: Classifications | None = None
    assessments: int = 0
    last_assessment_on: date | None = None
    last_assessment_by: str | None = None
    awaiting_countersign: bool = False
    plan_agreed_on: date | None = None
    open_changes: int = 0
    risk_rise_open: bool = False
    closure_clock: bool = False
    closure_overseen: bool = False
    closure_allowed_by: str | None = None
    last_oversight_on: date | None = None
