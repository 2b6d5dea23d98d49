"""Children by name: find a child, read and correct their record (`activities.child_records`).

A child is known by name and age to those who may read their record (`READ_CHILD_RECORD`), every read
logged; to everyone else by id. Without the personal-data master key the record endpoints answer 503,
and a search matches ids only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ValidationError

from activities import child_records as records
from activities.users import User
from client.api.problems import error
from client.app_context import Ctx, today
from client.auth import require
from client.children_search import ChildFound, find, services_holding
from domain import child_record as cr
from domain.access import Permission, allows

router = APIRouter(tags=["children"])


class ChildRecordAnswer(BaseModel):
    child_id: str
    yjs: str
    record: cr.ChildRecord
    age: int
    version: int
    updated_at: datetime
    updated_by: str
    changed: list[str] | None = None


def store_of(ctx: Ctx) -> records.ChildRecordStore:
    if ctx.child_records is None:
        raise HTTPException(503, "children's records are not configured: set YJFLOW_VICTIM_MASTER_KEY")
    return ctx.child_records


@router.get("/children")
async def find_children(
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.READ_TIMELINE))],
    q: Annotated[str, Query(min_length=1, max_length=200, description="Part of a name, a date of birth, or an id.")],
) -> list[ChildFound]:
    """Children whose name starts with the words typed, born on the date typed (4/3/2011 or 2011-03-04),
    or whose id contains the text typed. Names and ages only for those who may read children's records."""
    return await find(ctx, user, q)


async def _service_of(ctx: Ctx, user: User, child_id: str, yjs: str | None) -> str:
    """The one service of the user's that holds this child id; another service's child is a 404 like an
    unknown one."""
    held = await services_holding(ctx, user, child_id)
    if yjs is not None:
        if yjs not in held:
            raise HTTPException(404, f"no child {child_id} in {yjs}")
        return yjs
    if not held:
        raise HTTPException(404, f"no child {child_id}")
    if len(held) > 1:
        raise HTTPException(409, f"child id {child_id} is used by {', '.join(held)}: say which with ?yjs=")
    return held[0]


def _answer(held: records.HeldRecord, changed: list[str] | None = None) -> ChildRecordAnswer:
    return ChildRecordAnswer(
        child_id=held.child_id,
        yjs=held.yjs,
        record=held.record,
        age=held.record.age_on(today()),
        version=held.version,
        updated_at=held.updated_at,
        updated_by=held.updated_by,
        changed=changed,
    )


@router.get("/children/{child_id}/record")
async def read_record(
    child_id: str,
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.READ_CHILD_RECORD))],
    yjs: str | None = None,
) -> ChildRecordAnswer:
    """The child's record (every read is logged with who read it)."""
    store = store_of(ctx)
    service = await _service_of(ctx, user, child_id, yjs)
    try:
        return _answer(await store.read(yjs=service, child_id=child_id, actor=user.username))
    except records.RecordErased as e:
        raise HTTPException(410, str(e)) from None
    except records.RecordNotFound as e:
        raise HTTPException(404, str(e)) from None


@router.patch("/children/{child_id}/record")
async def correct_record(
    child_id: str,
    correction: cr.RecordCorrection,
    ctx: Ctx,
    user: Annotated[User, Depends(require(Permission.CORRECT_CHILD_RECORD))],
    yjs: str | None = None,
) -> ChildRecordAnswer:
    """Correct fields of the child's record, saying why. The change is recorded as an event on the
    child's timeline naming the fields and the reason (never the values); a bad value is refused naming
    its field, and nothing changes."""
    store = store_of(ctx)
    service = await _service_of(ctx, user, child_id, yjs)
    try:
        held, changed = await store.correct(yjs=service, child_id=child_id, correction=correction, actor=user.username)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            field = ".".join(["changes", *(str(p) for p in err["loc"])])
            problems.append(error(field, str(err["type"]), f"{field}: {err['msg']}"))
        raise HTTPException(422, problems) from None
    except records.RecordErased as e:
        raise HTTPException(410, str(e)) from None
    except records.RecordNotFound as e:
        raise HTTPException(404, str(e)) from None
    return _answer(held, changed)


async def child_summary(ctx: Ctx, user: User, child_id: str) -> dict[str, Any] | None:
    """The child's name, date of birth and age for a reader allowed them (the timeline carries it)."""
    if ctx.child_records is None or not allows(user.role, Permission.READ_CHILD_RECORD):
        return None
    services = await services_holding(ctx, user, child_id)
    held = await ctx.child_records.read_many(keys=[(s, child_id) for s in services], actor=user.username)
    if len(held) != 1:
        return None
    record = next(iter(held.values()))
    return {"name": record.name, "date_of_birth": record.date_of_birth, "age": record.age_on(today())}


__all__ = ["child_summary", "router", "store_of"]
