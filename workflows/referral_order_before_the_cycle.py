"""The referral order workflow as it opened before the casework cycle landed (no cycle in its opening).
Never registered by a worker: the tests run it to open an order as the old code did, then hand the order
to today's code, proving a running order takes the cycle up from its next step. Kept in workflows/ so a
worker running it re-imports only workflow code in the sandbox, not the test tree."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import events as ev
    from domain import referral_order as ro
    from domain.messages import ReferralOrderInput
    from workflows.casework import opening_outcome
    from workflows.referral_order import ReferralOrderWorkflow


@workflow.defn(name="ReferralOrder")
class ReferralOrderBeforeTheCycle(ReferralOrderWorkflow):
    @workflow.run
    async def run(self, input: ReferralOrderInput) -> str:
        return await super().run(input)

    async def _open(self) -> None:
        i = self._input
        outcome = opening_outcome(i, disposal_kind="referral_order", hearing_date=i.hearing_date)
        self._upsert_search_attributes()
        decision = ro.open_order(self._order, outcome=outcome)
        await self._carry_out(decision, actor=ev.COURT_INTAKE, effective_date=i.hearing_date, reason=None)
