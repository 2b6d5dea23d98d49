"""A referral order workflow with one unpatched change (an extra timer before the order is recorded),
used only to prove that the saved-history replay catches such a change."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.messages import ReferralOrderInput
    from workflows.referral_order import ReferralOrderWorkflow


@workflow.defn(name="ReferralOrder")
class ReferralOrderWithUnpatchedTimer(ReferralOrderWorkflow):
    @workflow.run
    async def run(self, input: ReferralOrderInput) -> str:
        await workflow.sleep(timedelta(seconds=1))
        return await super().run(input)
