"""Court messages for tests from the fixtures (tests/fixtures/court_results), made new each time: a fresh
hearing, case and defendants, so a test's outcome and workflow ids are its own in the shared stack."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "court_results"


def _urn() -> str:
    return f"41CJ{uuid.uuid4().int % 10**7:07d}"


def fresh_common_platform(name: str, **changes: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The hearing with new ids for the hearing, each case and each defendant; and the old master
    defendant ids to the new ones (the children's ids in yjflow)."""
    message = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    hearing = message["hearing"]
    hearing["id"] = str(uuid.uuid4())
    children: dict[str, str] = {}
    for case in hearing.get("prosecutionCases", []):
        case["prosecutionCaseIdentifier"]["caseURN"] = _urn()
        for d in case.get("defendants", []):
            old = d.get("masterDefendantId") or d["id"]
            children[old] = children.get(old) or str(uuid.uuid4())
            d["masterDefendantId"] = children[old]
            d["id"] = str(uuid.uuid4())
    hearing.update(changes)
    return message, children


def spi_for(name: str, *, case: str, asn: str, replace: dict[str, str] | None = None) -> str:
    """The SPI message for one case and defendant (as a later hearing of the same case sends them), with
    any other text replaced (`replace`: old text to new)."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    text = re.sub(r"<DC:PTIURN>[^<]*</DC:PTIURN>", f"<DC:PTIURN>{case}</DC:PTIURN>", text)
    text = re.sub(
        r"<DC:ProsecutorReference>[^<]*</DC:ProsecutorReference>",
        f"<DC:ProsecutorReference>{asn}</DC:ProsecutorReference>",
        text,
    )
    text = re.sub(r"\s*<DC:PNCidentifier>[^<]*</DC:PNCidentifier>", "", text)  # the ASN is the child's id here
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def new_case() -> tuple[str, str]:
    """A new case reference and ASN."""
    return _urn(), f"2641CJ0100{uuid.uuid4().int % 10**7:07d}D"


def fresh_spi(name: str) -> tuple[str, list[str]]:
    """The SPI message with a new case reference, ASNs and PNC ids; and the new identifiers (a child's id in
    yjflow is their PNC id, else their ASN)."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    text = re.sub(r"<DC:PTIURN>[^<]*</DC:PTIURN>", lambda _: f"<DC:PTIURN>{_urn()}</DC:PTIURN>", text)
    made: list[str] = []

    def new(element: str, value: str) -> Any:
        def replace(_: re.Match[str]) -> str:
            made.append(value.format(uuid.uuid4().int % 10**7))
            return f"<DC:{element}>{made[-1]}</DC:{element}>"

        return replace

    text = re.sub(
        r"<DC:ProsecutorReference>[^<]*</DC:ProsecutorReference>", new("ProsecutorReference", "2641CJ0100{:07d}D"), text
    )
    text = re.sub(r"<DC:PNCidentifier>[^<]*</DC:PNCidentifier>", new("PNCidentifier", "2026/{:07d}X"), text)
    return text, made
