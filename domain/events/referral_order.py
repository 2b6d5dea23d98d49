"""Events of a referral order."""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.events import wording as w
from domain.events.envelope import EventPayload

__all__ = [
    "CaseWorkerAllocated",
    "ContractSigned",
    "ContractVaried",
    "CourtDecisionRecorded",
    "ExtendedOnFurtherConviction",
    "FinalPanelHeld",
    "FirstContactMade",
    "InitialPanelHeld",
    "OrderCompleted",
    "OrderExtended",
    "OrderRevoked",
    "PanelAdjourned",
    "ProgressPanelHeld",
    "ReferralOrderMade",
    "ReferredBackToCourt",
    "RevocationRefused",
    "VictimViewsRecorded",
]

_CONTACT_METHODS = {"in_person": "in person", "home_visit": "at a home visit"}


def _victims(refs: list[str]) -> str:
    """' Victims V-102 and V-103.' ('' for none): victims by reference, never by name."""
    return f" {'Victim' if len(refs) == 1 else 'Victims'} {w.and_list(refs)}." if refs else ""


class ReferralOrderMade(EventPayload):
    months: int
    hearing_date: date
    victim_refs: list[str] = []

    title = "Referral order made"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"The court made a referral order of {w.count(self.months, 'month')} on {w.day(self.hearing_date)}."
            f"{_victims(self.victim_refs)}"
        )


class CaseWorkerAllocated(EventPayload):
    case_worker: str

    title = "Case worker allocated"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"The case worker is {self.case_worker}."


class FirstContactMade(EventPayload):
    contact_date: date
    method: str = "in_person"

    title = "First contact made"

    def describe(self, rule_names: w.RuleNames) -> str:
        how = _CONTACT_METHODS.get(self.method, f"by {w.words(self.method)}")
        return f"First contact with the child on {w.day(self.contact_date)}, {how}."


class VictimViewsRecorded(EventPayload):
    """A victim was contacted and their views sought before the panel (reference only)."""

    victim_ref: str

    title = "Victim's views sought"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Victim {self.victim_ref} was contacted and their views sought for the panel."


class InitialPanelHeld(EventPayload):
    panel_date: date

    title = "Initial panel held"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Initial youth offender panel meeting held on {w.day(self.panel_date)}."


class ContractSigned(EventPayload):
    signed_date: date
    compliance_start: date
    compliance_end: date
    months: int

    title = "Contract signed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"Youth offender contract signed on {w.day(self.signed_date)}. The compliance period of"
            f" {w.count(self.months, 'month')} runs from {w.day(self.compliance_start)}"
            f" to {w.day(self.compliance_end)}."
        )


class PanelAdjourned(EventPayload):
    panel_date: date
    adjourned_to: date | None = None

    title = "Panel adjourned"

    def describe(self, rule_names: w.RuleNames) -> str:
        to = f" to {w.day(self.adjourned_to)}" if self.adjourned_to else ", with no new date set"
        return f"Panel meeting on {w.day(self.panel_date)} adjourned{to}."


class ProgressPanelHeld(EventPayload):
    panel_date: date
    # None when the next progress panel would fall due after the compliance period: the final panel is next.
    next_panel_due_by: date | None

    title = "Progress panel held"

    def describe(self, rule_names: w.RuleNames) -> str:
        if self.next_panel_due_by is None:
            return (
                f"Progress panel meeting held on {w.day(self.panel_date)}."
                " No further progress panel is due: the final panel meets before the compliance period ends."
            )
        return (
            f"Progress panel meeting held on {w.day(self.panel_date)}."
            f" The next panel is due by {w.day(self.next_panel_due_by)}."
        )


class ContractVaried(EventPayload):
    varied_date: date
    summary: str

    title = "Contract varied"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Contract varied on {w.day(self.varied_date)}: {w.days_in_words(self.summary.rstrip('.'))}."


_REFERRAL_GROUNDS = {
    "breach": "for a breach of the contract",
    "no_agreement": "because no contract could be agreed",
    "revocation_good_progress": "asking the court to revoke the order for good progress",
    "other": "for another reason",
}


class ReferredBackToCourt(EventPayload):
    referral_date: date
    grounds: Literal["breach", "no_agreement", "revocation_good_progress", "other"]

    title = "Referred back to court"

    def describe(self, rule_names: w.RuleNames) -> str:
        grounds = _REFERRAL_GROUNDS[self.grounds]
        return f"The panel referred the child back to court on {w.day(self.referral_date)}, {grounds}."


class CourtDecisionRecorded(EventPayload):
    decision_date: date
    decision: Literal["continue", "extend", "revoke_and_resentence", "revoke_good_progress"]
    extension_months: int = 0

    title = "Court decision"

    def describe(self, rule_names: w.RuleNames) -> str:
        decided = {
            "continue": "the order continues",
            "extend": f"the order is extended by {w.count(self.extension_months, 'month')}",
            "revoke_and_resentence": "the order is revoked and the child resentenced",
            "revoke_good_progress": "the order is revoked for good progress",
        }[self.decision]
        return f"The court decided on {w.day(self.decision_date)}: {decided}."


class OrderExtended(EventPayload):
    extension_months: int
    total_months: int
    compliance_end: date

    title = "Order extended"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"Order extended by {w.count(self.extension_months, 'month')}, to {w.count(self.total_months, 'month')}"
            f" in all. The compliance period now ends on {w.day(self.compliance_end)}."
        )


class ExtendedOnFurtherConviction(EventPayload):
    """A court dealing with the child for a further offence extended the compliance period without a
    referral back (Sentencing Act 2020 Sch 4 paras 13–16); the `OrderExtended` beside it has the new end."""

    decision_date: date
    extension_months: int

    title = "Extended on a further conviction"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"On {w.day(self.decision_date)} the court dealing with a further offence extended the order by "
            f"{w.count(self.extension_months, 'month')}, without a referral back by the panel."
        )


class RevocationRefused(EventPayload):
    decision_date: date
    bar_until: date

    title = "Revocation refused"

    def describe(self, rule_names: w.RuleNames) -> str:
        return (
            f"The court refused to revoke the order for good progress on {w.day(self.decision_date)}."
            f" No new referral for revocation without the court's consent until {w.day(self.bar_until)}."
        )


_REVOCATION_GROUNDS = {
    "resentenced": "and the child resentenced",
    "good_progress": "for good progress",
    "further_offence": "after a further offence",
}


class OrderRevoked(EventPayload):
    revoked_date: date
    grounds: Literal["resentenced", "good_progress", "further_offence"]

    title = "Order revoked"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Order revoked on {w.day(self.revoked_date)} {_REVOCATION_GROUNDS[self.grounds]}."


class FinalPanelHeld(EventPayload):
    panel_date: date
    discharged: bool = True

    title = "Final panel held"

    def describe(self, rule_names: w.RuleNames) -> str:
        result = "the child is discharged" if self.discharged else "the panel did not discharge the child"
        return f"Final panel meeting held on {w.day(self.panel_date)}: {result}."


class OrderCompleted(EventPayload):
    completed_date: date

    title = "Order completed"

    def describe(self, rule_names: w.RuleNames) -> str:
        return f"Order completed on {w.day(self.completed_date)}."
