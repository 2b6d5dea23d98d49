"""The checks every outcome kind shares: ids safe for workflow ids, the hearing date, offences and victims."""

from __future__ import annotations

import re
from datetime import date

from domain.court_outcome.disposals import _ActingOnOrder
from domain.court_outcome.errors import FieldError
from domain.court_outcome.readable import _Readable

_OUTCOME_ID = re.compile(r"[A-Za-z0-9._:/-]{1,100}")
# What an id that becomes part of a workflow id and of page and API addresses may hold: anything else
# (a quote, < > / ? # % &) makes an address that cannot be reached or that a page must escape.
_SAFE_ID_CHARACTER = re.compile(r"[A-Za-z0-9._-]")
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
    unsafe = sorted({ch for ch in value if ch != ":" and not _SAFE_ID_CHARACTER.fullmatch(ch)})
    if unsafe:
        return f"contains {' '.join(unsafe)}"
    return None


def _check_id(value: str, field: str, rule: str, *, colon_allowed: bool = False) -> list[FieldError]:
    if not value.strip():
        return [FieldError(field=field, rule=f"{rule}.not_empty", message=f"{field} must not be empty")]
    problem = _id_problem(value, colon_allowed=colon_allowed)
    if problem is None:
        return []
    allowed = "letters, digits and . _ - only" + (" (and ':')" if colon_allowed else "")
    return [
        FieldError(
            field=field,
            rule=f"{rule}.workflow_id_safe",
            message=f"{field} {problem}: it becomes part of a workflow id and of page addresses, so it needs {allowed}",
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
