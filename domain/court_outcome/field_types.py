"""The contract's field types: dates written YYYY-MM-DD, whole numbers, hours; and the parts' base model."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StrictInt
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: object) -> object:
    # pydantic's own date parsing also takes timestamps and datetimes; the contract says YYYY-MM-DD only.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("iso_date", "must be a real date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A calendar date written exactly `YYYY-MM-DD` (or a `date` when a model is rebuilt in Python)."""

WholeNumber = Annotated[StrictInt, Field(ge=1)]
Hours = Annotated[float, Strict(), Field(allow_inf_nan=False)]


class _Part(BaseModel):
    # The contract lets senders add optional fields; yjflow ignores the ones it does not know.
    model_config = ConfigDict(frozen=True, extra="ignore")
