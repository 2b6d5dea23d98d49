"""Opening the remand: recorded, and in custody the looked-after, CTL and hearing clocks started."""

from __future__ import annotations

from domain import events as ev
from domain.court_outcome import CUSTODIAL_REMANDS
from domain.decisions import Decision
from domain.remand.deadlines import _ctl_clock, _hearing_check, _looked_after_clocks
from domain.remand.state import RemandState


def open_remand(state: RemandState, *, outcome: ev.CourtOutcomeRecorded) -> Decision:
    """The court remanded the child: record it and, in custody, start the looked-after, CTL and hearing clocks."""
    custodial = state.type in CUSTODIAL_REMANDS
    started = ev.RemandStarted(
        type=state.type,
        remand_date=state.remand_date,
        looked_after=custodial,
        next_hearing_date=state.next_hearing_date,
        first_remand=state.first_remand,
        ctl_start_date=state.ctl_start_date,
        ctl_days=state.ctl_days,
        ctl_expiry=state.ctl_expiry,
    )
    if not custodial:
        return Decision(events=(outcome, started))
    assert state.ctl_start_date is not None and state.ctl_days is not None, "start_remand requires them"
    flags, check = _hearing_check(state.remand_date, state.next_hearing_date, state.first_remand)
    return Decision(
        events=(outcome, started, *flags),
        deadlines=(*_looked_after_clocks(state.remand_date), _ctl_clock(state.ctl_start_date, state.ctl_days), check),
    )
