"""The court outcome as a whole: one hearing's result for one child."""

from __future__ import annotations

from pydantic import StrictStr

from domain.court_outcome.disposals import Disposal
from domain.court_outcome.field_types import IsoDate, _Part
from domain.court_outcome.parts import Child, Court, Offence, Victim


class CourtOutcome(_Part):
    """One hearing's result for one child, as the court sent it (validated)."""

    outcome_id: StrictStr
    yjs: StrictStr
    court: Court
    hearing_date: IsoDate
    case_reference: StrictStr
    child: Child
    offences: list[Offence]
    disposal: Disposal
    victims: list[Victim] = []  # noqa: RUF012 - pydantic copies defaults per instance; ruff cannot see _Part is a model
