"""Deciding a step: refused with a reason a case worker can act on, or its events and deadline effects."""

from __future__ import annotations

from datetime import date

from domain import casework_cycle as cycle
from domain import events as ev
from domain.allocation import AllocateCaseWorker, allocate
from domain.calendar import add_calendar_months
from domain.decisions import CancelDeadline, DeadlineEffect, Decision, MeetDeadline, ScheduleDeadline
from domain.referral_order.checks import _after_last_panel, _check_dates, _in_order, _refuse, _require
from domain.referral_order.court import _court_decision, _extended_on_further_conviction, _referral_back
from domain.referral_order.panels import _initial_panel, next_progress_panel
from domain.referral_order.state import CLOSED_STATES, REVOCATION_BAR_MONTHS, OrderState, ReferralOrderState
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
from domain.transfers import RecordTransfer, transfer
from domain.victims_added import AddVictim, add_victim


def decide(state: ReferralOrderState, step: ReferralOrderStep, *, today: date) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects; the
    casework cycle's steps and its gates on closing are `domain.casework_cycle`'s."""
    return cycle.around(state.cycle, step, lambda: _decide(state, step, today), completion_steps={"order_completed"})


def _decide(state: ReferralOrderState, step: ReferralOrderStep, today: date) -> Decision:
    name = step.step
    if state.state in CLOSED_STATES:
        raise _refuse(name, f"the order is {state.state.value}; nothing more can be recorded on it")
    _check_dates(state, step, today)
    if cycle.is_cycle_step(step):
        return cycle.decide(state.cycle, step)
    day = step.effective_date
    _in_order(state, name, day)
    match step:
        case AllocateCaseWorker():
            return allocate(step)
        case RecordFirstContact():
            if state.first_contact_date is not None:
                raise _refuse(name, f"first contact was already recorded on {state.first_contact_date}")
            return Decision(
                events=(ev.FirstContactMade(contact_date=day, method=step.method),),
                deadlines=(MeetDeadline(rule_id="ro.first_contact", met_on=day),),
            )
        case RecordVictimViews():
            if step.victim_ref not in state.victim_refs:
                raise _refuse(name, f"{step.victim_ref} is not a victim named on this order")
            if step.victim_ref in state.victims_with_views:
                raise _refuse(name, f"views of {step.victim_ref} were already recorded")
            effects: tuple[DeadlineEffect, ...] = ()
            if set(state.victims_with_views) | {step.victim_ref} == set(state.victim_refs):
                effects = (MeetDeadline(rule_id="ro.victim_views", met_on=day),)
            return Decision(events=(ev.VictimViewsRecorded(victim_ref=step.victim_ref),), deadlines=effects)
        case RecordInitialPanel():
            return _initial_panel(state, step, today)
        case RecordPanelAdjourned():
            _require(state, name, {OrderState.ORDER_MADE, OrderState.PANEL_ADJOURNED})
            if step.adjourned_to is not None and step.adjourned_to <= day:
                raise _refuse(name, "the adjourned date must be after the panel date")
            return Decision(events=(ev.PanelAdjourned(panel_date=day, adjourned_to=step.adjourned_to),))
        case RecordProgressPanel():
            _require(state, name, {OrderState.CONTRACT_AGREED})
            _after_last_panel(state, name, day)
            next_panel = next_progress_panel(state, day)
            due_by = add_calendar_months(day, 3)
            if next_panel.due_before is not None and due_by >= next_panel.due_before:
                due_by_or_none: date | None = None
            else:
                due_by_or_none = due_by
            return Decision(
                events=(ev.ProgressPanelHeld(panel_date=day, next_panel_due_by=due_by_or_none),),
                deadlines=(MeetDeadline(rule_id="ro.progress_panel", met_on=day), next_panel),
            )
        case RecordContractVaried():
            _require(state, name, {OrderState.CONTRACT_AGREED})
            _after_last_panel(state, name, day)
            return Decision(events=(ev.ContractVaried(varied_date=day, summary=step.summary),))
        case RecordReferralBack():
            return _referral_back(state, step)
        case RecordCourtDecision():
            return _court_decision(state, step)
        case RecordExtendedByCourt():
            return _extended_on_further_conviction(state, step)
        case RecordRevocationRefused():
            _require(state, name, {OrderState.REFERRED_BACK})
            if state.referral_grounds != "revocation_good_progress":
                raise _refuse(name, "the order was not referred back for revocation for good progress")
            bar = add_calendar_months(day, REVOCATION_BAR_MONTHS)
            return Decision(events=(ev.RevocationRefused(decision_date=day, bar_until=bar),))
        case RecordFinalPanel():
            _require(state, name, {OrderState.CONTRACT_AGREED})
            _after_last_panel(state, name, day)
            assert state.compliance_end is not None
            if day >= state.compliance_end:
                raise _refuse(
                    name, f"the final panel must be held before the compliance period ends ({state.compliance_end})"
                )
            return Decision(
                events=(ev.FinalPanelHeld(panel_date=day, discharged=step.discharged),),
                deadlines=(
                    MeetDeadline(rule_id="ro.final_panel", met_on=day),
                    CancelDeadline(rule_id="ro.progress_panel", why="final panel held"),
                ),
            )
        case RecordCompletion():
            _require(state, name, {OrderState.FINAL_PANEL_HELD})
            assert state.compliance_end is not None
            if day < state.compliance_end:
                raise _refuse(name, f"the compliance period runs until {state.compliance_end}")
            return Decision(
                events=(ev.OrderCompleted(completed_date=day),),
                # The order ends on its end date however late completion is recorded.
                deadlines=(MeetDeadline(rule_id="ro.end", met_on=state.compliance_end),),
            )
        case RecordRevokedByCourt():
            # Allowed in every open state: the court sentencing the further offence needs no referral back.
            return Decision(
                events=(ev.OrderRevoked(revoked_date=day, grounds=step.grounds),),
                deadlines=(CancelDeadline(rule_id="*", why=f"order revoked by the court ({step.grounds})"),),
            )
        case RecordTransfer():
            return transfer(
                step,
                from_yjs=state.yjs,
                probation_refused="a referral order is a youth court order; it does not pass to probation",
            )
        case AddVictim():
            added = add_victim(step, victim_refs=state.victim_refs)
            if state.victim_refs or state.state not in {OrderState.ORDER_MADE, OrderState.PANEL_ADJOURNED}:
                return added
            # The first victim before the initial panel: their views are owed by it, as if the court had named them.
            return Decision(
                events=added.events,
                deadlines=(ScheduleDeadline(rule_id="ro.victim_views", clock_start=state.hearing_date),),
            )
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive
