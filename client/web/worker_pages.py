"""Worker pages: a case worker's and a victim worker's cases, and the forms for their steps."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
