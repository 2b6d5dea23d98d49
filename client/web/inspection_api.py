"""`GET /inspection/sample`: the inspection sample as JSON (in the OpenAPI schema), for the CLI and
scripts. Mounted by `add_pages` beside the pages; authenticated by bearer token like the rest of the API."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from activities import inspection
from activities.users import User
from client.auth import require, user_services_filter
from domain.access import Permission
from domain.inspection import InspectionError, Sample, SampleRequest

router = APIRouter(tags=["inspection"])


@router.get("/inspection/sample", response_model=Sample, responses={403: {"description": "Role may not sample"}})
async def inspection_sample(
    request: Request,
    user: Annotated[User, Depends(require(Permission.TAKE_INSPECTION_SAMPLE))],
    start: Annotated[date, Query(description="First day of the period (YYYY-MM-DD)")],
    end: Annotated[date, Query(description="Last day of the period (YYYY-MM-DD)")],
    yjs: Annotated[str | None, Query(description="One service only")] = None,
    seed: Annotated[int, Query(description="The same seed gives the same sample")] = 0,
    children: Annotated[int | None, Query(ge=0, description="Children's cases (default: by policy)")] = None,
    victims: Annotated[int | None, Query(ge=0, description="Victims' cases (default: by policy)")] = None,
    gaps_only: Annotated[
        bool, Query(description="Children's cases only where oversight.md flags a gap (what an inspector will find)")
    ] = False,
) -> Sample | JSONResponse:
    """Children's and victims' cases open in the period, sized by the inspection policy
    (`domain/rules/inspection.toml`), stratified by order kind, reproducible with `seed`."""
    if end < start:
        return _refused("end", "end_on_or_after_start", f"end ({end}) must be on or after start ({start})")
    req = SampleRequest(
        start=start, end=end, yjs=yjs, seed=seed, children=children, victims=victims, gaps_only=gaps_only
    )
    try:
        return await inspection.take_sample(request.app.state.ctx.pool, req, services=user_services_filter(user))
    except InspectionError as e:
        field = str(e).partition(":")[0]
        return _refused(field, "inspection_policy_range", str(e))


def _refused(field: str, rule: str, message: str) -> JSONResponse:
    """A 422 shaped like every other 422 of the API (`client.api.Refused`)."""
    return JSONResponse(status_code=422, content={"detail": [{"field": field, "rule": rule, "message": message}]})
