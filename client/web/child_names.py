"""Children by name and age on the pages: one logged read of the records a page shows, or ids alone.

Those who may read children's records (`READ_CHILD_RECORD`) see "Given Family (age N)" with the id
beneath; everyone else, and every page when no personal-data master key is configured, sees the id.
A page asks once for all the children it lists, so its reads are one `read_many`, each logged.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Request

from activities import child_records as records
from activities.users import User
from client.app_context import today
from client.children_search import services_holding
from domain.access import Permission, allows

ChildKey = tuple[str, str]  # (yjs, child_id)


async def child_names(request: Request, user: User, keys: Iterable[ChildKey]) -> dict[ChildKey, str]:
    """{(yjs, child_id): "Given Family (age N)"} for the children the user may know by name."""
    store = request.app.state.ctx.child_records
    wanted = sorted({k for k in keys if k[0] and k[1]})
    if store is None or not wanted or not allows(user.role, Permission.READ_CHILD_RECORD):
        return {}
    held = await store.read_many(keys=wanted, actor=user.username)
    now = today()
    return {key: f"{record.name} (age {record.age_on(now)})" for key, record in held.items()}


async def record_of(request: Request, user: User, child_id: str) -> records.HeldRecord | None:
    """The child's record for a reader allowed it (the read logged), when one of the user's services holds
    exactly one record under this id; None otherwise (the page then shows the id alone)."""
    store = request.app.state.ctx.child_records
    if store is None or not allows(user.role, Permission.READ_CHILD_RECORD):
        return None
    services = await services_holding(request.app.state.ctx, user, child_id)
    if len(services) != 1:
        return None
    try:
        held: records.HeldRecord = await store.read(yjs=services[0], child_id=child_id, actor=user.username)
    except records.ChildRecordError:
        return None  # erased, or never made (a child from before records were kept)
    return held


def names_by_child(names: dict[ChildKey, str]) -> dict[str, str]:
    """The same names by child id alone, for pages of one service's streams (a timeline, a case)."""
    return {child_id: name for (_, child_id), name in names.items()}


__all__ = ["ChildKey", "child_names", "names_by_child", "record_of"]
