"""The child's record: who the child is, as their service knows them.

Kept apart from events and Temporal (`activities.child_records`: encrypted under a key of the child's own,
every read logged), so erasing it at the end of retention is destroying that key. Events about it name
which fields changed and why, never a value.

The categories are those the YJB's case-level data records (`yjb-returns.md`: `person_details` carries
ethnicity and sex). Ethnicity uses the 19 categories of the 2021 Census for England and Wales (ONS,
"Ethnic group classification 2021"), grouped into the five high-level groups the board reports use, plus
"not stated" for a child who has not said and "not known" where nobody has asked yet.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"
    NOT_KNOWN = "not_known"


class Ethnicity(StrEnum):
    """ONS 2021 Census ethnic groups (England and Wales), one value per category."""

    ASIAN_BANGLADESHI = "asian_bangladeshi"
    ASIAN_CHINESE = "asian_chinese"
    ASIAN_INDIAN = "asian_indian"
    ASIAN_PAKISTANI = "asian_pakistani"
    ASIAN_OTHER = "asian_other"
    BLACK_AFRICAN = "black_african"
    BLACK_CARIBBEAN = "black_caribbean"
    BLACK_OTHER = "black_other"
    MIXED_WHITE_ASIAN = "mixed_white_and_asian"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_and_black_african"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_and_black_caribbean"
    MIXED_OTHER = "mixed_other"
    WHITE_BRITISH = "white_british"
    WHITE_IRISH = "white_irish"
    WHITE_GYPSY_OR_IRISH_TRAVELLER = "white_gypsy_or_irish_traveller"
    WHITE_ROMA = "white_roma"
    WHITE_OTHER = "white_other"
    OTHER_ARAB = "other_arab"
    OTHER_ANY = "other_any"
    NOT_STATED = "not_stated"
    NOT_KNOWN = "not_known"


ETHNIC_GROUPS: dict[str, str] = {
    "asian": "Asian, Asian British or Asian Welsh",
    "black": "Black, Black British, Black Welsh, Caribbean or African",
    "mixed": "Mixed or Multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
    "not_stated": "Not stated",
    "not_known": "Not known",
}


def ethnic_group(ethnicity: Ethnicity) -> str:
    """The high-level 2021 Census group of a category (the key of `ETHNIC_GROUPS`)."""
    if ethnicity in (Ethnicity.NOT_STATED, Ethnicity.NOT_KNOWN):
        return ethnicity.value
    return ethnicity.value.split("_", 1)[0]


# A PNC ID as forces write it: the year (two or four digits), a slash, the serial and a check letter,
# e.g. 2004/0046583U or 04/46583U. The check letter is not verified: its algorithm is not public here.
_PNC = re.compile(r"^(\d{2}|\d{4})/\d{1,7}[A-Z]$")
# An organisation unit code of the criminal justice system: seven letters and digits (e.g. B01EF01).
_OU_CODE = re.compile(r"^[A-Z0-9]{7}$")
# YJB's young person id: its format is not public here; letters, digits and hyphens, as exported.
_YPID = re.compile(r"^[A-Za-z0-9-]{1,40}$")

CORRECTABLE_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "pnc",
    "ypid",
    "ou_code",
)


class ChildRecord(BaseModel):
    """What the child's service holds about who the child is. Names and the date of birth come from the
    court; the rest is filled in by the service (court feeds rarely carry them)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    sex: Sex = Sex.NOT_KNOWN
    ethnicity: Ethnicity = Ethnicity.NOT_KNOWN
    pnc: str | None = Field(default=None, description="Police National Computer id, e.g. 2004/0046583U.")
    ypid: str | None = Field(default=None, description="The YJB's young person id, where known.")
    ou_code: str | None = Field(default=None, description="The service's organisation unit code (e.g. F00WW00).")

    @field_validator("given_name", "family_name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("a name cannot be blank")
        if any(unicodedata.category(c).startswith("C") for c in value):
            raise ValueError("a name cannot hold control characters")
        return value

    @field_validator("pnc")
    @classmethod
    def _pnc(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if not _PNC.match(value):
            raise ValueError("a PNC id is the year, a slash, the serial and a check letter, e.g. 2004/0046583U")
        return value

    @field_validator("ou_code")
    @classmethod
    def _ou_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if not _OU_CODE.match(value):
            raise ValueError("an OU code is seven letters and digits, e.g. F00WW00")
        return value

    @field_validator("ypid")
    @classmethod
    def _ypid(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not _YPID.match(value):
            raise ValueError("a YJB ypid is up to 40 letters, digits and hyphens")
        return value

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years on `day` (a child born on 29 February has their birthday on 1 March in other years)."""
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


class RecordCorrection(BaseModel):
    """A correction by the child's service: the new values of the fields it changes, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    changes: dict[str, Any] = Field(description=f"New values by field; fields: {', '.join(CORRECTABLE_FIELDS)}.")
    reason: str = Field(min_length=1, max_length=2000, description="Why the record was wrong.")

    @field_validator("changes")
    @classmethod
    def _fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(CORRECTABLE_FIELDS))
        if unknown:
            raise ValueError(f"not a field of the child's record: {', '.join(unknown)}")
        if not value:
            raise ValueError("a correction changes at least one field")
        return value


def corrected(record: ChildRecord, correction: RecordCorrection) -> tuple[ChildRecord, list[str]]:
    """The record after the correction and the fields whose value actually changed (validated whole, so a
    bad value is refused naming its field)."""
    after = ChildRecord.model_validate({**record.model_dump(), **correction.changes})
    changed = [f for f in CORRECTABLE_FIELDS if getattr(after, f) != getattr(record, f)]
    return after, changed


def filled_from_court(
    record: ChildRecord | None, given_name: str, family_name: str, date_of_birth: date
) -> ChildRecord:
    """What the record holds once a court outcome names the child: the court's names and date of birth
    for a new record; an existing one is the service's and stays as it is (corrections win)."""
    if record is not None:
        return record
    return ChildRecord(given_name=given_name, family_name=family_name, date_of_birth=date_of_birth)


# --- finding a child ---------------------------------------------------------------------------------

SEARCH_PREFIX_MIN = 2
SEARCH_PREFIX_MAX = 20
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _folded(text: str) -> str:
    """Case and accents folded, so "Zoë" finds "zoe" and "O'Neil" finds "oneil"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() or c.isspace() or c == "-")


def _words(text: str) -> list[str]:
    return [w for part in _folded(text).replace("-", " ").split() if (w := part.strip())]


def search_tokens(record: ChildRecord) -> set[str]:
    """What a search may match a record by: each name word's prefixes, and the date of birth. Stored only
    as keyed hashes (`activities.child_records`), never as text."""
    tokens = {f"dob:{record.date_of_birth.isoformat()}"}
    for word in _words(record.given_name) + _words(record.family_name):
        for n in range(SEARCH_PREFIX_MIN, min(len(word), SEARCH_PREFIX_MAX) + 1):
            tokens.add(f"name:{word[:n]}")
    return tokens


class SearchQuery(BaseModel):
    """A search for a child as a worker types it: words of a name, a date of birth, or both."""

    model_config = ConfigDict(frozen=True)

    tokens: frozenset[str]
    text: str


def parse_search(q: str) -> SearchQuery:
    """The tokens a query must all match. Dates as 2011-03-04 or 4/3/2011 (day first, as in England);
    each other word is the start of a name. Raises ValueError saying what a query may hold."""
    text = " ".join(q.split())
    if not text:
        raise ValueError("type part of a name, a date of birth (e.g. 4/3/2011) or a child's id")
    tokens: set[str] = set()
    for part in text.split():
        day = _as_date(part)
        if day is not None:
            tokens.add(f"dob:{day.isoformat()}")
            continue
        for word in _words(part):
            if len(word) < SEARCH_PREFIX_MIN:
                raise ValueError(f"type at least {SEARCH_PREFIX_MIN} letters of a name ({part!r} is too short)")
            tokens.add(f"name:{word[:SEARCH_PREFIX_MAX]}")
    if not tokens:
        raise ValueError("type part of a name, a date of birth (e.g. 4/3/2011) or a child's id")
    return SearchQuery(tokens=frozenset(tokens), text=text)


def _as_date(part: str) -> date | None:
    try:
        return date.fromisoformat(part)
    except ValueError:
        pass
    match = _DMY.match(part)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None
