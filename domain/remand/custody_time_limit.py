"""The custody time limit: the new one a renewal brings in, and the court extending it (POA 1985 s.22)."""

from __future__ import annotations

from datetime import date, timedelta

from domain import events as ev
from domain.court_outcome import CTL_DAYS, CUSTODIAL_REMANDS
from domain.decisions import CancelDeadline, Decision
from domain.remand.checks import _refuse
from domain.remand.deadlines import _ctl_clock
from domain.remand.state import RemandState
from domain.remand.steps import RecordCtlExtended, RecordRemandRenewed


def _new_ctl(step: RecordRemandRenewed, into_custody: bool, was_in_custody: bool) -> tuple[date, int, date] | None:
    """The CTL the renewal brings in (start, days, expiry), or None to keep the present one; refuses a bad one."""
    name = step.step
    given = (step.ctl_start_date, step.ctl_days, step.ctl_expiry)
    if all(v is None for v in given):
        if into_custody and not was_in_custody:
            # Time on bail does not run against the limit, so the court's figures are needed afresh.
            raise _refuse(
                name,
                "a remand from bail into custody needs ctl_start_date, ctl_days and ctl_expiry: "
                "a custody time limit runs (Prosecution of Offences Act 1985 s.22)",
            )
        return None
    if not into_custody:
        raise _refuse(name, "a custody time limit runs only in custody; leave the CTL fields out on bail")
    start, days, expiry = given
    if start is None or days is None or expiry is None:
        raise _refuse(name, "give ctl_start_date, ctl_days and ctl_expiry together")
    if days not in CTL_DAYS:
        raise _refuse(name, f"a custody time limit is 56, 70 or 182 days, not {days} (CTL Regs 1987)", "ctl_days")
    if not start < expiry <= start + timedelta(days=days):
        raise _refuse(
            name,
            f"ctl_expiry {expiry} must be after {start} and no later than {days} days after it: "
            "reg 2(5) only ever moves an expiry earlier",
        )
    return start, days, expiry


def _ctl_extension(state: RemandState, step: RecordCtlExtended) -> Decision:
    name = step.step
    day = step.effective_date
    if state.type not in CUSTODIAL_REMANDS or state.ctl_expiry is None or state.ctl_start_date is None:
        raise _refuse(name, "the child is on bail; no custody time limit runs to extend")
    if not step.reason:
        raise _refuse(
            name, "an extension needs the court's reason (Prosecution of Offences Act 1985 s.22(3))", "reason"
        )
    if day > state.ctl_expiry:
        raise _refuse(
            name,
            f"the custody time limit expired on {state.ctl_expiry}; it can only be extended before it expires "
            "(Prosecution of Offences Act 1985 s.22(3))",
        )
    if step.new_expiry <= state.ctl_expiry:
        raise _refuse(name, f"the new expiry must be after the present one ({state.ctl_expiry})")
    return Decision(
        events=(
            ev.CtlExtended(
                extended_on=day, previous_expiry=state.ctl_expiry, new_expiry=step.new_expiry, reason=step.reason
            ),
        ),
        deadlines=(
            CancelDeadline(rule_id="remand.ctl", why="custody time limit extended"),
            # The court's date as a count from the same start, so the deadline shows it as the period's end.
            _ctl_clock(state.ctl_start_date, (step.new_expiry - state.ctl_start_date).days),
        ),
    )
