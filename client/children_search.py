"""Finding a child, for the API (`GET /children`) and the pages' Find a child: by the start of their names,
a date of birth (through the child's record's keyed hashes) or part of their id (the cases), in the user's
services only; names and ages only for those who may read children's records, every read logged."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from activities import child_records as records
from activities.users import User
from client.app_context import AppContext, today
from client.auth import user_services_filter
from domain import child_record as cr
from domain.access import Permission, allows


class ChildFound(BaseModel):
    child_id: str
    yjs: str
    name: str | None = None
    date_of_birth: date | None = None
    age: int | None = None
    case_kinds: str | None = None
    open_cases: int = 0
    last_opened: datetime | None = None


async def find(ctx: AppContext, user: User, q: str) -> list[ChildFound]:
    """The children `q` finds, by name first (those without a readable record by id)."""
    store = ctx.child_records if allows(user.role, Permission.READ_CHILD_RECORD) else None
    held = user_services_filter(user)
    found: list[records.Found] = []
    if store is not None:
        try:
            query = cr.parse_search(q)
        except ValueError:
            query = None  # not a name or a date: perhaps an id
        if query is not None:
            found = await store.search(query=query, services=held, actor=user.username)
    cases = await records.cases_of_children(
        ctx.pool, id_like=q.strip(), keys=[(f.yjs, f.child_id) for f in found], services=held
    )
    by_key: dict[tuple[str, str], ChildFound] = {}
    for row in cases:
        by_key[(row["yjs"], row["child_id"])] = ChildFound(
            child_id=row["child_id"],
            yjs=row["yjs"],
            case_kinds=row["kinds"],
            open_cases=row["open_cases"],
            last_opened=row["last_opened"],
        )
    for f in found:
        by_key.setdefault((f.yjs, f.child_id), ChildFound(child_id=f.child_id, yjs=f.yjs))
    if store is not None:
        named = await store.read_many(keys=list(by_key), actor=user.username)
        day = today()
        for key, child in by_key.items():
            record = named.get(key)
            if record is not None:
                child.name, child.date_of_birth, child.age = record.name, record.date_of_birth, record.age_on(day)
    return sorted(by_key.values(), key=lambda c: ((c.name or "").casefold(), c.child_id, c.yjs))


async def services_holding(ctx: AppContext, user: User, child_id: str) -> list[str]:
    """The user's services that hold a record or a case under this child id (usually one)."""
    found = await records.services_of_child(ctx.pool, child_id)
    mine = user_services_filter(user)
    return found if mine is None else [s for s in found if s in mine]
