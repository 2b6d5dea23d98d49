"""Reading forms: GOV.UK date inputs (day, month, year) and GET filters; each bad value becomes an error
naming the field in a worker's words, in GOV.UK's own phrasing, never a silent default."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

PARTS = ("day", "month", "year")


class FormErrors(list[dict[str, str]]):
    """Errors as `macros.error_summary` takes them: {"field": input id, "text": message}; a date input's
    error also says which of its parts are at fault ("parts": "day month"), so only they are outlined."""

    def add(self, field: str, text: str, parts: str = "") -> None:
        self.append({"field": field, "text": text, **({"parts": parts} if parts else {})})

    def has(self, field: str) -> bool:
        return any(e["field"] == field or e["field"].startswith(field + "-") for e in self)


@dataclass(frozen=True)
class DateProblem:
    """What is wrong with a date input: the GOV.UK message and the parts to outline."""

    text: str
    parts: tuple[str, ...]

    @property
    def field_suffix(self) -> str:
        return self.parts[0] if self.parts else "day"


def _first(params: Any, key: str) -> str:
    value = params.get(key) if hasattr(params, "get") else None
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip()


def date_parts(params: Any, name: str) -> dict[str, str]:
    """What was typed in a date input's boxes; a single `name=YYYY-MM-DD` (a link, an older bookmark, the
    API's form) is read as its three parts, so both reach the same checks."""
    parts = {p: _first(params, f"{name}-{p}") for p in PARTS}
    whole = _first(params, name)
    if not any(parts.values()) and whole:
        iso = re.fullmatch(r"(\d+)-(\d+)-(\d+)", whole)
        if iso:
            return {"day": iso[3].lstrip("0") or "0", "month": iso[2].lstrip("0") or "0", "year": iso[1]}
        return {"day": whole, "month": "", "year": ""}
    return parts


def date_problem(parts: Mapping[str, str], label: str, *, required: bool) -> tuple[date | None, DateProblem | None]:
    """GOV.UK's date input rules: the date, or what is wrong with it, in the pattern's words."""
    missing = [p for p in PARTS if not parts.get(p)]
    if len(missing) == 3:
        return None, DateProblem(f"Enter the {_lower_first(label)}", PARTS) if required else None
    if missing:
        return None, DateProblem(f"{label} must include a {' and '.join(missing)}", tuple(missing))
    not_numbers = tuple(p for p in PARTS if not parts[p].isdigit())
    if not_numbers:
        return None, DateProblem(f"{label} must be a real date", not_numbers)
    if len(parts["year"]) != 4:
        return None, DateProblem("Year must include 4 numbers", ("year",))
    day, month, year = int(parts["day"]), int(parts["month"]), int(parts["year"])
    if not 1 <= month <= 12:
        return None, DateProblem(f"{label} must be a real date", ("month",))
    try:
        return date(year, month, day), None
    except ValueError:
        return None, DateProblem(f"{label} must be a real date", ("day",))


def read_date(
    params: Any,
    name: str,
    label: str,
    errors: FormErrors,
    *,
    required: bool = False,
    latest: date | None = None,
) -> date | None:
    """A GOV.UK date input's date (None when blank and optional); a problem is added to `errors` against
    the first box at fault, as the error summary links to it. `latest` refuses a date after it (today, for
    something that has happened)."""
    value, problem = date_problem(date_parts(params, name), label, required=required)
    if problem is None and value is not None and latest is not None and value > latest:
        problem = DateProblem(f"{label} must be today or in the past", PARTS)
        value = None
    if problem is not None:
        errors.add(f"{name}-{problem.field_suffix}", problem.text, " ".join(problem.parts))
    return value


def read_month(params: Any, name: str, label: str, errors: FormErrors) -> date | None:
    """A GOV.UK month input (month and year boxes) as the month's first day, None when blank; a single
    `name=YYYY-MM` (a link) is read as its two boxes."""
    parts = month_values(params, name)
    missing = [p for p in ("month", "year") if not parts[p]]
    if len(missing) == 2:
        return None
    problem: DateProblem | None = None
    if missing:
        problem = DateProblem(f"{label} must include a {missing[0]}", tuple(missing))
    elif not (parts["month"].isdigit() and parts["year"].isdigit()) or not 1 <= int(parts["month"]) <= 12:
        problem = DateProblem(f"{label} must be a real month", ("month",))
    elif len(parts["year"]) != 4:
        problem = DateProblem("Year must include 4 numbers", ("year",))
    if problem is not None:
        errors.add(f"{name}-{problem.parts[0]}", problem.text, " ".join(problem.parts))
        return None
    return date(int(parts["year"]), int(parts["month"]), 1)


def month_values(params: Any, name: str) -> dict[str, str]:
    """A month input's boxes as typed, or a single `name=YYYY-MM` split into them."""
    parts = {p: _first(params, f"{name}-{p}") for p in ("month", "year")}
    whole = re.fullmatch(r"(\d+)-(\d+)", _first(params, name))
    if not any(parts.values()) and whole:
        return {"month": whole[2].lstrip("0") or "0", "year": whole[1]}
    if not any(parts.values()) and _first(params, name):
        return {"month": _first(params, name), "year": ""}
    return parts


def optional_date(params: Any, name: str, label: str, errors: FormErrors) -> date | None:
    """A filter's date input, None when blank."""
    return read_date(params, name, label, errors)


def date_values(params: Any, name: str) -> dict[str, str]:
    """The boxes to show again: what was typed, so a mistake can be corrected rather than retyped."""
    return date_parts(params, name)


def optional_text(params: Any, name: str) -> str | None:
    raw = str(params.get(name) or "").strip()
    return raw or None


def _lower_first(label: str) -> str:
    # "Date it happened" -> "date it happened"; a name that starts with an acronym ("YJS start") keeps it.
    return label if label[:2].isupper() else label[:1].lower() + label[1:]
