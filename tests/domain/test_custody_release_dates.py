"""A DTO's dates against HMPPS's own calculator: every single-DTO case in its test data that yjflow can
express (`ministryofjustice/calculate-release-dates-api`, src/test/resources/test_data/overall_calculation/
<case>.json, answers in overall_calculation_response/<case>.json, commit cd827b07), with the answer
copied as the service's test expects it. MTD is the release point, ETD and LTD the early and late limits,
SED the term's last day (after remand and tagged bail), TUSED the end of s.247 further supervision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from pydantic import TypeAdapter

from domain import custody as cu
from domain import events as ev

ADULT = date(1990, 1, 1)


@dataclass(frozen=True)
class Case:
    """One calculator case: its input (one DTO) and the dates its response file expects."""

    file: str
    sentenced: date
    born: date
    offence: date
    expected: dict[str, date]
    months: int | None = None
    weeks: int | None = None
    remand_days: int = 0
    # Dates the calculator leaves out only under a feature toggle yjflow does not follow (see custody_dates).
    toggled_off: frozenset[str] = field(default_factory=frozenset)


CASES = [
    Case(
        "custom-examples/crs-1096-ac1",
        sentenced=date(2021, 5, 23),
        born=date(2004, 8, 30),  # 17 on the release point: no further supervision
        offence=date(2022, 6, 21),
        months=18,
        expected={
            "SED": date(2022, 11, 22),
            "MTD": date(2022, 2, 21),
            "ETD": date(2021, 12, 21),
            "LTD": date(2022, 4, 21),
        },
    ),
    Case(
        "custom-examples/crs-1096-ac2",
        sentenced=date(2022, 8, 14),
        born=ADULT,
        offence=date(2022, 8, 1),
        months=23,
        remand_days=4,
        expected={
            "SED": date(2024, 7, 9),
            "MTD": date(2023, 7, 25),
            "ETD": date(2023, 5, 25),
            "LTD": date(2023, 9, 25),
            "TUSED": date(2024, 7, 25),
        },
    ),
    Case(
        "custom-examples/crs-1096-ac3",  # 121 days' remand on an 8-month term: released on the day of sentence
        sentenced=date(2022, 7, 4),
        born=ADULT,
        offence=date(2022, 2, 1),
        months=8,
        remand_days=121,
        expected={"SED": date(2022, 11, 2), "MTD": date(2022, 7, 4), "TUSED": date(2023, 7, 4)},
    ),
    Case(
        "tused-repeal/crs-2579-ac1-1",
        sentenced=date(2026, 5, 2),
        born=ADULT,
        offence=date(2026, 5, 2),
        months=11,
        expected={
            "SED": date(2027, 4, 1),
            "ETD": date(2026, 9, 16),
            "MTD": date(2026, 10, 16),
            "LTD": date(2026, 11, 16),
        },
        toggled_off=frozenset({"TUSED"}),
    ),
    Case(
        "tused-repeal/crs-2579-ac1-2",
        sentenced=date(2025, 9, 2),
        born=ADULT,
        offence=date(2025, 9, 2),
        months=12,
        expected={"SED": date(2026, 9, 1), "ETD": date(2026, 2, 3), "MTD": date(2026, 3, 3), "LTD": date(2026, 4, 3)},
        toggled_off=frozenset({"TUSED"}),
    ),
]
# 16 weeks: the calculator's arithmetic holds, but s.236 needs 4 months, so yjflow refuses the term.
UNDER_FOUR_MONTHS = Case(
    "exclude-adas/3",
    sentenced=date(2023, 11, 17),
    born=ADULT,
    offence=date(2023, 6, 29),
    weeks=16,
    expected={"SED": date(2024, 3, 7), "TUSED": date(2025, 1, 11), "MTD": date(2024, 1, 11)},
)


def as_calculator_names(dates: cu.DtoDates) -> dict[str, date]:
    names = {"SED": dates.sentence_expiry, "MTD": dates.half_way}
    if dates.band_months:
        names |= {"ETD": dates.earliest, "LTD": dates.latest}
    if dates.further_supervision_ends is not None:
        names["TUSED"] = dates.further_supervision_ends
    return names


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file) for c in CASES])
def test_our_dates_are_the_calculators(case: Case) -> None:
    dates = cu.hmpps_dto_dates(
        case.sentenced,
        months=case.months,
        weeks=case.weeks,
        remand_days=case.remand_days,
        date_of_birth=case.born,
        offence_date=case.offence,
    )
    ours = as_calculator_names(dates)
    assert {k: v for k, v in ours.items() if k not in case.toggled_off} == case.expected


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file) for c in CASES])
def test_a_new_sentence_records_the_calculators_dates_and_the_method(case: Case) -> None:
    """Opened by the HMPPS method, the sentence's first events carry those dates; `term_end` is the day
    after SED, when supervision completes (or further supervision begins)."""
    state = cu.CustodyState(
        child_id="C-1",
        yjs="luton",
        sentence_date=case.sentenced,
        kind="dto",
        months=case.months,
        remand_days=case.remand_days,
        date_of_birth=case.born,
        offence_date=case.offence,
        release_method=cu.HMPPS_METHOD,
    )
    outcome = ev.CourtOutcomeRecorded(
        outcome_id="o", case_reference="c", court_kind="youth", hearing_date=case.sentenced, disposal_kind="dto"
    )
    made, release = cu.open_custody(state, outcome=outcome).events[1:]
    assert isinstance(made, ev.CustodialSentenceMade) and isinstance(release, ev.ReleaseDateSet)
    assert made.release_method == cu.HMPPS_METHOD
    assert (made.half_way_date, release.release_date, release.source) == (case.expected["MTD"],) * 2 + ("computed",)
    assert made.term_end is not None and made.term_end.toordinal() == case.expected["SED"].toordinal() + 1
    if "ETD" in case.expected:
        assert (made.earliest_release, made.latest_release) == (case.expected["ETD"], case.expected["LTD"])
    assert made.further_supervision is ("TUSED" in case.expected or "TUSED" in case.toggled_off)


def test_sixteen_weeks_is_the_calculators_arithmetic_but_not_a_lawful_term() -> None:
    c = UNDER_FOUR_MONTHS
    dates = cu.calculator_dates(c.sentenced, weeks=16, date_of_birth=c.born, offence_date=c.offence)
    assert as_calculator_names(dates) == c.expected
    with pytest.raises(ValueError, match="18–104"):
        cu.hmpps_dto_dates(c.sentenced, weeks=16, date_of_birth=c.born, offence_date=c.offence)


def test_an_even_number_of_days_is_where_the_legacy_method_was_a_day_late() -> None:
    """crs-1096-ac2 without its remand: 23 months from 14 Aug 2022 are 700 days; the calculator releases
    on day 350 counting the sentence date (29 Jul 2023), the legacy method a day later."""
    hmpps = cu.hmpps_dto_dates(date(2022, 8, 14), months=23, date_of_birth=ADULT, offence_date=date(2022, 8, 1))
    legacy = cu.dto_release_dates(date(2022, 8, 14), 23)
    assert (hmpps.half_way, legacy.half_way) == (date(2023, 7, 29), date(2023, 7, 30))
    # An odd number of days: both agree (crs-2579-ac1-2, 365 days).
    assert cu.dto_release_dates(date(2025, 9, 2), 12).half_way == date(2026, 3, 3)


def test_a_state_carried_from_before_the_method_keeps_the_legacy_dates() -> None:
    """A running sentence's state, as continue-as-new carried it before `release_method` existed."""
    carried = cu.CustodyState.model_validate(
        {
            "child_id": "C-1",
            "yjs": "luton",
            "sentence_date": "2022-08-14",
            "kind": "dto",
            "months": 23,
            "date_of_birth": "1990-01-01",
            "offence_date": "2022-08-01",
        }
    )
    assert carried.release_method == cu.LEGACY_METHOD
    assert cu.dates_for(carried).half_way == date(2023, 7, 30)
    assert cu.dates_for(carried.model_copy(update={"release_method": cu.HMPPS_METHOD})).half_way == date(2023, 7, 29)


