"""A victim's personal details: who they are and how they want to be contacted.

These details never travel in workflow inputs, Temporal history, search attributes, logs or the child's
timeline: they live encrypted in their own table (`activities.victim_details`), and everything else refers
to the victim by a pseudonymous victim ref. `VictimDetails.redacted_summary()` is the most a timeline may
show about them.

Validation errors name the field that is wrong (its `loc`, and the message begins with it) and never echo
the value given (`hide_input_in_errors`), so a refused form can be logged or returned in a 422 without
leaking the details it was refusing. `repr()` hides the identifying fields for the same reason.

Rules from the Victims' Code 2020 (see docs youth-justice.md §2.3):
- a victim under 18 is entitled to enhanced rights, and their parent or guardian also receives Code
  services, so both are required;
- an organisation is dealt with only through a named point of contact.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# A short piece of identifying text (a name, an address line): trimmed, never empty.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


class VictimKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class ContactRoute(StrEnum):
    """How the victim asked to be contacted; the route decides which contact field is required."""

    PHONE = "phone"
    TEXT_MESSAGE = "text_message"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"
    VIA_POLICE = "via_police"
    VIA_PARENT_OR_GUARDIAN = "via_parent_or_guardian"


# The contact field each route needs; routes not listed need none of their own.
_ROUTE_NEEDS: dict[ContactRoute, str] = {
    ContactRoute.PHONE: "phone",
    ContactRoute.TEXT_MESSAGE: "phone",
    ContactRoute.EMAIL: "email",
    ContactRoute.LETTER: "address",
    ContactRoute.VIA_PARENT_OR_GUARDIAN: "parent_or_guardian",
}


def _invalid(message: str) -> PydanticCustomError:
    # A custom error rather than ValueError: the message reads as written, without "Value error, ".
    return PydanticCustomError("victim_details", message)


def _check_phone(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    compact = _PHONE_SEPARATORS.sub("", value)
    digits = compact.removeprefix("+")
    if not digits.isdigit() or not digits.isascii():
        raise _invalid(f"{field}: use digits only (spaces, dashes, brackets and a leading + are allowed)")
    if not 10 <= len(digits) <= 15:
        raise _invalid(f"{field}: a phone number has 10 to 15 digits, this one has {len(digits)}")
    return compact


def _check_email(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    local, at, domain = value.partition("@")
    labels = domain.split(".")
    if (
        not (local and at and domain)
        or "@" in domain
        or any(c.isspace() for c in value)
        or len(labels) < 2
        or not all(labels)
        or len(value) > 254
    ):
        raise _invalid(f"{field}: not a valid email address (expected name@example.org)")
    return value


class _Private(BaseModel):
    # frozen: details are replaced whole, never patched; forbid: a misspelt field is an error, not lost data.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class PostalAddress(_Private):
    lines: list[Text] = Field(min_length=1, max_length=4, repr=False, description="Street address, 1–4 lines.")
    town: Text | None = Field(default=None, repr=False)
    postcode: Text = Field(repr=False, description="A UK postcode; stored upper case with one space.")

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        match = _UK_POSTCODE.match(value.upper())
        if not match:
            raise _invalid("postcode: not a UK postcode (expected e.g. SW1A 1AA)")
        return f"{match[1]} {match[2]}"


class ParentOrGuardian(_Private):
    """Who receives Code services alongside a victim under 18, and how to reach them."""

    name: Text = Field(repr=False)
    relationship: Text | None = Field(default=None, description="e.g. mother, foster carer, social worker")
    phone: Text | None = Field(default=None, repr=False)
    email: Text | None = Field(default=None, repr=False)
    address: PostalAddress | None = Field(default=None, repr=False, validate_default=True)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return _check_phone("phone", value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return _check_email("email", value)

    @field_validator("address")
    @classmethod
    def _some_contact(cls, value: PostalAddress | None, info: ValidationInfo) -> PostalAddress | None:
        # Declared last, so the other contact fields (when valid) are already in info.data.
        # A phone or email refused for its format is missing from info.data: that error is enough.
        given = ("phone" not in info.data or info.data["phone"] is not None) or (
            "email" not in info.data or info.data["email"] is not None
        )
        if value is None and not given:
            raise _invalid("parent_or_guardian: give at least one of phone, email or address")
        return value


class VictimSummary(BaseModel):
    """The non-identifying facts about a victim: all a child's timeline or a report may carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: VictimKind
    under_18: bool
    enhanced_rights: bool
    contact_route: ContactRoute


