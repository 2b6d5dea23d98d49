"""A victim contact's deadlines: their rule ids, which are open, and when a VCS referral is due.

Rule ids are in domain/rules/default.toml:
- `victim.rj_information` (or `victim.rj_information_enhanced` for enhanced rights, which every victim
  under 18 has) runs from `details_received` and is met when RJ information is given, i.e. by
  `informed_choice_given`. A decision not to invite closes the contact, which *cancels* it: the Code's
  information was not given, so recording it as met would make the audit say something untrue; the
  reason for not inviting is on the suitability event;
- `victim.keep_informed` runs from each milestone of the linked order for a victim who opted in, and is
  met by `kept_informed` for that milestone;
- `victim.conclusion` runs from the order's `order_ended` milestone and is met by `conclusion_notified`;
- `victim.vcs_referral` runs from the sentence when the contact was opened with `vcs_referral_needed`
  (see `vcs_referral_due`) and is met by `vcs_referral_made`.
A withdrawal cancels the open ones except the conclusion (the victim is still told it ended); reopening
restarts the cancelled RJ-information and VCS clocks from the day of reopening; closing cancels all.
"""

from __future__ import annotations

from domain.victim_contact.state import ContactState, VictimContactState

RJ_INFORMATION = "victim.rj_information"
RJ_INFORMATION_ENHANCED = "victim.rj_information_enhanced"
KEEP_INFORMED = "victim.keep_informed"
CONCLUSION = "victim.conclusion"
VCS_REFERRAL = "victim.vcs_referral"

VCS_MIN_SENTENCE_MONTHS = 12  # Victims' Code Right 11: violent or sexual offence, 12 months or more


def vcs_referral_due(sentence_months: int, violent_or_sexual: bool) -> bool:
    """Whether the victim must be referred to the probation Victim Contact Scheme (Code Right 11)."""
    return violent_or_sexual and sentence_months >= VCS_MIN_SENTENCE_MONTHS


def has_enhanced_rights(state: VictimContactState) -> bool:
    """Every victim under 18 at the offence has enhanced rights; others when the YJS records it."""
    return state.enhanced_rights or state.under_18


def rj_information_rule(state: VictimContactState) -> str:
    return RJ_INFORMATION_ENHANCED if has_enhanced_rights(state) else RJ_INFORMATION


def open_deadline_rules(state: VictimContactState) -> frozenset[str]:
    """The rule ids this contact has open, derived from the facts (so they cannot drift from them)."""
    if state.state == ContactState.CLOSED:
        return frozenset()
    rules: set[str] = set()
    live = state.state != ContactState.WITHDRAWN
    if live and state.details_received_on is not None and state.rj_information_given_on is None:
        rules.add(rj_information_rule(state))
    if live and state.pending_milestones:
        rules.add(KEEP_INFORMED)
    if live and state.vcs_referral_needed and state.vcs_referral_made_on is None:
        rules.add(VCS_REFERRAL)
    if state.conclusion_deadline_open:
        rules.add(CONCLUSION)
    return frozenset(rules)


def _keeps_informed(state: VictimContactState) -> bool:
    return state.keep_informed_opt_in and state.state not in (ContactState.WITHDRAWN, ContactState.CLOSED)
