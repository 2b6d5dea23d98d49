"""The referral order (Sentencing Act 2020 Part 6 Ch 1, Sch 3–4) as a pure state machine.

`decide` takes the order's state, a step a person wants to record and today's date, and either refuses
the step with a reason a case worker can act on, or returns the events to record and the deadline
changes they cause. `evolve` folds a recorded event into the state. The workflow only carries these out.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain import events as ev
from domain.allocation import AllocateCaseWorker, allocate, allocated
from domain.calendar import add_calendar_months
from domain.decisions import (
    CancelDeadline,
    DeadlineEffect,
    Decision,
    MeetDeadline,
    ScheduleDeadline,
    Step,
    StepRefused,
)
from domain.transfers import RecordTransfer, transfer

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


# --- the steps a person records ------------------------------------------------------------------


class _Step(Step):
    pass


class RecordFirstContact(_Step):
    step: Literal["first_contact_made"] = "first_contact_made"
    method: Literal["in_person", "home_visit", "phone", "video"] = "in_person"


class RecordInitialPanel(_Step):
    step: Literal["initial_panel_held"] = "initial_panel_held"
    contract_signed_date: date = Field(description="The compliance period runs from this date.")


class RecordPanelAdjourned(_Step):
    step: Literal["panel_adjourned"] = "panel_adjourned"
    adjourned_to: date | None = None


class RecordProgressPanel(_Step):
    step: Literal["progress_panel_held"] = "progress_panel_held"


class RecordContractVaried(_Step):
    step: Literal["contract_varied"] = "contract_varied"
    summary: str = Field(min_length=1, max_length=2000)


class RecordReferralBack(_Step):
    step: Literal["referred_back_to_court"] = "referred_back_to_court"
    grounds: Literal["breach", "no_agreement", "revocation_good_progress", "other"]


class RecordCourtDecision(_Step):
    step: Literal["court_decision"] = "court_decision"
    decision: Literal["continue", "extend", "revoke_and_resentence", "revoke_good_progress"]
    extension_months: int = Field(default=0, ge=0)


class RecordRevocationRefused(_Step):
    step: Literal["revocation_refused"] = "revocation_refused"


class RecordVictimViews(_Step):
    step: Literal["victim_views_recorded"] = "victim_views_recorded"
    victim_ref: str = Field(min_length=1)


class RecordFinalPanel(_Step):
    step: Literal["final_panel_held"] = "final_panel_held"
    discharged: bool = True


class RecordCompletion(_Step):
    step: Literal["order_completed"] = "order_completed"


class RecordRevokedByCourt(_Step):
    """A court dealing with the child for a further offence revoked the order without a referral back
    (SA 2020 Sch 4 para 14: a custodial sentence or further order; youth-justice.md §1.2)."""

    step: Literal["revoked_by_court"] = "revoked_by_court"
    grounds: Literal["further_offence"] = "further_offence"


ReferralOrderStep = Annotated[
    AllocateCaseWorker
    | RecordFirstContact
    | RecordInitialPanel
    | RecordPanelAdjourned
    | RecordProgressPanel
    | RecordContractVaried
    | RecordReferralBack
    | RecordCourtDecision
    | RecordRevocationRefused
    | RecordVictimViews
    | RecordFinalPanel
    | RecordCompletion
    | RecordRevokedByCourt
    | RecordTransfer,
    Field(discriminator="step"),
]


# --- opening the order ----------------------------------------------------------------------------


def open_order(state: ReferralOrderState, *, outcome: ev.CourtOutcomeRecorded) -> Decision:
    """The court made the order: record it and start the clocks that run from the order."""
    made = ev.ReferralOrderMade(
        months=state.months, hearing_date=state.hearing_date, victim_refs=list(state.victim_refs)
    )
    clocks = [
        ScheduleDeadline(rule_id="ro.first_contact", clock_start=state.hearing_date),
        ScheduleDeadline(rule_id="ro.initial_panel", clock_start=state.hearing_date),
    ]
    if state.victim_refs:
        clocks.append(ScheduleDeadline(rule_id="ro.victim_views", clock_start=state.hearing_date))
    return Decision(events=(outcome, made), deadlines=tuple(clocks))


# --- deciding a step ------------------------------------------------------------------------------


def _refuse(step: str, why: str) -> StepRefused:
    return StepRefused(f"{step} refused: {why}")


def _check_dates(state: ReferralOrderState, step: Step, today: date) -> None:
    name = str(getattr(step, "step", "step"))
    if step.effective_date > today:
        raise _refuse(name, f"effective date {step.effective_date} is in the future (today is {today})")
    if step.effective_date < state.hearing_date:
        raise _refuse(name, f"effective date {step.effective_date} is before the order was made ({state.hearing_date})")


def _require(state: ReferralOrderState, step: str, allowed: set[OrderState]) -> None:
    if state.state not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise _refuse(step, f"the order is {state.state.value}; this step needs it to be {names}")


def decide(state: ReferralOrderState, step: ReferralOrderStep, *, today: date) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects."""
    name = step.step
    if state.state in CLOSED_STATES:
        raise _refuse(name, f"the order is {state.state.value}; nothing more can be recorded on it")
    _check_dates(state, step, today)
    day = step.effective_date
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
            return Decision(
                events=(ev.ProgressPanelHeld(panel_date=day, next_panel_due_by=add_calendar_months(day, 3)),),
                deadlines=(
                    MeetDeadline(rule_id="ro.progress_panel", met_on=day),
                    ScheduleDeadline(rule_id="ro.progress_panel", clock_start=day),
                ),
            )
        case RecordContractVaried():
            _require(state, name, {OrderState.CONTRACT_AGREED})
            _after_last_panel(state, name, day)
            return Decision(events=(ev.ContractVaried(varied_date=day, summary=step.summary),))
        case RecordReferralBack():
            return _referral_back(state, step)
        case RecordCourtDecision():
            return _court_decision(state, step)
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
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive


