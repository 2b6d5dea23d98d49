"""A Common Platform resulted hearing (`{"hearing": …, "sharedTime": …}`, with `isReshare` and `hearingDay`
when the hearing context publishes it) read into a `ResultedHearing`, then translated.

Field names are the HMCTS core courts model's (laa-court-data-adaptor `lib/schemas/global/`): results sit
on offences (`judicialResults`), on the defendant (`judicialResults`, `defendantCaseJudicialResults`) and on
the hearing (`defendantJudicialResults`, matched by `masterDefendantId`). The child's id is the master
defendant id (the same person across cases), else the PNC id.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.court_outcome import FieldError
from domain.court_outcome.ids import pnc_as_child_id
from domain.court_results.hearing import (
    CaseDefendant,
    Duration,
    MessageRefused,
    Prompt,
    ResultedHearing,
    ResultedOffence,
    ResultLine,
    TranslationResult,
)
from domain.court_results.mapping import CourtCentre, ResultMapping
from domain.court_results.translate import translate_hearing


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _result(r: dict[str, Any]) -> ResultLine:
    element = _dict(r.get("durationElement"))
    next_hearing = _dict(r.get("nextHearing"))
    return ResultLine(
        code=_text(r.get("cjsCode")),
        definition_id=_text(r.get("judicialResultTypeId")),
        label=_text(r.get("label")),
        text=_text(r.get("resultText")),
        prompts=tuple(
            Prompt(label=_text(p.get("label")), value=_text(p.get("value")), reference=_text(p.get("promptReference")))
            for p in _list(r.get("judicialResultPrompts"))
        ),
        duration=Duration(
            value=_int(element.get("primaryDurationValue")),
            unit=_text(element.get("primaryDurationUnit")),
            end_date=_text(element.get("durationEndDate")),
            secondary_value=_int(element.get("secondaryDurationValue")),
            secondary_unit=_text(element.get("secondaryDurationUnit")),
        )
        if element
        else None,
        next_hearing=_text(next_hearing.get("listedStartDateTime")) or _text(next_hearing.get("weekCommencingDate")),
        custody_status=_text(r.get("postHearingCustodyStatus")),
    )


def _results(value: object) -> tuple[ResultLine, ...]:
    # Deleted result lines (an amendment's delete action) are not results any more.
    return tuple(_result(r) for r in _list(value) if r.get("isDeleted") is not True)


def _offence(o: dict[str, Any]) -> ResultedOffence:
    plea = _dict(o.get("plea"))
    verdict = _dict(_dict(o.get("verdict")).get("verdictType"))
    ctl = _dict(o.get("custodyTimeLimit"))
    guilty_verdict = (_text(verdict.get("category")) or "").upper() == "GUILTY"
    return ResultedOffence(
        code=_text(o.get("offenceCode")),
        description=_text(o.get("offenceTitle")),
        offence_date=_text(o.get("startDate")),
        plea=_text(plea.get("pleaValue")),
        convicted=bool(_text(o.get("convictionDate"))) or guilty_verdict,
        conviction_date=_text(o.get("convictionDate")),
        results=_results(o.get("judicialResults")),
        ctl_time_limit=_text(ctl.get("timeLimit")),
        ctl_days_spent=_int(ctl.get("daysSpent")),
    )


def _defendant(hearing: dict[str, Any], case: dict[str, Any], d: dict[str, Any], position: str) -> CaseDefendant:
    person = _dict(d.get("personDefendant"))
    details = _dict(person.get("personDetails"))
    bail = _dict(person.get("bailStatus"))
    ctl = _dict(bail.get("custodyTimeLimit"))
    master = _text(d.get("masterDefendantId"))
    pnc = _text(d.get("pncId"))
    identifier = _dict(case.get("prosecutionCaseIdentifier"))
    own = [*_results(d.get("judicialResults")), *_results(d.get("defendantCaseJudicialResults"))]
    for entry in _list(hearing.get("defendantJudicialResults")):
        if master and _text(entry.get("masterDefendantId")) == master:
            own += _results([entry.get("judicialResult")])
    return CaseDefendant(
        case_reference=_text(identifier.get("caseURN")) or _text(identifier.get("prosecutionAuthorityReference")),
        child_id=master or (pnc_as_child_id(pnc) if pnc else pnc),
        id_source="masterDefendantId" if master else "pncId" if pnc else "none",
        given_name=_text(details.get("firstName")),
        family_name=_text(details.get("lastName")),
        date_of_birth=_text(details.get("dateOfBirth")),
        bail_status=_text(bail.get("code")),
        offences=tuple(_offence(o) for o in _list(d.get("offences"))),
        results=tuple(own),
        ctl_time_limit=_text(ctl.get("timeLimit")),
        ctl_days_spent=_int(ctl.get("daysSpent")),
        position=position,
    )


def read_hearing(message: object) -> ResultedHearing:
    """The resulted hearing in a Common Platform message, or `MessageRefused` if it has none."""
    envelope = _dict(message)
    hearing = _dict(envelope.get("hearing"))
    if not hearing:
        raise MessageRefused(
            [FieldError(field="hearing", rule="common_platform.hearing", message="the message carries no hearing")]
        )
    hearing_id = _text(hearing.get("id"))
    if hearing_id is None:
        raise MessageRefused(
            [FieldError(field="hearing.id", rule="common_platform.hearing_id", message="the hearing has no id")]
        )
    centre = _dict(hearing.get("courtCentre"))
    days = sorted(day for h in _list(hearing.get("hearingDays")) if (day := _text(h.get("sittingDay"))))
    defendants = [
        _defendant(hearing, case, d, f"case {ci + 1}, defendant {di + 1}")
        for ci, case in enumerate(_list(hearing.get("prosecutionCases")))
        for di, d in enumerate(_list(case.get("defendants")))
    ]
    day = _text(envelope.get("hearingDay"))
    return ResultedHearing(
        feed="common-platform",
        # A hearing over several days is resulted day by day: a remand renewed on day 2 is not day 1's resent.
        hearing_key=f"{hearing_id}/{day}" if day else hearing_id,
        court_centre_code=_text(centre.get("code")),
        court_name=_text(centre.get("name")),
        court_kind=_text(hearing.get("jurisdictionType")),
        hearing_date=day or (days[0] if days else None),
        defendants=tuple(defendants),
    )


def translate_common_platform(
    message: object,
    *,
    mapping: ResultMapping,
    court_centres: dict[str, CourtCentre],
    today: date,
    yjs: str | None = None,
) -> list[TranslationResult]:
    """Each defendant's translation result for a resulted hearing (see `translate.translate_hearing`)."""
    return translate_hearing(read_hearing(message), mapping=mapping, court_centres=court_centres, today=today, yjs=yjs)