class VictimDetails(_Private):
    """A victim's personal details. A person has a `name`; an organisation has an `organisation_name`
    and a `named_contact`, and the contact fields are that contact's."""

    # The facts first: the field validators below read them from `info.data`, which holds only the
    # fields declared (and successfully validated) before the one being checked.
    kind: VictimKind = VictimKind.PERSON
    under_18: bool = Field(description="Under 18 at the time of the offence: enhanced rights, parent involved.")
    enhanced_rights: bool = Field(description="Entitled to enhanced rights under the Victims' Code.")
    contact_route: ContactRoute

    name: Text | None = Field(default=None, repr=False, validate_default=True)
    organisation_name: Text | None = Field(default=None, repr=False, validate_default=True)
    named_contact: Text | None = Field(default=None, repr=False, validate_default=True)
    phone: Text | None = Field(default=None, repr=False, validate_default=True)
    email: Text | None = Field(default=None, repr=False, validate_default=True)
    address: PostalAddress | None = Field(default=None, repr=False, validate_default=True)
    preferred_contact_times: LongText | None = Field(default=None, repr=False)
    parent_or_guardian: ParentOrGuardian | None = Field(default=None, repr=False, validate_default=True)
    notes: LongText | None = Field(default=None, repr=False)

    @field_validator("under_18")
    @classmethod
    def _under_18(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("kind") == VictimKind.ORGANISATION:
            raise _invalid("under_18: an organisation cannot be under 18")
        return value

    @field_validator("enhanced_rights")
    @classmethod
    def _enhanced_rights(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("kind") == VictimKind.ORGANISATION:
            raise _invalid("enhanced_rights: an organisation has no enhanced rights under the Victims' Code")
        if not value and info.data.get("under_18") is True:
            raise _invalid("enhanced_rights: a victim under 18 is entitled to enhanced rights under the Victims' Code")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind == VictimKind.PERSON and value is None:
            raise _invalid("name: a person needs a name")
        if kind == VictimKind.ORGANISATION and value is not None:
            raise _invalid("name: for an organisation give organisation_name and named_contact instead")
        return value

    @field_validator("organisation_name")
    @classmethod
    def _organisation_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind == VictimKind.ORGANISATION and value is None:
            raise _invalid("organisation_name: an organisation needs its name")
        if kind == VictimKind.PERSON and value is not None:
            raise _invalid("organisation_name: only for kind 'organisation'")
        return value

    @field_validator("named_contact")
    @classmethod
    def _named_contact(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind == VictimKind.ORGANISATION and value is None:
            raise _invalid("named_contact: an organisation needs a named contact (the Code deals only with a person)")
        if kind == VictimKind.PERSON and value is not None:
            raise _invalid("named_contact: only for kind 'organisation'")
        return value

    @staticmethod
    def _required_by_route(field: str, value: object, info: ValidationInfo) -> None:
        route = info.data.get("contact_route")
        if value is None and route is not None and _ROUTE_NEEDS.get(route) == field:
            raise _invalid(f"{field}: required when contact_route is {route.value}")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        cls._required_by_route("phone", value, info)
        return _check_phone("phone", value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None, info: ValidationInfo) -> str | None:
        cls._required_by_route("email", value, info)
        return _check_email("email", value)

    @field_validator("address")
    @classmethod
    def _address(cls, value: PostalAddress | None, info: ValidationInfo) -> PostalAddress | None:
        cls._required_by_route("address", value, info)
        return value

    @field_validator("parent_or_guardian")
    @classmethod
    def _parent_or_guardian(cls, value: ParentOrGuardian | None, info: ValidationInfo) -> ParentOrGuardian | None:
        if value is None and info.data.get("under_18") is True:
            raise _invalid("parent_or_guardian: a victim under 18 needs a parent or guardian")
        if value is not None and info.data.get("kind") == VictimKind.ORGANISATION:
            raise _invalid("parent_or_guardian: not for an organisation")
        cls._required_by_route("parent_or_guardian", value, info)
        return value

    def redacted_summary(self) -> VictimSummary:
        """What a timeline, a report or a log may say about this victim: nothing that identifies them."""
        return VictimSummary(
            kind=self.kind,
            under_18=self.under_18,
            enhanced_rights=self.enhanced_rights,
            contact_route=self.contact_route,
        )


# What a victim worker types on a victim contact's step is personal data, so the event records only this
# reference to the note sealed under the victim's key; erasing the victim makes the note unreadable.
NOTE_REF_PREFIX = "victim-note:"
_NOTE_REF = re.compile(r"^victim-note:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
NOTE_HELD = "A note is held in the victim's encrypted record (readable by victim workers and their managers)."


def note_ref(note_id: str) -> str:
    return f"{NOTE_REF_PREFIX}{note_id}"


def note_id_of(reason: str | None) -> str | None:
    """The sealed note's id when `reason` is a reference to one, else None (no reason, or clear text)."""
    match = _NOTE_REF.match(reason) if reason else None
    return match[1] if match else None


NOTE_HINT = (
    "Kept encrypted under the victim's key, never in the case record: only victim workers and their managers "
    "can read it, every reading is logged, and it is erased with the victim's details."
)
