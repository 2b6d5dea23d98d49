"""What the HTTP endpoints and the pages share, set on the app as `app.state.ctx`: the database pool, a
(lazily connected) Temporal client and, when configured, the store of victims' details.

Its own module so the API and the pages both import it, and neither imports the other for it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Request
from temporalio.client import Client

from activities.child_records import ChildRecordStore, messages_of
from activities.court_messages import MessageSeal
from activities.victim_details import VictimDetailsStore

LONDON = ZoneInfo("Europe/London")


class AppContext:
    """What the endpoints share: the database pool, a (lazily connected) Temporal client and, when the
    personal-data master key is configured, the stores of victims' details and of children's records (without
    it those endpoints are 503)."""

    def __init__(
        self,
        pool: Any,
        connect_temporal: Callable[[], Awaitable[Client]],
        victim_details: VictimDetailsStore | None = None,
        child_records: ChildRecordStore | None = None,
    ) -> None:
        self.pool = pool
        self._connect = connect_temporal
        self._client: Client | None = None
        self.victim_details = victim_details
        self.child_records = child_records

    @property
    def seal(self) -> MessageSeal | None:
        """The seal of the court messages (`activities.court_messages`), where the master key is configured."""
        return messages_of(self.child_records)

    async def temporal(self) -> Client:
        if self._client is None:
            try:
                self._client = await self._connect()
            except Exception as e:
                raise HTTPException(503, f"Temporal is not reachable: {e}") from e
        return self._client


def app_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(app_context)]


def today() -> date:
    """Today as a YJS counts it: the Europe/London date."""
    return datetime.now(LONDON).date()
