"""A child's remand (LASPO 2012 Part 3 Ch 3; MCA 1980 ss.128–128A; CTL Regs 1987) as a pure state machine.

A child refused bail is remanded to local authority accommodation (RLAA) or youth detention
accommodation (YDA); either way the child becomes looked after, so the looked-after child (LAC)
reviews and social-worker visits of the Care Planning Regulations 2010 start, and a custody time limit
(CTL) runs. On bail none of those clocks run. Every remand in custody is checked against the
clear-day limit on the next hearing; a date beyond it is flagged, never refused, because the court has
already decided it.

`start_remand` builds the state from the court's disposal (the CTL expiry needs the working calendar,
so it is computed there, once); `open_remand` records the remand and starts its clocks; `decide`
refuses a step with a reason or returns its events and deadline effects; `evolve` folds an event in.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain import events as ev
from domain.allocation import AllocateCaseWorker, allocate, allocated
from domain.calendar import WorkingCalendar, latest_date_after_clear_days
from domain.court_outcome import CTL_DAYS, CUSTODIAL_REMANDS, RemandDisposal, RemandType
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

__all__ = [
    "FIRST_REMAND_CLEAR_DAYS",
    "LATER_REMAND_CLEAR_DAYS",
    "LOOKED_AFTER_RULES",
    "AllocateCaseWorker",
    "CancelDeadline",
    "Decision",
    "MeetDeadline",
    "RecordCtlExtended",
    "RecordLacReview",
    "RecordRemandEnded",
    "RecordRemandRenewed",
    "RecordSocialWorkerVisit",
    "RecordTransfer",
    "RemandState",
    "RemandStatus",
    "RemandStep",
    "ScheduleDeadline",
    "StepRefused",
    "decide",
    "evolve",
    "next_hearing_check",
    "open_remand",
    "start_remand",
]

# Statute, so fixed here; the rule pack records them as remand.next_hearing and remand.next_hearing_later.
FIRST_REMAND_CLEAR_DAYS = 8  # MCA 1980 s.128(6)
LATER_REMAND_CLEAR_DAYS = 28  # MCA 1980 s.128A

# The clocks that run only while the child is looked after through the remand.
LOOKED_AFTER_RULES = (
    "remand.lac_review_1",
    "remand.lac_review_2",
    "remand.lac_review_n",
    "remand.sw_first_visit",
    "remand.sw_visit",
)
_VISIT_RULES = ("remand.sw_first_visit", "remand.sw_visit")
_CHECK_RULES = ("remand.next_hearing", "remand.next_hearing_later")


class RemandStatus(StrEnum):
    ON_BAIL = "on_bail"
    LOCAL_AUTHORITY_ACCOMMODATION = "local_authority_accommodation"
    YOUTH_DETENTION_ACCOMMODATION = "youth_detention_accommodation"
    ENDED = "ended"


CLOSED_STATES = frozenset({RemandStatus.ENDED})


class RemandState(BaseModel):
    """Everything the workflow must carry across continue-as-new."""

    model_config = ConfigDict(frozen=True)

    child_id: str
    yjs: str
    remand_date: date
    type: RemandType
    next_hearing_date: date
    first_remand: bool
    ctl_start_date: date | None = None
    ctl_days: int | None = None
    ctl_expiry: date | None = None
    # Set as events are folded in.
    case_worker: str | None = None  # who holds the remand: its reminders go to them
    last_remand_date: date | None = None
    remanded_in_custody_before: bool = False
    open_hearing_check: str | None = None
    looked_after_since: date | None = None
    lac_reviews_held: int = 0
    last_lac_review: date | None = None
    placement_start: date | None = None
    sw_visits_made: int = 0
    last_sw_visit: date | None = None
    ended_how: ev.RemandEndedHow | None = None
    ended_on: date | None = None
    sentence_order_id: str | None = None

    @property
    def status(self) -> RemandStatus:
        if self.ended_how is not None:
            return RemandStatus.ENDED
        if self.type == "local_authority_accommodation":
            return RemandStatus.LOCAL_AUTHORITY_ACCOMMODATION
        if self.type == "youth_detention_accommodation":
            return RemandStatus.YOUTH_DETENTION_ACCOMMODATION
        return RemandStatus.ON_BAIL

    @property
    def looked_after(self) -> bool:
        """LASPO 2012 s.104: a child remanded to RLAA or YDA is looked after by the designated authority."""
        return self.ended_how is None and self.type in CUSTODIAL_REMANDS

    @property
    def current_remand_date(self) -> date:
        return self.last_remand_date or self.remand_date


def start_remand(
    *, child_id: str, yjs: str, remand_date: date, disposal: RemandDisposal, calendar: WorkingCalendar
) -> RemandState:
    """The state a remand opens with, its CTL expiry counted on `calendar` (reg 2(4)–(5): rolled back).

    The expiry is computed here rather than in `open_remand` so the workflow needs no calendar: call
    this where the calendar with the service's holiday overrides is at hand (intake), with the same
    calendar the `remand.ctl` deadline is scheduled on, so the event and the deadline agree.
    """
    custodial = disposal.type in CUSTODIAL_REMANDS
    start, days = (disposal.ctl_start_date, disposal.ctl_days) if custodial else (None, None)
    if custodial and (start is None or days is None):
        raise ValueError("a remand to RLAA or YDA needs ctl_start_date and ctl_days: a custody time limit runs")
    return RemandState(
        child_id=child_id,
        yjs=yjs,
        remand_date=remand_date,
        type=disposal.type,
        next_hearing_date=disposal.next_hearing_date,
        first_remand=disposal.first_remand,
        ctl_start_date=start,
        ctl_days=days,
        # A CTL only limits custody; on bail the court's CTL fields, if sent, limit nothing.
        ctl_expiry=calendar.ctl_expiry(start, days) if start is not None and days is not None else None,
    )


def next_hearing_check(remand_date: date, next_hearing: date, first_remand: bool) -> tuple[bool, date]:
    """Whether a remand in custody's next hearing is lawful, and the latest lawful date.

    A first remand in custody allows at most 8 clear days (s.128(6)); a later one, 28 (s.128A).
    Clear days count neither the day of remand nor the day of the next appearance.
    """
    limit = FIRST_REMAND_CLEAR_DAYS if first_remand else LATER_REMAND_CLEAR_DAYS
    latest = latest_date_after_clear_days(remand_date, limit)
    return remand_date < next_hearing <= latest, latest


def _check_rule(first_custodial_remand: bool) -> str:
    return "remand.next_hearing" if first_custodial_remand else "remand.next_hearing_later"


def _hearing_check(
    remand_date: date, next_hearing: date, first_custodial_remand: bool
) -> tuple[list[ev.EventPayload], ScheduleDeadline]:
    """The check deadline for a remand in custody, and the breach flag when the court's date is beyond it."""
    ok, latest = next_hearing_check(remand_date, next_hearing, first_custodial_remand)
    flags: list[ev.EventPayload] = []
    if not ok:
        flags.append(
            ev.NextHearingLimitBreached(
                remand_date=remand_date,
                limit_clear_days=FIRST_REMAND_CLEAR_DAYS if first_custodial_remand else LATER_REMAND_CLEAR_DAYS,
                latest_lawful_date=latest,
                court_date=next_hearing,
            )
        )
    return flags, ScheduleDeadline(rule_id=_check_rule(first_custodial_remand), clock_start=remand_date)


