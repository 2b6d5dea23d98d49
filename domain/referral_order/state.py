"""The referral order's state: where it stands, its compliance period, and the statute's month limits."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.casework_cycle.state import CycleState
from domain.step_order import StepDates

MIN_MONTHS, MAX_MONTHS = 3, 12
MAX_EXTENSION_MONTHS = 3
REVOCATION_BAR_MONTHS = 3  # s.102(4); the rule pack records it as ro.revocation_bar


class OrderState(StrEnum):
    ORDER_MADE = "order_made"
    PANEL_ADJOURNED = "panel_adjourned"
    CONTRACT_AGREED = "contract_agreed"
    REFERRED_BACK = "referred_back"
    FINAL_PANEL_HELD = "final_panel_held"
    COMPLETED = "completed"
    REVOKED = "revoked"


CLOSED_STATES = frozenset({OrderState.COMPLETED, OrderState.REVOKED})


class ReferralOrderState(BaseModel):
    """Everything the workflow must carry across continue-as-new."""

    model_config = ConfigDict(frozen=True)

    child_id: str
    yjs: str
    hearing_date: date
    months: int
    victim_refs: tuple[str, ...] = ()
    state: OrderState = OrderState.ORDER_MADE
    case_worker: str | None = None
    first_contact_date: date | None = None
    contract_signed_date: date | None = None
    compliance_end: date | None = None
    extension_months: int = 0
    last_panel_date: date | None = None
    victims_with_views: tuple[str, ...] = ()
    referral_grounds: str | None = None
    revocation_bar_until: date | None = None
    final_panel_date: date | None = None
    step_dates: StepDates | None = Field(
        default_factory=dict, description="The latest date of each step recorded (domain.step_order)."
    )
    progress_panels_within_order: bool = Field(
        default=True,
        description="No progress panel is scheduled due after the compliance period ends (the final panel is).",
    )
    cycle: CycleState = CycleState()
