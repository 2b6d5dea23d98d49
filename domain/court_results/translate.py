"""A resulted hearing to what becomes of each defendant: a court outcome that passes the contract's own
validation, set aside with the reason, or kept for correction naming the result and the field.

Only what is ours: a defendant with no youth disposal or remand, or an adult at conviction by date of
birth (whatever a youth flag says), is set aside. Each youth defendant of a case gets their own outcome,
one per order kind: every offence of the case resulted with a referral order makes one referral order.
Outcome ids come from the hearing, case, child and order kind, so the same hearing sent again names the
same outcomes (a duplicate at intake) and a changed resend arrives under the same id, never as a new order.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from domain.court_outcome import OutcomeRejected, age_on, validate_court_outcome
from domain.court_results.hearing import (
    CaseDefendant,
    Defendant,
    Ignored,
    NeedsCorrection,
    ResultedHearing,
    ResultedOffence,
    ResultProblem,
    Translated,
    TranslationResult,
    parse_day,
)
from domain.court_results.mapping import CourtCentre, ResultMapping
from domain.court_results.orders import (
    Item,
    detention_and_training_order,
    referral_order,
    remand,
    youth_rehabilitation_order,
)

_SHORT = {
    "referral_order": "ro",
    "youth_rehabilitation_order": "yro",
    "detention_and_training_order": "dto",
    "remand": "remand",
}
_JURISDICTION = {"CROWN": "crown", "MAGISTRATES": "magistrates", "YOUTH": "youth"}


def translate_hearing(
    hearing: ResultedHearing,
    *,
    mapping: ResultMapping,
    court_centres: dict[str, CourtCentre],
    today: date,
    yjs: str | None = None,
) -> list[TranslationResult]:
    """What becomes of each defendant of each case in the hearing. `yjs` names the service for every
    outcome; without it the court centre's row in `court_centres` decides."""
    results: list[TranslationResult] = []
    for d in hearing.defendants:
        results += _defendant(hearing, d, mapping, court_centres, today, yjs)
    return results


def _defendant(
    hearing: ResultedHearing,
    d: CaseDefendant,
    mapping: ResultMapping,
    court_centres: dict[str, CourtCentre],
    today: date,
    yjs: str | None,
) -> list[TranslationResult]:
    who = Defendant(child_id=d.child_id, id_source=d.id_source, case_reference=d.case_reference, position=d.position)
    lines = d.all_lines
    codes = list(dict.fromkeys(line.name for _, line in lines))
    items = [
        Item(o, line, row) for o, line in lines if (row := mapping.row_for(line.code, line.definition_id, line.label))
    ]
    unknown = [line for _, line in lines if mapping.row_for(line.code, line.definition_id, line.label) is None]
    ours = [i for i in items if i.row.means != "not_ours"]
    status_type = _status_remand(d, items, mapping)
    if not ours and not unknown and status_type is None:
        reasons = list(dict.fromkeys(f"{i.line.name} {i.row.reason}" for i in items)) or ["no results"]
        return [Ignored(defendant=who, result_codes=codes, reason=f"no youth disposal or remand: {'; '.join(reasons)}")]
    first_code = (ours[0].line.name if ours else unknown[0].name) if (ours or unknown) else None
    dob = parse_day(d.date_of_birth)
    if dob is None:
        return [
            _needs(
                who,
                codes,
                "child.date_of_birth",
                first_code,
                "court_results.date_of_birth",
                "the date of birth is missing or not a date: it decides whether the defendant is a child",
            )
        ]
    convictions = [day for o in d.offences if (day := parse_day(o.conviction_date)) is not None]
    hearing_day = parse_day(hearing.hearing_date)
    at = min(convictions) if convictions else hearing_day
    if at is not None and (age := age_on(dob, at)) >= 18:
        return [
            Ignored(
                defendant=who,
                result_codes=codes,
                reason=f"an adult at conviction ({age} on {at.isoformat()}), whatever the feed's youth flag says",
            )
        ]
    problems = [
        ResultProblem(
            field="result",
            result_code=line.name,
            rule="court_results.unmapped_result",
            message=f"result {line.name} ({line.label or 'no label'}) is not in yjflow's result mapping",
        )
        for line in unknown
    ]
    if hearing_day is None:
        problems.append(
            ResultProblem(
                field="hearing_date",
                result_code=first_code,
                rule="court_results.hearing_date",
                message="the hearing has no date",
            )
        )
    court, service, court_problems = _court(hearing, court_centres, yjs, first_code)
    problems += court_problems
    orders = _orders(ours, status_type, d, hearing_day, mapping) if hearing_day is not None else {}
    if not orders or hearing_day is None:
        return [NeedsCorrection(defendant=who, result_codes=codes, problems=problems)]
    # Each order is built even when the defendant's results need correcting, so the rejected list keeps an
    # outcome to correct and resubmit rather than only the court's message.
    return [
        _outcome(hearing, d, who, kind, (disposal, problems + own, group), hearing_day, court, service, mapping, today)
        for kind, (disposal, own, group) in orders.items()
    ]


