"""The retention sweep as a Temporal activity, for the daily Schedule's workflow (`workflows.retention`).

The stores need the personal-data master key; a worker without one still registers the activity, which
then fails at once, saying which setting is missing, rather than leaving the schedule's runs waiting for an
activity nobody serves."""

from __future__ import annotations

from collections import Counter
from typing import Any

from psycopg_pool import AsyncConnectionPool
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import retention
from activities.child_records import ChildRecordStore
from activities.rule_source import retention_policy
from activities.settings import Settings
from activities.victim_details import VictimDetailsStore
from domain.retention import SweepRequest, SweepSummary


class RetentionActivities:
    def __init__(self, pool: AsyncConnectionPool[Any], settings: Settings) -> None:
        self._pool = pool
        self._settings = settings

    @activity.defn(name="sweep_retention")
    async def sweep_retention(self, request: SweepRequest) -> SweepSummary:
        try:
            key = self._settings.victim_master_key_bytes
        except ValueError as e:
            raise ApplicationError(
                f"the retention sweep needs the personal-data master key: {e}", type="NotConfigured", non_retryable=True
            ) from None
        key_id = self._settings.victim_master_key_id
        result = await retention.sweep(
            self._pool,
            ChildRecordStore(self._pool, key, key_id),
            VictimDetailsStore(self._pool, key, key_id),
            retention_policy(self._settings.retention_file),
            today=request.day,
        )
        return SweepSummary(
            day=request.day,
            erased=dict(Counter(d.facts.kind for d in result.erased)),
            failed=[f"{d.facts.kind} {d.facts.yjs}/{d.facts.subject}: {why}" for d, why in result.failed],
        )

    def all(self) -> list[object]:
        return [self.sweep_retention]
