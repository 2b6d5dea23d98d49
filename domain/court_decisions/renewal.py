"""A further remand: the step a `remand` outcome records on the running remand of the same case and child."""

from __future__ import annotations

from typing import Any

from domain import remand as rm
from domain.calendar import WorkingCalendar
from domain.court_decisions.kinds import COURT_ACTOR, outcome_reason
from domain.court_outcome import CUSTODIAL_REMANDS, CourtOutcome, RemandDisposal


def remand_renewal(
    outcome: CourtOutcome, *, calendar: WorkingCalendar, order: object | None = None
) -> rm.RecordRemandRenewed:
    """The step a `remand` outcome records on the running remand of the same case and child: the court's
    further remand, with the court as actor and the hearing date as effective date.

    In custody, the custody time limit the court sent comes with its expiry counted on `calendar`
    (reg 2(4)–(5), as `start_remand` counts the first), unless it is the limit already running: `order`,
    the remand's state as its stream tells it, when the caller has read it. The court re-sends the same
    start and length at every hearing; recording them again would restart the `remand.ctl` clock and
    undo an extension the court granted meanwhile. On bail no limit runs, so CTL fields sent are left out
    (as `start_remand` does). Whether the remand can take the step is for `domain.remand.decide`."""
    disposal = outcome.disposal
    if not isinstance(disposal, RemandDisposal):
        raise ValueError(f"a {disposal.kind} outcome is not a further remand")
    start, days = disposal.ctl_start_date, disposal.ctl_days
    custodial = disposal.type in CUSTODIAL_REMANDS
    running = (
        isinstance(order, rm.RemandState)
        and order.type in CUSTODIAL_REMANDS
        and (order.ctl_start_date, order.ctl_days) == (start, days)
    )
    ctl: dict[str, Any] = {}
    if custodial and start is not None and days is not None and not running:
        ctl = {"ctl_start_date": start, "ctl_days": days, "ctl_expiry": calendar.ctl_expiry(start, days)}
    return rm.RecordRemandRenewed(
        type=disposal.type,
        next_hearing_date=disposal.next_hearing_date,
        actor=COURT_ACTOR,
        effective_date=outcome.hearing_date,
        reason=outcome_reason(outcome.outcome_id),
        **ctl,
    )