def _needs(who: Defendant, codes: list[str], field: str, code: str | None, rule: str, message: str) -> NeedsCorrection:
    problem = ResultProblem(field=field, result_code=code, rule=rule, message=message)
    return NeedsCorrection(defendant=who, result_codes=codes, problems=[problem])


def _status_remand(d: CaseDefendant, items: list[Item], mapping: ResultMapping) -> str | None:
    """A remand carried only as a custody status beside an adjournment with a next hearing (a bail status
    beside an adjournment is not a remand yjflow follows)."""
    if any(i.row.means == "remand" for i in items):
        return None
    for _, line in d.all_lines:
        if line.next_hearing is None:
            continue
        letter = (line.custody_status or d.bail_status or "").strip().upper()
        status = mapping.statuses.get(letter)
        if status is not None and status.remand_type is not None:
            return status.remand_type
    return None


def _court(
    hearing: ResultedHearing, court_centres: dict[str, CourtCentre], yjs: str | None, code: str | None
) -> tuple[dict[str, str], str, list[ResultProblem]]:
    centre_code = (hearing.court_centre_code or "").strip().upper()
    centre = court_centres.get(centre_code)
    kind = centre.kind if centre else _JURISDICTION.get((hearing.court_kind or "").upper(), "magistrates")
    name = centre.name if centre else hearing.court_name or f"court centre {centre_code or 'not named'}"
    service = yjs or (centre.yjs if centre else None)
    if service is None:
        problem = ResultProblem(
            field="court_centre",
            result_code=code,
            rule="court_results.unknown_court_centre",
            message=f"court centre {centre_code or '(none sent)'} is not in this deployment's court centres, "
            "so no service is known: add it, or send with ?yjs=",
        )
        return {"name": name, "kind": kind}, "", [problem]
    return {"name": name, "kind": kind}, service, []


def _orders(
    ours: list[Item], status_type: str | None, d: CaseDefendant, hearing_day: date, mapping: ResultMapping
) -> dict[str, tuple[dict[str, Any], list[ResultProblem], list[Item]]]:
    by_kind: dict[str, list[Item]] = {}
    for item in ours:
        by_kind.setdefault(str(item.row.kind if item.row.means == "disposal" else item.row.means), []).append(item)
    requirements = by_kind.pop("requirement", [])
    orders: dict[str, tuple[dict[str, Any], list[ResultProblem], list[Item]]] = {}
    for kind, group in by_kind.items():
        if kind == "referral_order":
            disposal, problems = referral_order(group, mapping)
        elif kind == "detention_and_training_order":
            disposal, problems = detention_and_training_order(group, mapping)
        elif kind == "youth_rehabilitation_order":
            disposal, problems = youth_rehabilitation_order(group, requirements, hearing_day, mapping)
            group = group + requirements
        else:
            disposal, problems = remand(group, None, d, hearing_day, [line for _, line in d.all_lines])
        orders[kind] = (disposal, problems, group)
    if status_type is not None:
        disposal, problems = remand([], status_type, d, hearing_day, [line for _, line in d.all_lines])
        orders["remand"] = (disposal, problems, [])
    if requirements and "youth_rehabilitation_order" not in orders:
        problem = ResultProblem(
            field="disposal.kind",
            result_code=requirements[0].line.name,
            rule="court_results.requirement_without_order",
            message="order requirements were sent without the youth rehabilitation order they belong to",
        )
        orders["youth_rehabilitation_order"] = ({"kind": "youth_rehabilitation_order"}, [problem], requirements)
    return orders


