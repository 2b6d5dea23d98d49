"""What the statute allows a YRO to hold: its length, and the requirements it may carry together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.court_outcome import ActivityRequirement, CurfewRequirement, ExtendedActivityRequirement, Requirement

# Statute [S✓] (youth-justice.md §1.3), so these may be constants; the [U] lengths come from rules.
MAX_END_MONTHS = 36  # s.187(2)(a): end date at most 3 years after the order takes effect
ISS_MIN_MONTHS = 6  # s.187(2)(b): with ISS, at least 6 months
MAX_BREACH_EXTENSION_MONTHS = 6  # LASPO 2012 s.83 (now Sch 7): ≤ 6 months beyond the previous end date, once
CURFEW_MIN_HOURS, CURFEW_MAX_HOURS = 2, 16  # Sch 6 para 18
ACTIVITY_MAX_DAYS = 90  # Sch 6 para 1: more than this is an extended activity requirement (ISS only)


def _requirement_problems(
    requirements: Sequence[Requirement], *, iss: bool, end_date: date, added: Sequence[Requirement]
) -> list[str]:
    """What the law says is wrong with the order's requirements as they would stand."""
    problems: list[str] = []
    for r in added:
        if isinstance(r, CurfewRequirement):
            if not CURFEW_MIN_HOURS <= r.hours_per_day <= CURFEW_MAX_HOURS:
                problems.append(f"a curfew must be {CURFEW_MIN_HOURS}–{CURFEW_MAX_HOURS} hours a day (Sch 6 para 18)")
            if r.end_date > end_date:
                problems.append(f"the curfew would end after the order's end date ({end_date})")
        if isinstance(r, ExtendedActivityRequirement) and not iss:
            problems.append("an extended activity requirement is only for a YRO with ISS (s.185)")
    kinds = {r.kind for r in requirements}
    if not requirements:
        problems.append("a YRO needs at least one requirement (s.174)")
    elif kinds == {"electronic_monitoring"}:
        problems.append("electronic monitoring needs another requirement beside it (s.185)")
    if iss:
        extended = any(
            isinstance(r, ExtendedActivityRequirement)
            or (isinstance(r, ActivityRequirement) and r.days > ACTIVITY_MAX_DAYS)
            for r in requirements
        )
        present = {"extended activity": extended, "supervision": "supervision" in kinds, "curfew": "curfew" in kinds}
        missing = [name for name, ok in present.items() if not ok]
        if missing:
            problems.append(
                f"a YRO with ISS needs extended activity, supervision and curfew; missing {', '.join(missing)}"
            )
    return problems
