"""A detention and training order's dates: its term, release point, early and late release limits, and
s.247 further supervision, by two methods.

`LEGACY_METHOD` ("yjflow-halved-days") is the method yjflow used first, kept because running sentences
keep the dates they recorded (`dto_release_dates`, `further_supervision_applies`). `HMPPS_METHOD`
("hmpps-crds") computes what HMPPS's own service, `ministryofjustice/calculate-release-dates-api`, computes
for one DTO (`calculator_dates`, `hmpps_dto_dates`); a sentence records the method on its opening event.

What that service does, read from its repository at commit cd827b07 (20 Aug 2026); paths under
src/main/kotlin/uk/gov/justice/digital/hmpps/calculatereleasedatesapi/ unless they start with src/:

- The term's last day (model/Duration.kt, getEndDate, "PSI 5.5 Converting a Sentence in to Days"): take
  the day before the sentence date, add the years, then the months (java.time plusMonths: a day the
  month lacks becomes its last day), then weeks, then days. When the sentence date is the 1st of a month
  and the term has months, it is instead the last day of the month `months - 1` after the sentence
  month (so 4 months from 1 Mar end 30 Jun, not 28 Jun). That day is the sentence expiry date (SED).
- The term in days (Duration.getLengthInDays): from the sentence date to the last day, both counted.
- The release point, "mid transfer date" MTD (model/UnadjustedReleaseDate.kt, service/ReleaseMultiplier.kt,
  enumerations/SentenceIdentificationTrack.kt): a DTO's multiplier is one half, before and after PCSCA
  (DTO_BEFORE_PCSC and DTO_AFTER_PCSC both ONE_HALF; the two tracks differ only beside other sentences,
  service/BookingExtractionService.kt calculateMidTermDate); half the term's days is rounded UP (CEILING), and
  the point is the sentence date plus that many days less one. An 8-month term from 4 Jan 2027 (243
  days, 122 to release) is released on 5 May 2027; a 23-month term from 14 Aug 2022 (700 days, 350) on
  29 Jul 2023, the day before the legacy method's 30 Jul (which added half the days, rounded down, to
  the sentence date: one day later whenever the term has an even number of days).
- Days on remand and on tagged bail (model/SentenceAdjustments.kt `deductions`, model/SentenceCalculation.kt
  adjustedDeterminateReleaseDate, adjustedExpiryDate): subtracted from both the release point and the
  expiry date, neither going before the sentence date. A release point that lands on the sentence date
  is an immediate release. They count only for a DTO passed on or after 28 June 2022
  (validation/validator/PrePcscDtoAdjustmentValidator.kt, PRE_PCSC_DTO_WITH_ADJUSTMENT; the date is
  service/ImportantDates.kt PCSC_COMMENCEMENT_DATE); before, the court allowed for them in the term.
- Early and late release, "early / late transfer date" ETD and LTD
  (service/sentence/SentenceAdjustedCalculationService.kt, calculateDatesFromAdjustments): one calendar
  month before and after the release point when the term in days is at least the days in 8 calendar
  months from the sentence date and fewer than in 18; two months when at least 18 and at most 24
  (model/CalculableSentence.kt durationIsGreaterThanOrEqualTo and friends compare days, so a term in
  weeks falls in a band by its days); none for shorter terms, and none on an immediate release. A
  month before 31 Mar is 28 or 29 Feb (minusMonths).
- Further supervision, "top-up supervision expiry date" TUSED (service/TusedCalculator.kt
  sentenceMatchesTusedCriteria, getInitialTused; a DTO carries TUSED among its date types,
  service/sentence/SentenceIdentificationService.kt identifyDtoSentence): it applies when the term's
  days less the days to release are under 365, and the person is 18 or over on the release point less
  remand and tagged bail (not held back to the sentence date); it ends 12 calendar months after the
  release point, or after the sentence date on an immediate release. The 365-day test is s.247's "term
  under 24 months" for every term yjflow accepts (24 months leave 365 days after release, 104 weeks
  364). The service does not look at the offence date; yjflow keeps s.247's own condition that
  the offence was on or after 1 February 2015, and all the service's DTO cases below meet it.
  Under the feature toggle applyPostRecallRepealRules (config/FeatureToggles.kt, off by default in
  src/main/resources/application.yml) no TUSED is given at all; yjflow does not follow it yet.
- Weekends and bank holidays never move these dates. ETD, MTD and LTD carry `allowsWeekendAdjustment`
  (enumerations/ReleaseDateType.kt), which only adds a hint to a future date, "<previous working day>
  when adjusted to a working day" (service/CalculationResultEnrichmentService.kt
  weekendAdjustmentHintOrNull); the date itself stays. TUSED and SED have no hint.

The service's own single-DTO cases (src/test/resources/test_data/overall_calculation/ with answers in
overall_calculation_response/) are tests/domain/test_custody_release_dates.py: custom-examples/
crs-1096-ac1, -ac2 (4 days' remand), -ac3 (121 days' remand, an immediate release); exclude-adas/3 (16
weeks, under the 4-month minimum yjflow's court contract holds to, so checked on the arithmetic only);
tused-repeal/crs-2579-ac1-1 and -ac1-2 (their dates but TUSED, which the toggle removes). Not
expressible: exclude-adas/2 (additional days awarded, which a court outcome does not carry; its answer
equals exclude-adas/3's) and every case with more than one sentence (concurrent or consecutive DTOs, a
DTO beside an adult sentence). Unlawfully-at-large days and recalls are not carried either.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.calendar import add_calendar_months
from domain.court_outcome import DTO_ANY_TERM_FROM, DTO_MAX_WEEKS, DTO_MIN_WEEKS, age_on

__all__ = [
    "DTO_MAX_MONTHS",
    "DTO_MAX_WEEKS",
    "DTO_MIN_MONTHS",
    "DTO_MIN_WEEKS",
    "FURTHER_SUPERVISION_OFFENCES_FROM",
    "HMPPS_METHOD",
    "LEGACY_METHOD",
    "DtoDates",
    "ReleaseDates",
    "ReleaseMethod",
    "calculator_dates",
    "dto_release_dates",
    "dto_term_end",
    "early_late_months",
    "further_supervision_applies",
    "hmpps_band_months",
    "hmpps_dto_dates",
    "term_last_day",
]

ReleaseMethod = Literal["yjflow-halved-days", "hmpps-crds"]
LEGACY_METHOD: ReleaseMethod = "yjflow-halved-days"
HMPPS_METHOD: ReleaseMethod = "hmpps-crds"

DTO_MIN_MONTHS, DTO_MAX_MONTHS = 4, 24  # s.236 as amended by PCSCA 2022 s.158
# The court contract's limits in weeks, and PCSCA 2022's commencement, from which remand and tagged
# bail count towards a DTO.
DAYS_COUNT_FROM = DTO_ANY_TERM_FROM
# s.241(4)–(5): terms of 8 to under 18 months may be released 1 month either side of the half-way
# point, terms of 18 months or more 2 months; shorter terms neither.
EARLY_LATE_FROM_MONTHS, LONGER_BAND_FROM_MONTHS = 8, 18
# s.247 further supervision: 18+ at the half-way point, term under 24 months, offence on or after
# the Offender Rehabilitation Act 2014's commencement; it ends 12 months after the half-way point
# (the rule pack records that as dto.further_supervision).
ADULT_AGE = 18
FURTHER_SUPERVISION_TERM_BELOW_MONTHS = 24
FURTHER_SUPERVISION_OFFENCES_FROM = date(2015, 2, 1)
FURTHER_SUPERVISION_MONTHS = 12
# TusedCalculator: further supervision only where less than a year is left after release.
_LICENCE_PERIOD_BELOW_DAYS = 365


class ReleaseDates(BaseModel):
    """A DTO's release point and the window s.241 allows around it.

    `half_way` is always the computed half-way point; `earliest` and `latest` lie around the release
    point, which is the secure estate's date when it gave one.
    """

    model_config = ConfigDict(frozen=True)

    half_way: date
    earliest: date
    latest: date
    secure_estate: date | None = None

    @property
    def release_date(self) -> date:
        return self.secure_estate or self.half_way


# --- the legacy method ----------------------------------------------------------------------------


def dto_term_end(sentence_date: date, months: int) -> date:
    """The legacy method's term end: the sentence date plus the term in calendar months."""
    return add_calendar_months(sentence_date, months)