def _looked_after_clocks(day: date) -> list[DeadlineEffect]:
    # The child becomes looked after and the placement starts on the day of remand.
    return [
        ScheduleDeadline(rule_id="remand.lac_review_1", clock_start=day),
        ScheduleDeadline(rule_id="remand.sw_first_visit", clock_start=day),
    ]


def _ctl_clock(start: date, days: int) -> ScheduleDeadline:
    return ScheduleDeadline(rule_id="remand.ctl", clock_start=start, amount=days)


# --- opening the remand ---------------------------------------------------------------------------


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


# --- the steps a person records ------------------------------------------------------------------


class _Step(Step):
    pass


class RecordLacReview(_Step):
    step: Literal["lac_review_held"] = "lac_review_held"


class RecordSocialWorkerVisit(_Step):
    step: Literal["social_worker_visit_made"] = "social_worker_visit_made"


class RecordRemandRenewed(_Step):
    """A later hearing's remand. `effective_date` is that hearing's date.

    The CTL fields come together, with the expiry counted by `WorkingCalendar.ctl_expiry`: required when
    the child moves from bail into custody, optional in custody (a new limit, e.g. 182 days on sending
    to the Crown Court), refused on bail.
    """

    step: Literal["remand_renewed"] = "remand_renewed"
    type: RemandType
    next_hearing_date: date
    ctl_start_date: date | None = None
    ctl_days: int | None = None
    ctl_expiry: date | None = None


