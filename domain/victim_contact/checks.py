"""Refusals every step shares: its effective date, the victim being invited, a VCS referral still owed."""

from __future__ import annotations

from datetime import date

from domain.decisions import StepRefused
from domain.victim_contact.state import VictimContactState
from domain.victim_contact.steps import NEEDS_CONTACT, NEEDS_DETAILS, NEEDS_INFORMED_CHOICE


def _refuse(step: str, why: str, field: str | None = None) -> StepRefused:
    return StepRefused(f"{step} refused: {why}", field)


def _check_day(state: VictimContactState, name: str, day: date, today: date, *, each_step: bool = False) -> None:
    """The date is not in the future nor before the opening; with `each_step` the steps it follows are
    checked by `ordering.check_order` instead of the three anchors below."""
    if day > today:
        raise _refuse(name, f"effective date {day} is in the future (today is {today})", "effective_date")
    if day < state.opened_on:
        raise _refuse(
            name, f"effective date {day} is before the contact was opened ({state.opened_on})", "effective_date"
        )
    if each_step:
        return
    # A step cannot have happened before the step it depends on, however late either is recorded.
    for since, what, steps in (
        (state.details_received_on, "the victim's details were received", NEEDS_DETAILS),
        (state.contacted_on, "the victim was contacted", NEEDS_CONTACT),
        (state.informed_choice_on, "the informed choice was given", NEEDS_INFORMED_CHOICE),
    ):
        if since is not None and name in steps and day < since:
            raise _refuse(
                name, f"effective date {day} is before {what} ({since}), which it depends on", "effective_date"
            )


def _require_invited(state: VictimContactState, name: str) -> None:
    if state.details_received_on is None:
        raise _refuse(name, "the victim's details have not been received yet (details_received)")
    if state.invited is None:
        raise _refuse(name, "whether to invite the victim has not been decided yet (suitability_decided)")


def _vcs_owed(state: VictimContactState, name: str) -> None:
    # Closing would cancel the VCS clock, and the Code's referral is owed whatever happens to RJ.
    if state.vcs_referral_needed and state.vcs_referral_made_on is None:
        raise _refuse(
            name,
            "a Victim Contact Scheme referral is owed (sentence of 12 months or more for a violent or sexual "
            "offence) and closing would drop it: record vcs_referral_made first",
        )
