"""Every custody step refused out of order or out of law, each with its reason and, where there is one, the limit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain import custody as cu
from tests.domain.test_custody_state import apply, refused, released, sentenced

SET = {"step": "release_date_set", "effective_date": "2027-02-01"}
BREACH = {"step": "supervision_breach_outcome", "effective_date": "2027-06-01"}
WITH_PLANNING = apply(sentenced(), step="initial_planning_held", effective_date="2027-01-15")


@pytest.mark.parametrize(
    ("state", "body", "reason"),
    [
        (sentenced(), {"step": "initial_planning_held", "effective_date": "2031-01-01"}, "in the future"),
        (sentenced(), {"step": "initial_planning_held", "effective_date": "2027-01-03"}, "before the sentence"),
        (
            WITH_PLANNING,
            {"step": "initial_planning_held", "effective_date": "2027-01-16"},
            "already held on 2027-01-15",
        ),
        (sentenced(), {"step": "review_held", "effective_date": "2027-04-01"}, "follows the initial planning meeting"),
        (
            WITH_PLANNING,
            {"step": "review_held", "effective_date": "2027-01-14"},
            "before initial_planning_held on 2027-01-15",
        ),
        (sentenced(), {**SET, "release_date": "2027-04-04", "source": "early_release"}, "no earlier than 2027-04-05"),
        (
            sentenced(),
            {**SET, "release_date": "2027-05-05", "source": "early_release"},
            "before the release point 2027-05-05",
        ),
        (
            sentenced(),
            {**SET, "release_date": "2027-06-06", "source": "late_release"},
            "no later than 2027-06-05 (1 month after it, s.241(5))",
        ),
        (sentenced(), {**SET, "release_date": "2027-05-04", "source": "late_release"}, "after the release point"),
        (
            sentenced(months=18),
            {**SET, "release_date": "2027-08-03", "source": "early_release"},
            "(2 months before it, s.241(4))",
        ),
        (
            sentenced(months=7),
            {**SET, "release_date": "2027-04-10", "source": "early_release"},
            "a term of 7 months has no early or late release",
        ),
        (
            sentenced(months=36, kind="s250"),
            {**SET, "release_date": "2028-07-01", "source": "early_release"},
            "are for DTOs",
        ),
        (
            sentenced(),
            {**SET, "release_date": "2027-01-31", "source": "secure_estate"},
            "before the decision that set it",
        ),
        (sentenced(), {"step": "released", "effective_date": "2027-05-04"}, "the release date is 2027-05-05"),
        (sentenced(), {"step": "release_contact_made", "effective_date": "2027-05-05"}, "the sentence is in_custody"),
        (sentenced(), {"step": "completed", "effective_date": "2027-09-04"}, "the sentence is in_custody"),
        (sentenced(), {**BREACH, "breach_date": "2027-05-20", "decision": "fine"}, "the sentence is in_custody"),
        (
            released(),
            {
                "step": "release_date_set",
                "effective_date": "2027-06-01",
                "release_date": "2027-07-01",
                "source": "secure_estate",
            },
            "the sentence is released",
        ),
        (released(), {**BREACH, "breach_date": "2027-05-04", "decision": "fine"}, "2027-05-05 to 2027-09-04"),
        (
            released(),
            {**BREACH, "breach_date": "2027-06-02", "decision": "fine"},
            "cannot be after the court's decision",
        ),
        (released(), {**BREACH, "breach_date": "2027-05-20", "decision": "fine", "months": 1}, "months are only for"),
        (
            released(),
            {**BREACH, "breach_date": "2027-05-20", "decision": "further_detention"},
            "needs its length in months",
        ),
        (
            released(born=date(2009, 1, 1)),
            {
                "step": "supervision_breach_outcome",
                "effective_date": "2027-10-01",
                "breach_date": "2027-09-05",
                "decision": "fine",
            },
            "CJA 2003 s.256AC",
        ),
        (
            released(months=36, kind="s250", secure_estate=date(2028, 7, 4)),
            {
                "step": "supervision_breach_outcome",
                "effective_date": "2028-08-01",
                "breach_date": "2028-07-20",
                "decision": "fine",
            },
            "recall by the Secretary of State",
        ),
        (
            released(months=None, kind="s259", secure_estate=date(2028, 7, 4)),
            {"step": "completed", "effective_date": "2029-01-01"},
            "only with a reason",
        ),
    ],
)
def test_steps_out_of_order_or_out_of_law_are_refused_with_the_reason(
    state: cu.CustodyState, body: dict[str, Any], reason: str
) -> None:
    """Each refusal names what is wrong and, where there is one, the limit."""
    assert reason in refused(state, **body)
