"""The victim contact state machine alone: which steps voluntarism, safety and the Code allow."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from domain import events as ev
from domain import victim_contact as vc
from domain.decisions import CancelDeadline, Decision, MeetDeadline, ScheduleDeadline, Step, StepRefused
from domain.events import victim_contact as vc_events
from domain.events import victim_contact_closing as vc_closing_events
from domain.events import victim_contact_kpi as vc_kpi_events

STEP: TypeAdapter[vc.VictimContactStep] = TypeAdapter(vc.VictimContactStep)
TODAY = date(2027, 6, 30)
OPENED = date(2027, 1, 4)


def opened(**fields: Any) -> vc.VictimContactState:
    base: dict[str, Any] = {
        "victim_ref": "V-77",
        "child_id": "C-1",
        "yjs": "luton",
        "opened_on": OPENED,
        "linked_order_id": "ro-1",
    }
    state = vc.VictimContactState(**{**base, **fields})
    for payload in vc.open_contact(state).events:
        state = vc.evolve(state, payload)
    return state


def step(**body: Any) -> vc.VictimContactStep:
    if body.get("step") == "informed_choice_given":
        body.setdefault("options_explained", [str(o) for o in vc.RjOption])  # every option, unless a test names some
    return STEP.validate_python({"actor": "vicky", **body})


def decide(state: vc.VictimContactState, **body: Any) -> Decision:
    return vc.decide(state, step(**body), today=TODAY)


def fold(state: vc.VictimContactState, decision: Decision) -> vc.VictimContactState:
    for payload in decision.events:
        state = vc.evolve(state, payload)
    return state


def apply(state: vc.VictimContactState, **body: Any) -> vc.VictimContactState:
    return fold(state, decide(state, **body))


def milestone(
    state: vc.VictimContactState, kind: vc.MilestoneKind, on: str = "2027-03-01"
) -> tuple[Decision, vc.VictimContactState]:
    decision = vc.milestone_received(state, kind, "ro-1", TODAY, occurred_on=date.fromisoformat(on))
    return decision, fold(state, decision)


def refused(state: vc.VictimContactState, **body: Any) -> str:
    with pytest.raises(StepRefused) as e:
        decide(state, **body)
    return str(e.value)


# --- builders along the §2.2 path (each step a day after the last) ----------------------------------------


def details(state: vc.VictimContactState | None = None, **fields: Any) -> vc.VictimContactState:
    return apply(state or opened(**fields), step="details_received", effective_date="2027-01-05")


def contacted(**fields: Any) -> vc.VictimContactState:
    state = apply(details(**fields), step="suitability_decided", effective_date="2027-01-06", invite=True)
    return apply(state, step="contacted", effective_date="2027-01-07", channel="phone")


def informed(**fields: Any) -> vc.VictimContactState:
    return apply(contacted(**fields), step="informed_choice_given", effective_date="2027-01-08")


def consent(
    state: vc.VictimContactState,
    option: str,
    *,
    given_by: str | None = None,
    consented: bool = True,
    on: str = "2027-01-09",
) -> vc.VictimContactState:
    if given_by is None:  # whoever may give consent for this kind of victim
        given_by = {True: "parent_or_guardian", False: "victim"}[state.under_18]
        given_by = "named_contact" if state.victim_kind == "organisation" else given_by
    return apply(
        state,
        step="consent_recorded",
        effective_date=on,
        option=option,
        given_by=given_by,
        how="in_person",
        consented=consented,
    )


def consented(*options: str, **fields: Any) -> vc.VictimContactState:
    state = informed(**fields)
    for option in options:
        state = consent(state, option)
    return state


def assessed(*options: str, outcome: str = "proceed", **fields: Any) -> vc.VictimContactState:
    state = consented(*options, **fields)
    return apply(state, step="risk_assessed", effective_date="2027-01-10", outcome=outcome)


def prepared(*options: str, parties: tuple[str, ...] = ("victim", "child"), **fields: Any) -> vc.VictimContactState:
    state = assessed(*options, **fields)
    for party in parties:
        state = apply(state, step="preparation_meeting_held", effective_date="2027-01-11", with_party=party)
    return state


def withdrawn() -> vc.VictimContactState:
    return apply(prepared("shuttle_mediation"), step="withdrawn", effective_date="2027-01-12")


def closed() -> vc.VictimContactState:
    state = apply(details(), step="suitability_decided", effective_date="2027-01-06", invite=True)
    state = apply(state, step="contact_attempted", effective_date="2027-01-07", channel="letter", result="no_answer")
    return apply(state, step="closed", effective_date="2027-01-20", outcome="no_response")


def rules(decision: Decision, kind: type[ScheduleDeadline | MeetDeadline | CancelDeadline]) -> list[str]:
    return [d.rule_id for d in decision.deadlines if isinstance(d, kind)]


# --- opening and the RJ-information clock ---------------------------------------------------------------


def test_opening_schedules_nothing_until_the_details_arrive() -> None:
    """The RJ-information clock runs from when the YJS has the victim's details, not from the opening."""
    state = vc.VictimContactState(victim_ref="V-77", child_id="C-1", yjs="luton", opened_on=OPENED)
    decision = vc.open_contact(state)
    assert decision.deadlines == ()
    assert [type(e).__name__ for e in decision.events] == ["VictimContactOpened"]
    assert fold(state, decision).state == vc.ContactState.IDENTIFIED


def test_opening_with_a_vcs_referral_due_schedules_it_from_the_sentence() -> None:
    """Code Right 11: the VCS clock runs from sentence, whether or not details have arrived."""
    state = vc.VictimContactState(
        victim_ref="V-77",
        child_id="C-1",
        yjs="luton",
        opened_on=OPENED,
        vcs_referral_needed=vc.vcs_referral_due(18, violent_or_sexual=True),
        sentence_date=date(2027, 1, 3),
    )
    assert vc.open_contact(state).deadlines == (
        ScheduleDeadline(rule_id="victim.vcs_referral", clock_start=date(2027, 1, 3)),
    )


@pytest.mark.parametrize(
    ("months", "violent_or_sexual", "due"),
    [(12, True, True), (24, True, True), (11, True, False), (36, False, False)],
)
def test_vcs_referral_due_for_twelve_months_or_more_for_violent_or_sexual_offences(
    months: int, violent_or_sexual: bool, due: bool
) -> None:
    """The Victim Contact Scheme threshold: 12 months or more, violent or sexual offence."""
    assert vc.vcs_referral_due(months, violent_or_sexual) is due


