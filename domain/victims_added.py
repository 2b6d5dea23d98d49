"""Adding a victim to a running order, for every order kind.

Court feeds seldom carry victims (the police refer them to the YJS afterwards), so one step
(`victim_added`) and one event (`VictimAdded`) serve every order kind: the victim joins the order's
victims, who are told of its milestones, and the workflow starts the victim's own contact under the same
id an outcome's victim gets (`domain.court_outcome.victim_contact_id`), so a victim is never contacted
twice for one case and child. References only: a victim's details go to the victim store, never here.
"""

from __future__ import annotations

from typing import Literal, Protocol, Self, TypeVar

from pydantic import Field

from domain import events as ev
from domain.decisions import Decision, Step, StepRefused
from domain.victim_contact import vcs_referral_due

__all__ = ["AddVictim", "WithVictims", "add_victim", "victim_added", "with_victims"]


class AddVictim(Step):
    step: Literal["victim_added"] = "victim_added"
    victim_ref: str = Field(
        min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$", description="The police's victim reference."
    )
    victim_kind: Literal["person", "organisation"] = Field(default="person", description="A person or an organisation.")
    under_18: bool = Field(default=False, description="A child victim: enhanced rights under the Victims' Code.")
    violent_or_sexual: bool = Field(
        default=False,
        description="The offence against this victim is violent or sexual: with 12 months' custody or more they are "
        "owed a referral to the probation Victim Contact Scheme.",
    )


class WithVictims(Protocol):
    """An order's state that knows its victims."""

    @property
    def victim_refs(self) -> tuple[str, ...]: ...

    def model_copy(self, *, update: dict[str, object] | None = None, deep: bool = False) -> Self: ...


def add_victim(step: AddVictim, *, victim_refs: tuple[str, ...], sentence_months: int | None = None) -> Decision:
    """The decision once the order kind has checked the order is open and the date is allowed.
    `sentence_months`: a custodial sentence's length, which with a violent or sexual offence owes the victim
    a Victim Contact Scheme referral (Code Right 11), as an outcome's victim is owed it."""
    if step.victim_ref in victim_refs:
        raise StepRefused(f"victim_added refused: {step.victim_ref} is already a victim on this order")
    added = ev.VictimAdded(
        victim_ref=step.victim_ref,
        victim_kind=step.victim_kind,
        under_18=step.under_18,
        added_date=step.effective_date,
        vcs_referral_needed=sentence_months is not None and vcs_referral_due(sentence_months, step.violent_or_sexual),
    )
    return Decision(events=(added,))


S = TypeVar("S", bound=WithVictims)


def victim_added(state: S, payload: ev.VictimAdded) -> S:
    """The state with the added victim among its victims (told of milestones from now on)."""
    if payload.victim_ref in state.victim_refs:
        return state
    return state.model_copy(update={"victim_refs": (*state.victim_refs, payload.victim_ref)})


def with_victims(state: S, refs: list[str]) -> S:
    """The state knowing the victims its court outcome named as well (a state begun before orders kept
    their victims learns them from its start input)."""
    known = tuple(dict.fromkeys([*refs, *state.victim_refs]))
    return state if known == state.victim_refs else state.model_copy(update={"victim_refs": known})
