"""How each kind's steps are read from an Update's arguments: one pydantic `TypeAdapter` per kind.

A module of their own, passed through the sandbox (`workflows.registry.PASSTHROUGH`), so each adapter is
built once per worker. Built in the kind's own module, which the sandbox runs afresh for every new run,
they were a tenth of what starting a run cost.
"""

from pydantic import TypeAdapter

from domain import custody as cu
from domain import referral_order as ro
from domain import remand as rm
from domain import victim_contact as vc
from domain import youth_rehabilitation_order as yro

REFERRAL_ORDER_STEP: TypeAdapter[ro.ReferralOrderStep] = TypeAdapter(ro.ReferralOrderStep)
YRO_STEP: TypeAdapter[yro.YroStep] = TypeAdapter(yro.YroStep)
REMAND_STEP: TypeAdapter[rm.RemandStep] = TypeAdapter(rm.RemandStep)
CUSTODY_STEP: TypeAdapter[cu.CustodyStep] = TypeAdapter(cu.CustodyStep)
VICTIM_CONTACT_STEP: TypeAdapter[vc.VictimContactStep] = TypeAdapter(vc.VictimContactStep)
