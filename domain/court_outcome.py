"""The court outcome: yjflow's intake contract (shared/domain/court-outcome.md), as types and checks.

`validate_court_outcome` turns a submitted body into a `CourtOutcome` or raises `OutcomeRejected`
listing every failing field with a stable rule id, so a court clerk can correct the whole outcome in
one pass. Shape errors come first (translated from pydantic), then the law for the disposal kind,
run on whatever parts of the body could be read. Messages never quote submitted values that could
identify a child or a victim, because rejected outcomes are shown and logged.

Workflow ids are derived from the outcome (service, court case reference, child, disposal), so a
second delivery of the same outcome maps onto the workflows it already started.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import PydanticCustomError

# --- errors -------------------------------------------------------------------------------------


class FieldError(BaseModel):
    """One reason an outcome was refused: where, which rule, and why in plain English."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    rule: str
    message: str


class OutcomeRejected(Exception):
    """A court outcome that yjflow refuses, with every failing field (not just the first)."""

    def __init__(self, errors: list[FieldError]) -> None:
        # The errors are the only argument so the exception pickles and copies intact.
        super().__init__(errors)
        self.errors = errors

    def __str__(self) -> str:
        lines = [f"court outcome rejected ({len(self.errors)} problem{'s' if len(self.errors) != 1 else ''}):"]
        lines += [f"- {e.field}: {e.message} [{e.rule}]" for e in self.errors]
        return "\n".join(lines)


# --- field types --------------------------------------------------------------------------------

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


# --- the outcome's parts ------------------------------------------------------------------------

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


def custodial_months(disposal: object) -> int | None:
    """The length of a custodial sentence in months, for the VCS test; None for a community order."""
    if not isinstance(disposal, DetentionAndTrainingOrderDisposal):
        return None
    if disposal.weeks is not None:
        # Whole months the weeks always reach: 52 weeks (364 days) never make 12 months, 53 always do.
        return disposal.weeks * 7 * 12 // 365
    return disposal.months


VICTIM_FIELDS = frozenset({"ref", "kind", "under_18"})