@pytest.mark.parametrize(
    ("fields", "flag", "rule"),
    [
        ({}, False, "victim.rj_information"),
        ({}, True, "victim.rj_information_enhanced"),
        ({"under_18": True}, False, "victim.rj_information_enhanced"),
        ({"enhanced_rights": True}, False, "victim.rj_information_enhanced"),
    ],
)
def test_enhanced_rights_switch_the_rj_information_rule(fields: dict[str, Any], flag: bool, rule: str) -> None:
    """5 WD normally, 1 WD with enhanced rights, which every victim under 18 has."""
    state = opened(**fields)
    decision = decide(state, step="details_received", effective_date="2027-01-05", enhanced_rights=flag)
    assert decision.deadlines == (ScheduleDeadline(rule_id=rule, clock_start=date(2027, 1, 5)),)
    after = fold(state, decision)
    assert vc.open_deadline_rules(after) == {rule}
    # The same rule is the one the informed choice meets.
    after = apply(after, step="suitability_decided", effective_date="2027-01-06", invite=True)
    after = apply(after, step="contacted", effective_date="2027-01-06", channel="visit")
    met = decide(after, step="informed_choice_given", effective_date="2027-01-06")
    assert met.deadlines == (MeetDeadline(rule_id=rule, met_on=date(2027, 1, 6)),)


def test_under_18_opening_records_enhanced_rights() -> None:
    """The opening event says enhanced rights for a child victim even if the caller did not."""
    decision = vc.open_contact(
        vc.VictimContactState(victim_ref="V-1", child_id="C-1", yjs="luton", opened_on=OPENED, under_18=True)
    )
    opened_event = decision.events[0]
    assert isinstance(opened_event, ev.VictimContactOpened)
    assert opened_event.enhanced_rights is True


# --- two full journeys ------------------------------------------------------------------------------------------


def test_full_shuttle_mediation_from_opened_to_closed() -> None:
    """Identified → details → invited → attempts → contacted → informed choice → consent → risk → both
    prepared → messages both ways → delivered → kept informed → conclusion → feedback → closed completed."""
    state = opened()
    effects: list[Any] = []

    def go(**body: Any) -> None:
        nonlocal state
        decision = decide(state, **body)
        effects.extend(decision.deadlines)
        state = fold(state, decision)

    def now() -> vc.ContactState:  # read through a call, so each assert sees the state as it is then
        return state.state

    go(step="details_received", effective_date="2027-01-05")
    assert now() == vc.ContactState.DETAILS_RECEIVED
    go(step="suitability_decided", effective_date="2027-01-05", invite=True)
    assert now() == vc.ContactState.SUITABILITY_DECIDED
    go(step="contact_attempted", effective_date="2027-01-06", channel="phone", result="no_answer")
    go(step="contact_attempted", effective_date="2027-01-07", channel="phone", result="left_message")
    assert (state.state, state.contact_attempts) == (vc.ContactState.CONTACT_ATTEMPTED, 2)
    go(step="contacted", effective_date="2027-01-08", channel="phone")
    assert now() == vc.ContactState.CONTACTED
    go(step="informed_choice_given", effective_date="2027-01-08")
    assert now() == vc.ContactState.INFORMED_CHOICE_GIVEN
    assert state.rj_information_given_on == date(2027, 1, 8)
    go(
        step="consent_recorded",
        effective_date="2027-01-12",
        option="shuttle_mediation",
        given_by="victim",
        how="in_person",
        consented=True,
    )
    go(
        step="consent_recorded",
        effective_date="2027-01-12",
        option="direct_conference",
        given_by="victim",
        how="in_person",
        consented=False,
    )
    assert now() == vc.ContactState.CONSENT_RECORDED
    assert vc.granted(state) == {vc.RjOption.SHUTTLE_MEDIATION}
    assert state.keep_informed_opt_in
    go(step="risk_assessed", effective_date="2027-01-14", outcome="proceed_with_safeguards")
    assert now() == vc.ContactState.RISK_ASSESSED
    go(step="preparation_meeting_held", effective_date="2027-01-18", with_party="victim")
    go(step="preparation_meeting_held", effective_date="2027-01-19", with_party="child")
    assert now() == vc.ContactState.PREPARING
    decision, state = milestone(state, "panel_held", on="2027-01-20")
    effects.extend(decision.deadlines)
    go(step="kept_informed", effective_date="2027-01-21", milestone="panel_held")
    go(step="shuttle_message_relayed", effective_date="2027-01-25", direction="child_to_victim")
    go(step="shuttle_message_relayed", effective_date="2027-02-01", direction="victim_to_child")
    go(step="shuttle_message_relayed", effective_date="2027-02-08", direction="child_to_victim")
    assert (state.shuttle_rounds, state.shuttle_messages) == (2, 3)  # a round is a message each way
    go(step="intervention_delivered", effective_date="2027-02-08", option="shuttle_mediation")
    assert now() == vc.ContactState.INTERVENTION_DELIVERED
    decision, state = milestone(state, "order_ended", on="2027-06-01")
    effects.extend(decision.deadlines)
    go(step="conclusion_notified", effective_date="2027-06-02")
    go(step="feedback_recorded", effective_date="2027-06-10", satisfied=True)
    assert now() == vc.ContactState.FEEDBACK_RECORDED
    go(step="closed", effective_date="2027-06-11", outcome="completed")
    assert (state.state, state.closed_outcome) == (vc.ContactState.CLOSED, "completed")

    assert [(type(e).__name__, e.rule_id) for e in effects] == [
        ("ScheduleDeadline", "victim.rj_information"),
        ("MeetDeadline", "victim.rj_information"),
        ("ScheduleDeadline", "victim.keep_informed"),
        ("MeetDeadline", "victim.keep_informed"),
        ("ScheduleDeadline", "victim.conclusion"),
        ("MeetDeadline", "victim.conclusion"),
        ("CancelDeadline", "*"),
    ]