class RecordCtlExtended(_Step):
    """The court extended the custody time limit to `new_expiry`; `reason` carries the court's grounds."""

    step: Literal["ctl_extended"] = "ctl_extended"
    new_expiry: date


class RecordRemandEnded(_Step):
    step: Literal["remand_ended"] = "remand_ended"
    how: ev.RemandEndedHow
    sentence_order_id: str | None = Field(default=None, min_length=1)


RemandStep = Annotated[
    AllocateCaseWorker
    | RecordLacReview
    | RecordSocialWorkerVisit
    | RecordRemandRenewed
    | RecordCtlExtended
    | RecordRemandEnded
    | RecordTransfer,
    Field(discriminator="step"),
]


# --- deciding a step ------------------------------------------------------------------------------


def _refuse(step: str, why: str) -> StepRefused:
    return StepRefused(f"{step} refused: {why}")


def _not_before(name: str, day: date, earliest: date | None, what: str) -> None:
    if earliest is not None and day < earliest:
        raise _refuse(name, f"it is dated {day}, before {what} ({earliest})")


def _require_looked_after(state: RemandState, name: str) -> None:
    if not state.looked_after:
        raise _refuse(
            name,
            "the child is on bail, so not looked after through this remand; "
            "LAC reviews and social-worker visits are for remands to RLAA or YDA",
        )


def decide(state: RemandState, step: RemandStep, *, today: date) -> Decision:
    """Refuse the step with a reason, or return the events it records and its deadline effects."""
    name = step.step
    if state.status in CLOSED_STATES:
        raise _refuse(name, "the remand has ended; nothing more can be recorded on it")
    day = step.effective_date
    if day > today:
        raise _refuse(name, f"effective date {day} is in the future (today is {today})")
    _not_before(name, day, state.remand_date, "the remand began")
    match step:
        case AllocateCaseWorker():
            return allocate(step)
        case RecordLacReview():
            return _lac_review(state, name, day)
        case RecordSocialWorkerVisit():
            return _social_worker_visit(state, name, day)
        case RecordRemandRenewed():
            return _renewal(state, step)
        case RecordCtlExtended():
            return _ctl_extension(state, step)
        case RecordRemandEnded():
            return _ending(state, step)
        case RecordTransfer():
            return transfer(
                step,
                from_yjs=state.yjs,
                probation_refused="a remand is not a sentence; only a sentence passes to probation",
            )
    raise _refuse(name, "unknown step")  # pragma: no cover - the union is exhaustive


def _lac_review(state: RemandState, name: str, day: date) -> Decision:
    _require_looked_after(state, name)
    _not_before(name, day, state.looked_after_since, "the child became looked after")
    _not_before(name, day, state.last_lac_review, "the last LAC review")
    number = state.lac_reviews_held + 1
    # reg 33: first review within 20 WD, the second 3 months after it, each later one 6 months after the last.
    met = "remand.lac_review_1" if number == 1 else "remand.lac_review_2" if number == 2 else "remand.lac_review_n"
    following = "remand.lac_review_2" if number == 1 else "remand.lac_review_n"
    return Decision(
        events=(ev.LacReviewHeld(number=number, review_date=day),),
        deadlines=(MeetDeadline(rule_id=met, met_on=day), ScheduleDeadline(rule_id=following, clock_start=day)),
    )


def _social_worker_visit(state: RemandState, name: str, day: date) -> Decision:
    _require_looked_after(state, name)
    _not_before(name, day, state.placement_start, "the placement started")
    _not_before(name, day, state.last_sw_visit, "the last visit")
    number = state.sw_visits_made + 1
    # reg 28(2): within a week of the placement starting, then at most 6 weeks apart.
    met = "remand.sw_first_visit" if number == 1 else "remand.sw_visit"
    return Decision(
        events=(ev.SocialWorkerVisitMade(number=number, visit_date=day),),
        deadlines=(MeetDeadline(rule_id=met, met_on=day), ScheduleDeadline(rule_id="remand.sw_visit", clock_start=day)),
    )


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
        raise _refuse(name, f"a custody time limit is 56, 70 or 182 days, not {days} (CTL Regs 1987)")
    if not start < expiry <= start + timedelta(days=days):
        raise _refuse(
            name,
            f"ctl_expiry {expiry} must be after {start} and no later than {days} days after it: "
            "reg 2(5) only ever moves an expiry earlier",
        )
    return start, days, expiry


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


