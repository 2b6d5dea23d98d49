"""KPI 10's pure parts: the quarter named two ways, and what one contact's events count for."""

from __future__ import annotations

from datetime import date

import pytest

from domain import events as ev
from domain.kpi10 import Quarter, facts


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026Q4", date(2026, 10, 1), date(2027, 1, 1)),
        ("2026q1", date(2026, 1, 1), date(2026, 4, 1)),
        ("2026-27-Q1", date(2026, 4, 1), date(2026, 7, 1)),
        ("2026-27-Q4", date(2027, 1, 1), date(2027, 4, 1)),
        ("1999-00-Q2", date(1999, 7, 1), date(1999, 10, 1)),
    ],
)
def test_a_quarter_is_named_by_the_calendar_or_the_financial_year(text: str, start: date, end: date) -> None:
    q = Quarter.parse(text)
    assert (q.start, q.end) == (start, end)
    assert q.holds(start) and not q.holds(end)


@pytest.mark.parametrize("text", ["2026Q0", "2026Q5", "2026-28-Q1", "Q4 2026", "", "2026-27-Q5"])
def test_a_bad_quarter_is_refused_saying_both_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"quarter: give a calendar quarter YYYYQn .* YYYY-YY-Qn"):
        Quarter.parse(text)


D = date(2026, 5, 1)


def test_what_a_contact_counts_for() -> None:
    nothing = facts([ev.VictimContacted(channel="phone", on=D)])
    assert not any(vars(nothing).values())
    # Consent to any restorative option counts as consent to contact unless the victim said otherwise.
    rj = [ev.ConsentRecorded(option="information_only", given_by="victim", how="phone", consented=True, on=D)]
    assert facts(rj).consented and not facts(rj).engaged  # information only is not taking part in RJ
    assert not facts([*rj, ev.ContactConsentRecorded(consented=False, on=D)]).consented
    # Told before they asked is not "provided with that information" after asking.
    told_first = [
        ev.KeptInformed(milestone="panel_held", on=D),
        ev.KeepInformedChoiceRecorded(opt_in=True, on=date(2026, 5, 2)),
    ]
    assert facts(told_first).progress_requested and not facts(told_first).progress_given
    told_end = [*told_first, ev.ConclusionNotified(on=date(2026, 6, 1))]
    assert facts(told_end).progress_given
    yes = ev.ContactConsentRecorded(consented=True, on=D)
    after = facts([yes, ev.VictimViewsSought(views_given=False, before_planning=False, on=D)])
    assert not after.views_before_planning
    before = ev.VictimViewsSought(views_given=True, before_planning=True, on=D)
    assert facts([yes, before]).views_before_planning
    engaged = facts([yes, ev.PreparationMeetingHeld(with_party="victim", on=D)])
    assert engaged.engaged and not facts([yes, ev.PreparationMeetingHeld(with_party="child", on=D)]).engaged
    # The YJB counts rows 4 and 5 only within row 3: without consent to contact, neither counts.
    unconsented = facts([ev.PreparationMeetingHeld(with_party="victim", on=D), before])
    assert not unconsented.engaged and not unconsented.views_before_planning
    declined = facts([ev.ContactConsentRecorded(consented=False, on=D), before])
    assert not declined.views_before_planning
