"""What a worker most likely records next on a case: what the domain would accept, ranked by what it owes.

The case page asks the domain (`domain.acceptable_steps`): each step kind is tried through the kind's own
`decide`, so a final panel is offered only once the order would take one, a completion only from the day
it is allowed ("from Tuesday 20 April 2027"), an intervention never after consent was withdrawn, a court
decision while an order is referred back. Among the accepted steps, those that meet the soonest open
deadline (or one due within `SOON`) come first, after allocation when nobody holds the case; then the
accepted steps that meet no open deadline but move the case on (not the exceptional ones a worker records
only when something happens: a breach, an adjournment, a transfer). A step meeting a later deadline (a
final panel months away) waits until that deadline is next.

The lists show many cases from the projection without each one's state, so they offer the step that meets
each row's next deadline (`order_next_steps`); the case page, with the state, says what is acceptable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from domain import custody, referral_order, remand, victim_contact, youth_rehabilitation_order
from domain.acceptable_steps import Acceptable, acceptable_steps
from domain.allocation import AllocateCaseWorker
from domain.casework_cycle import CYCLE_STEP_NAMES
from domain.victim_contact import AllocateVictimWorker

# The step that meets each rule's deadline (rule ids as in domain/rules/default.toml).
MEETS: dict[str, str] = {
    "ro.first_contact": "first_contact_made",
    "ro.initial_panel": "initial_panel_held",
    "ro.victim_views": "victim_views_recorded",
    "ro.progress_panel": "progress_panel_held",
    "ro.final_panel": "final_panel_held",
    "ro.end": "order_completed",
    "yro.first_appointment": "first_appointment_attended",
    "yro.review": "review_held",
    "yro.missed_followup": "follow_up_contact_made",
    "yro.end": "order_completed",
    "remand.lac_review_1": "lac_review_held",
    "remand.lac_review_2": "lac_review_held",
    "remand.lac_review_n": "lac_review_held",
    "remand.sw_first_visit": "social_worker_visit_made",
    "remand.sw_visit": "social_worker_visit_made",
    "remand.next_hearing": "remand_renewed",
    "remand.next_hearing_later": "remand_renewed",
    "remand.ctl": "ctl_extended",
    "custody.initial_planning": "initial_planning_held",
    "custody.review": "review_held",
    "custody.pre_release": "pre_release_confirmed",
    "custody.release_contact": "release_contact_made",
    "dto.release": "released",
    "dto.further_supervision": "completed",
    "victim.rj_information": "informed_choice_given",
    "victim.rj_information_enhanced": "informed_choice_given",
    "victim.keep_informed": "kept_informed",
    "victim.conclusion": "conclusion_notified",
    "victim.vcs_referral": "vcs_referral_made",
    # The casework cycle's, on every order kind (oversight.* is the manager's: their oversight page lists it).
    "assessment.initial": "assessment_completed",
    "plan.initial": "plan_agreed",
    "review.significant_change": "plan_reviewed",
}
ALLOCATE: str = AllocateCaseWorker.model_fields["step"].default
ALLOCATE_VICTIM: str = AllocateVictimWorker.model_fields["step"].default
# Recorded when something happens to the case, not as its next piece of work: never "most likely".
WHEN_IT_HAPPENS = frozenset(
    {
        "panel_adjourned",
        "referred_back_to_court",
        "revoked_by_court",
        "contract_varied",
        "transferred",
        "order_amended",
        "appointment_missed",
        "warning_issued",
        "breach_laid",
        "absence_explained",
        "revoked",
        "revocation_refused",
        "remand_ended",
        "supervision_breach_outcome",
        "release_date_set",
        "withdrawn",
        "closed",
        "reopened",
        "contact_attempted",
        "keep_informed_choice",
        "feedback_recorded",
        "victim_added",
        "extended_by_court",
        "significant_change",
        "closure_without_oversight",
    }
)
# A deadline due within this is "next" even when another is due sooner.
SOON = timedelta(days=28)
MOST = 3

# Each case kind's `decide`, as `acceptable_steps` calls it.
DECIDERS: dict[str, Callable[[Any, Any, date], object]] = {
    "referral_order": lambda s, step, day: referral_order.decide(s, step, today=day),
    "youth_rehabilitation_order": lambda s, step, day: youth_rehabilitation_order.decide(s, step, today=day),
    "remand": lambda s, step, day: remand.decide(s, step, today=day),
    "detention_and_training_order": lambda s, step, day: custody.decide(s, step, today=day),
    "victim_contact": lambda s, step, day: victim_contact.decide(s, step, today=day),
}


@dataclass(frozen=True)
class NextSteps:
    likely: list[str]  # to record now, most likely first
    later: list[Acceptable]  # owed, but not accepted until the day each names


def case_next_steps(
    kind: str,
    state: Any,
    models: Sequence[type[BaseModel]],
    owed: Iterable[tuple[str, date]],
    *,
    allocated: bool,
    today: date,
    known: Mapping[str, Sequence[Any]] | None = None,
) -> NextSteps:
    """The case's most likely next steps from the domain's rules; `owed` is its open deadlines as
    (rule id, due day), soonest first."""
    owed = sorted(owed, key=lambda o: o[1])
    meeting = [MEETS[rule] for rule, _ in owed if rule in MEETS]
    accepted = acceptable_steps(DECIDERS[kind], state, models, today=today, known=known, look_ahead=meeting)
    now = [a.step for a in accepted if a.from_day <= today]
    allocate = [s for s in (ALLOCATE, ALLOCATE_VICTIM) if s in now and not allocated]
    first_due = owed[0][1] if owed else None
    due_next = [
        MEETS[rule]
        for rule, due in owed
        if rule in MEETS and first_due is not None and due <= max(first_due, today + SOON)
    ]
    due = [s for s in dict.fromkeys(due_next) if s in now]
    # What the case's state calls for though no deadline asks it (a court decision on an order referred
    # back): accepted now, meeting no open deadline, and not recorded only when something happens.
    called_for = [
        s for s in now if s not in meeting and s not in WHEN_IT_HAPPENS and s not in (ALLOCATE, ALLOCATE_VICTIM)
    ]
    # The order's own work first, then what its state calls for, then the casework cycle's (assessment,
    # plan): a cycle clock due soon must not push a court decision off an order referred back.
    likely = [s for s in due if s not in CYCLE_STEP_NAMES]
    likely += [s for s in called_for if s not in likely and s not in CYCLE_STEP_NAMES]
    likely += [s for s in [*due, *called_for] if s not in likely]
    later = [a for a in accepted if a.from_day > today and a.step in meeting]
    return NextSteps((allocate + likely)[:MOST], later)


def order_next_steps(open_rules: Iterable[str], *, allocated: bool, step_names: Iterable[str]) -> list[str]:
    """For a list row: the steps meeting its open deadlines (`open_rules` soonest first), after allocation
    when nobody holds the order; only steps this kind of order takes, each once."""
    known = set(step_names)
    steps = [] if allocated else [ALLOCATE]
    steps += [MEETS[rule] for rule in open_rules if rule in MEETS]
    return [s for s in dict.fromkeys(steps) if s in known]