def test_full_direct_conference_for_a_child_victim_from_opened_to_closed() -> None:
    """A victim under 18: enhanced rule, consent through a parent, a conference with a parent present."""
    state = opened(under_18=True)
    events: list[str] = []
    effects: list[Any] = []
    bodies: list[dict[str, Any]] = [
        {"step": "details_received", "effective_date": "2027-01-05"},
        {"step": "suitability_decided", "effective_date": "2027-01-05", "invite": True},
        {"step": "contact_attempted", "effective_date": "2027-01-05", "channel": "visit", "result": "reached"},
        {"step": "informed_choice_given", "effective_date": "2027-01-06"},
        {
            "step": "consent_recorded",
            "effective_date": "2027-01-08",
            "option": "direct_conference",
            "given_by": "parent_or_guardian",
            "how": "in_person",
            "consented": True,
        },
        {"step": "risk_assessed", "effective_date": "2027-01-11", "outcome": "proceed"},
        {"step": "preparation_meeting_held", "effective_date": "2027-01-13", "with_party": "child"},
        {"step": "preparation_meeting_held", "effective_date": "2027-01-14", "with_party": "victim"},
        {
            "step": "conference_held",
            "effective_date": "2027-01-28",
            "outcome_agreement": True,
            "attendees": ["victim", "parent_or_guardian", "child", "child_parent_or_carer", "facilitator"],
        },
        {"step": "intervention_delivered", "effective_date": "2027-01-28", "option": "direct_conference"},
        {"step": "conclusion_notified", "effective_date": "2027-02-01"},
        {"step": "feedback_recorded", "effective_date": "2027-02-15", "satisfied": None},
        {"step": "closed", "effective_date": "2027-02-16", "outcome": "completed"},
    ]
    for body in bodies:
        decision = decide(state, **body)
        events += [type(e).__name__ for e in decision.events]
        effects += decision.deadlines
        state = fold(state, decision)
    assert events == [
        "VictimDetailsReceived",
        "SuitabilityDecided",
        "ContactAttempted",
        "VictimContacted",  # a contact attempt that reached the victim is the contact
        "RjInformationGiven",
        "InformedChoiceGiven",
        "ConsentRecorded",
        "RiskAssessed",
        "PreparationMeetingHeld",
        "PreparationMeetingHeld",
        "ConferenceHeld",
        "InterventionDelivered",
        "ConclusionNotified",
        "FeedbackRecorded",
        "ContactClosed",
    ]
    assert effects[:2] == [
        ScheduleDeadline(rule_id="victim.rj_information_enhanced", clock_start=date(2027, 1, 5)),
        MeetDeadline(rule_id="victim.rj_information_enhanced", met_on=date(2027, 1, 6)),
    ]
    # No order ending yet, so the conclusion told here is the RJ's and meets no order deadline.
    assert effects[2:] == [CancelDeadline(rule_id="*", why="victim contact closed (completed)")]
    assert state.outcome_agreement and state.conferences_held == 1
    assert state.state == vc.ContactState.CLOSED


# --- withdrawal and reopening ------------------------------------------------------------------------------


def test_withdrawal_cancels_all_but_the_conclusion_and_reopening_restarts_from_fresh_consent() -> None:
    """No pressure: nothing runs while withdrawn except telling the victim the order ended; coming back
    restarts the stopped clocks from that day and asks for consent again."""
    state = opened(vcs_referral_needed=True, sentence_date=date(2027, 1, 4))
    state = informed(vcs_referral_needed=True, sentence_date=date(2027, 1, 4))
    state = consent(state, "shuttle_mediation")
    state = apply(state, step="risk_assessed", effective_date="2027-01-10", outcome="proceed")
    _, state = milestone(state, "panel_held", on="2027-01-20")
    _, state = milestone(state, "order_ended", on="2027-01-21")
    assert vc.open_deadline_rules(state) == {"victim.keep_informed", "victim.conclusion", "victim.vcs_referral"}

    decision = decide(state, step="withdrawn", effective_date="2027-01-22")  # no reason asked for
    assert decision.deadlines == (
        CancelDeadline(rule_id="victim.keep_informed", why="the victim withdrew"),
        CancelDeadline(rule_id="victim.vcs_referral", why="the victim withdrew"),
    )
    state = fold(state, decision)
    assert state.state == vc.ContactState.WITHDRAWN
    assert vc.granted(state) == frozenset() and state.risk_outcome is None and not state.keep_informed_opt_in
    assert vc.open_deadline_rules(state) == {"victim.conclusion"}

    # The order still reaches the record, but no update is owed to a victim who stepped back.
    decision, state = milestone(state, "breach", on="2027-01-25")
    assert decision.deadlines == ()
    assert [type(e).__name__ for e in decision.events] == ["OrderMilestoneReceived"]

    reopen = decide(state, step="reopened", effective_date="2027-02-01")
    assert reopen.deadlines == (ScheduleDeadline(rule_id="victim.vcs_referral", clock_start=date(2027, 2, 1)),)
    state = fold(state, reopen)
    assert state.state == vc.ContactState.INFORMED_CHOICE_GIVEN
    assert "lapsed when the victim withdrew on 2027-01-22" in refused(
        state, step="intervention_delivered", effective_date="2027-02-02", option="shuttle_mediation"
    )
    state = consent(state, "shuttle_mediation", on="2027-02-02")
    assert vc.granted(state) == {vc.RjOption.SHUTTLE_MEDIATION}
    assert "needs a risk assessment first" in refused(
        state, step="preparation_meeting_held", effective_date="2027-02-03", with_party="victim"
    )


def test_withdrawal_before_rj_information_cancels_it_and_reopening_restarts_it() -> None:
    """A victim who opts out before being reached stops the RJ clock; coming back starts it again."""
    state = details()
    decision = decide(state, step="withdrawn", effective_date="2027-01-06")
    assert decision.deadlines == (CancelDeadline(rule_id="victim.rj_information", why="the victim withdrew"),)
    state = fold(state, decision)
    reopen = decide(state, step="reopened", effective_date="2027-02-01")
    assert reopen.deadlines == (ScheduleDeadline(rule_id="victim.rj_information", clock_start=date(2027, 2, 1)),)
    assert fold(state, reopen).state == vc.ContactState.DETAILS_RECEIVED


def test_a_withdrawn_victim_is_still_told_the_order_ended_and_the_contact_can_be_closed() -> None:
    """The conclusion deadline survives withdrawal; closing as withdrawn cancels what is left."""
    state = withdrawn()
    decision, state = milestone(state, "order_ended", on="2027-02-01")
    assert rules(decision, ScheduleDeadline) == ["victim.conclusion"]
    told = decide(state, step="conclusion_notified", effective_date="2027-02-02")
    assert told.deadlines == (MeetDeadline(rule_id="victim.conclusion", met_on=date(2027, 2, 2)),)
    state = apply(fold(state, told), step="closed", effective_date="2027-02-03", outcome="withdrawn")
    assert state.closed_outcome == "withdrawn"


# --- every refusal, with its reason ----------------------------------------------------------------------------


def case(name: str, state: vc.VictimContactState, reason: str, /, **body: Any) -> Any:
    return pytest.param(state, body, reason, id=name)


