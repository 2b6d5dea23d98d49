"""A youth rehabilitation order's requirements (Sentencing Act 2020 Sch 6), as the court sends them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from domain.court_outcome.field_types import Hours, IsoDate, WholeNumber, _Part


class ActivityRequirement(_Part):
    kind: Literal["activity"]
    days: WholeNumber


class ExtendedActivityRequirement(_Part):
    """The ISS form of the activity requirement; also recognised as an `activity` of more than 90 days."""

    kind: Literal["extended_activity"]
    days: WholeNumber


class CurfewRequirement(_Part):
    kind: Literal["curfew"]
    hours_per_day: Hours
    end_date: IsoDate


class UnpaidWorkRequirement(_Part):
    kind: Literal["unpaid_work"]
    hours: WholeNumber


class OtherRequirement(_Part):
    """A Sch 6 requirement whose details yjflow does not need yet."""

    kind: Literal[
        "supervision",
        "electronic_monitoring",
        "programme",
        "attendance_centre",
        "prohibited_activity",
        "exclusion",
        "residence",
        "local_authority_residence",
        "fostering",
        "mental_health_treatment",
        "drug_treatment",
        "drug_testing",
        "intoxicating_substance_treatment",
        "education",
    ]


Requirement = Annotated[
    ActivityRequirement | ExtendedActivityRequirement | CurfewRequirement | UnpaidWorkRequirement | OtherRequirement,
    Field(discriminator="kind"),
]
