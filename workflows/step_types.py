"""How each kind's steps are read from an Update's arguments: one pydantic `TypeAdapter` per kind, and
the step a victim's contact keeps for its order's milestones.

A module of their own, passed through the sandbox (`workflows.registry.PASSTHROUGH`), so each adapter and
model is built once per worker. Built in the kind's own module, which the sandbox runs afresh for every
new run, they were a tenth of what starting a run cost.
"""

from typing import Literal

from pydantic import TypeAdapter

from domain import custody as cu
from domain import referral_order as ro
from domain import remand as rm
from domain import victim_contact as vc
from domain import youth_rehabilitation_order as yro
from domain.decisions import Step

REFERRAL_ORDER_STEP: TypeAdapter[ro.ReferralOrderStep] = TypeAdapter(ro.ReferralOrderStep)
YRO_STEP: TypeAdapter[yro.YroStep] = TypeAdapter(yro.YroStep)
REMAND_STEP: TypeAdapter[rm.RemandStep] = TypeAdapter(rm.RemandStep)
CUSTODY_STEP: TypeAdapter[cu.CustodyStep] = TypeAdapter(cu.CustodyStep)
VICTIM_CONTACT_STEP: TypeAdapter[vc.VictimContactStep] = TypeAdapter(vc.VictimContactStep)


class ReceivedMilestone(Step):
    """A milestone the linked order signalled, kept with the contact's steps so a correction folds it in
    again where it came (it changes what the victim is owed); it is the order's, so never corrected here."""

    step: Literal["order_milestone"] = "order_milestone"
    milestone: str
    order_id: str