def _revoked(option: str) -> vc.VictimContactState:
    return consent(prepared(option), option, consented=False, on="2027-01-12")


REFUSALS = [
    # dates
    case(
        "future",
        details(),
        "effective date 2027-07-01 is in the future (today is 2027-06-30)",
        step="suitability_decided",
        effective_date="2027-07-01",
        invite=True,
    ),
    case(
        "before opened",
        opened(),
        "before the contact was opened (2027-01-04)",
        step="details_received",
        effective_date="2027-01-03",
    ),
    # out of order, early path
    case(
        "details twice",
        details(),
        "already received on 2027-01-05",
        step="details_received",
        effective_date="2027-01-06",
    ),
    case(
        "suitability before details",
        opened(),
        "details have not been received yet",
        step="suitability_decided",
        effective_date="2027-01-05",
        invite=True,
    ),
    case(
        "suitability twice",
        contacted(),
        "suitability was already decided",
        step="suitability_decided",
        effective_date="2027-01-08",
        invite=True,
    ),
    case(
        "not invited without reason",
        details(),
        "needs the reason recorded",
        step="suitability_decided",
        effective_date="2027-01-06",
        invite=False,
    ),
    case(
        "not invited, blank reason",
        details(),
        "needs the reason recorded",
        step="suitability_decided",
        effective_date="2027-01-06",
        invite=False,
        reason=" ",
    ),
    case(
        "attempt before suitability",
        details(),
        "has not been decided yet (suitability_decided)",
        step="contact_attempted",
        effective_date="2027-01-06",
        channel="letter",
        result="no_answer",
    ),
    case(
        "attempt after a refusal",
        apply(
            apply(details(), step="suitability_decided", effective_date="2027-01-06", invite=True),
            step="contact_attempted",
            effective_date="2027-01-07",
            channel="phone",
            result="refused",
        ),
        "refused contact on 2027-01-07; do not try again",
        step="contact_attempted",
        effective_date="2027-01-08",
        channel="letter",
        result="no_answer",
    ),
    case(
        "contacted twice",
        contacted(),
        "already contacted on 2027-01-07",
        step="contacted",
        effective_date="2027-01-08",
        channel="phone",
    ),
    case(
        "informed choice before contact",
        details(),
        "has not been contacted yet",
        step="informed_choice_given",
        effective_date="2027-01-06",
    ),
    case(
        "informed choice twice",
        informed(),
        "already given on 2027-01-08",
        step="informed_choice_given",
        effective_date="2027-01-09",
    ),
    case(
        "keep-informed choice before contact",
        details(),
        "has not been contacted yet",
        step="keep_informed_choice",
        effective_date="2027-01-06",
        opt_in=True,
    ),
    # consent
    case(
        "consent before informed choice",
        contacted(),
        "has not been given an informed choice yet",
        step="consent_recorded",
        effective_date="2027-01-08",
        option="information_only",
        given_by="victim",
        how="phone",
        consented=True,
    ),
    case(
        "parent for an adult",
        informed(),
        "V-77 is an adult: consent is the victim's own",
        step="consent_recorded",
        effective_date="2027-01-09",
        option="information_only",
        given_by="parent_or_guardian",
        how="phone",
        consented=True,
    ),
    case(
        "named contact for a person",
        informed(),
        "V-77 is a person: named_contact is only for an organisation",
        step="consent_recorded",
        effective_date="2027-01-09",
        option="information_only",
        given_by="named_contact",
        how="email",
        consented=True,
    ),
    case(
        "child victim consenting alone",
        informed(under_18=True),
        "V-77 is under 18: consent is given with a parent or guardian involved",
        step="consent_recorded",
        effective_date="2027-01-09",
        option="letter_of_explanation",
        given_by="victim",
        how="in_person",
        consented=True,
    ),
    case(
        "organisation without its named contact",
        informed(victim_kind="organisation"),
        "V-77 is an organisation: it consents only through its named contact",
        step="consent_recorded",
        effective_date="2027-01-09",
        option="indirect_reparation",
        given_by="victim",
        how="letter",
        consented=True,
    ),
    case(
        "consent twice",
        consented("information_only"),
        "consent to information_only was already given on 2027-01-09",
        step="consent_recorded",
        effective_date="2027-01-10",
        option="information_only",
        given_by="victim",
        how="phone",
        consented=True,
    ),
    # risk and preparation
    case(
        "risk before any consent",
        informed(),
        "has not consented to any option yet",
        step="risk_assessed",
        effective_date="2027-01-09",
        outcome="proceed",
    ),
    case(
        "risk after only a no",
        consent(informed(), "direct_conference", consented=False),
        "has not consented to any option yet",
        step="risk_assessed",
        effective_date="2027-01-10",
        outcome="proceed",
    ),
    case(
        "preparation without a prepared option",
        assessed("letter_of_explanation"),
        "has consented to none of them",
        step="preparation_meeting_held",
        effective_date="2027-01-11",
        with_party="child",
    ),
    case(
        "preparation without risk",
        consented("shuttle_mediation"),
        "preparation needs a risk assessment first",
        step="preparation_meeting_held",
        effective_date="2027-01-11",
        with_party="child",
    ),
    case(
        "preparation when not safe",
        assessed("shuttle_mediation", outcome="do_not_proceed"),
        "was do_not_proceed, so preparation cannot go ahead",
        step="preparation_meeting_held",
        effective_date="2027-01-11",
        with_party="child",
    ),
    # shuttle mediation
    case(
        "shuttle without consent",
        prepared("direct_conference"),
        "the victim has not consented to shuttle_mediation",
        step="shuttle_message_relayed",
        effective_date="2027-01-12",
        direction="victim_to_child",
    ),
    case(
        "shuttle without risk",
        consented("shuttle_mediation"),
        "shuttle_mediation needs a risk assessment first",
        step="shuttle_message_relayed",
        effective_date="2027-01-12",
        direction="victim_to_child",
    ),
    case(
        "shuttle when not safe",
        assessed("shuttle_mediation", outcome="do_not_proceed"),
        "was do_not_proceed, so shuttle_mediation cannot go ahead",
        step="shuttle_message_relayed",
        effective_date="2027-01-12",
        direction="victim_to_child",
    ),
    case(
        "shuttle without preparing the child",
        prepared("shuttle_mediation", parties=("victim",)),
        "needs preparation meetings with both the victim and the child first; missing: child",
        step="shuttle_message_relayed",
        effective_date="2027-01-12",
        direction="victim_to_child",
    ),
    case(
        "shuttle with no preparation",
        assessed("shuttle_mediation"),
        "missing: victim, child",
        step="shuttle_message_relayed",
        effective_date="2027-01-12",
        direction="victim_to_child",
    ),
    case(
        "shuttle after revocation",
        _revoked("shuttle_mediation"),
        "consent to shuttle_mediation was revoked on 2027-01-12",
        step="shuttle_message_relayed",
        effective_date="2027-01-13",
        direction="child_to_victim",
    ),
    case(
        "shuttle after a no",
        consent(prepared("direct_conference"), "shuttle_mediation", consented=False),
        "the victim declined shuttle_mediation on 2027-01-09",
        step="shuttle_message_relayed",
        effective_date="2027-01-13",
        direction="child_to_victim",
    ),
    # conference
    case(
        "conference without consent",
        prepared("shuttle_mediation"),
        "the victim has not consented to direct_conference",
        step="conference_held",
        effective_date="2027-01-20",
        attendees=["victim", "child", "facilitator"],
        outcome_agreement=True,
    ),
    case(
        "conference without both preparations",
        prepared("direct_conference", parties=("child",)),
        "direct_conference needs preparation meetings with both",
        step="conference_held",
        effective_date="2027-01-20",
        attendees=["victim", "child", "facilitator"],
        outcome_agreement=True,
    ),
    case(
        "conference after revocation",
        _revoked("direct_conference"),
        "consent to direct_conference was revoked on 2027-01-12",
        step="conference_held",
        effective_date="2027-01-20",
        attendees=["victim", "child", "facilitator"],
        outcome_agreement=True,
    ),
    case(
        "conference without the child",
        prepared("direct_conference"),
        "needs victim, child, facilitator; missing: child",
        step="conference_held",
        effective_date="2027-01-20",
        attendees=["victim", "facilitator"],
        outcome_agreement=False,
    ),
    case(
        "child victim's conference without a parent",
        prepared("direct_conference", under_18=True),
        "missing: parent_or_guardian",
        step="conference_held",
        effective_date="2027-01-20",
        attendees=["victim", "child", "facilitator"],
        outcome_agreement=True,
    ),
    # intervention delivered
    case(
        "delivered without consent",
        assessed("information_only"),
        "the victim has not consented to indirect_reparation",
        step="intervention_delivered",
        effective_date="2027-01-20",
        option="indirect_reparation",
    ),
    case(
        "delivered after revocation",
        _revoked("direct_reparation"),
        "consent to direct_reparation was revoked on 2027-01-12",
        step="intervention_delivered",
        effective_date="2027-01-20",
        option="direct_reparation",
    ),
    case(
        "direct option when not safe",
        assessed("direct_reparation", outcome="do_not_proceed"),
        "was do_not_proceed, so direct_reparation cannot go ahead; offer information_only",
        step="intervention_delivered",
        effective_date="2027-01-20",
        option="direct_reparation",
    ),
    case(
        "letter without risk",
        consented("letter_of_explanation"),
        "needs a risk assessment first",
        step="intervention_delivered",
        effective_date="2027-01-20",
        option="letter_of_explanation",
    ),
    case(
        "shuttle delivered with no messages",
        prepared("shuttle_mediation"),
        "no shuttle message has been relayed yet",
        step="intervention_delivered",
        effective_date="2027-01-20",
        option="shuttle_mediation",
    ),
    case(
        "conference delivered with none held",
        prepared("direct_conference"),
        "no conference has been held yet",
        step="intervention_delivered",
        effective_date="2027-01-20",
        option="direct_conference",
    ),
    # keeping informed, conclusion, feedback, VCS
    case(
        "kept informed without opting in",
        informed(),
        "has not opted in to be kept informed",
        step="kept_informed",
        effective_date="2027-01-20",
        milestone="panel_held",
    ),
    case(
        "conclusion with nothing concluded",
        consented("information_only"),
        "nothing has concluded yet",
        step="conclusion_notified",
        effective_date="2027-01-20",
    ),
    case(
        "feedback before delivery",
        consented("information_only"),
        "no intervention has been delivered yet",
        step="feedback_recorded",
        effective_date="2027-01-20",
        satisfied=True,
    ),
    case(
        "vcs before details",
        opened(),
        "details have not been received yet",
        step="vcs_referral_made",
        effective_date="2027-01-05",
    ),
    case(
        "vcs twice",
        apply(details(), step="vcs_referral_made", effective_date="2027-01-06"),
        "already made on 2027-01-06",
        step="vcs_referral_made",
        effective_date="2027-01-07",
    ),
    # withdrawn: only reopened (and conclusion / closing)
    case(
        "consent while withdrawn",
        withdrawn(),
        "the victim withdrew on 2027-01-12; nothing more is done without them: only reopened",
        step="consent_recorded",
        effective_date="2027-01-13",
        option="shuttle_mediation",
        given_by="victim",
        how="phone",
        consented=True,
    ),
    case(
        "shuttle while withdrawn",
        withdrawn(),
        "the victim withdrew on 2027-01-12",
        step="shuttle_message_relayed",
        effective_date="2027-01-13",
        direction="child_to_victim",
    ),
    case(
        "feedback while withdrawn",
        withdrawn(),
        "the victim withdrew on 2027-01-12",
        step="feedback_recorded",
        effective_date="2027-01-13",
    ),
    case(
        "withdraw twice",
        withdrawn(),
        "the victim withdrew on 2027-01-12",
        step="withdrawn",
        effective_date="2027-01-13",
    ),
    case(
        "reopen when not withdrawn",
        informed(),
        "only a withdrawn contact can be reopened; this one is informed_choice_given",
        step="reopened",
        effective_date="2027-01-13",
    ),
    # closed: nothing
    case(
        "anything while closed",
        closed(),
        "the contact is closed (no_response); nothing more can be recorded",
        step="contacted",
        effective_date="2027-01-21",
        channel="phone",
    ),
    case(
        "withdraw while closed",
        closed(),
        "the contact is closed (no_response)",
        step="withdrawn",
        effective_date="2027-01-21",
    ),
    case(
        "reopen while closed",
        closed(),
        "the contact is closed (no_response)",
        step="reopened",
        effective_date="2027-01-21",
    ),
    # closing
    case(
        "close as not invited",
        details(),
        "recorded with suitability_decided (invite=false and the reason)",
        step="closed",
        effective_date="2027-01-06",
        outcome="not_invited",
    ),
    case(
        "close as withdrawn without withdrawal",
        informed(),
        "the victim has not withdrawn; record withdrawn first",
        step="closed",
        effective_date="2027-01-09",
        outcome="withdrawn",
    ),
    case(
        "close safely without reason",
        informed(),
        "needs the safeguarding reason recorded",
        step="closed",
        effective_date="2027-01-09",
        outcome="safely_closed",
    ),
    case(
        "close withdrawn contact as completed",
        withdrawn(),
        "close as withdrawn or safely_closed",
        step="closed",
        effective_date="2027-01-13",
        outcome="completed",
    ),
    case(
        "no response without an attempt",
        apply(details(), step="suitability_decided", effective_date="2027-01-06", invite=True),
        "no contact attempt has been recorded",
        step="closed",
        effective_date="2027-01-09",
        outcome="no_response",
    ),
    case(
        "no response after contact",
        contacted(),
        "the victim was contacted on 2027-01-07; they did respond",
        step="closed",
        effective_date="2027-01-09",
        outcome="no_response",
    ),
    case(
        "declined before reaching them",
        details(),
        "has not been reached, so has not declined",
        step="closed",
        effective_date="2027-01-09",
        outcome="declined",
    ),
    case(
        "declined with a live consent",
        consented("information_only"),
        "still consents to information_only",
        step="closed",
        effective_date="2027-01-10",
        outcome="declined",
    ),
    case(
        "completed with nothing delivered",
        consented("information_only"),
        "no intervention has been delivered",
        step="closed",
        effective_date="2027-01-10",
        outcome="completed",
    ),
    case(
        "completed before the conclusion is told",
        apply(
            consented("information_only"),
            step="intervention_delivered",
            effective_date="2027-01-10",
            option="information_only",
        ),
        "has not been told the intervention concluded",
        step="closed",
        effective_date="2027-01-11",
        outcome="completed",
    ),
    case(
        "closing with a VCS referral owed",
        consent(informed(vcs_referral_needed=True, sentence_date=OPENED), "information_only", consented=False),
        "Victim Contact Scheme referral is owed",
        step="closed",
        effective_date="2027-01-10",
        outcome="declined",
    ),
    case(
        "not inviting with a VCS referral owed",
        details(vcs_referral_needed=True, sentence_date=OPENED),
        "record vcs_referral_made first",
        step="suitability_decided",
        effective_date="2027-01-06",
        invite=False,
        reason="safeguarding",
    ),
]


