"""One order from the result lines of one case for one child: the contract's `disposal`, or the problems
that stop it being built. Offences resulted together make one order, so the lines of every offence are
read together; where they disagree (two different terms) the clerk is asked, never guessed for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.court_outcome import CUSTODIAL_REMANDS
from domain.court_results.hearing import CaseDefendant, ResultedOffence, ResultLine, ResultProblem, parse_day
from domain.court_results.mapping import ResultMapping, ResultRow, Unit
from domain.court_results.terms import counted, curfew_hours, ends, terms


@dataclass(frozen=True)
class Item:
    """A result line with the offence it is on (None: the defendant's own) and the mapping row it matched."""

    offence: ResultedOffence | None
    line: ResultLine
    row: ResultRow


Built = tuple[dict[str, Any], list[ResultProblem]]

# The most restrictive remand wins when offences carry different ones: the child is held where the strictest puts them.
_REMAND_ORDER = ["bail", "bail_with_support", "local_authority_accommodation", "youth_detention_accommodation"]


def _problem(field: str, item: Item | None, rule: str, message: str) -> ResultProblem:
    return ResultProblem(field=field, result_code=item.line.name if item else None, rule=rule, message=message)


def _one(values: list[Any], field: str, items: list[Item], what: str) -> tuple[Any | None, list[ResultProblem]]:
    distinct = list(dict.fromkeys(values))
    if not distinct:
        return None, [_problem(field, items[0], "court_results.term_missing", f"the result carries no {what}")]
    if len(distinct) > 1:
        return None, [
            _problem(
                field,
                items[0],
                "court_results.terms_differ",
                f"the offences resulted together carry different {what}s; one order needs one: give the order's own",
            )
        ]
    return distinct[0], []


def _months(term: tuple[int, Unit]) -> int | None:
    value, unit = term
    return value if unit == "months" else 12 * value if unit == "years" else None


def referral_order(items: list[Item], mapping: ResultMapping) -> Built:
    found = [t for i in items for t in terms(i.line, mapping)]
    months = [_months(t) for t in found]
    if any(m is None for m in months):
        return {"kind": "referral_order"}, [
            _problem("disposal.months", items[0], "court_results.term_unit", "a referral order's term is in months")
        ]
    value, problems = _one(months, "disposal.months", items, "term")
    return {"kind": "referral_order", **({"months": value} if value is not None else {})}, problems


def detention_and_training_order(items: list[Item], mapping: ResultMapping) -> Built:
    # The total the court gives for all offences (TDTO) is the order's term; without one, each offence's.
    chosen = [i for i in items if i.row.total] or items
    found = [t for i in chosen for t in terms(i.line, mapping)]
    found = [(12 * v, "months") if u == "years" else (v, u) for v, u in found]
    if any(u not in ("months", "weeks") for _, u in found):
        return {"kind": "detention_and_training_order"}, [
            _problem(
                "disposal.months",
                chosen[0],
                "court_results.term_unit",
                "a detention and training order's term is in months or weeks",
            )
        ]
    value, problems = _one(found, "disposal.months", chosen, "term")
    disposal: dict[str, Any] = {"kind": "detention_and_training_order"}
    if value is not None:
        disposal[value[1]] = value[0]
    return disposal, problems


def _requirement(item: Item, kind: str, measured: bool, hearing: date, mapping: ResultMapping) -> Built:
    requirement: dict[str, Any] = {"kind": kind}
    measure = item.row.measure if measured else None
    field = f"disposal.requirements.{kind}"
    if measure in ("hours", "days"):
        value = counted(item.line, measure, measure, mapping)
        if value is None:
            return requirement, [
                _problem(
                    field, item, "court_results.requirement_measure", f"the {kind} requirement carries no {measure}"
                )
            ]
        requirement[measure] = value
    elif measure == "curfew":
        problems: list[ResultProblem] = []
        hours = curfew_hours(item.line, mapping)
        if hours is None:
            problems.append(_problem(field, item, "court_results.curfew_hours", "the curfew carries no hours or times"))
        else:
            requirement["hours_per_day"] = hours
        found = ends(item.line, hearing, mapping)
        if found:
            requirement["end_date"] = max(found).isoformat()
        else:
            problems.append(_problem(field, item, "court_results.curfew_end", "the curfew carries no end date or term"))
        return requirement, problems
    return requirement, []


def youth_rehabilitation_order(
    items: list[Item], requirements: list[Item], hearing: date, mapping: ResultMapping
) -> Built:
    end, problems = _one(
        [day for item in items for day in ends(item.line, hearing, mapping)], "disposal.end_date", items, "end date"
    )
    made: list[dict[str, Any]] = []
    for item in requirements:
        for index, kind in enumerate(item.row.requirements):
            requirement, trouble = _requirement(item, kind, index == 0, hearing, mapping)
            problems += trouble
            if requirement not in made:  # the same requirement repeated on each offence is one requirement
                made.append(requirement)
    if any(i.row.fostering for i in items) and {"kind": "fostering"} not in made:
        made.append({"kind": "fostering"})
    disposal: dict[str, Any] = {
        "kind": "youth_rehabilitation_order",
        "requirements": made,
        "iss": any(i.row.iss for i in items),
    }
    if end is not None:
        disposal["end_date"] = end.isoformat()
    return disposal, problems


def remand(
    items: list[Item], status_type: str | None, d: CaseDefendant, hearing: date, all_lines: list[ResultLine]
) -> Built:
    types = [i.row.remand_type for i in items if i.row.remand_type] + ([status_type] if status_type else [])
    remand_type = max(types, key=_REMAND_ORDER.index)
    first = items[0] if items else None
    disposal: dict[str, Any] = {"kind": "remand", "type": remand_type}
    problems: list[ResultProblem] = []
    # The remand's own next hearing, else the adjournment's beside it: the child comes back on the earliest.
    own = [day for i in items if (day := parse_day(i.line.next_hearing)) is not None]
    beside = [day for line in all_lines if (day := parse_day(line.next_hearing)) is not None]
    if own or beside:
        disposal["next_hearing_date"] = min(own or beside).isoformat()
    else:
        problems.append(
            _problem(
                "disposal.next_hearing_date", first, "court_results.next_hearing", "the remand has no next hearing"
            )
        )
    limit, spent = _custody_time_limit(items, d)
    disposal["first_remand"] = not spent
    if remand_type in CUSTODIAL_REMANDS:
        limit_day = parse_day(limit)
        if limit_day is None:
            problems.append(
                _problem(
                    "disposal.ctl_days",
                    first,
                    "court_results.custody_time_limit",
                    "a remand to local authority or youth detention accommodation needs its custody time limit, "
                    "which the result does not carry",
                )
            )
        else:
            start = hearing - timedelta(days=spent or 0)
            disposal["ctl_start_date"] = start.isoformat()
            disposal["ctl_days"] = (limit_day - start).days
    return disposal, problems


def _custody_time_limit(items: list[Item], d: CaseDefendant) -> tuple[str | None, int | None]:
    """The custody time limit the feed carries (on an offence, else the defendant's bail status), with the
    days already spent in custody, from which the limit's start is counted back from this hearing."""
    for item in items:
        if item.offence is not None and item.offence.ctl_time_limit:
            return item.offence.ctl_time_limit, item.offence.ctl_days_spent
    for offence in d.offences:
        if offence.ctl_time_limit:
            return offence.ctl_time_limit, offence.ctl_days_spent
    return d.ctl_time_limit, d.ctl_days_spent
