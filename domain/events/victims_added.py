"""A victim added to a running order by a step: court feeds seldom name victims, so the YJS adds each one
the police refer, and the victim's own contact starts as if the court's outcome had named them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = ["VictimAdded"]


class VictimAdded(EventPayload):
    victim_ref: str
    victim_kind: Literal["person", "organisation"] = "person"
    under_18: bool = False
    added_date: date
    vcs_referral_needed: bool = False  # Victims' Code Right 11, decided from the sentence when added

    title = "Victim added"

    def describe(self, rule_names: w.RuleNames) -> str:
        who = "an organisation" if self.victim_kind == "organisation" else "a person"
        young = ", under 18" if self.under_18 else ""
        vcs = " and a referral to the probation Victim Contact Scheme is owed" if self.vcs_referral_needed else ""
        return (
            f"Victim {self.victim_ref} ({who}{young}) was added to the order on {w.day(self.added_date)}; "
            f"their restorative-justice contact starts{vcs}."
        )
