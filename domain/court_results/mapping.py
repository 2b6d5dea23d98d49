"""The mapping from what courts send to yjflow's contract, as data: `results.toml` (result codes, result
definitions, prompts, duration units, status letters, pleas) and a deployment's court centres file.

Both are parsed from text handed in, so the domain stays free of I/O; the caller reads the files (the
shipped ones with `importlib.resources`, as the rule pack is read). A row without a source, or one the
parser cannot read, is a loud error: a mapping nobody can trace is worse than none.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.court_outcome import (
    ActivityRequirement,
    CourtKind,
    CurfewRequirement,
    ExtendedActivityRequirement,
    OtherRequirement,
    RemandType,
    UnpaidWorkRequirement,
)

Means = Literal["disposal", "remand", "requirement", "not_ours"]
OrderKind = Literal["referral_order", "youth_rehabilitation_order", "detention_and_training_order"]
Measure = Literal["hours", "days", "curfew"]
Carries = Literal["term", "start_date", "end_date", "days", "hours", "curfew_from", "curfew_until"]
Unit = Literal["months", "weeks", "days", "years", "hours"]
# The contract's own requirement kinds: a mapping row can name only what intake accepts.
REQUIREMENT_KINDS = frozenset(
    kind
    for model in (
        ActivityRequirement,
        ExtendedActivityRequirement,
        CurfewRequirement,
        UnpaidWorkRequirement,
        OtherRequirement,
    )
    for kind in get_args(model.model_fields["kind"].annotation)
)


class MappingError(ValueError):
    """A mapping file yjflow cannot use, naming the row and what is wrong with it."""


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1)


class ResultRow(_Row):
    """One kind of result line: what it means for yjflow, keyed by CJS code or result definition id."""

    code: str | None = None
    definition_id: str | None = None
    label: str
    means: Means
    kind: OrderKind | None = None
    iss: bool = False
    fostering: bool = False
    total: bool = False
    remand_type: RemandType | None = None
    requirements: tuple[str, ...] = ()
    measure: Measure | None = None
    reason: str | None = None
    carries_next_hearing: bool = False

    @field_validator("requirements")
    @classmethod
    def _known_requirements(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [k for k in kinds if k not in REQUIREMENT_KINDS]
        if unknown:
            raise ValueError(f"requirement kinds the court-outcome contract does not have: {', '.join(unknown)}")
        return kinds

    @model_validator(mode="after")
    def _complete(self) -> ResultRow:
        if self.code is None and self.definition_id is None:
            raise ValueError("a result row needs a code or a definition_id")
        needs = {"disposal": self.kind, "remand": self.remand_type, "not_ours": self.reason}
        if self.means in needs and needs[self.means] is None:
            field = {"disposal": "kind", "remand": "remand_type", "not_ours": "reason"}[self.means]
            raise ValueError(f"a {self.means} row needs {field}")
        if self.means == "requirement" and not self.requirements:
            raise ValueError("a requirement row needs requirements")
        return self

    @property
    def key(self) -> str:
        return self.code or self.definition_id or self.label


class PromptRow(_Row):
    labels: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    carries: Carries


class UnitRow(_Row):
    names: tuple[str, ...]
    unit: Unit


class StatusRow(_Row):
    """A bail or custody status letter; only a custodial one (with a remand type) makes a remand."""

    letter: str = Field(min_length=1, max_length=1)
    meaning: str
    remand_type: RemandType | None = None


class PleaRow(_Row):
    values: tuple[str, ...]
    plea: Literal["guilty", "not_guilty"]


class _ResultsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: list[ResultRow]
    prompt: list[PromptRow]
    unit: list[UnitRow]
    status: list[StatusRow]
    plea: list[PleaRow]


class CourtCentre(_Row):
    code: str
    name: str
    kind: CourtKind
    yjs: str


class _CourtCentresFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    court_centre: list[CourtCentre]


@dataclass(frozen=True)
class ResultMapping:
    """`results.toml`, indexed the ways a translator looks things up."""

    rows: tuple[ResultRow, ...]
    by_definition: dict[str, ResultRow]
    by_label: dict[str, ResultRow]
    by_code: dict[str, ResultRow]
    prompts: tuple[PromptRow, ...]
    units: dict[str, Unit]
    statuses: dict[str, StatusRow]
    pleas: dict[str, Literal["guilty", "not_guilty"]]

    def row_for(self, code: str | None, definition_id: str | None, label: str | None) -> ResultRow | None:
        """The row for a result line: by definition id, then label, then CJS code (see results.toml)."""
        if definition_id and (row := self.by_definition.get(definition_id.lower())):
            return row
        if label and (row := self.by_label.get(_fold(label))):
            return row
        if code:
            return self.by_code.get(code.strip())
        return None

    def carries(self, label: str | None, reference: str | None) -> Carries | None:
        """What a prompt carries (a term, an end date, …), by its label or its promptReference."""
        folded = _fold(label or "")
        for row in self.prompts:
            if folded and folded in {_fold(x) for x in row.labels}:
                return row.carries
            if reference and reference in row.references:
                return row.carries
        return None

    def unit(self, name: str) -> Unit | None:
        return self.units.get(_fold(name))


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _load(text: str, source_name: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MappingError(f"{source_name} is not valid TOML: {e}") from e


def _problem(e: ValidationError, source_name: str) -> MappingError:
    where = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()[:5])
    return MappingError(f"{source_name} has rows yjflow cannot use: {where}")


def parse_result_mapping(text: str, *, source_name: str = "results.toml") -> ResultMapping:
    """The result mapping from the text of `results.toml`; a duplicate key or a row without a source is refused."""
    try:
        data = _ResultsFile.model_validate(_load(text, source_name))
    except ValidationError as e:
        raise _problem(e, source_name) from e
    by_code: dict[str, ResultRow] = {}
    by_definition: dict[str, ResultRow] = {}
    for row in data.result:
        for index, key in ((by_code, row.code), (by_definition, (row.definition_id or "").lower() or None)):
            if key is None:
                continue
            if key in index:
                raise MappingError(f"{source_name}: result {key} is mapped twice")
            index[key] = row
    # A label finds a row only when the feed leaves out both keys, or sends a definition we do not list;
    # a label two rows share would be ambiguous, so it finds neither.
    labels: dict[str, list[ResultRow]] = {}
    for row in data.result:
        labels.setdefault(_fold(row.label), []).append(row)
    by_label = {label: rows[0] for label, rows in labels.items() if len(rows) == 1}
    units: dict[str, Unit] = {}
    for u in data.unit:
        for name in u.names:
            units[_fold(name)] = u.unit
    pleas: dict[str, Literal["guilty", "not_guilty"]] = {}
    for p in data.plea:
        for value in p.values:
            if value.upper() in pleas:
                raise MappingError(f"{source_name}: plea {value} is mapped twice")
            pleas[value.upper()] = p.plea
    return ResultMapping(
        rows=tuple(data.result),
        by_definition=by_definition,
        by_label=by_label,
        by_code=by_code,
        prompts=tuple(data.prompt),
        units=units,
        statuses={s.letter: s for s in data.status},
        pleas=pleas,
    )


def parse_court_centres(text: str, *, source_name: str = "court_centres.toml") -> dict[str, CourtCentre]:
    """Court centre OU code to the centre's name, kind and the YJS that serves it (a deployment's policy)."""
    try:
        data = _CourtCentresFile.model_validate(_load(text, source_name))
    except ValidationError as e:
        raise _problem(e, source_name) from e
    centres: dict[str, CourtCentre] = {}
    for centre in data.court_centre:
        code = centre.code.strip().upper()
        if code in centres:
            raise MappingError(f"{source_name}: court centre {code} is listed twice")
        centres[code] = centre
    return centres
