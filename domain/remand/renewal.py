"""A later hearing renewing the remand: into custody, onto bail, or into a new placement."""

from __future__ import annotations

from domain import events as ev
from domain.court_outcome import CUSTODIAL_REMANDS
from domain.decisions import CancelDeadline, DeadlineEffect, Decision, MeetDeadline, ScheduleDeadline
from domain.remand.checks import _refuse
from domain.remand.custody_time_limit import _new_ctl
from domain.remand.deadlines import _VISIT_RULES, LOOKED_AFTER_RULES, _ctl_clock, _hearing_check, _looked_after_clocks
from domain.remand.state import RemandState
from domain.remand.steps import RecordRemandRenewed


def _renewal(state: RemandState, step: RecordRemandRenewed) -> Decision:
    name = step.step
    day = step.effective_date
    if day <= state.current_remand_date:
        raise _refuse(name, f"it must be after the remand it renews ({state.current_remand_date})")
    if step.next_hearing_date <= day:
        raise _refuse(name, "the next hearing must be after the hearing that renewed the remand")
    was_in_custody = state.type in CUSTODIAL_REMANDS
    into_custody = step.type in CUSTODIAL_REMANDS
    ctl = _new_ctl(step, into_custody, was_in_custody)
    # s.128A's 28 days need an earlier remand in custody; until then a remand in custody is a first one.
    first_custodial = into_custody and not state.remanded_in_custody_before
    kept = (state.ctl_start_date, state.ctl_days, state.ctl_expiry) if into_custody else (None, None, None)
    start, days, expiry = ctl or kept
    events: list[ev.EventPayload] = [
        ev.RemandRenewed(
            remand_date=day,
            type=step.type,
            looked_after=into_custody,
            next_hearing_date=step.next_hearing_date,
            first_custodial_remand=first_custodial,
            ctl_start_date=start,
            ctl_days=days,
            ctl_expiry=expiry,
        )
    ]
    effects: list[DeadlineEffect] = []
    if state.open_hearing_check is not None:
        # The hearing the last check was about has taken place today.
        effects.append(MeetDeadline(rule_id=state.open_hearing_check, met_on=day))
    if was_in_custody and not into_custody:
        effects += [CancelDeadline(rule_id=r, why="bailed: no longer looked after") for r in LOOKED_AFTER_RULES]
        effects.append(CancelDeadline(rule_id="remand.ctl", why="bailed: no custody time limit runs"))
    elif into_custody and not was_in_custody:
        effects += _looked_after_clocks(day)
    elif into_custody and step.type != state.type:
        # A new placement (RLAA ↔ YDA) restarts the visits: the first within a week of it (reg 28(2)).
        effects += [CancelDeadline(rule_id=r, why="new placement") for r in _VISIT_RULES]
        effects.append(ScheduleDeadline(rule_id="remand.sw_first_visit", clock_start=day))
    if ctl is not None:
        if was_in_custody:
            effects.append(CancelDeadline(rule_id="remand.ctl", why="new custody time limit"))
        effects.append(_ctl_clock(ctl[0], ctl[1]))
    if into_custody:
        flags, check = _hearing_check(day, step.next_hearing_date, first_custodial)
        events += flags
        effects.append(check)
    return Decision(events=tuple(events), deadlines=tuple(effects))