def _outcome(
    hearing: ResultedHearing,
    d: CaseDefendant,
    who: Defendant,
    kind: str,
    order: tuple[dict[str, Any], list[ResultProblem], list[Item]],
    hearing_day: date,
    court: dict[str, str],
    service: str,
    mapping: ResultMapping,
    today: date,
) -> TranslationResult:
    disposal, problems, group = order
    codes = list(dict.fromkeys(i.line.name for i in group)) or [line.name for _, line in d.all_lines][:1]
    carrying = list(dict.fromkeys(i.offence for i in group if i.offence is not None)) or list(d.offences)
    offences, offence_problems = _offences(carrying, mapping, codes[0] if codes else None)
    body: dict[str, Any] = {
        "outcome_id": outcome_id(hearing, d, kind),
        "yjs": service or None,
        "court": court,
        "hearing_date": hearing_day.isoformat(),
        "case_reference": d.case_reference,
        "child": {
            "id": d.child_id,
            "given_name": d.given_name,
            "family_name": d.family_name,
            "date_of_birth": parse_day(d.date_of_birth).isoformat(),  # type: ignore[union-attr]  # checked above
        },
        "offences": offences,
        "disposal": disposal,
        "victims": [],
    }
    body = _without_missing(body)
    problems = problems + offence_problems
    if problems:
        return NeedsCorrection(defendant=who, result_codes=codes, problems=problems, body=body)
    try:
        outcome = validate_court_outcome(body, today=today)
    except OutcomeRejected as rejected:
        contract = [
            ResultProblem(field=e.field, result_code=codes[0] if codes else None, rule=e.rule, message=e.message)
            for e in rejected.errors
        ]
        return NeedsCorrection(defendant=who, result_codes=codes, problems=contract, body=body)
    return Translated(defendant=who, result_codes=codes, body=body, outcome=outcome)


def _offences(
    offences: list[ResultedOffence], mapping: ResultMapping, code: str | None
) -> tuple[list[dict[str, Any]], list[ResultProblem]]:
    made: list[dict[str, Any]] = []
    problems: list[ResultProblem] = []
    for index, o in enumerate(offences):
        plea = mapping.pleas.get((o.plea or "").strip().upper()) if o.plea else "not_guilty"
        if plea is None:
            problems.append(
                ResultProblem(
                    field=f"offences[{index}].plea",
                    result_code=code,
                    rule="court_results.plea",
                    message="the plea is not one yjflow's mapping knows",
                )
            )
        day = parse_day(o.offence_date)
        made.append(
            _without_missing(
                {
                    "code": o.code,
                    "description": o.description,
                    "offence_date": day.isoformat() if day else None,
                    "plea": plea,
                    "convicted": o.convicted,
                }
            )
        )
    return made, problems


def _without_missing(value: dict[str, Any]) -> dict[str, Any]:
    # A part the feed did not carry is left out, so the contract names it "required" rather than "not text".
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            item = _without_missing(item)
        if item is not None:
            out[key] = item
    return out


def outcome_id(hearing: ResultedHearing, d: CaseDefendant, kind: str) -> str:
    """The outcome's id, from the hearing, case, child and order kind (never from names, never the clock)."""
    key = "\x1f".join([hearing.feed, hearing.hearing_key, d.case_reference or "", d.child_id or d.position, kind])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"{'cp' if hearing.feed == 'common-platform' else 'spi'}:{_SHORT.get(kind, kind)}:{digest}"
