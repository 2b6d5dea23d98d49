"""Opening the contact: the victim identified by reference, and the VCS clock when one is owed."""

from __future__ import annotations

from domain import events as ev
from domain.decisions import DeadlineEffect, Decision, ScheduleDeadline
from domain.victim_contact.deadlines import VCS_REFERRAL, has_enhanced_rights
from domain.victim_contact.state import VictimContactState


def open_contact(state: VictimContactState) -> Decision:
    """The victim is identified (by reference). No RJ clock yet: it runs from when the details arrive.

    The VCS clock is the exception: it runs from the sentence, whether or not details have arrived, so
    a contact opened with `vcs_referral_needed` schedules it now.
    """
    opened = ev.VictimContactOpened(
        victim_ref=state.victim_ref,
        victim_kind=state.victim_kind,
        under_18=state.under_18,
        enhanced_rights=has_enhanced_rights(state),
        linked_order_id=state.linked_order_id,
        vcs_referral_needed=state.vcs_referral_needed,
        sentence_date=state.sentence_date,
        on=state.opened_on,
    )
    clocks: tuple[DeadlineEffect, ...] = ()
    if state.vcs_referral_needed and state.sentence_date is not None:
        clocks = (ScheduleDeadline(rule_id=VCS_REFERRAL, clock_start=state.sentence_date),)
    return Decision(events=(opened,), deadlines=clocks)
