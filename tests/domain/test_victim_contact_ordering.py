"""Order of steps by date on a victim contact (issue #15 part 3): no step is dated before one it follows,
and the refusal names both; consent only to options explained (part 4)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from domain import victim_contact as vc
from domain.decisions import StepRefused
from domain.events import victim_contact as vc_events

STEP: TypeAdapter[vc.VictimContactStep] = TypeAdapter(vc.VictimContactStep)
OPENED = date(2027, 1, 4)
TODAY = date(2027, 6, 30)


def opened() -> vc.VictimContactState:
    state = vc.VictimContactState(
        victim_ref="V-9", child_id="C-9", yjs="luton", opened_on=OPENED, linked_order_id="ro-9"
    )
    for payload in vc.open_contact(state).events:
        state = vc.evolve(state, payload)
    return state


def decide(state: vc.VictimContactState, on: date, *, later_rules: bool = True, **body: Any) -> vc.Decision:
    step = STEP.validate_python({"actor": "vicky", "effective_date": on.isoformat(), **body})
    return vc.decide(state, step, today=TODAY, later_rules=later_rules)


def apply(state: vc.VictimContactState, on: date, **body: Any) -> vc.VictimContactState:
    for payload in decide(state, on, **body).events:
        state = vc.evolve(state, payload)
    return state


def refusal(state: vc.VictimContactState, on: date, **body: Any) -> str:
    with pytest.raises(StepRefused) as e:
        decide(state, on, **body)
    return str(e.value)


CONSENT = {"given_by": "victim", "how": "phone", "consented": True}

# A shuttle mediation from details to closure, with what each step follows: the oracle the property test
# holds the domain to, written apart from `domain.victim_contact.ordering`.
PATH: list[tuple[dict[str, Any], tuple[int, ...]]] = [
    ({"step": "details_received"}, ()),
    ({"step": "suitability_decided", "invite": True}, (0,)),
    ({"step": "contacted", "channel": "phone"}, (0, 1)),
    ({"step": "informed_choice_given", "options_explained": ["shuttle_mediation"]}, (0, 2)),
    ({"step": "consent_recorded", "option": "shuttle_mediation", **CONSENT}, (0, 2, 3)),
    ({"step": "risk_assessed", "outcome": "proceed"}, (0, 2, 3, 4)),
    ({"step": "preparation_meeting_held", "with_party": "victim"}, (3, 4, 5)),
    ({"step": "preparation_meeting_held", "with_party": "child"}, (3, 4, 5)),
    ({"step": "shuttle_message_relayed", "direction": "victim_to_child"}, (3, 4, 5, 6, 7)),
    ({"step": "shuttle_message_relayed", "direction": "child_to_victim"}, (3, 4, 5, 6, 7, 8)),
    ({"step": "intervention_delivered", "option": "shuttle_mediation"}, (3, 4, 5, 9)),
    ({"step": "conclusion_notified"}, (0, 10)),
    ({"step": "feedback_recorded", "satisfied": True}, (3, 10, 11)),
    ({"step": "closed", "outcome": "completed"}, tuple(range(13))),
]


def _closure(i: int) -> set[int]:
    """Every step that step `i` follows, directly or through another."""
    direct = set(PATH[i][1])
    return direct.union(*(_closure(d) for d in direct))


FOLLOWS = [_closure(i) for i in range(len(PATH))]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=len(PATH), max_size=len(PATH)))
def test_every_step_refuses_a_date_before_a_step_it_follows(offsets: list[int]) -> None:
    """Along the whole path, each step dated before one it follows is refused naming both dates and
    recording nothing; dated on or after all of them, it is accepted."""
    state = opened()
    recorded: list[date] = []
    for (body, _), deps, offset in zip(PATH, FOLLOWS, offsets, strict=True):
        day = OPENED + timedelta(days=offset)
        earliest = max((recorded[d] for d in deps), default=OPENED)
        if day < earliest:
            why = refusal(state, day, **body)
            assert f"effective date {day}" in why and "which it depends on" in why, why
            named = [recorded[d] for d in deps if recorded[d] > day]
            assert any(f"({d})" in why for d in named), (why, named)
            day = earliest  # the worker corrects the date; now it is accepted
        state = apply(state, day, **body)
        recorded.append(day)
    assert state.state == vc.ContactState.CLOSED
    assert state.last_step_on == max(recorded)


def shuttle_consented(on: date = date(2027, 1, 10)) -> vc.VictimContactState:
    """Details to consent on the days up to `on`, the consent on `on` itself."""
    state = opened()
    for i, (body, _) in enumerate(PATH[:5]):
        state = apply(state, on - timedelta(days=4 - i), **body)
    return state


def test_a_risk_assessment_dated_before_the_consent_it_depends_on_is_refused() -> None:
    state = shuttle_consented(date(2027, 1, 10))
    why = refusal(state, date(2027, 1, 9), step="risk_assessed", outcome="proceed")
    assert why.startswith("risk_assessed refused: effective date 2027-01-09 is before the first consent")
    assert "(2027-01-10)" in why and "before the first consent it depends on was given" in why


def test_feedback_dated_before_the_conclusion_was_notified_is_refused() -> None:
    state = opened()
    for i, (body, _) in enumerate(PATH[:12]):
        state = apply(state, date(2027, 1, 10 + i), **body)  # conclusion notified on 21 January
    why = refusal(state, date(2027, 1, 20), step="feedback_recorded", satisfied=False)
    assert "before the victim was told the work had concluded (2027-01-21)" in why
    assert apply(state, date(2027, 1, 21), step="feedback_recorded").feedback_on == date(2027, 1, 21)


def test_closing_or_withdrawing_before_the_latest_step_is_refused_and_reopening_follows_withdrawal() -> None:
    state = shuttle_consented(date(2027, 1, 10))
    assert "before the latest step already recorded (2027-01-10)" in refusal(state, date(2027, 1, 9), step="withdrawn")
    withdrawn = apply(state, date(2027, 1, 12), step="withdrawn")
    assert "before the victim withdrew (2027-01-12)" in refusal(withdrawn, date(2027, 1, 11), step="reopened")


def test_older_contacts_replay_as_they_were_decided() -> None:
    """`later_rules=False` (an old history replaying) accepts what was accepted before these checks."""
    state = shuttle_consented(date(2027, 1, 10))
    assert decide(state, date(2027, 1, 9), later_rules=False, step="risk_assessed", outcome="proceed").events
    contacted = opened()
    for body, _ in PATH[:3]:
        contacted = apply(contacted, date(2027, 1, 10), **body)
    legacy = decide(contacted, date(2027, 1, 10), later_rules=False, step="informed_choice_given")
    assert [type(e).__name__ for e in legacy.events] == ["RjInformationGiven", "InformedChoiceGiven"]


# --- the informed choice names the options explained -----------------------------------------------------


def contacted(on: date = date(2027, 1, 10)) -> vc.VictimContactState:
    state = opened()
    for body, _ in PATH[:3]:
        state = apply(state, on, **body)
    return state


def test_the_informed_choice_names_its_options_and_consent_is_only_to_those() -> None:
    state = contacted()
    assert "options_explained: name the options explained" in refusal(
        state, date(2027, 1, 11), step="informed_choice_given"
    )
    state = apply(state, date(2027, 1, 11), step="informed_choice_given", options_explained=["letter_of_explanation"])
    assert state.options_explained == (vc.RjOption.LETTER_OF_EXPLANATION,)
    why = refusal(state, date(2027, 1, 12), step="consent_recorded", option="direct_conference", **CONSENT)
    assert "option: direct_conference was not explained to the victim (explained: letter_of_explanation)" in why
    # A "no" to an option never explained is still honoured.
    declined = {**CONSENT, "consented": False}
    assert decide(state, date(2027, 1, 12), step="consent_recorded", option="direct_conference", **declined).events
    # Explaining more options later records them; the first explanation's date stands.
    more = decide(state, date(2027, 1, 13), step="informed_choice_given", options_explained=["direct_conference"])
    assert [type(e).__name__ for e in more.events] == ["InformedChoiceGiven"]  # RJ information was given already
    for payload in more.events:
        state = vc.evolve(state, payload)
    assert state.options_explained == (vc.RjOption.LETTER_OF_EXPLANATION, vc.RjOption.DIRECT_CONFERENCE)
    assert state.informed_choice_on == date(2027, 1, 11)
    assert "already explained" in refusal(
        state, date(2027, 1, 14), step="informed_choice_given", options_explained=["direct_conference"]
    )
    assert apply(state, date(2027, 1, 14), step="consent_recorded", option="direct_conference", **CONSENT).consents


def test_the_informed_choice_says_which_options_were_explained() -> None:
    (_, choice) = decide(
        contacted(),
        date(2027, 1, 11),
        step="informed_choice_given",
        options_explained=["letter_of_explanation", "shuttle_mediation"],
    ).events
    sentence = choice.describe({})
    assert "these options: a letter of explanation or apology and shuttle mediation" in sentence


def test_a_shuttle_round_is_a_message_each_way() -> None:
    """Messages count one by one; a round closes once a message has gone each way, and a second
    message the same way opens the next round."""
    state = opened()
    for body, _ in PATH[:8]:
        state = apply(state, date(2027, 1, 10), **body)
    seen = []
    for direction in ("victim_to_child", "child_to_victim", "victim_to_child", "victim_to_child", "child_to_victim"):
        (msg,) = decide(state, date(2027, 1, 11), step="shuttle_message_relayed", direction=direction).events
        assert isinstance(msg, vc_events.ShuttleMessageRelayed)
        seen.append((msg.message, msg.round))
        state = vc.evolve(state, msg)
    assert seen == [(1, 1), (2, 1), (3, 2), (4, 3), (5, 3)]
    assert msg.describe({}).startswith("Message 5 (round 3) carried from the child to the victim")
    # An older contact replays as it was recorded: each message its own "round".
    legacy = decide(
        state, date(2027, 1, 12), later_rules=False, step="shuttle_message_relayed", direction="child_to_victim"
    )
    (old,) = legacy.events
    assert isinstance(old, vc_events.ShuttleMessageRelayed) and (old.round, old.message) == (4, None)


def test_one_option_named_alone_is_a_list_of_one() -> None:
    """As the CLI's `--set options_explained=letter_of_explanation` sends it."""
    state = apply(
        contacted(), date(2027, 1, 11), step="informed_choice_given", options_explained="letter_of_explanation"
    )
    assert state.options_explained == (vc.RjOption.LETTER_OF_EXPLANATION,)