@pytest.mark.parametrize(("state", "body", "reason"), REFUSALS)
def test_steps_out_of_order_or_out_of_bounds_are_refused_with_the_reason(
    state: vc.VictimContactState, body: dict[str, Any], reason: str
) -> None:
    """Each refusal names what is wrong and, where there is one, what to do instead."""
    message = refused(state, **body)
    assert message.startswith(f"{body['step']} refused: ")
    assert reason in message


@pytest.mark.parametrize(
    ("state", "kind", "order_id", "on", "reason"),
    [
        (closed(), "panel_held", "ro-1", date(2027, 2, 1), "the contact is closed (no_response)"),
        (details(), "panel_held", "ro-9", date(2027, 2, 1), "linked to order ro-1, not ro-9"),
        (details(linked_order_id=None), "panel_held", "ro-1", date(2027, 2, 1), "linked to order None"),
        (details(), "panel_held", "ro-1", date(2027, 7, 1), "in the future"),
        (details(), "panel_held", "ro-1", date(2027, 1, 1), "before the contact was opened"),
    ],
)
def test_milestones_from_another_order_closed_contacts_or_bad_dates_are_refused(
    state: vc.VictimContactState, kind: Any, order_id: str, on: date, reason: str
) -> None:
    """The linked order is the only source of milestones, and a closed contact hears nothing more."""
    with pytest.raises(StepRefused) as e:
        vc.milestone_received(state, kind, order_id, TODAY, occurred_on=on)
    assert reason in str(e.value)