def _after_last_panel(state: ReferralOrderState, name: str, day: date) -> None:
    if state.contract_signed_date is not None and day < state.contract_signed_date:
        raise _refuse(name, f"it is dated before the contract was signed ({state.contract_signed_date})")


def _initial_panel(state: ReferralOrderState, step: RecordInitialPanel, today: date) -> Decision:
    name = step.step
    _require(state, name, {OrderState.ORDER_MADE, OrderState.PANEL_ADJOURNED})
    signed = step.contract_signed_date
    if signed < step.effective_date:
        raise _refuse(name, "the contract cannot be signed before the panel that agreed it")
    if signed > today:
        raise _refuse(name, f"the contract signing date {signed} is in the future (today is {today})")
    end = add_calendar_months(signed, state.months)
    return Decision(
        events=(
            ev.InitialPanelHeld(panel_date=step.effective_date),
            ev.ContractSigned(signed_date=signed, compliance_start=signed, compliance_end=end, months=state.months),
        ),
        deadlines=(
            MeetDeadline(rule_id="ro.initial_panel", met_on=step.effective_date),
            ScheduleDeadline(rule_id="ro.progress_panel", clock_start=signed),
            ScheduleDeadline(rule_id="ro.end", clock_start=signed, amount=state.months),
            ScheduleDeadline(rule_id="ro.final_panel", clock_start=end),
        ),
    )


def _referral_back(state: ReferralOrderState, step: RecordReferralBack) -> Decision:
    name = step.step
    if step.grounds == "no_agreement":
        _require(state, name, {OrderState.ORDER_MADE, OrderState.PANEL_ADJOURNED})
    else:
        _require(state, name, {OrderState.CONTRACT_AGREED, OrderState.FINAL_PANEL_HELD})
    if not step.reason:
        raise _refuse(name, "a referral back to court needs a reason (Sch 4 para 2: a written report)")
    if (
        step.grounds == "revocation_good_progress"
        and state.revocation_bar_until is not None
        and step.effective_date < state.revocation_bar_until
    ):
        raise _refuse(
            name,
            "the court refused revocation; no new revocation referral before "
            f"{state.revocation_bar_until} without the court's consent (s.102(4), ro.revocation_bar)",
        )
    return Decision(events=(ev.ReferredBackToCourt(referral_date=step.effective_date, grounds=step.grounds),))


def _court_decision(state: ReferralOrderState, step: RecordCourtDecision) -> Decision:
    name = step.step
    _require(state, name, {OrderState.REFERRED_BACK})
    day = step.effective_date
    decided = ev.CourtDecisionRecorded(
        decision_date=day, decision=step.decision, extension_months=step.extension_months
    )
    if step.decision != "extend" and step.extension_months:
        raise _refuse(name, "extension_months is only for a decision to extend")
    if step.decision == "continue":
        return Decision(events=(decided,))
    if step.decision == "extend":
        return _extension(state, step, decided)
    grounds: Literal["resentenced", "good_progress"] = (
        "resentenced" if step.decision == "revoke_and_resentence" else "good_progress"
    )
    if grounds == "good_progress" and state.referral_grounds != "revocation_good_progress":
        raise _refuse(name, "revocation for good progress needs a referral back on those grounds")
    return Decision(
        events=(decided, ev.OrderRevoked(revoked_date=day, grounds=grounds)),
        deadlines=(CancelDeadline(rule_id="*", why=f"order revoked ({grounds})"),),
    )