class Victim(BaseModel):
    """A victim by reference only: contact details live in the segregated victim store, never here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: StrictStr
    kind: Literal["person", "organisation"]
    under_18: StrictBool


# --- YRO requirements ---------------------------------------------------------------------------


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

# --- disposals ----------------------------------------------------------------------------------

RemandType = Literal["bail", "bail_with_support", "local_authority_accommodation", "youth_detention_accommodation"]
CUSTODIAL_REMANDS = frozenset({"local_authority_accommodation", "youth_detention_accommodation"})
CTL_DAYS = frozenset({56, 70, 182})


class ReferralOrderDisposal(_Part):
    kind: Literal["referral_order"]
    months: StrictInt


class YouthRehabilitationOrderDisposal(_Part):
    kind: Literal["youth_rehabilitation_order"]
    end_date: IsoDate
    requirements: list[Requirement]
    iss: StrictBool


class RemandDisposal(_Part):
    kind: Literal["remand"]
    type: RemandType
    next_hearing_date: IsoDate
    first_remand: StrictBool
    # Custody time limits run only in custody, so a bail remand may leave these out.
    ctl_start_date: IsoDate | None = None
    ctl_days: StrictInt | None = None


class DetentionAndTrainingOrderDisposal(_Part):
    """A DTO's term is in whole months or in whole weeks, never both (see `_detention_and_training_order`).

    `remand_days` and `tagged_bail_days` are the days the court directs to count towards the sentence
    (CJA 2003 ss.240ZA, 240A, applied to DTOs by PCSCA 2022 from 28 June 2022); they are optional
    fields the contract allows, and move the release dates (`domain.custody_dates`)."""

    kind: Literal["detention_and_training_order"]
    months: StrictInt | None = None
    weeks: StrictInt | None = None
    release_date: IsoDate | None = None
    remand_days: StrictInt = 0
    tagged_bail_days: StrictInt = 0


class _ActingOnOrder(BaseModel):
    """A decision on a running workflow: `order_ref` names it; the decision's own fields ride along
    (`domain.court_decisions` lists them per kind and maps the outcome to the order's own step)."""

    # The decision's fields stay flat beside `order_ref`, so a dump validates back to the same model.
    model_config = ConfigDict(frozen=True, extra="allow")

    order_ref: StrictStr

    @property
    def decision(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class RemandEndedDisposal(_ActingOnOrder):
    kind: Literal["remand_ended"]


class OrderRevokedDisposal(_ActingOnOrder):
    kind: Literal["order_revoked"]


class OrderExtendedDisposal(_ActingOnOrder):
    kind: Literal["order_extended"]


class BreachOutcomeDisposal(_ActingOnOrder):
    kind: Literal["breach_outcome"]


AnyDisposal = (
    ReferralOrderDisposal
    | YouthRehabilitationOrderDisposal
    | RemandDisposal
    | DetentionAndTrainingOrderDisposal
    | RemandEndedDisposal
    | OrderRevokedDisposal
    | OrderExtendedDisposal
    | BreachOutcomeDisposal
)
Disposal = Annotated[AnyDisposal, Field(discriminator="kind")]

ORDER_KINDS = frozenset({"referral_order", "youth_rehabilitation_order", "remand", "detention_and_training_order"})
ACTING_KINDS = frozenset({"remand_ended", "order_revoked", "order_extended", "breach_outcome"})
DISPOSAL_KINDS = ORDER_KINDS | ACTING_KINDS
# Every kind in the contract: the order kinds start their workflows, the acting kinds act on running
# ones (domain.court_decisions maps each to the order's own step). `validate_court_outcome` still takes
# a narrower set, for a deployment that must refuse some kinds for now.
SUPPORTED_KINDS: frozenset[str] = DISPOSAL_KINDS
ActingDisposal = RemandEndedDisposal | OrderRevokedDisposal | OrderExtendedDisposal | BreachOutcomeDisposal
"""A decision on a running order, named by `order_ref` (see `domain.court_decisions` for its fields)."""


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
    victims: list[Victim] = []


# --- ages and dates -----------------------------------------------------------------------------


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on `day` (a 29 February birthday counts from 1 March in other years)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def _add_months(day: date, months: int) -> date:
    # Calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb).
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


def _clear_days(first: date, second: date) -> int:
    # Clear days count neither end: remanded on the 1st, back on the 10th is 8 clear days.
    return (second - first).days - 1


# --- translating pydantic errors ----------------------------------------------------------------

_TYPE_RULES: dict[str, tuple[str, str]] = {
    "string_type": ("type.string", "must be text"),
    "int_type": ("type.integer", 'must be a whole number (for example 6, not 6.5 or "6")'),
    "int_parsing": ("type.integer", 'must be a whole number (for example 6, not 6.5 or "6")'),
    "int_from_float": ("type.integer", 'must be a whole number (for example 6, not 6.5 or "6")'),
    "bool_type": ("type.boolean", "must be true or false"),
    "bool_parsing": ("type.boolean", "must be true or false"),
    "float_type": ("type.number", "must be a number"),
    "float_parsing": ("type.number", "must be a number"),
    "finite_number": ("type.number", "must be a finite number"),
    "list_type": ("type.list", "must be a list"),
    "dict_type": ("type.object", "must be an object of named fields"),
    "model_type": ("type.object", "must be an object of named fields"),
    "model_attributes_type": ("type.object", "must be an object of named fields"),
    "iso_date": ("type.date", "must be a real date written YYYY-MM-DD"),
}


def _path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(f".{item}" if parts else item)
    return "".join(parts) or "body"


def _without_tags(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # pydantic puts the discriminator's value into the location (disposal.referral_order.months);
    # a clerk reads the path without it.
    items = list(loc)
    if len(items) >= 3 and items[0] == "disposal":
        del items[1]
        if len(items) >= 5 and items[1] == "requirements" and isinstance(items[2], int):
            del items[3]
    return tuple(items)


def _translate(
    exc: ValidationError, relocate: Callable[[tuple[int | str, ...]], tuple[int | str, ...]] = _without_tags
) -> list[FieldError]:
    errors: list[FieldError] = []
    forbidden: dict[str, list[str]] = {}
    for err in exc.errors():
        kind = err["type"]
        loc = relocate(tuple(err["loc"]))
        field = _path(loc)
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden" and len(loc) >= 3 and loc[0] == "victims":
            forbidden.setdefault(_path(loc[:2]), []).append(str(loc[2])[:40])
        elif kind == "missing":
            errors.append(FieldError(field=field, rule="required", message=f"{field} is required"))
        elif kind == "union_tag_not_found":
            errors.append(FieldError(field=f"{field}.kind", rule="required", message=f"{field}.kind is required"))
        elif kind == "union_tag_invalid" and loc == ("disposal",):
            errors.append(
                FieldError(
                    field="disposal.kind",
                    rule="disposal.kind.unknown",
                    message=f"disposal.kind must be one of {', '.join(sorted(DISPOSAL_KINDS))}",
                )
            )
        elif kind == "union_tag_invalid":
            errors.append(
                FieldError(
                    field=f"{field}.kind",
                    rule="one_of",
                    message=f"{field}.kind must be one of {ctx.get('expected_tags', 'the listed kinds')}",
                )
            )
        elif kind == "literal_error":
            errors.append(
                FieldError(
                    field=field,
                    rule="one_of",
                    message=f"{field} must be {ctx.get('expected', 'a listed value')}",
                )
            )
        elif kind == "greater_than_equal":
            errors.append(FieldError(field=field, rule="minimum", message=f"{field} must be at least {ctx.get('ge')}"))
        elif kind in _TYPE_RULES:
            rule, text = _TYPE_RULES[kind]
            errors.append(FieldError(field=field, rule=rule, message=f"{field} {text}"))
        else:
            errors.append(FieldError(field=field, rule="invalid", message=f"{field} is not valid"))
    for field, keys in forbidden.items():
        errors.append(
            FieldError(
                field=field,
                rule="victims.contact_details_forbidden",
                message=(
                    f"a victim is sent by reference only (ref, kind, under_18); {', '.join(keys)} refused: "
                    "contact details never travel in a court outcome"
                ),
            )
        )
    return errors


def field_errors(
    exc: ValidationError, relocate: Callable[[tuple[int | str, ...]], tuple[int | str, ...]]
) -> list[FieldError]:
    """pydantic's errors for part of an outcome as FieldErrors, each location put where it sits in the
    body by `relocate` (e.g. a decision's own field under `disposal`), with the rules and wording the
    whole outcome's errors use."""
    return _translate(exc, relocate)


# --- the parts that could be read ---------------------------------------------------------------


@dataclass(frozen=True)
class _Readable:
    """Each top-level part that validated on its own; None where the body's part is broken or absent."""

    outcome_id: str | None = None
    yjs: str | None = None
    court: Court | None = None
    hearing_date: date | None = None
    case_reference: str | None = None
    child: Child | None = None
    offences: list[Offence] | None = None
    disposal: AnyDisposal | None = None
    victims: list[Victim] | None = None


_PART_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "outcome_id": TypeAdapter(StrictStr),
    "yjs": TypeAdapter(StrictStr),
    "court": TypeAdapter(Court),
    "hearing_date": TypeAdapter(IsoDate),
    "case_reference": TypeAdapter(StrictStr),
    "child": TypeAdapter(Child),
    "offences": TypeAdapter(list[Offence]),
    "disposal": TypeAdapter(Disposal),
    "victims": TypeAdapter(list[Victim]),
}


def _readable_parts(body: object) -> _Readable:
    if not isinstance(body, dict):
        return _Readable()
    parts: dict[str, Any] = {}
    for name, adapter in _PART_ADAPTERS.items():
        if name in body:
            try:
                parts[name] = adapter.validate_python(body[name])
            except ValidationError:
                continue
    if "victims" not in body:
        parts["victims"] = []
    return _Readable(**parts)


def _parts_of(outcome: CourtOutcome) -> _Readable:
    return _Readable(
        outcome_id=outcome.outcome_id,
        yjs=outcome.yjs,
        court=outcome.court,
        hearing_date=outcome.hearing_date,
        case_reference=outcome.case_reference,
        child=outcome.child,
        offences=outcome.offences,
        disposal=outcome.disposal,
        victims=outcome.victims,
    )


# --- intake checks (every kind) -----------------------------------------------------------------

_OUTCOME_ID = re.compile(r"[A-Za-z0-9._:/-]{1,100}")
_YJS_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MAX_ID_LENGTH = 100


def _id_problem(value: str, *, colon_allowed: bool) -> str | None:
    # These values become parts of Temporal workflow ids, which must not carry whitespace, and
    # ':' separates the parts of a derived id.
    if len(value) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters"
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        return "contains a space or an unprintable character"
    if not colon_allowed and ":" in value:
        return "contains ':'"
    return None


def _check_id(value: str, field: str, rule: str, *, colon_allowed: bool = False) -> list[FieldError]:
    if not value.strip():
        return [FieldError(field=field, rule=f"{rule}.not_empty", message=f"{field} must not be empty")]
    problem = _id_problem(value, colon_allowed=colon_allowed)
    if problem is None:
        return []
    allowed = "no spaces" if colon_allowed else "no spaces or ':'"
    return [
        FieldError(
            field=field,
            rule=f"{rule}.workflow_id_safe",
            message=f"{field} {problem}: it becomes part of a workflow id, so it needs {allowed}",
        )
    ]


def _intake_checks(p: _Readable, today: date) -> list[FieldError]:
    errors: list[FieldError] = []
    if p.outcome_id is not None and not _OUTCOME_ID.fullmatch(p.outcome_id):
        errors.append(
            FieldError(
                field="outcome_id",
                rule="outcome_id.format",
                message="outcome_id must be 1–100 characters of letters, digits and . _ : / -",
            )
        )
    if p.yjs is not None and not (len(p.yjs) <= 50 and _YJS_SLUG.fullmatch(p.yjs)):
        errors.append(
            FieldError(
                field="yjs",
                rule="yjs.slug",
                message="yjs must be the service's lowercase slug, such as luton or milton-keynes",
            )
        )
    if p.case_reference is not None:
        errors += _check_id(p.case_reference, "case_reference", "case_reference")
    if p.child is not None:
        errors += _check_id(p.child.id, "child.id", "child.id")
    if p.hearing_date is not None and p.hearing_date > today:
        errors.append(
            FieldError(
                field="hearing_date",
                rule="hearing_date.not_in_future",
                message=(
                    f"hearing_date is after today ({today.isoformat()}): an outcome records a hearing already held"
                ),
            )
        )
    if p.child is not None and p.hearing_date is not None and p.child.date_of_birth >= p.hearing_date:
        errors.append(
            FieldError(
                field="child.date_of_birth",
                rule="child.date_of_birth.before_hearing",
                message="child.date_of_birth must be before the hearing date",
            )
        )
    if p.offences is not None and not p.offences:
        errors.append(
            FieldError(
                field="offences",
                rule="offences.at_least_one",
                message="an outcome needs at least one offence",
            )
        )
    if p.victims is not None:
        seen: set[str] = set()
        for i, victim in enumerate(p.victims):
            errors += _check_id(victim.ref, f"victims[{i}].ref", "victims.ref")
            if victim.ref in seen:
                errors.append(
                    FieldError(
                        field=f"victims[{i}].ref",
                        rule="victims.ref.unique",
                        message=f"victims[{i}].ref repeats an earlier victim's ref: list each victim once",
                    )
                )
            seen.add(victim.ref)
    if isinstance(p.disposal, _ActingOnOrder):
        errors += _check_id(p.disposal.order_ref, "disposal.order_ref", "disposal.order_ref", colon_allowed=True)
    return errors


# --- the law for each disposal kind -------------------------------------------------------------


def _age_at_hearing(p: _Readable) -> int | None:
    # Age at conviction is taken on the hearing date; a birth date on or after it is reported on its own.
    if p.child is None or p.hearing_date is None or p.child.date_of_birth >= p.hearing_date:
        return None
    return age_on(p.child.date_of_birth, p.hearing_date)


def _referral_order(d: ReferralOrderDisposal, p: _Readable, age: int | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if not 3 <= d.months <= 12:
        errors.append(
            FieldError(
                field="disposal.months",
                rule="referral_order.months_range",
                message=(f"a referral order must be 3–12 whole months (Sentencing Act 2020 s.83); got {d.months}"),
            )
        )
    if age is not None and age >= 18:
        errors.append(
            FieldError(
                field="child.date_of_birth",
                rule="referral_order.under_18_at_conviction",
                message=(
                    "a referral order needs the child to be under 18 at conviction "
                    f"(Sentencing Act 2020 s.84); the child was {age} on the hearing date"
                ),
            )
        )
    if p.offences and not any(o.plea == "guilty" for o in p.offences):
        errors.append(
            FieldError(
                field="offences",
                rule="referral_order.guilty_plea",
                message=("a referral order needs a guilty plea to at least one offence (Sentencing Act 2020 s.84)"),
            )
        )
    if p.court is not None and p.court.kind == "crown":
        errors.append(
            FieldError(
                field="court.kind",
                rule="referral_order.youth_or_magistrates_court",
                message=(
                    "a referral order is made only by a youth or magistrates' court, not the Crown Court "
                    "(Sentencing Act 2020 s.84)"
                ),
            )
        )
    return errors


def _is_extended_activity(r: Requirement) -> bool:
    return isinstance(r, ExtendedActivityRequirement) or (isinstance(r, ActivityRequirement) and r.days > 90)


def _youth_rehabilitation_order(d: YouthRehabilitationOrderDisposal, p: _Readable, age: int | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if age is not None and age >= 18:
        errors.append(
            FieldError(
                field="child.date_of_birth",
                rule="youth_rehabilitation_order.under_18_at_conviction",
                message=(
                    "a youth rehabilitation order needs the child to be under 18 at conviction "
                    f"(Sentencing Act 2020 Part 9); the child was {age} on the hearing date"
                ),
            )
        )
    if p.hearing_date is not None:
        if d.end_date <= p.hearing_date:
            errors.append(
                FieldError(
                    field="disposal.end_date",
                    rule="youth_rehabilitation_order.end_date_after_hearing",
                    message="a youth rehabilitation order's end date must be after the hearing",
                )
            )
        elif d.end_date > _add_months(p.hearing_date, 36):
            errors.append(
                FieldError(
                    field="disposal.end_date",
                    rule="youth_rehabilitation_order.end_date_within_3_years",
                    message=(
                        "a youth rehabilitation order must end within 3 years of the hearing "
                        "(Sentencing Act 2020 s.187)"
                    ),
                )
            )
        if d.iss and p.hearing_date < d.end_date < _add_months(p.hearing_date, 6):
            errors.append(
                FieldError(
                    field="disposal.end_date",
                    rule="youth_rehabilitation_order.iss_at_least_6_months",
                    message=(
                        "a youth rehabilitation order with ISS must last at least 6 months from the hearing "
                        "(Sentencing Act 2020 s.187)"
                    ),
                )
            )
    if not d.requirements:
        errors.append(
            FieldError(
                field="disposal.requirements",
                rule="youth_rehabilitation_order.at_least_one_requirement",
                message=("a youth rehabilitation order needs at least one requirement (Sentencing Act 2020 s.174)"),
            )
        )
    if d.iss:
        kinds = {r.kind for r in d.requirements}
        missing = [
            name
            for name, present in (
                (
                    "an extended activity requirement (activity of more than 90 days)",
                    any(_is_extended_activity(r) for r in d.requirements),
                ),
                ("supervision", "supervision" in kinds),
                ("curfew", "curfew" in kinds),
            )
            if not present
        ]
        if missing:
            errors.append(
                FieldError(
                    field="disposal.requirements",
                    rule="youth_rehabilitation_order.iss_requirements",
                    message=(
                        "a youth rehabilitation order with ISS needs extended activity, supervision and "
                        "curfew; "
                        f"missing: {'; '.join(missing)}"
                    ),
                )
            )
    for i, r in enumerate(d.requirements):
        if isinstance(r, UnpaidWorkRequirement) and age is not None and not 16 <= age <= 17:
            errors.append(
                FieldError(
                    field=f"disposal.requirements[{i}]",
                    rule="youth_rehabilitation_order.unpaid_work_age",
                    message=(
                        "an unpaid work requirement is only for a child aged 16 or 17 at conviction "
                        f"(Sentencing Act 2020 s.185); the child was {age}"
                    ),
                )
            )
        if isinstance(r, CurfewRequirement) and not 2 <= r.hours_per_day <= 16:
            errors.append(
                FieldError(
                    field=f"disposal.requirements[{i}].hours_per_day",
                    rule="youth_rehabilitation_order.curfew_hours",
                    message=(
                        "a curfew must be 2–16 hours a day (Sentencing Act 2020 Sch 6 para 18); "
                        f"got {r.hours_per_day:g}"
                    ),
                )
            )
    return errors


def _remand(d: RemandDisposal, p: _Readable, age: int | None) -> list[FieldError]:
    errors: list[FieldError] = []
    custodial = d.type in CUSTODIAL_REMANDS
    if age is not None and age >= 18:
        errors.append(
            FieldError(
                field="child.date_of_birth",
                rule="remand.under_18",
                message=(
                    "the youth remand framework is for children under 18 (LASPO 2012 s.91); "
                    f"the child was {age} on the hearing date"
                ),
            )
        )
    if d.type == "youth_detention_accommodation" and age is not None and age < 12:
        errors.append(
            FieldError(
                field="disposal.type",
                rule="remand.youth_detention_age_12",
                message=(
                    "a child under 12 cannot be remanded to youth detention accommodation, only to local "
                    f"authority accommodation (LASPO 2012 ss.98–99); the child was {age}"
                ),
            )
        )
    if p.hearing_date is not None and d.next_hearing_date <= p.hearing_date:
        errors.append(
            FieldError(
                field="disposal.next_hearing_date",
                rule="remand.next_hearing_after_hearing",
                message="the next hearing must be after this hearing",
            )
        )
    if d.ctl_days is not None and d.ctl_days not in CTL_DAYS:
        errors.append(
            FieldError(
                field="disposal.ctl_days",
                rule="remand.ctl_days",
                message=(
                    "a custody time limit is 56, 70 or 182 days "
                    f"(Prosecution of Offences (Custody Time Limits) Regulations 1987); got {d.ctl_days}"
                ),
            )
        )
    if custodial:
        for name, value in (("ctl_start_date", d.ctl_start_date), ("ctl_days", d.ctl_days)):
            if value is None:
                errors.append(
                    FieldError(
                        field=f"disposal.{name}",
                        rule="remand.custody_time_limit_required",
                        message=(
                            f"disposal.{name} is required for a remand to local authority or youth detention "
                            "accommodation: a custody time limit runs (Prosecution of Offences Act 1985 s.22)"
                        ),
                    )
                )
    return errors


def _remand_clear_days(d: RemandDisposal, hearing_date: date) -> list[FieldError]:
    """The clear-day limits on a remand in custody (MCA 1980 ss.128(6), 128A), as warnings.

    The court has already fixed the date and the child is held on its order, so a date beyond the limit
    is accepted and flagged (and recorded in the remand's stream as `NextHearingLimitBreached`), never
    refused: refusing would leave a remanded child with no workflow at all.
    """
    if d.type not in CUSTODIAL_REMANDS or d.next_hearing_date <= hearing_date:
        return []
    clear = _clear_days(hearing_date, d.next_hearing_date)
    if d.first_remand and clear > 8:
        return [
            FieldError(
                field="disposal.next_hearing_date",
                rule="remand.first_custodial_remand_8_clear_days",
                message=(
                    "after a first remand in custody the next hearing must be within 8 clear days "
                    f"(Magistrates' Courts Act 1980 s.128(6)); this is {clear} clear days: "
                    "accepted as the court ordered it, and flagged on the remand"
                ),
            )
        ]
    if not d.first_remand and clear > 28:
        return [
            FieldError(
                field="disposal.next_hearing_date",
                rule="remand.later_custodial_remand_28_clear_days",
                message=(
                    "after a later remand in custody the next hearing must be within 28 clear days "
                    f"(Magistrates' Courts Act 1980 s.128A); this is {clear} clear days: "
                    "accepted as the court ordered it, and flagged on the remand"
                ),
            )
        ]
    return []


# PCSCA 2022 s.158 (from 28 June 2022) let a DTO run any term of 4 to 24 months; before, the term was one
# of 4, 6, 8, 10, 12, 18 or 24 months, so a term in weeks and days counted off a DTO start on that date.
DTO_ANY_TERM_FROM = date(2022, 6, 28)
# 4 calendar months are 120 to 123 days and 24 are 730 or 731, whatever the start: 17 weeks (119 days)
# is always short of 4 months, 104 weeks (728) never past 24, so the lawful terms in weeks are 18–104.
DTO_MIN_WEEKS, DTO_MAX_WEEKS = 18, 104


def _detention_and_training_order(
    d: DetentionAndTrainingOrderDisposal, age: int | None, hearing_date: date | None = None
) -> list[FieldError]:
    errors = _dto_term(d, hearing_date)
    if age is not None and not 12 <= age <= 17:
        errors.append(
            FieldError(
                field="child.date_of_birth",
                rule="detention_and_training_order.age_12_to_17",
                message=(
                    "a detention and training order needs the child to be 12–17 at conviction "
                    f"(Sentencing Act 2020 Part 10 Ch 2); the child was {age} on the hearing date"
                ),
            )
        )
    return errors


def _dto_term(d: DetentionAndTrainingOrderDisposal, hearing_date: date | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if (d.months is None) == (d.weeks is None):
        errors.append(
            FieldError(
                field="disposal.months",
                rule="detention_and_training_order.term_in_months_or_weeks",
                message="a detention and training order's term is given in months or in weeks, exactly one of them",
            )
        )
    if d.months is not None and not 4 <= d.months <= 24:
        errors.append(
            FieldError(
                field="disposal.months",
                rule="detention_and_training_order.months_range",
                message=(
                    f"a detention and training order must be 4–24 months (Sentencing Act 2020 s.236); got {d.months}"
                ),
            )
        )
    if d.weeks is not None:
        if hearing_date is not None and hearing_date < DTO_ANY_TERM_FROM:
            errors.append(
                FieldError(
                    field="disposal.weeks",
                    rule="detention_and_training_order.weeks_from_28_june_2022",
                    message=(
                        "before 28 June 2022 a detention and training order was 4, 6, 8, 10, 12, 18 or 24 months "
                        "(Sentencing Act 2020 s.236 before PCSCA 2022 s.158); give the term in months"
                    ),
                )
            )
        elif not DTO_MIN_WEEKS <= d.weeks <= DTO_MAX_WEEKS:
            errors.append(
                FieldError(
                    field="disposal.weeks",
                    rule="detention_and_training_order.weeks_range",
                    message=(
                        f"a detention and training order must be 4–24 months (Sentencing Act 2020 s.236), which in "
                        f"weeks is {DTO_MIN_WEEKS}–{DTO_MAX_WEEKS}; got {d.weeks}"
                    ),
                )
            )
    for name in ("remand_days", "tagged_bail_days"):
        days = getattr(d, name)
        if days < 0:
            errors.append(
                FieldError(
                    field=f"disposal.{name}",
                    rule=f"detention_and_training_order.{name}_not_negative",
                    message=f"days counted towards the sentence cannot be negative; got {days}",
                )
            )
        elif days and hearing_date is not None and hearing_date < DTO_ANY_TERM_FROM:
            errors.append(
                FieldError(
                    field=f"disposal.{name}",
                    rule=f"detention_and_training_order.{name}_from_28_june_2022",
                    message=(
                        "before 28 June 2022 the court took time on remand or tagged bail into account in setting "
                        "a DTO's term (Sentencing Act 2020 s.237); nothing is counted off a term passed before then"
                    ),
                )
            )
    return errors


def _law_checks(p: _Readable) -> list[FieldError]:
    age = _age_at_hearing(p)
    d = p.disposal
    if isinstance(d, ReferralOrderDisposal):
        return _referral_order(d, p, age)
    if isinstance(d, YouthRehabilitationOrderDisposal):
        return _youth_rehabilitation_order(d, p, age)
    if isinstance(d, RemandDisposal):
        return _remand(d, p, age)
    if isinstance(d, DetentionAndTrainingOrderDisposal):
        return _detention_and_training_order(d, age, p.hearing_date)
    # A decision on a running order is checked by intake once the outcome is valid: its own fields against
    # the order's kind (domain.court_decisions), then against the order's state (activities.order_states).
    return []


def _known_kind(body: object) -> str | None:
    if isinstance(body, dict):
        disposal = body.get("disposal")
        if isinstance(disposal, dict):
            kind = disposal.get("kind")
            if isinstance(kind, str) and kind in DISPOSAL_KINDS:
                return kind
    return None


def _not_supported(kind: str, supported_kinds: frozenset[str]) -> FieldError:
    accepted = ", ".join(sorted(supported_kinds)) or "no kinds yet"
    return FieldError(
        field="disposal.kind",
        rule="disposal.kind.not_supported_yet",
        message=f"{kind} outcomes are not supported yet: this yjflow accepts {accepted}",
    )


# --- the one entry point ------------------------------------------------------------------------


def validate_court_outcome(
    body: object, *, today: date, supported_kinds: frozenset[str] = SUPPORTED_KINDS
) -> CourtOutcome:
    """The validated outcome, or `OutcomeRejected` listing every field that breaks the contract or the law.

    `today` is the intake's date (the hearing may not be after it). A kind outside `supported_kinds`
    is refused even when valid, but its law is still checked so the sender sees everything at once.
    """
    errors: list[FieldError] = []
    outcome: CourtOutcome | None = None
    try:
        outcome = CourtOutcome.model_validate(body)
        parts = _parts_of(outcome)
    except ValidationError as exc:
        errors += _translate(exc)
        parts = _readable_parts(body)
    errors += _intake_checks(parts, today)
    errors += _law_checks(parts)
    kind = parts.disposal.kind if parts.disposal is not None else _known_kind(body)
    if kind is not None and kind not in supported_kinds:
        errors.append(_not_supported(kind, supported_kinds))
    if errors or outcome is None:
        raise OutcomeRejected(errors)
    return outcome


def court_outcome_warnings(outcome: CourtOutcome) -> list[FieldError]:
    """What an accepted outcome breaks that the court, not yjflow, has the last word on: flagged to the
    sender with the 202, never a reason to refuse. Today, a remand in custody beyond its clear-day limit."""
    if isinstance(outcome.disposal, RemandDisposal):
        return _remand_clear_days(outcome.disposal, outcome.hearing_date)
    return []


# --- workflow ids -------------------------------------------------------------------------------


def order_workflow_id(outcome: CourtOutcome) -> str:
    """The id of the order workflow this outcome starts, or, for a decision, the one it acts on.

    Built from the service, court case reference, child and disposal kind, so a re-delivered outcome
    names the workflow it already started.
    """
    d = outcome.disposal
    if isinstance(d, _ActingOnOrder):
        return d.order_ref
    prefix = d.kind.replace("_", "-")
    return f"{prefix}:{outcome.yjs}:{outcome.case_reference}:{outcome.child.id}"


def victim_contact_id(yjs: str, case_reference: str, child_id: str, victim_ref: str) -> str:
    """The id of the victim contact workflow for one victim of one case and child: an order and its
    victims' contacts derive their ids from the same facts, so each can find the other."""
    return f"victim-contact:{yjs}:{case_reference}:{child_id}:{victim_ref}"


def victim_workflow_id(outcome: CourtOutcome, ref: str) -> str:
    """The id of the victim contact workflow for one victim of this outcome's case and child."""
    return victim_contact_id(outcome.yjs, outcome.case_reference, outcome.child.id, ref)


def workflow_ids(outcome: CourtOutcome) -> list[str]:
    """Every workflow id this outcome starts or acts on: the order's, then one per victim it names
    (an outcome acting on an existing order starts no victim contacts)."""
    ids = [order_workflow_id(outcome)]
    if not isinstance(outcome.disposal, _ActingOnOrder):
        ids += [victim_workflow_id(outcome, v.ref) for v in outcome.victims]
    return ids
