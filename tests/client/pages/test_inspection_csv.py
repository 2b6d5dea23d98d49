"""The chronology CSV, as a spreadsheet opens it: every date and time in Europe/London, so a summer
hearing (London midnight is 23:00 UTC the day before) exports as its own day, and a winter one too; a
plain date column, the child, each event by name and in its sentence, and a UTF-8 byte order mark."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest

from activities import audit, inspection
from domain.calendar import london_instant


def _entry(event_type: str, payload: dict[str, Any], effective_at: datetime, version: int) -> audit.TimelineEntry:
    return audit.TimelineEntry(
        global_position=100 + version,
        workflow_id="referral-order:luton:41CJ1:C-1",
        stream_version=version,
        event_type=event_type,
        effective_at=effective_at,
        recorded_at=datetime(2026, 12, 2, 13, 5, tzinfo=UTC),
        actor="court-intake",
        reason=None,
        late_entry=False,
        payload=payload,
    )


def _chronology(hearing: date) -> inspection.Chronology:
    outcome = {
        "outcome_id": "o-1",
        "case_reference": "41CJ1",
        "court_kind": "youth",
        "hearing_date": hearing.isoformat(),
        "disposal_kind": "referral_order",
        "victim_refs": ["V-1"],
    }
    made = {"months": 6, "hearing_date": hearing.isoformat(), "victim_refs": ["V-1"]}
    signed = {
        "signed_date": "2026-10-01",
        "compliance_start": "2026-10-01",
        "compliance_end": "2027-04-01",
        "months": 6,
    }
    at = london_instant(hearing, 0)  # the workflow records a step at London midnight of its effective date
    return inspection.Chronology(
        workflow_id="referral-order:luton:41CJ1:C-1",
        child_id="C-1",
        kind="referral_order",
        yjs="luton",
        entries=[
            _entry("CourtOutcomeRecorded", outcome, at, 1),
            _entry("ReferralOrderMade", made, at, 2),
            _entry("ContractSigned", signed, london_instant(date(2026, 10, 1), 0), 3),
        ],
        state="contract_agreed",
    )


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith(inspection.BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(inspection.BOM))))


@pytest.mark.parametrize(
    ("hearing", "utc", "took_effect", "in_words"),
    [
        (date(2026, 9, 7), "2026-09-06T23:00:00+00:00", "2026-09-07T00:00:00+01:00", "Monday 7 September 2026"),
        (date(2026, 1, 7), "2026-01-07T00:00:00+00:00", "2026-01-07T00:00:00+00:00", "Wednesday 7 January 2026"),
    ],
)
def test_a_hearing_exports_as_the_day_it_was_in_london(
    hearing: date, utc: str, took_effect: str, in_words: str
) -> None:
    chron = _chronology(hearing)
    assert chron.entries[0].effective_at.isoformat() == utc  # as stored: in summer, the day before
    first = _rows(inspection.chronology_csv(chron))[0]
    assert first["Date"] == hearing.isoformat()
    assert first["Took effect"] == took_effect
    assert first["Recorded"] == "2026-12-02T13:05:00+00:00"  # December: UK time is UTC
    assert first["Child"] == "C-1"
    assert first["Event"] == "Court outcome received"
    assert first["What happened"] == f"Youth court hearing on {in_words}, case 41CJ1: a referral order. Victim V-1."
    assert first["Event type"] == "CourtOutcomeRecorded"
    assert first["Stored record"].startswith('{"outcome_id": "o-1"')


def test_the_columns_and_a_summer_recorded_time() -> None:
    chron = _chronology(date(2026, 9, 7))
    summer = chron.entries[1].model_copy(update={"recorded_at": datetime(2026, 9, 7, 13, 30, tzinfo=UTC)})
    chron = chron.model_copy(update={"entries": [chron.entries[0], summer, chron.entries[2]]})
    text = inspection.chronology_csv(chron)
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(text.removeprefix(inspection.BOM))))
    assert header == inspection.CHRONOLOGY_COLUMNS
    rows = _rows(text)
    assert rows[1]["Recorded"] == "2026-09-07T14:30:00+01:00"
    assert [r["Event"] for r in rows] == ["Court outcome received", "Referral order made", "Contract signed"]
    assert chron.end_date == date(2027, 4, 1)  # the printable chronology's "Ends"


def test_a_victims_step_is_named_by_reference_and_a_formula_is_never_run() -> None:
    step = audit.TimelineEntry(
        global_position=7,
        workflow_id="victim-contact:luton:41CJ1:C-1:V-1",
        stream_version=4,
        event_type="SuitabilityDecided",
        effective_at=london_instant(date(2026, 9, 10), 0),
        recorded_at=datetime(2026, 9, 10, 9, tzinfo=UTC),
        actor='=HYPERLINK("http://example.invalid")',
        reason=None,
        late_entry=False,
        payload={"victim_ref": "V-1"},  # a child's timeline carries a victim's step as reference only
    )
    chron = _chronology(date(2026, 9, 7)).model_copy(update={"entries": [step]})
    (row,) = _rows(inspection.chronology_csv(chron))
    assert row["Event"] == "Victim V-1: Decision on inviting the victim"
    assert row["What happened"] == ""  # no detail beyond what the timeline shows
    assert row["By"].startswith("'=")