def _extension(state: ReferralOrderState, step: RecordCourtDecision, decided: ev.CourtDecisionRecorded) -> Decision:
    name = step.step
    months = step.extension_months
    if state.contract_signed_date is None or state.compliance_end is None:
        raise _refuse(name, "the compliance period can only be extended once a contract is in effect")
    if step.effective_date >= state.compliance_end:
        raise _refuse(name, f"the compliance period already ended on {state.compliance_end}")
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise _refuse(name, f"an extension must be 1–{MAX_EXTENSION_MONTHS} months (CJCA 2015 s.44)")
    total = state.months + state.extension_months + months
    if total > MAX_MONTHS:
        raise _refuse(
            name,
            f"the order would total {total} months; the compliance period may not exceed {MAX_MONTHS} months",
        )
    end = add_calendar_months(state.contract_signed_date, total)
    return Decision(
        events=(decided, ev.OrderExtended(extension_months=months, total_months=total, compliance_end=end)),
        deadlines=(
            CancelDeadline(rule_id="ro.end", why="compliance period extended"),
            CancelDeadline(rule_id="ro.final_panel", why="compliance period extended"),
            ScheduleDeadline(rule_id="ro.end", clock_start=state.contract_signed_date, amount=total),
            ScheduleDeadline(rule_id="ro.final_panel", clock_start=end),
        ),
    )


def victim_milestone(payload: ev.EventPayload) -> str | None:
    """Which recorded events a victim who opted in is kept informed of (Victims' Code: case progress)."""
    match payload:
        case ev.InitialPanelHeld():
            return "panel_held"
        case ev.ContractSigned():
            return "contract_signed"
        case ev.ReferredBackToCourt() if payload.grounds == "breach":
            return "breach"
        case ev.OrderCompleted() | ev.OrderRevoked():
            return "order_ended"
    return None


# --- folding recorded events into the state ---------------------------------------------------------


def evolve(state: ReferralOrderState, payload: ev.EventPayload) -> ReferralOrderState:
    """The state after a recorded event; events that do not change the order leave it as it was."""
    match payload:
        case ev.CaseWorkerAllocated():
            return allocated(state, payload)
        case ev.FirstContactMade():
            return state.model_copy(update={"first_contact_date": payload.contact_date})
        case ev.VictimViewsRecorded():
            return state.model_copy(update={"victims_with_views": (*state.victims_with_views, payload.victim_ref)})
        case ev.PanelAdjourned():
            return state.model_copy(update={"state": OrderState.PANEL_ADJOURNED})
        case ev.InitialPanelHeld():
            return state.model_copy(update={"last_panel_date": payload.panel_date})
        case ev.ContractSigned():
            return state.model_copy(
                update={
                    "state": OrderState.CONTRACT_AGREED,
                    "contract_signed_date": payload.signed_date,
                    "compliance_end": payload.compliance_end,
                }
            )
        case ev.ProgressPanelHeld():
            return state.model_copy(update={"last_panel_date": payload.panel_date})
        case ev.ReferredBackToCourt():
            return state.model_copy(update={"state": OrderState.REFERRED_BACK, "referral_grounds": payload.grounds})
        case ev.CourtDecisionRecorded() if payload.decision in ("continue", "extend"):
            back = OrderState.CONTRACT_AGREED if state.contract_signed_date else OrderState.ORDER_MADE
            return state.model_copy(update={"state": back, "referral_grounds": None})
        case ev.OrderExtended():
            return state.model_copy(
                update={
                    "extension_months": payload.total_months - state.months,
                    "compliance_end": payload.compliance_end,
                }
            )
        case ev.RevocationRefused():
            return state.model_copy(
                update={
                    "state": OrderState.CONTRACT_AGREED,
                    "referral_grounds": None,
                    "revocation_bar_until": payload.bar_until,
                }
            )
        case ev.OrderRevoked():
            return state.model_copy(update={"state": OrderState.REVOKED})
        case ev.FinalPanelHeld():
            after = OrderState.FINAL_PANEL_HELD if payload.discharged else OrderState.REFERRED_BACK
            return state.model_copy(
                update={
                    "state": after,
                    "final_panel_date": payload.panel_date,
                    "last_panel_date": payload.panel_date,
                    "referral_grounds": None if payload.discharged else "other",
                }
            )
        case ev.OrderCompleted():
            return state.model_copy(update={"state": OrderState.COMPLETED})
        case ev.OrderTransferred() if payload.to == "yjs" and payload.to_yjs is not None:
            return state.model_copy(update={"yjs": payload.to_yjs})
    return state