# --- consent ---------------------------------------------------------------------------------------------


def test_consent_is_per_option_revocable_and_can_be_given_again() -> None:
    """Each option has its own answer; a revocation stops that option only; fresh consent restores it."""
    state = prepared("shuttle_mediation", "letter_of_explanation", "panel_participation")
    assert vc.granted(state) == {
        vc.RjOption.SHUTTLE_MEDIATION,
        vc.RjOption.LETTER_OF_EXPLANATION,
        vc.RjOption.PANEL_PARTICIPATION,
    }
    state = consent(state, "shuttle_mediation", consented=False, on="2027-01-12")
    record = state.consents[vc.RjOption.SHUTTLE_MEDIATION]
    assert (record.granted, record.ever_granted, record.on) == (False, True, date(2027, 1, 12))
    assert vc.granted(state) == {vc.RjOption.LETTER_OF_EXPLANATION, vc.RjOption.PANEL_PARTICIPATION}
    # The other options go on.
    state = apply(state, step="intervention_delivered", effective_date="2027-01-13", option="letter_of_explanation")
    assert "revoked on 2027-01-12" in refused(
        state, step="shuttle_message_relayed", effective_date="2027-01-13", direction="victim_to_child"
    )
    state = consent(state, "shuttle_mediation", on="2027-01-14")
    state = apply(state, step="shuttle_message_relayed", effective_date="2027-01-15", direction="victim_to_child")
    assert state.shuttle_rounds == 1


def test_consent_records_who_how_and_when() -> None:
    """The record says who consented, how and when (RJC voluntarism: informed and ongoing consent)."""
    decision = decide(
        informed(),
        step="consent_recorded",
        effective_date="2027-01-09",
        option="letter_of_explanation",
        given_by="victim",
        how="letter",
        consented=True,
    )
    assert decision.events == (
        ev.ConsentRecorded(
            option=vc.RjOption.LETTER_OF_EXPLANATION,
            given_by="victim",
            how="letter",
            consented=True,
            on=date(2027, 1, 9),
        ),
    )


def test_a_child_victim_consents_through_a_parent_and_either_can_say_no() -> None:
    """Under 18: consent is given with a parent or guardian; the child's own "no" is honoured at once."""
    state = consent(informed(under_18=True), "letter_of_explanation", given_by="parent_or_guardian")
    assert vc.granted(state) == {vc.RjOption.LETTER_OF_EXPLANATION}
    state = consent(state, "letter_of_explanation", given_by="victim", consented=False, on="2027-01-10")
    assert vc.granted(state) == frozenset()


def test_an_organisation_takes_part_through_its_named_contact() -> None:
    """A corporate victim consents and attends a conference only through its named contact."""
    state = prepared("direct_conference", victim_kind="organisation")
    body = {"step": "conference_held", "effective_date": "2027-01-20", "outcome_agreement": True}
    assert "missing: named_contact" in refused(state, **body, attendees=["victim", "child", "facilitator"])
    state = apply(state, **body, attendees=["named_contact", "child", "facilitator"])
    assert state.conferences_held == 1


