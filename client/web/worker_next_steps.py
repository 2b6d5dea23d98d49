"""What a worker most likely records next on an order: the step that meets each open deadline.

Every order's clocks are met by a person's step (`ro.first_contact` by `first_contact_made`…), so the
open deadlines, soonest first, are the order's to-do list. Every kind of order takes the one allocation
step (`domain.allocation`), so an order nobody holds, of whatever kind, needs allocating first.
A guide for the lists and the case page, never a promise: the workflow decides what it accepts.
Victims' contacts have their own guide, `activities.victim_contacts.next_steps`.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.allocation import AllocateCaseWorker

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


def order_next_steps(open_rules: Iterable[str], *, allocated: bool, step_names: Iterable[str]) -> list[str]:
    """The steps meeting the open deadlines (`open_rules` soonest first), after allocation when nobody
    holds the order; only steps this kind of order takes, each once."""
    known = set(step_names)
    steps = [] if allocated else [ALLOCATE]
    steps += [MEETS[rule] for rule in open_rules if rule in MEETS]
    return [s for s in dict.fromkeys(steps) if s in known]
