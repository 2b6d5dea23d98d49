"""A resulted hearing as both feeds carry it, read into one shape, and what became of each defendant.

`common_platform` and `spi` read their messages into `ResultedHearing`; `translate` turns it into one
`TranslationResult` per defendant and order. Nothing here holds a child's name beyond what the contract
needs: a defendant is named in results and errors by the feed's stable identifier and case reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from domain.court_outcome import CourtOutcome, FieldError

Feed = Literal["common-platform", "spi"]


@dataclass(frozen=True)
class Prompt:
    label: str | None
    value: str | None
    reference: str | None = None


@dataclass(frozen=True)
class Duration:
    """A structured duration: a value with a unit (SPI's DurationValue + DurationUnit, the Common Platform's
    durationElement), an end date, or both."""

    value: int | None = None
    unit: str | None = None
    end_date: str | None = None
    secondary_value: int | None = None
    secondary_unit: str | None = None


@dataclass(frozen=True)
class ResultLine:
    """One judicial result: a CJS code, a result definition, or only a label; its prompts and durations."""

    code: str | None
    definition_id: str | None
    label: str | None
    text: str | None = None
    prompts: tuple[Prompt, ...] = ()
    duration: Duration | None = None
    next_hearing: str | None = None  # ISO date or date-time, as sent
    custody_status: str | None = None

    @property
    def name(self) -> str:
        """How the result is named to a clerk: its CJS code, else its label, else its definition id."""
        return self.code or self.label or self.definition_id or "a result with no code"


@dataclass(frozen=True)
class ResultedOffence:
    code: str | None
    description: str | None
    offence_date: str | None
    plea: str | None
    convicted: bool
    conviction_date: str | None
    results: tuple[ResultLine, ...]
    ctl_time_limit: str | None = None
    ctl_days_spent: int | None = None


@dataclass(frozen=True)
class CaseDefendant:
    """One defendant in one case at this hearing: the unit a court outcome is made for."""

    case_reference: str | None
    child_id: str | None
    id_source: str  # which of the feed's identifiers `child_id` is (masterDefendantId, PNC, ASN)
    given_name: str | None
    family_name: str | None
    date_of_birth: str | None
    bail_status: str | None
    offences: tuple[ResultedOffence, ...]
    results: tuple[ResultLine, ...] = ()  # the defendant's own results (not on an offence)
    ctl_time_limit: str | None = None
    ctl_days_spent: int | None = None
    position: str = ""  # "case 2, defendant 1": a name for a defendant the feed gives no id to

    @property
    def all_lines(self) -> list[tuple[ResultedOffence | None, ResultLine]]:
        lines: list[tuple[ResultedOffence | None, ResultLine]] = [(None, r) for r in self.results]
        for offence in self.offences:
            lines += [(offence, r) for r in offence.results]
        return lines


@dataclass(frozen=True)
class ResultedHearing:
    feed: Feed
    hearing_key: str  # what makes this hearing one hearing for outcome ids: its id, or court and day
    court_centre_code: str | None
    court_name: str | None
    court_kind: str | None  # the feed's own jurisdiction, when it has one
    hearing_date: str | None
    defendants: tuple[CaseDefendant, ...] = field(default_factory=tuple)


# --- what became of each defendant --------------------------------------------------------------------------------


class Defendant(BaseModel):
    """A defendant as the answer names them: the feed's stable id, the case, where they sit in the message."""

    model_config = ConfigDict(frozen=True)

    child_id: str | None
    id_source: str
    case_reference: str | None
    position: str


class ResultProblem(BaseModel):
    """Why a defendant's results need correcting: the field, the result code it is about, and why."""

    model_config = ConfigDict(frozen=True)

    field: str
    result_code: str | None
    rule: str
    message: str

    def as_field_error(self) -> FieldError:
        about = f" (result {self.result_code})" if self.result_code else ""
        return FieldError(field=self.field, rule=self.rule, message=f"{self.message}{about}")


class Translated(BaseModel):
    """A court outcome for intake, already passing the contract's validation."""

    model_config = ConfigDict(frozen=True)

    status: Literal["translated"] = "translated"
    defendant: Defendant
    result_codes: list[str]
    body: dict[str, Any]
    outcome: CourtOutcome


class Ignored(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Literal["ignored"] = "ignored"
    defendant: Defendant
    result_codes: list[str]
    reason: str


class NeedsCorrection(BaseModel):
    """Results yjflow cannot translate as sent; `body` is as much of the outcome as could be built."""

    model_config = ConfigDict(frozen=True)

    status: Literal["needs_correction"] = "needs_correction"
    defendant: Defendant
    result_codes: list[str]
    problems: list[ResultProblem]
    body: dict[str, Any] | None = None


TranslationResult = Translated | Ignored | NeedsCorrection


class MessageRefused(ValueError):
    """A message that is not a resulted hearing at all (or not safe to read): nothing in it was translated."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors)
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(f"{e.field}: {e.message}" for e in self.errors)


def parse_day(value: str | None) -> date | None:
    """A date as the feeds write it: ISO (2026-03-02, or the date of a date-time) or dd/MM/yyyy in prompts."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) >= 10 and text[4] == "-":
            return date.fromisoformat(text[:10])
        if len(text) == 10 and text[2] == "/" and text[5] == "/":
            return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    except ValueError:
        return None
    return None