def test_an_organisation_has_no_age_and_no_enhanced_rights() -> None:
    """The state refuses an organisation marked under 18; its details never switch on enhanced rights."""
    with pytest.raises(ValidationError, match="organisation cannot be under 18"):
        vc.VictimContactState(
            victim_ref="V-9", victim_kind="organisation", under_18=True, child_id="C", yjs="y", opened_on=OPENED
        )
    assert "no enhanced rights" in refused(
        opened(victim_kind="organisation"), step="details_received", effective_date="2027-01-05", enhanced_rights=True
    )


def test_a_decline_is_recorded_and_lets_the_contact_close_as_declined() -> None:
    """Saying no to every option is an answer, recorded per option; the contact closes without pressure."""
    state = consent(informed(), "direct_conference", consented=False)
    state = consent(state, "shuttle_mediation", consented=False)
    assert vc.granted(state) == frozenset()
    assert not state.keep_informed_opt_in
    state = apply(state, step="closed", effective_date="2027-01-10", outcome="declined")
    assert state.closed_outcome == "declined"


# --- keeping informed -----------------------------------------------------------------------------------------


def test_keep_informed_only_for_victims_who_opted_in() -> None:
    """A milestone owes an update only to a victim who opted in, by consenting or by saying so."""
    no_opt_in = informed()
    decision, _ = milestone(no_opt_in, "contract_signed")
    assert decision.deadlines == ()
    assert [type(e).__name__ for e in decision.events] == ["OrderMilestoneReceived"]

    by_consent = consented("information_only")
    decision, after = milestone(by_consent, "contract_signed")
    assert decision.deadlines == (ScheduleDeadline(rule_id="victim.keep_informed", clock_start=date(2027, 3, 1)),)
    told = decide(after, step="kept_informed", effective_date="2027-03-02", milestone="contract_signed")
    assert told.deadlines == (MeetDeadline(rule_id="victim.keep_informed", met_on=date(2027, 3, 2)),)
    assert fold(after, told).pending_milestones == ()

    explicit = apply(informed(), step="keep_informed_choice", effective_date="2027-01-09", opt_in=True)
    decision, _ = milestone(explicit, "breach")
    assert rules(decision, ScheduleDeadline) == ["victim.keep_informed"]

    # The victim's own "no updates" wins over what their consent would imply.
    opted_out = apply(informed(), step="keep_informed_choice", effective_date="2027-01-09", opt_in=False)
    opted_out = consent(opted_out, "indirect_reparation", on="2027-01-10")
    assert not opted_out.keep_informed_opt_in
    decision, _ = milestone(opted_out, "breach")
    assert decision.deadlines == ()


def test_telling_of_a_milestone_that_is_not_pending_meets_nothing() -> None:
    """An update about something not awaited is recorded but meets no keep-informed deadline."""
    state = consented("information_only")
    decision = decide(state, step="kept_informed", effective_date="2027-01-20", milestone="panel_held")
    assert decision.deadlines == ()


def test_order_end_owes_every_open_contact_the_conclusion_once() -> None:
    """The order ending schedules victim.conclusion, opted in or not; a repeat does not schedule twice."""
    decision, state = milestone(informed(), "order_ended")
    assert decision.deadlines == (ScheduleDeadline(rule_id="victim.conclusion", clock_start=date(2027, 3, 1)),)
    again, state = milestone(state, "order_ended", on="2027-03-02")
    assert again.deadlines == ()
    state = apply(state, step="conclusion_notified", effective_date="2027-03-03")
    assert "already told on 2027-03-03" in refused(state, step="conclusion_notified", effective_date="2027-03-04")


# --- other decisions ------------------------------------------------------------------------------------------


def test_not_inviting_closes_the_contact_and_cancels_without_copying_the_reason() -> None:
    """Reasons for not contacting are recorded (on the envelope); the deadline is cancelled, not met,
    and the cancellation does not repeat the free-text reason."""
    decision = decide(
        details(), step="suitability_decided", effective_date="2027-01-06", invite=False, reason="risk of harm"
    )
    assert [type(e).__name__ for e in decision.events] == ["SuitabilityDecided", "ContactClosed"]
    assert decision.deadlines == (
        CancelDeadline(rule_id="*", why="victim not invited (reason on the suitability decision)"),
    )
    state = fold(details(), decision)
    assert (state.state, state.closed_outcome) == (vc.ContactState.CLOSED, "not_invited")


def test_a_refused_attempt_allows_closing_as_declined_and_the_victim_may_still_get_in_touch() -> None:
    """A refusal stops further attempts, but a victim who calls back is welcome."""
    state = apply(details(), step="suitability_decided", effective_date="2027-01-06", invite=True)
    state = apply(state, step="contact_attempted", effective_date="2027-01-07", channel="phone", result="refused")
    assert apply(state, step="closed", effective_date="2027-01-08", outcome="declined").closed_outcome == "declined"
    assert apply(state, step="contacted", effective_date="2027-01-20", channel="phone").contacted_on == date(
        2027, 1, 20
    )


def test_a_safeguarding_risk_closes_the_contact_safely_from_any_open_step() -> None:
    """Any → SAFELY_CLOSED with the reason recorded; closing cancels every open deadline."""
    decision = decide(
        prepared("direct_conference"),
        step="closed",
        effective_date="2027-01-12",
        outcome="safely_closed",
        reason="risk to the victim",
    )
    assert decision.deadlines == (CancelDeadline(rule_id="*", why="victim contact closed (safely_closed)"),)


def test_the_vcs_referral_meets_its_deadline_and_then_closing_is_allowed() -> None:
    """With the referral made, the contact closes normally."""
    state = details(vcs_referral_needed=True, sentence_date=OPENED)
    decision = decide(state, step="vcs_referral_made", effective_date="2027-01-06")
    assert decision.deadlines == (MeetDeadline(rule_id="victim.vcs_referral", met_on=date(2027, 1, 6)),)
    state = apply(
        fold(state, decision),
        step="suitability_decided",
        effective_date="2027-01-07",
        invite=False,
        reason="not suitable",
    )
    assert state.closed_outcome == "not_invited"
    # A referral the Code does not require is allowed but meets no deadline.
    assert decide(details(), step="vcs_referral_made", effective_date="2027-01-06").deadlines == ()