def test_an_opening_event_without_a_method_folds_in_as_the_legacy_one() -> None:
    old = ev.CustodialSentenceMade(kind="dto", sentence_date=date(2027, 1, 4), months=8)
    state = cu.CustodyState(child_id="C-1", yjs="luton", sentence_date=date(2027, 1, 4), kind="dto")
    assert cu.evolve(state, old).release_method == cu.LEGACY_METHOD
    new = old.model_copy(update={"release_method": cu.HMPPS_METHOD, "weeks": 30, "months": None})
    assert (cu.evolve(state, new).release_method, cu.evolve(state, new).weeks) == (cu.HMPPS_METHOD, 30)


@pytest.mark.parametrize(
    ("sentenced", "term", "band"),
    [
        # Bands by days: 78 weeks (546 days) reach 18 months from 1 Jan 2026 (546 days), not from 1 Mar
        # 2026 (549 days).
        (date(2026, 1, 1), {"weeks": 78}, 2),
        (date(2026, 3, 1), {"weeks": 78}, 1),
        (date(2027, 1, 4), {"months": 7}, 0),
        (date(2027, 1, 4), {"months": 8}, 1),
        (date(2027, 1, 4), {"months": 17}, 1),
        (date(2027, 1, 4), {"months": 18}, 2),
        (date(2027, 1, 4), {"months": 24}, 2),
        (date(2027, 1, 4), {"weeks": 104}, 2),
    ],
)
def test_early_and_late_release_bands_compare_days(sentenced: date, term: dict[str, int], band: int) -> None:
    dates = cu.hmpps_dto_dates(sentenced, **term, date_of_birth=ADULT, offence_date=sentenced)
    assert dates.band_months == band
    if band:
        assert dates.earliest < dates.half_way < dates.latest


