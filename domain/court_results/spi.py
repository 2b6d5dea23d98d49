"""Libra results as SPI XML (a bare `ResultedCaseMessage` or its CJSE `DeliverRequest` envelope) read into
a `ResultedHearing`, then translated.

The XML comes from outside, so it is read with defusedxml and refused whole, before anything is read from
it, if it declares a DTD (entity expansion, external entities) or is larger than `MAX_SPI_BYTES`. Elements
are found by local name: the CJSE envelope and the Libra schema (`http://www.dca.gov.uk/xmlschemas/libra`)
each carry their own namespace, and the Common Platform's copy of the schema may use another. Element
names follow bichard7-next-core's `packages/common/schemas/spiResult.ts`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from domain.court_outcome import FieldError
from domain.court_outcome.ids import pnc_as_child_id
from domain.court_results.hearing import (
    CaseDefendant,
    Duration,
    MessageRefused,
    ResultedHearing,
    ResultedOffence,
    ResultLine,
    TranslationResult,
    parse_day,
)
from domain.court_results.mapping import CourtCentre, ResultMapping
from domain.court_results.translate import translate_hearing

# A resulted case for one defendant is a few kilobytes; a megabyte is hundreds of offences.
MAX_SPI_BYTES = 1_000_000


def _refused(rule: str, message: str) -> MessageRefused:
    return MessageRefused([FieldError(field="body", rule=rule, message=message)])


def parse_spi(raw: bytes | str) -> Element:
    """The message's root element, read safely: no DTD (so no entities, internal or external), no
    external references, at most `MAX_SPI_BYTES`."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(data) > MAX_SPI_BYTES:
        raise _refused("spi.too_large", f"the message is larger than {MAX_SPI_BYTES} bytes")
    try:
        root: Element = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise _refused(
            "spi.unsafe_xml",
            f"the message declares a DTD, entities or external references, which are refused ({type(e).__name__})",
        ) from e
    except ParseError as e:
        raise _refused("spi.xml", f"the message is not well-formed XML: {e}") from e
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _all(element: Element | None, name: str) -> Iterator[Element]:
    if element is None:
        return iter(())
    return (child for child in element if _local(child.tag) == name)


def _one(element: Element | None, *path: str) -> Element | None:
    for name in path:
        element = next(_all(element, name), None)
    return element


def _text(element: Element | None, *path: str) -> str | None:
    found = _one(element, *path)
    if found is None or found.text is None or not found.text.strip():
        return None
    return " ".join(found.text.split())


def _int(element: Element | None, *path: str) -> int | None:
    text = _text(element, *path)
    return int(text) if text is not None and text.isdigit() else None


def _result(r: Element) -> ResultLine:
    duration = _one(r, "Outcome", "Duration")
    return ResultLine(
        code=_text(r, "ResultCode"),
        definition_id=None,
        label=None,
        text=_text(r, "ResultText"),
        duration=Duration(
            value=_int(duration, "DurationValue"),
            unit=_text(duration, "DurationUnit"),
            end_date=_text(duration, "DurationEndDate"),
            secondary_value=_int(duration, "SecondaryDurationValue"),
            secondary_unit=_text(duration, "SecondaryDurationUnit"),
        )
        if duration is not None
        else None,
        next_hearing=_text(r, "NextHearing", "NextHearingDetails", "DateOfHearing"),
        custody_status=_text(r, "NextHearing", "BailStatusOffence"),
    )


