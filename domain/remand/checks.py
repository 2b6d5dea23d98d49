"""Refusals the remand's steps share."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.decisions import StepRefused
from domain.remand.state import RemandState
from domain.step_order import Follows, StepEvents, check_in_order


def _refuse(step: str, why: str, field: str | None = None) -> StepRefused:
    return StepRefused(f"{step} refused: {why}", field)


def _not_before(name: str, day: date, earliest: date | None, what: str) -> None:
    if earliest is not None and day < earliest:
        raise _refuse(name, f"it is dated {day}, before {what} ({earliest})", "effective_date")


def _require_looked_after(state: RemandState, name: str) -> None:
    if not state.looked_after:
        raise _refuse(
            name,
            "the child is on bail, so not looked after through this remand; "
            "LAC reviews and social-worker visits are for remands to RLAA or YDA",
        )


# Which recorded steps each step follows: a step dated before one of these is refused, naming both.
# Only where the order is the law's or the remand's own (a CTL extended on the limit the latest remand
# set, nothing after the remand ends), or a step repeats (reviews, visits, remands in turn).
FOLLOWS: Follows = {
    "lac_review_held": ("lac_review_held",),
    "social_worker_visit_made": ("social_worker_visit_made",),
    "remand_renewed": ("remand_renewed",),
    "ctl_extended": ("remand_renewed", "ctl_extended"),
    "remand_ended": ("remand_renewed", "ctl_extended", "lac_review_held", "social_worker_visit_made"),
}

STEP_EVENTS: StepEvents = {
    ev.LacReviewHeld: ("lac_review_held", "review_date"),
    ev.SocialWorkerVisitMade: ("social_worker_visit_made", "visit_date"),
    ev.RemandRenewed: ("remand_renewed", "remand_date"),
    ev.CtlExtended: ("ctl_extended", "extended_on"),
    ev.RemandEnded: ("remand_ended", "ended_on"),
}


def _in_order(state: RemandState, name: str, day: date) -> None:
    check_in_order(name, day, FOLLOWS, state.step_dates)