def test_victim_views_reach_the_panel_once_they_consent_or_have_given_views() -> None:
    """Consent to panel participation (or views given) is what lets the order meet ro.victim_views."""
    assert not vc.victim_views_for_panel(informed())
    state = consent(informed(), "panel_participation")
    assert vc.victim_views_for_panel(state)
    given = apply(state, step="intervention_delivered", effective_date="2027-01-10", option="panel_participation")
    revoked = consent(given, "panel_participation", consented=False, on="2027-01-11")
    assert vc.victim_views_for_panel(revoked)  # the views were given before the revocation
    assert not vc.victim_views_for_panel(consent(state, "panel_participation", consented=False, on="2027-01-11"))


def test_later_facts_never_move_the_contact_back_along_the_path() -> None:
    """A consent recorded after the intervention leaves the contact where it got to."""
    state = apply(
        consented("information_only"),
        step="intervention_delivered",
        effective_date="2027-01-10",
        option="information_only",
    )
    assert consent(state, "indirect_reparation", on="2027-01-11").state == vc.ContactState.INTERVENTION_DELIVERED


# --- data protection and the schema -----------------------------------------------------------------------------

ALLOWED_FIELDS = {
    # identity by reference only
    "victim_ref", "victim_kind", "under_18", "enhanced_rights", "linked_order_id", "order_id", "child_id", "yjs",
    # the envelope-like step fields
    "actor", "effective_date", "reason", "step",
    # process facts: steps, options, dates, channels, roles, results
    "on", "opened_on", "state", "state_before_withdrawal", "details_received_on", "invite", "invited",
    "contact_attempts", "attempt", "contact_refused_on", "contacted_on", "channel", "result",
    "rj_information_given_on", "informed_choice_on", "consents", "option", "given_by", "how", "consented",
    "granted", "ever_granted", "lapsed_by_withdrawal", "keep_informed_choice", "keep_informed_opt_in", "opt_in",
    "risk_outcome", "risk_assessed_on", "outcome", "with_party", "prepared_with", "direction", "round",
    "shuttle_rounds", "attendees", "outcome_agreement", "conferences_held", "delivered", "milestone",
    "pending_milestones", "order_ended_on", "conclusion_owed", "conclusion_deadline_open", "conclusion_notified_on",
    "satisfied", "feedback_on", "feedback_satisfied", "vcs_referral_needed", "sentence_date",
    "vcs_referral_made_on", "withdrawn_on", "closed_outcome", "closed_on",
    # when each fact a later step follows took effect (order of steps by date), and the options explained
    "suitability_decided_on", "options_explained", "prepared_on", "last_shuttle_on", "last_conference_on",
    "delivered_on", "milestones_on", "last_step_on",
    # what KPI 10 counts: consent to contact, views sought (and given), further support asked and signposted
    "contact_consent", "views_sought_on", "views_given", "support_requested_on", "support_signposted_on",
    "before_planning",
    # shuttle mediation: messages and the round under way (a round is a message each way)
    "shuttle_messages", "shuttle_round_directions", "message",
    # the YJS user responsible (a username, staff not victim), and when the contact last moved on
    "victim_worker",
}  # fmt: skip


def _models() -> list[type[BaseModel]]:
    steps = [m for m in vars(vc).values() if isinstance(m, type) and issubclass(m, Step) and m is not Step]
    payloads = [
        m
        for module in (vc_events, vc_closing_events, vc_kpi_events)
        for m in vars(module).values()
        if isinstance(m, type) and issubclass(m, ev.EventPayload) and m is not ev.EventPayload
    ]
    return [vc.VictimContactState, vc.OptionConsent, *steps, *payloads]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_no_model_has_a_field_for_personal_details(model: type[BaseModel]) -> None:
    """Names, addresses, phone numbers live in the encrypted store; these models hold references and facts."""
    assert set(model.model_fields) <= ALLOWED_FIELDS


def test_every_step_and_every_event_is_covered() -> None:
    """The privacy check above sees all 24 steps and all 27 events."""
    models = _models()
    assert sum(issubclass(m, Step) for m in models) == 25  # 24 steps + the private base
    assert sum(issubclass(m, ev.EventPayload) for m in models) == 27


def test_a_victim_reference_is_a_reference_not_a_name() -> None:
    """A name typed into the reference box is refused, by the state and by the opening event."""
    with pytest.raises(ValidationError):
        vc.VictimContactState(victim_ref="Jane Doe", child_id="C", yjs="y", opened_on=OPENED)
    with pytest.raises(ValidationError):
        ev.VictimContactOpened(
            victim_ref="Jane Doe", victim_kind="person", under_18=False, enhanced_rights=False, on=OPENED
        )


def test_events_are_registered_under_their_names_and_round_trip() -> None:
    """Every payload is in the one registry (not shadowed by another area's class of the same name)."""
    for name, cls in [(n, getattr(m, n)) for m in (vc_events, vc_closing_events, vc_kpi_events) for n in m.__all__]:
        if isinstance(cls, type) and issubclass(cls, ev.EventPayload):
            assert ev.PAYLOAD_TYPES[name] is cls
    held = ev.ConferenceHeld(attendees=["victim", "child", "facilitator"], outcome_agreement=True, on=OPENED)
    assert ev.parse_payload("ConferenceHeld", held.model_dump(mode="json")) == held
    with pytest.raises(ValidationError):
        ev.ConferenceHeld(attendees=["Jane Doe"], outcome_agreement=True, on=OPENED)


def test_state_survives_continue_as_new() -> None:
    """The state goes through JSON (the workflow's continue-as-new input) unchanged."""
    state = withdrawn()
    _, state = milestone(state, "order_ended", on="2027-02-01")
    again = vc.VictimContactState.model_validate_json(state.model_dump_json())
    assert again == state
    assert vc.open_deadline_rules(again) == vc.open_deadline_rules(state)


def test_a_step_is_never_dated_before_the_step_it_depends_on() -> None:
    """Informed choice dated before the contact, or consent before the informed choice, is refused."""
    state = contacted()  # details 5 Jan, contacted 7 Jan
    assert "before the victim was contacted (2027-01-07)" in refused(
        state, step="informed_choice_given", effective_date="2027-01-06"
    )
    state = informed()  # informed choice 8 Jan
    assert "before the informed choice was given (2027-01-08)" in refused(
        state,
        step="consent_recorded",
        effective_date="2027-01-07",
        option="information_only",
        given_by="victim",
        how="phone",
        consented=True,
    )
    assert "before the victim's details were received (2027-01-05)" in refused(
        details(), step="suitability_decided", effective_date="2027-01-04", invite=True
    )