# Libra has no element for a custody time limit: the clerk's result text states it ("Custody time limit
# expires on 08/02/2027", with the days already spent in custody where there are any), as bichard7-next-core
# reads a remand's next hearing from the result text when the structured details are missing.
_CTL_EXPIRES = re.compile(
    r"custody\s+time\s+limit\s+(?:expires|expiry(?:\s+date)?|ends)\s*(?:on|:)?\s*(\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
_CTL_SPENT = re.compile(r"(\d{1,3})\s+days?\s+(?:already\s+)?(?:spent\s+)?in\s+custody", re.IGNORECASE)


def _custody_time_limit(results: tuple[ResultLine, ...]) -> tuple[str | None, int | None]:
    """The custody time limit's expiry (ISO) and the days already spent, as a remand's result text states them."""
    for line in results:
        found = _CTL_EXPIRES.search(line.text or "")
        if found is None:
            continue
        expiry = parse_day(found.group(1))
        spent = _CTL_SPENT.search(line.text or "")
        return (expiry.isoformat() if expiry else found.group(1)), int(spent.group(1)) if spent else None
    return None, None


def _offence(o: Element) -> ResultedOffence:
    base = _one(o, "BaseOffenceDetails")
    conviction = _text(o, "ConvictionDate") or _text(base, "ConvictionDate")
    results = tuple(_result(r) for r in _all(o, "Result"))
    ctl_time_limit, ctl_days_spent = _custody_time_limit(results)
    return ResultedOffence(
        code=_text(base, "OffenceCode"),
        description=_text(base, "OffenceTitle") or _text(base, "OffenceWording"),
        offence_date=_text(base, "OffenceTiming", "OffenceStart", "OffenceDateStartDate"),
        plea=_text(o, "Plea"),
        convicted=bool(conviction) or _text(o, "Finding") == "G",
        conviction_date=conviction,
        results=results,
        ctl_time_limit=ctl_time_limit,
        ctl_days_spent=ctl_days_spent,
    )


def _pnc_id(pnc: str | None) -> str | None:
    """The PNC id as a child's id: its slash (2026/0100001A) as a hyphen, since a child's id is part of the
    workflow ids that name orders in URLs (/orders/{id}, /app/cases/{id}), where a slash cannot stand."""
    return pnc.replace("/", "-") if pnc else None


def _defendant(case: Element, d: Element, position: str) -> CaseDefendant:
    individual = _one(d, "CourtIndividualDefendant")
    person = _one(individual, "PersonDefendant")
    details = _one(person, "BasePersonDetails")
    pnc = _pnc_id(_text(person, "PNCidentifier"))
    asn = _text(d, "ProsecutorReference")
    return CaseDefendant(
        case_reference=_text(case, "PTIURN"),
        # The PNC id follows the child across cases; the ASN (the prosecutor's reference) is one arrest's.
        child_id=pnc_as_child_id(pnc) if pnc else asn,
        id_source="PNC" if pnc else "ASN" if asn else "none",
        given_name=_text(details, "PersonName", "PersonGivenName1"),
        family_name=_text(details, "PersonName", "PersonFamilyName"),
        date_of_birth=_text(details, "Birthdate"),
        bail_status=_text(individual, "BailStatus"),
        offences=tuple(_offence(o) for o in _all(d, "Offence")),
        position=position,
    )


def _resulted_case(root: Element) -> Element:
    if _local(root.tag) == "ResultedCaseMessage":
        return root
    if _local(root.tag) == "DeliverRequest":
        found = _one(root, "Message", "ResultedCaseMessage")
        if found is not None:
            return found
    raise _refused("spi.not_results", "the message is neither a ResultedCaseMessage nor a DeliverRequest holding one")


def read_hearing(raw: bytes | str) -> ResultedHearing:
    message = _resulted_case(parse_spi(raw))
    session = _one(message, "Session")
    hearing = _one(session, "CourtHearing", "Hearing")
    location, day = _text(hearing, "CourtHearingLocation"), _text(hearing, "DateOfHearing")
    defendants = [
        _defendant(case, d, f"case {ci + 1}, defendant {di + 1}")
        for ci, case in enumerate(_all(session, "Case"))
        for di, d in enumerate(_all(case, "Defendant"))
    ]
    if not defendants:
        raise _refused("spi.no_defendant", "the message carries no case with a defendant")
    return ResultedHearing(
        feed="spi",
        # SPI has no hearing id; the court and the day make the hearing (the case and child join in the outcome id).
        hearing_key=f"{location or ''}/{day or ''}",
        court_centre_code=location,
        court_name=None,
        court_kind="MAGISTRATES",  # Libra is the magistrates' courts' system (youth courts among them)
        hearing_date=day,
        defendants=tuple(defendants),
    )


def translate_spi(
    raw: bytes | str,
    *,
    mapping: ResultMapping,
    court_centres: dict[str, CourtCentre],
    today: date,
    yjs: str | None = None,
) -> list[TranslationResult]:
    """Each defendant's translation result for an SPI results message (see `translate.translate_hearing`)."""
    return translate_hearing(read_hearing(raw), mapping=mapping, court_centres=court_centres, today=today, yjs=yjs)
