"""The referral order (Sentencing Act 2020 Part 6 Ch 1, Sch 3–4) as a pure state machine.

`decide` takes the order's state, a step a person wants to record and today's date, and either refuses
the step with a reason a case worker can act on, or returns the events to record and the deadline
changes they cause. `evolve` folds a recorded event into the state. The workflow only carries these out.

Where things are (every public name is importable from this package):
- `state`: the order's state (`ReferralOrderState`, `OrderState`) and the statute's month limits;
- `steps`: the steps a person records and their union `ReferralOrderStep`;
- `opening`: `open_order`, the order made and the clocks that run from it;
- `checks`: refusals the steps share (dates, the order's state);
- `panels`: the initial panel and the contract it agrees;
- `court`: a referral back to court, the court's decision on it, and extending the compliance period;
- `deciding`: `decide`, which refuses a step or returns its events and deadline effects;
- `victim_milestones`: which recorded events a victim who opted in is told of;
- `fold`: `evolve`, folding a recorded event into the state.
"""

from __future__ import annotations

from domain.allocation import AllocateCaseWorker, allocate, allocated
from domain.calendar import add_calendar_months
from domain.decisions import CancelDeadline, DeadlineEffect, Decision, MeetDeadline, ScheduleDeadline, Step, StepRefused
from domain.referral_order.checks import FOLLOWS, STEP_EVENTS
from domain.referral_order.deciding import decide
from domain.referral_order.fold import evolve
from domain.referral_order.opening import open_order
from domain.referral_order.state import (
    CLOSED_STATES,
    MAX_EXTENSION_MONTHS,
    MAX_MONTHS,
    MIN_MONTHS,
    REVOCATION_BAR_MONTHS,
    OrderState,
    ReferralOrderState,
)
from domain.referral_order.steps import (
    RecordCompletion,
    RecordContractVaried,
    RecordCourtDecision,
    RecordExtendedByCourt,
    RecordFinalPanel,
    RecordFirstContact,
    RecordInitialPanel,
    RecordPanelAdjourned,
    RecordProgressPanel,
    RecordReferralBack,
    RecordRevocationRefused,
    RecordRevokedByCourt,
    RecordVictimViews,
    ReferralOrderStep,
)
from domain.referral_order.victim_milestones import victim_milestone
from domain.transfers import RecordTransfer, transfer

__all__ = [
    "CLOSED_STATES",
    "FOLLOWS",
    "MAX_EXTENSION_MONTHS",
    "MAX_MONTHS",
    "MIN_MONTHS",
    "REVOCATION_BAR_MONTHS",
    "STEP_EVENTS",
    "AllocateCaseWorker",
    "CancelDeadline",
    "DeadlineEffect",
    "Decision",
    "MeetDeadline",
    "OrderState",
    "RecordCompletion",
    "RecordContractVaried",
    "RecordCourtDecision",
    "RecordExtendedByCourt",
    "RecordFinalPanel",
    "RecordFirstContact",
    "RecordInitialPanel",
    "RecordPanelAdjourned",
    "RecordProgressPanel",
    "RecordReferralBack",
    "RecordRevocationRefused",
    "RecordRevokedByCourt",
    "RecordTransfer",
    "RecordVictimViews",
    "ReferralOrderState",
    "ReferralOrderStep",
    "ScheduleDeadline",
    "Step",
    "StepRefused",
    "add_calendar_months",
    "allocate",
    "allocated",
    "decide",
    "evolve",
    "open_order",
    "transfer",
    "victim_milestone",
]