def _ctl_extension(state: RemandState, step: RecordCtlExtended) -> Decision:
    name = step.step
    day = step.effective_date
    if state.type not in CUSTODIAL_REMANDS or state.ctl_expiry is None or state.ctl_start_date is None:
        raise _refuse(name, "the child is on bail; no custody time limit runs to extend")
    if not step.reason:
        raise _refuse(name, "an extension needs the court's reason (Prosecution of Offences Act 1985 s.22(3))")
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


def _ending(state: RemandState, step: RecordRemandEnded) -> Decision:
    name = step.step
    day = step.effective_date
    _not_before(name, day, state.current_remand_date, "the latest remand")
    if step.how == "bail" and state.type == "bail":
        raise _refuse(name, "the child is already on bail; record how the remand ended or a renewal")
    if step.how == "convicted_and_sentenced" and step.sentence_order_id is None:
        raise _refuse(name, "a remand ended by conviction and sentence needs sentence_order_id, the new order's id")
    if step.how != "convicted_and_sentenced" and step.sentence_order_id is not None:
        raise _refuse(name, "sentence_order_id is only for a remand ended by conviction and sentence")
    return Decision(
        events=(ev.RemandEnded(how=step.how, ended_on=day, sentence_order_id=step.sentence_order_id),),
        deadlines=(
            # The hearing that ended the remand is the one the next-hearing check was waiting for.
            MeetDeadline(rule_id="remand.next_hearing", met_on=step.effective_date),
            MeetDeadline(rule_id="remand.next_hearing_later", met_on=step.effective_date),
            CancelDeadline(rule_id="*", why=f"remand ended ({step.how})"),
        ),
    )


# --- folding recorded events into the state ---------------------------------------------------------


def evolve(state: RemandState, payload: ev.EventPayload) -> RemandState:
    """The state after a recorded event; events that do not change the remand leave it as it was."""
    match payload:
        case ev.RemandStarted():
            custodial = payload.type in CUSTODIAL_REMANDS
            return state.model_copy(
                update={
                    "last_remand_date": payload.remand_date,
                    "remanded_in_custody_before": custodial,
                    "open_hearing_check": _check_rule(payload.first_remand) if custodial else None,
                    "looked_after_since": payload.remand_date if payload.looked_after else None,
                    "placement_start": payload.remand_date if payload.looked_after else None,
                }
            )
        case ev.CaseWorkerAllocated():
            return allocated(state, payload)
        case ev.RemandRenewed():
            return _after_renewal(state, payload)
        case ev.LacReviewHeld():
            return state.model_copy(update={"lac_reviews_held": payload.number, "last_lac_review": payload.review_date})
        case ev.SocialWorkerVisitMade():
            return state.model_copy(update={"sw_visits_made": payload.number, "last_sw_visit": payload.visit_date})
        case ev.CtlExtended():
            return state.model_copy(update={"ctl_expiry": payload.new_expiry})
        case ev.RemandEnded():
            return state.model_copy(
                update={
                    "ended_how": payload.how,
                    "ended_on": payload.ended_on,
                    "sentence_order_id": payload.sentence_order_id,
                    "open_hearing_check": None,
                }
            )
        case ev.OrderTransferred() if payload.to == "yjs" and payload.to_yjs is not None:
            return state.model_copy(update={"yjs": payload.to_yjs})
    return state


def _after_renewal(state: RemandState, payload: ev.RemandRenewed) -> RemandState:
    into_custody = payload.type in CUSTODIAL_REMANDS
    update: dict[str, object] = {
        "type": payload.type,
        "next_hearing_date": payload.next_hearing_date,
        "last_remand_date": payload.remand_date,
        "ctl_start_date": payload.ctl_start_date,
        "ctl_days": payload.ctl_days,
        "ctl_expiry": payload.ctl_expiry,
        "remanded_in_custody_before": state.remanded_in_custody_before or into_custody,
        "open_hearing_check": _check_rule(payload.first_custodial_remand) if into_custody else None,
    }
    if not payload.looked_after:
        update |= {"looked_after_since": None, "placement_start": None}
    elif not state.looked_after:
        # A new period of being looked after: its reviews and visits count from one again.
        update |= {
            "looked_after_since": payload.remand_date,
            "placement_start": payload.remand_date,
            "lac_reviews_held": 0,
            "last_lac_review": None,
            "sw_visits_made": 0,
            "last_sw_visit": None,
        }
    elif payload.type != state.type:
        update |= {"placement_start": payload.remand_date, "sw_visits_made": 0, "last_sw_visit": None}
    return state.model_copy(update=update)
