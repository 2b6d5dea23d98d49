"""The outcome's parts: the court, the child, the offences, and the victims by reference only."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictStr

from domain.court_outcome.field_types import IsoDate, _Part

CourtKind = Literal["youth", "magistrates", "crown"]
Plea = Literal["guilty", "not_guilty"]


class Court(_Part):
    name: StrictStr
    kind: CourtKind


class Child(_Part):
    id: StrictStr
    given_name: StrictStr
    family_name: StrictStr
    date_of_birth: IsoDate


class Offence(_Part):
    code: StrictStr
    description: StrictStr
    offence_date: IsoDate
    plea: Plea
    convicted: StrictBool
    # Optional (the contract allows more optional fields): a violent or sexual offence with a custodial
    # sentence of 12 months or more entitles its victims to the probation Victim Contact Scheme.
    violent_or_sexual: StrictBool = False


VICTIM_FIELDS = frozenset({"ref", "kind", "under_18"})


class Victim(BaseModel):
    """A victim by reference only: contact details live in the segregated victim store, never here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: StrictStr
    kind: Literal["person", "organisation"]
    under_18: StrictBool
