"""A step recorded by mistake, corrected: the correction is a new event that supersedes it.

The superseded events stay in the stream (nothing is ever updated or deleted); `StepCorrected` names
them by stream version, says whether the step was voided or replaced, why, and (in its envelope) who
corrected it. A replacement's own events follow it, as the step would have recorded them.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = ["StepCorrected"]


class StepCorrected(EventPayload):
    supersedes: list[int]  # the stream versions of the events the original step recorded
    step: str
    correction: Literal["voided", "replaced"]
    original_date: date
    corrected_date: date | None = None
    reason: str
    reopened: list[str] = []  # deadlines the original step met that are owed again
    needed_manager: str | None = None  # the policy that made this a manager's correction, if any

    title = "Step corrected"

    def describe(self, rule_names: w.RuleNames) -> str:
        versions = ", ".join(str(v) for v in self.supersedes)
        what = w.words(self.step)
        if self.correction == "voided":
            done = f"The {what} recorded for {w.day(self.original_date)} was voided"
        elif self.corrected_date is not None and self.corrected_date != self.original_date:
            done = f"The {what} recorded for {w.day(self.original_date)} was corrected to {w.day(self.corrected_date)}"
        else:
            done = f"The {what} recorded for {w.day(self.original_date)} was corrected"
        owed = [w.rule(r, rule_names) for r in self.reopened]
        reopened = f" Owed again: {w.and_list(owed)}." if owed else ""
        return f"{done} (superseding events {versions}): {self.reason.rstrip('.')}.{reopened}"
