"""How a refused outcome is reported: every failing field, with a stable rule id and plain English."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FieldError(BaseModel):
    """One reason an outcome was refused: where, which rule, and why in plain English."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    rule: str
    message: str


class OutcomeRejected(Exception):
    """A court outcome that yjflow refuses, with every failing field (not just the first)."""

    def __init__(self, errors: list[FieldError]) -> None:
        # The errors are the only argument so the exception pickles and copies intact.
        super().__init__(errors)
        self.errors = errors

    def __str__(self) -> str:
        lines = [f"court outcome rejected ({len(self.errors)} problem{'s' if len(self.errors) != 1 else ''}):"]
        lines += [f"- {e.field}: {e.message} [{e.rule}]" for e in self.errors]
        return "\n".join(lines)
