"""The youth rehabilitation order (SA 2020 Part 9 Ch 1, Sch 6, Sch 7) as a pure state machine.

`decide` takes the order's state, a step a person wants to record and today's date, and either refuses
the step with a reason a case worker can act on, or returns the events to record and the deadline
changes they cause. `evolve` folds a recorded event into the state. The workflow only carries these out.

Failures to comply go through the shared `domain.compliance` model under the YRO policy: warn, or lay
information; after two warnings in a warned period a further failure must go to court (Sch 7 para 4).
Lengths the reference notes mark unconfirmed ([U]) are never written here: the review interval comes
with the rule `yro.review`, and the warned period's months with `yro.warned_period`, read from the
rule pack into `YroState.warned_period_months` by whoever opens the order.

Where things are (every public name is importable from this package):
- `state`: the order's state (`YroState`, `YroStatus`, `RequirementProgress`) and `new_order`;
- `steps`: the steps a person records and their union `YroStep`;
- `limits`: what the statute allows an order to hold (its length, its requirements);
- `checks`: refusals the steps share (dates, the order's status, the open incident, a requirement's ref);
- `opening`: `open_order`, the order made and the clocks that run from it;
- `progress`: requirement progress (activity days, unpaid work hours, curfew and monitoring periods);
- `breach`: failures to comply: warnings, laying a breach, and the court's decision on it;
- `amendment`: the court amending the order's requirements or end date;
- `completion`: completing the order, and transferring it to another YJS or to probation;
- `deciding`: `decide`, which refuses a step or returns its events and deadline effects;
- `fold`: `evolve`, folding a recorded event into the state;
- `victim_milestones`: which recorded events a victim who opted in is told of.
"""

from __future__ import annotations

from domain.allocation import AllocateCaseWorker, allocate, allocated
from domain.calendar import add_calendar_months
from domain.compliance import (
    ComplianceIncident,
    CompliancePolicy,
    WarnedPeriod,
    after_unacceptable_failure,
    covering_period,
    warnings_in_period,
)
from domain.court_outcome import (
    ActivityRequirement,
    CurfewRequirement,
    ExtendedActivityRequirement,
    Requirement,
    UnpaidWorkRequirement,
    YouthRehabilitationOrderDisposal,
)
from domain.decisions import CancelDeadline, DeadlineEffect, Decision, MeetDeadline, ScheduleDeadline, Step, StepRefused
from domain.transfers import RecordTransfer, transfer
from domain.youth_rehabilitation_order.checks import FOLLOWS, STEP_EVENTS
from domain.youth_rehabilitation_order.deciding import decide
from domain.youth_rehabilitation_order.fold import evolve
from domain.youth_rehabilitation_order.limits import (
    ACTIVITY_MAX_DAYS,
    CURFEW_MAX_HOURS,
    CURFEW_MIN_HOURS,
    ISS_MIN_MONTHS,
    MAX_BREACH_EXTENSION_MONTHS,
    MAX_END_MONTHS,
)
from domain.youth_rehabilitation_order.opening import open_order
from domain.youth_rehabilitation_order.progress import PERIOD_KINDS
from domain.youth_rehabilitation_order.state import (
    CLOSED_STATES,
    POLICY,
    RequirementProgress,
    SupervisedPeriod,
    YroState,
    YroStatus,
    new_order,
)
from domain.youth_rehabilitation_order.steps import (
    RecordAbsenceExplained,
    RecordAppointmentMissed,
    RecordBreachLaid,
    RecordCompletion,
    RecordCourtBreachOutcome,
    RecordFirstAppointment,
    RecordFollowUpContact,
    RecordOrderAmended,
    RecordRequirementProgress,
    RecordReview,
    RecordRevocation,
    RecordWarning,
    YroStep,
)
from domain.youth_rehabilitation_order.victim_milestones import victim_milestone

__all__ = [
    "ACTIVITY_MAX_DAYS",
    "CLOSED_STATES",
    "CURFEW_MAX_HOURS",
    "CURFEW_MIN_HOURS",
    "FOLLOWS",
    "ISS_MIN_MONTHS",
    "MAX_BREACH_EXTENSION_MONTHS",
    "MAX_END_MONTHS",
    "PERIOD_KINDS",
    "POLICY",
    "STEP_EVENTS",
    "ActivityRequirement",
    "AllocateCaseWorker",
    "CancelDeadline",
    "ComplianceIncident",
    "CompliancePolicy",
    "CurfewRequirement",
    "DeadlineEffect",
    "Decision",
    "ExtendedActivityRequirement",
    "MeetDeadline",
    "RecordAbsenceExplained",
    "RecordAppointmentMissed",
    "RecordBreachLaid",
    "RecordCompletion",
    "RecordCourtBreachOutcome",
    "RecordFirstAppointment",
    "RecordFollowUpContact",
    "RecordOrderAmended",
    "RecordRequirementProgress",
    "RecordReview",
    "RecordRevocation",
    "RecordTransfer",
    "RecordWarning",
    "Requirement",
    "RequirementProgress",
    "ScheduleDeadline",
    "Step",
    "StepRefused",
    "SupervisedPeriod",
    "UnpaidWorkRequirement",
    "WarnedPeriod",
    "YouthRehabilitationOrderDisposal",
    "YroState",
    "YroStatus",
    "YroStep",
    "add_calendar_months",
    "after_unacceptable_failure",
    "allocate",
    "allocated",
    "covering_period",
    "decide",
    "evolve",
    "new_order",
    "open_order",
    "transfer",
    "victim_milestone",
    "warnings_in_period",
]
