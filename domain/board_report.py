"""The management board's quarterly report, as pure data: the quarter, orders started and ended by kind,
compliance by rule, remand episodes and how they ended, and the statutory cohort by ethnicity and sex
against the service's 10–17 population (`yjb-returns.md`, "What the seeds ask of the board's reports").

Quarters are the financial year's, as the YJB's returns count them: Q1 is April to June. The population
figures are policy data with their source (`rules/population.toml`, one section per service), never
constants here; the cohort's ethnicity and sex come from the children's records, and a child without
one (or with the value not known) is counted apart as not held.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, model_validator

from domain.calendar import add_calendar_months
from domain.child_record import ChildRecord, Ethnicity, Sex, ethnic_group
from domain.compliance import ComplianceFigures

__all__ = [
    "BoardReport",
    "CohortLine",
    "OrderCounts",
    "PopulationError",
    "PopulationPolicy",
    "Quarter",
    "RemandEpisode",
    "RemandLine",
    "RemandOutcome",
    "ServicePopulation",
    "build_board_report",
    "cohort_lines",
    "load_population",
    "remand_outcome",
]

_QUARTER = re.compile(r"^(?P<year>\d{4})-(?P<next>\d{2})-Q(?P<q>[1-4])$")
_MONTHS = ("April to June", "July to September", "October to December", "January to March")


class Quarter(BaseModel):
    """One quarter of a financial year: `2026-27-Q1` is April to June 2026, `2026-27-Q4` January to March
    2027. `start` is its first day, `end` the first day after it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int = Field(ge=2000, le=2999, description="The calendar year the financial year starts in.")
    number: int = Field(ge=1, le=4)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """`2026-27-Q1`; anything else is a ValueError saying the form expected."""
        m = _QUARTER.match(text.strip())
        if m is None or int(m["next"]) != (int(m["year"]) + 1) % 100:
            raise ValueError(
                f"quarter must be a financial year's quarter in the form YYYY-YY-Qn, for example 2026-27-Q1"
                f" (April to June 2026), not {text!r}"
            )
        return cls(year=int(m["year"]), number=int(m["q"]))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year=year, number=((day.month - 4) % 12) // 3 + 1)

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        return add_calendar_months(self.start, 3)

    def following(self) -> Quarter:
        return Quarter(year=self.year + (self.number == 4), number=self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(year=self.year - (self.number == 1), number=(self.number - 2) % 4 + 1)

    @property
    def id(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}-Q{self.number}"

    @property
    def label(self) -> str:
        """`Q1 2026-27 (April to June 2026)`."""
        return f"Q{self.number} {self.year}-{(self.year + 1) % 100:02d} ({_MONTHS[self.number - 1]} {self.start.year})"


# --- population: policy data -----------------------------------------------------------------------


class PopulationError(ValueError):
    """A population file that cannot be used; the message names the service and the field."""


class ServicePopulation(BaseModel):
    """One service's 10–17 population by ethnicity and by sex, as shares (0–1) of that population, with
    where the figures come from. A group the source does not give is left out, never guessed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=1)
    confidence: str = Field(min_length=1, description="As the rule pack marks it: [U] until checked.")
    population_10_17: int | None = Field(default=None, ge=1)
    ethnicity: dict[str, float] = {}
    sex: dict[str, float] = {}

    @model_validator(mode="after")
    def _shares(self) -> ServicePopulation:
        for name, shares in (("ethnicity", self.ethnicity), ("sex", self.sex)):
            for group, share in shares.items():
                if not 0 <= share <= 1:
                    raise ValueError(f"{name}.{group} must be a share between 0 and 1, not {share}")
            if sum(shares.values()) > 1.0001:
                raise ValueError(f"{name}'s shares add up to more than 1 ({sum(shares.values()):.3f})")
        return self


class PopulationPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1)
    services: dict[str, ServicePopulation]

    def of(self, yjs: str | None) -> ServicePopulation | None:
        return None if yjs is None else self.services.get(yjs)


def load_population(text: str, *, source_name: str = "population.toml") -> PopulationPolicy:
    """Parse a population file (`[services.<yjs>]` sections); a bad one is a PopulationError naming it."""
    try:
        return PopulationPolicy.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as e:
        raise PopulationError(f"{source_name} is not valid TOML: {e}") from e
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors())
        raise PopulationError(f"{source_name}: {problems}") from e


# --- the report's parts -----------------------------------------------------------------------------


class OrderCounts(BaseModel):
    """One kind of order in the quarter: how many started, how many ended, and the states they ended in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    started: int = 0
    ended: int = 0
    ended_as: dict[str, int] = {}


RemandOutcome = Literal["custodial_sentence", "community_sentence", "bail", "acquitted", "discontinued"]
SECURE_REMAND = "youth_detention_accommodation"
CUSTODIAL_SENTENCE_KINDS = frozenset({"detention_and_training_order"})


def remand_outcome(how: str, sentence_kind: str | None) -> RemandOutcome:
    """How a remand episode ended, as the board reads it: a sentence is custodial or not by the kind of
    the order that followed (`RemandEnded.sentence_order_id`); one with no order named counts as community."""
    if how == "convicted_and_sentenced":
        return "custodial_sentence" if sentence_kind in CUSTODIAL_SENTENCE_KINDS else "community_sentence"
    if how in ("bail", "acquitted", "discontinued"):
        return how  # type: ignore[return-value]  # the three literals named above
    raise ValueError(f"unknown way for a remand to end: {how!r}")


class RemandLine(BaseModel):
    """Remand episodes of one type (bail, RLAA, YDA…) ended in the quarter, by how they ended."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    remand_type: str
    started: int = 0
    ended: int = 0
    ended_how: dict[str, int] = {}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def secure(self) -> bool:
        return self.remand_type == SECURE_REMAND

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pct_ended_in_custody(self) -> float | None:
        n = self.ended_how.get("custodial_sentence", 0)
        return round(100 * n / self.ended, 1) if self.ended else None


class CohortLine(BaseModel):
    """One group (an ethnicity, a sex) of the statutory cohort beside its share of the 10–17 population.
    `cohort` None: yjflow does not hold the item for the cohort's children."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: str
    population_pct: float | None
    cohort: int | None
    cohort_pct: float | None


def cohort_lines(population: dict[str, float], cohort: dict[str, int] | None) -> list[CohortLine]:
    """Each group either side names, population share beside cohort share (percentages)."""
    groups = sorted(set(population) | set(cohort or {}))
    total = sum((cohort or {}).values())
    return [
        CohortLine(
            group=g,
            population_pct=round(100 * population[g], 1) if g in population else None,
            cohort=None if cohort is None else cohort.get(g, 0),
            cohort_pct=round(100 * cohort.get(g, 0) / total, 1) if cohort is not None and total else None,
        )
        for g in groups
    ]


class BoardReport(BaseModel):
    """The quarter's report for one service (or every service, `yjs` None)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    yjs: str | None
    quarter: str
    label: str
    start: date
    end: date
    orders: list[OrderCounts]
    compliance: dict[str, ComplianceFigures]
    remands: list[RemandLine]
    cohort_size: int = Field(description="Children on a sentence (referral order, YRO, DTO) at any time in it.")
    ethnicity: list[CohortLine]
    sex: list[CohortLine]
    girls_pct: float | None
    population_source: str | None
    ethnicity_not_held: int = Field(default=0, description="Cohort children without a record, or not known.")
    sex_not_held: int = Field(default=0, description="Cohort children without a record, or sex not known.")
    not_held: list[str] = Field(description="Items the report asks for that yjflow does not hold.")


class RemandEpisode(BaseModel):
    """One remand as its events give it: the type it started as, and how it ended (None: not yet)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    remand_type: str
    remand_date: date
    ended_how: str | None = None
    ended_on: date | None = None
    sentence_kind: str | None = None  # the kind of the order the sentence made, when named


class CohortRecords(BaseModel):
    """The statutory cohort's children as their records give them: counts by ethnic group and by sex, and
    how many are not held for each (no record, or the value recorded as not known), counted apart."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ethnicity: dict[str, int] = {}
    sex: dict[str, int] = {}
    ethnicity_not_held: int = 0
    sex_not_held: int = 0


def cohort_records(records: Sequence[ChildRecord | None]) -> CohortRecords:
    """Each child once: a missing record, or a not-known value, is counted as not held rather than
    guessed; "not stated" is the child's own answer and counted as a group."""
    ethnicity: dict[str, int] = {}
    sex: dict[str, int] = {}
    no_ethnicity = no_sex = 0
    for r in records:
        if r is None or r.ethnicity == Ethnicity.NOT_KNOWN:
            no_ethnicity += 1
        else:
            group = ethnic_group(r.ethnicity)
            ethnicity[group] = ethnicity.get(group, 0) + 1
        if r is None or r.sex == Sex.NOT_KNOWN:
            no_sex += 1
        else:
            sex[r.sex.value] = sex.get(r.sex.value, 0) + 1
    return CohortRecords(ethnicity=ethnicity, sex=sex, ethnicity_not_held=no_ethnicity, sex_not_held=no_sex)


def _not_held(cohort: CohortRecords, size: int) -> list[str]:
    said = []
    if cohort.ethnicity_not_held:
        said.append(
            f"ethnicity of {cohort.ethnicity_not_held} of the {size} children in the statutory cohort "
            "(no record of the child, or their ethnicity recorded as not known)"
        )
    if cohort.sex_not_held:
        said.append(
            f"sex of {cohort.sex_not_held} of the {size} children in the statutory cohort "
            "(no record of the child, or their sex recorded as not known)"
        )
    return said


def build_board_report(
    quarter: Quarter,
    yjs: str | None,
    *,
    orders: list[OrderCounts],
    compliance: dict[str, ComplianceFigures],
    remands: list[RemandEpisode],
    cohort_size: int,
    population: ServicePopulation | None,
    cohort: CohortRecords | None = None,
) -> BoardReport:
    """The report from what the projections hold for the quarter; the cohort's ethnicity and sex from the
    children's records (`cohort`), shares of the children whose value is held, beside the population's."""
    cohort = cohort if cohort is not None else CohortRecords(ethnicity_not_held=cohort_size, sex_not_held=cohort_size)
    girls, boys = cohort.sex.get(Sex.FEMALE.value, 0), cohort.sex.get(Sex.MALE.value, 0)
    lines: dict[str, RemandLine] = {}
    for r in remands:
        line = lines.get(r.remand_type) or RemandLine(remand_type=r.remand_type)
        started = line.started + (quarter.start <= r.remand_date < quarter.end)
        ended_how = dict(line.ended_how)
        ended = line.ended
        if r.ended_how is not None and r.ended_on is not None and quarter.start <= r.ended_on < quarter.end:
            how = remand_outcome(r.ended_how, r.sentence_kind)
            ended_how[how] = ended_how.get(how, 0) + 1
            ended += 1
        lines[r.remand_type] = RemandLine(remand_type=r.remand_type, started=started, ended=ended, ended_how=ended_how)
    return BoardReport(
        yjs=yjs,
        quarter=quarter.id,
        label=quarter.label,
        start=quarter.start,
        end=quarter.end,
        orders=sorted(orders, key=lambda o: o.kind),
        compliance=dict(sorted(compliance.items())),
        remands=[lines[k] for k in sorted(lines)],
        cohort_size=cohort_size,
        ethnicity=cohort_lines(population.ethnicity if population else {}, cohort.ethnicity or None),
        sex=cohort_lines(population.sex if population else {}, cohort.sex or None),
        girls_pct=round(100 * girls / (girls + boys), 1) if girls + boys else None,
        population_source=f"{population.source} {population.confidence}" if population else None,
        ethnicity_not_held=cohort.ethnicity_not_held,
        sex_not_held=cohort.sex_not_held,
        not_held=_not_held(cohort, cohort_size),
    )
