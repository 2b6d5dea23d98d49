"""Reading GET filter forms: each bad value becomes an error naming the field and the rule."""

from __future__ import annotations

from datetime import date
from typing import Any


class FormErrors(list[dict[str, str]]):
    """Errors as `macros.error_summary` takes them: {"field": input id, "text": message}."""

    def add(self, field: str, text: str) -> None:
        self.append({"field": field, "text": text})


def optional_date(params: Any, name: str, label: str, errors: FormErrors) -> date | None:
    """The field as a date (YYYY-MM-DD), None when blank; a bad value is an error, not a silent default."""
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add(name, f"{label} must be a real date in the form YYYY-MM-DD, for example 2026-11-01")
        return None


def optional_text(params: Any, name: str) -> str | None:
    raw = str(params.get(name) or "").strip()
    return raw or None