@pytest.mark.parametrize(
    ("sentenced", "months", "last_day"),
    [
        (date(2027, 3, 1), 4, date(2027, 6, 30)),  # from the 1st: to a month's last day
        (date(2027, 3, 31), 1, date(2027, 4, 30)),  # the day before, plus a month
        (date(2027, 1, 4), 8, date(2027, 9, 3)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
    ],
)
def test_the_terms_last_day_is_counted_as_psi_5_5_counts_it(sentenced: date, months: int, last_day: date) -> None:
    assert cu.term_last_day(sentenced, months=months) == last_day


def test_no_date_moves_off_a_weekend_or_bank_holiday() -> None:
    """8 months from Thu 1 Apr 2027 end Tue 30 Nov (244 days, 122 to release): release on Sat 31 Jul, and
    it stays a Saturday; the calculator only hints at the previous working day (Fri 30 Jul)."""
    dates = cu.hmpps_dto_dates(date(2027, 4, 1), months=8, date_of_birth=ADULT, offence_date=date(2027, 1, 1))
    assert (dates.sentence_expiry, dates.half_way) == (date(2027, 11, 30), date(2027, 7, 31))
    assert dates.half_way.weekday() == 5
    # A month before is Wed 30 Jun (there is no 31 Jun); a month after Tue 31 Aug, the day after the
    # summer bank holiday: neither moves.
    assert (dates.earliest, dates.latest) == (date(2027, 6, 30), date(2027, 8, 31))


@pytest.mark.parametrize(
    ("term", "remand", "sentenced", "message"),
    [
        ({"months": 8, "weeks": 30}, 0, date(2027, 1, 4), "exactly one"),
        ({"weeks": 105}, 0, date(2027, 1, 4), "18–104"),
        ({"months": 3}, 0, date(2027, 1, 4), "4–24 months"),
        ({"months": 8}, 10, date(2022, 6, 27), "28 June 2022"),
        ({"months": 8}, -1, date(2027, 1, 4), "negative"),
    ],
)
def test_terms_and_counted_days_the_law_does_not_allow_are_refused(
    term: dict[str, int], remand: int, sentenced: date, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cu.hmpps_dto_dates(sentenced, **term, remand_days=remand, date_of_birth=ADULT, offence_date=sentenced)


def test_further_supervision_keeps_s247s_offence_date() -> None:
    """The calculator does not look at the offence; s.247 covers offences from 1 Feb 2015 only."""
    before = cu.hmpps_dto_dates(date(2025, 9, 2), months=12, date_of_birth=ADULT, offence_date=date(2015, 1, 31))
    after = cu.hmpps_dto_dates(date(2025, 9, 2), months=12, date_of_birth=ADULT, offence_date=date(2015, 2, 1))
    assert (before.further_supervision_ends, after.further_supervision_ends) == (None, date(2027, 3, 3))


def opened(sentenced: date, born: date, **term: int) -> cu.CustodyState:
    """A DTO opened by the HMPPS method, its opening events folded in."""
    state = cu.CustodyState(
        child_id="C-1",
        yjs="luton",
        sentence_date=sentenced,
        kind="dto",
        date_of_birth=born,
        offence_date=sentenced,
        release_method=cu.HMPPS_METHOD,
        **term,
    )
    outcome = ev.CourtOutcomeRecorded(
        outcome_id="o", case_reference="c", court_kind="youth", hearing_date=sentenced, disposal_kind="dto"
    )
    for payload in cu.open_custody(state, outcome=outcome).events:
        state = cu.evolve(state, payload)
    return state


RELEASE_DATE = TypeAdapter(cu.CustodyStep)


def release_date_step(**body: str) -> cu.CustodyStep:
    return RELEASE_DATE.validate_python({"step": "release_date_set", "actor": "carl-yjs", **body})


def test_early_release_on_a_term_in_weeks_is_held_to_its_band() -> None:
    """78 weeks from 1 Mar 2026 (546 days, fewer than the 549 of 18 months): release on Sat 28 Nov 2026
    (1 Mar + 272), and early release no more than one month before it."""
    state = opened(date(2026, 3, 1), date(2009, 1, 1), weeks=78)
    assert (state.earliest_release, state.release_point, state.latest_release) == (
        date(2026, 10, 28),
        date(2026, 11, 28),
        date(2026, 12, 28),
    )
    today = date(2026, 10, 1)
    step = release_date_step(effective_date="2026-10-01", release_date="2026-10-28", source="early_release")
    (moved,) = cu.decide(state, step, today=today).events
    assert isinstance(moved, ev.ReleaseDateSet) and moved.release_date == date(2026, 10, 28)
    too_early = release_date_step(effective_date="2026-10-01", release_date="2026-10-27", source="early_release")
    with pytest.raises(cu.StepRefused, match=r"no earlier than 2026-10-28 \(1 month before it, s.241\(4\)\)"):
        cu.decide(state, too_early, today=today)


def test_the_secure_estates_date_moves_the_limits_and_s247s_age_by_the_sentences_method() -> None:
    """Born 1 Dec 2008: 17 on the computed 28 Nov 2026, 18 on the secure estate's 5 Dec, so further
    supervision follows the secure estate's date, and the window moves a month either side of it."""
    state = opened(date(2026, 3, 1), date(2008, 12, 1), weeks=78)
    assert state.further_supervision is False
    step = release_date_step(effective_date="2026-10-01", release_date="2026-12-05", source="secure_estate")
    (moved,) = cu.decide(state, step, today=date(2026, 10, 1)).events
    assert isinstance(moved, ev.ReleaseDateSet)
    assert (moved.earliest_release, moved.latest_release, moved.further_supervision) == (
        date(2026, 11, 5),
        date(2027, 1, 5),
        True,
    )