def early_late_months(months: int) -> int:
    """How many months before (early) or after (late) the half-way point s.241(4)–(5) allow for a term."""
    if months >= LONGER_BAND_FROM_MONTHS:
        return 2
    if months >= EARLY_LATE_FROM_MONTHS:
        return 1
    return 0


def dto_release_dates(sentence_date: date, months: int, secure_estate_date: date | None = None) -> ReleaseDates:
    """The legacy method: half the term's days, rounded down, after the sentence date.

    The term is the days from the sentence date to the same date `months` calendar months later, and an
    odd half day went to the child. HMPPS's calculator counts the last day in and rounds up, so for an
    even number of days this is one day later than the secure estate's date (see the module docstring).
    """
    if not DTO_MIN_MONTHS <= months <= DTO_MAX_MONTHS:
        raise ValueError(f"a DTO term is {DTO_MIN_MONTHS}–{DTO_MAX_MONTHS} months (s.236), not {months}")
    if secure_estate_date is not None and secure_estate_date <= sentence_date:
        raise ValueError("the secure estate's release date must be after the sentence date")
    term_days = (dto_term_end(sentence_date, months) - sentence_date).days
    half_way = sentence_date + timedelta(days=term_days // 2)
    point = secure_estate_date or half_way
    band = early_late_months(months)
    return ReleaseDates(
        half_way=half_way,
        earliest=add_calendar_months(point, -band),
        latest=add_calendar_months(point, band),
        secure_estate=secure_estate_date,
    )


def further_supervision_applies(age_at_half_way: int, term_months: int, offence_date: date) -> bool:
    """s.247 as the legacy method reads it: supervision continues after the term when every condition holds."""
    return (
        age_at_half_way >= ADULT_AGE
        and term_months < FURTHER_SUPERVISION_TERM_BELOW_MONTHS
        and offence_date >= FURTHER_SUPERVISION_OFFENCES_FROM
    )


# --- HMPPS's calculator -----------------------------------------------------------------------------


class DtoDates(ReleaseDates):
    """What HMPPS's calculator gives for one DTO: MTD (`half_way`), ETD and LTD (`earliest`, `latest`, equal
    to the point when `band_months` is 0), SED (`sentence_expiry`, the term's last day) and TUSED
    (`further_supervision_ends`, None when s.247 does not apply)."""

    sentence_expiry: date
    band_months: int
    further_supervision_ends: date | None = None

    @property
    def term_end(self) -> date:
        """The first day after the term: supervision completes, and further supervision starts, on it."""
        return self.sentence_expiry + timedelta(days=1)

    @property
    def further_supervision(self) -> bool:
        return self.further_supervision_ends is not None


def term_last_day(sentence_date: date, *, months: int = 0, weeks: int = 0) -> date:
    """The term's last day, counted as HMPPS's Duration.getEndDate counts it (PSI 5.5)."""
    if sentence_date.day == 1 and months:
        # From the 1st, whole months end on a month's last day.
        first_of_last_month = add_calendar_months(sentence_date, months - 1)
        last = add_calendar_months(first_of_last_month, 1) - timedelta(days=1)
    else:
        last = add_calendar_months(sentence_date - timedelta(days=1), months)
    return last + timedelta(weeks=weeks)


def _term_days(sentence_date: date, last_day: date) -> int:
    # Both ends count (Duration.getLengthInDays).
    return (last_day - sentence_date).days + 1


def _days_in_months(sentence_date: date, months: int) -> int:
    return (add_calendar_months(sentence_date, months) - sentence_date).days


def _band(sentence_date: date, term_days: int) -> int:
    eight, eighteen, most = (
        _days_in_months(sentence_date, m) for m in (EARLY_LATE_FROM_MONTHS, LONGER_BAND_FROM_MONTHS, DTO_MAX_MONTHS)
    )
    if eight <= term_days < eighteen:
        return 1
    if eighteen <= term_days <= most:
        return 2
    return 0


def calculator_dates(
    sentence_date: date,
    *,
    months: int = 0,
    weeks: int = 0,
    days_counted: int = 0,
    date_of_birth: date,
    offence_date: date | None = None,
    secure_estate_date: date | None = None,
) -> DtoDates:
    """The dates HMPPS's calculator gives one DTO of any term, `days_counted` being remand and tagged bail.

    The law's limits on the term are `hmpps_dto_dates`'s to check. With `offence_date`, s.247's offence
    condition applies as well; the calculator itself has none.
    """
    if secure_estate_date is not None and secure_estate_date <= sentence_date:
        raise ValueError("the secure estate's release date must be after the sentence date")
    last_day = term_last_day(sentence_date, months=months, weeks=weeks)
    term_days = _term_days(sentence_date, last_day)
    days_to_release = (term_days + 1) // 2  # half the days, rounded up
    uncapped = sentence_date + timedelta(days=days_to_release - 1 - days_counted)
    point = max(uncapped, sentence_date)
    band = hmpps_band_months(sentence_date, months=months, weeks=weeks, days_counted=days_counted)
    # The secure estate's date is its own release point, net of what it counted: s.247's age and end
    # are taken there.
    around = secure_estate_date or point
    further = (
        term_days - days_to_release < _LICENCE_PERIOD_BELOW_DAYS
        and age_on(date_of_birth, secure_estate_date or uncapped) >= ADULT_AGE
        and (offence_date is None or offence_date >= FURTHER_SUPERVISION_OFFENCES_FROM)
    )
    return DtoDates(
        half_way=point,
        earliest=add_calendar_months(around, -band),
        latest=add_calendar_months(around, band),
        secure_estate=secure_estate_date,
        sentence_expiry=max(last_day - timedelta(days=days_counted), sentence_date),
        band_months=band,
        further_supervision_ends=add_calendar_months(around, FURTHER_SUPERVISION_MONTHS) if further else None,
    )


def hmpps_band_months(sentence_date: date, *, months: int = 0, weeks: int = 0, days_counted: int = 0) -> int:
    """How many months before and after the release point HMPPS's calculator sets ETD and LTD (0: none)."""
    term_days = _term_days(sentence_date, term_last_day(sentence_date, months=months, weeks=weeks))
    if (term_days + 1) // 2 - 1 - days_counted <= 0:
        return 0  # an immediate release has no early or late date
    return _band(sentence_date, term_days)


def hmpps_dto_dates(
    sentence_date: date,
    *,
    months: int | None = None,
    weeks: int | None = None,
    remand_days: int = 0,
    tagged_bail_days: int = 0,
    date_of_birth: date,
    offence_date: date,
    secure_estate_date: date | None = None,
) -> DtoDates:
    """A lawful DTO's dates as HMPPS's calculator gives them (s.236's term, counted days from 28 June 2022)."""
    if (months is None) == (weeks is None):
        raise ValueError("a DTO's term is in months or in weeks, exactly one of them")
    if months is not None and not DTO_MIN_MONTHS <= months <= DTO_MAX_MONTHS:
        raise ValueError(f"a DTO term is {DTO_MIN_MONTHS}–{DTO_MAX_MONTHS} months (s.236), not {months}")
    if weeks is not None and not DTO_MIN_WEEKS <= weeks <= DTO_MAX_WEEKS:
        raise ValueError(f"a DTO term in weeks is {DTO_MIN_WEEKS}–{DTO_MAX_WEEKS} (4–24 months, s.236), not {weeks}")
    if remand_days < 0 or tagged_bail_days < 0:
        raise ValueError("days counted towards a sentence cannot be negative")
    if (remand_days or tagged_bail_days) and sentence_date < DAYS_COUNT_FROM:
        raise ValueError("remand and tagged bail count towards a DTO passed on or after 28 June 2022 only")
    return calculator_dates(
        sentence_date,
        months=months or 0,
        weeks=weeks or 0,
        days_counted=remand_days + tagged_bail_days,
        date_of_birth=date_of_birth,
        offence_date=offence_date,
        secure_estate_date=secure_estate_date,
    )
