"""A court outcome acting on a running order, mapped to the order's own step (domain.court_decisions)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import custody as cu
from domain import events as ev
from domain import referral_order as ro
from domain import remand as rm
from domain import youth_rehabilitation_order as yro
from domain.calendar import WorkingCalendar
from domain.court_decisions import (
    COURT_ACTOR,
    DECISION_FIELDS,
    court_step,
    order_kind_of,
    outcome_reason,
    outcome_workflow_ids,
    remand_renewal,
    sentence_outcome,
)
from domain.court_outcome import CourtOutcome, FieldError, OutcomeRejected, validate_court_outcome

TODAY = date(2026, 11, 22)
HEARING = date(2026, 3, 2)  # the contract example's hearing
RO_REF = "referral-order:luton:41CJ1234526:C-1001"
YRO_REF = "youth-rehabilitation-order:luton:41CJ1234526:C-1001"
REMAND_REF = "remand:luton:41CJ1234526:C-1001"
DTO_REF = "detention-and-training-order:luton:41CJ1234526:C-1001"
KIND_OF = {
    RO_REF: "referral_order",
    YRO_REF: "youth_rehabilitation_order",
    REMAND_REF: "remand",
    DTO_REF: "detention_and_training_order",
}

BASE: dict[str, Any] = {
    "outcome_id": "LUT-2026-000123-2",
    "yjs": "luton",
    "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
    "hearing_date": HEARING.isoformat(),
    "case_reference": "41CJ1234526",
    "child": {"id": "C-1001", "given_name": "Sam", "family_name": "Example", "date_of_birth": "2010-05-14"},
    "offences": [
        {
            "code": "TH68010",
            "description": "Theft from a shop",
            "offence_date": "2026-01-10",
            "plea": "guilty",
            "convicted": True,
        }
    ],
    "victims": [],
}


def acting(kind: str, order_ref: str, **fields: Any) -> CourtOutcome:
    body = copy.deepcopy(BASE)
    body["disposal"] = {"kind": kind, "order_ref": order_ref, **fields}
    return validate_court_outcome(body, today=TODAY)


def step_of(kind: str, order_ref: str, **fields: Any) -> Any:
    return court_step(acting(kind, order_ref, **fields), KIND_OF[order_ref])


def refusal(kind: str, order_ref: str, **fields: Any) -> list[FieldError]:
    with pytest.raises(OutcomeRejected) as info:
        step_of(kind, order_ref, **fields)
    return info.value.errors


def pairs(errors: list[FieldError]) -> set[tuple[str, str]]:
    return {(e.field, e.rule) for e in errors}


# --- every step is the court's, on the hearing date, naming its outcome ------------------------------------


@pytest.mark.parametrize(
    ("kind", "order_ref", "fields", "step_type", "step_name"),
    [
        ("order_revoked", RO_REF, {"grounds": "breach"}, ro.RecordCourtDecision, "court_decision"),
        ("order_revoked", YRO_REF, {"grounds": "further_offence"}, yro.RecordRevocation, "revoked"),
        ("order_extended", RO_REF, {"extension_months": 2}, ro.RecordCourtDecision, "court_decision"),
        ("order_extended", YRO_REF, {"new_end_date": "2027-06-01"}, yro.RecordOrderAmended, "order_amended"),
        ("breach_outcome", RO_REF, {"decision": "continue"}, ro.RecordCourtDecision, "court_decision"),
        ("breach_outcome", YRO_REF, {"decision": "fine"}, yro.RecordCourtBreachOutcome, "court_breach_outcome"),
        (
            "breach_outcome",
            DTO_REF,
            {"decision": "fine", "breach_date": "2026-02-20"},
            cu.RecordSupervisionBreach,
            "supervision_breach_outcome",
        ),
        ("remand_ended", REMAND_REF, {"how": "acquitted"}, rm.RecordRemandEnded, "remand_ended"),
    ],
)
def test_each_acting_kind_becomes_the_orders_own_step_recorded_by_the_court(
    kind: str, order_ref: str, fields: dict[str, Any], step_type: type, step_name: str
) -> None:
    step = step_of(kind, order_ref, **fields)

    assert isinstance(step, step_type)
    assert step.step == step_name
    assert step.actor == COURT_ACTOR == "court-intake"
    assert step.effective_date == HEARING
    assert step.reason == outcome_reason("LUT-2026-000123-2") == "court outcome LUT-2026-000123-2"


@pytest.mark.parametrize(
    ("grounds", "decision"),
    [
        ("good_progress", "revoke_good_progress"),
        ("further_offence", "revoke_and_resentence"),
        ("breach", "revoke_and_resentence"),
    ],
)
def test_a_referral_order_revoked_is_the_courts_decision_to_revoke(grounds: str, decision: str) -> None:
    step = step_of("order_revoked", RO_REF, grounds=grounds)

    assert (step.decision, step.extension_months) == (decision, 0)


@pytest.mark.parametrize("state", [s for s in ro.OrderState if s not in ro.CLOSED_STATES])
def test_a_referral_order_revoked_for_a_further_offence_needs_no_referral_back(state: ro.OrderState) -> None:
    """youth-justice.md §1.2: a custodial sentence or further order revokes the order from any open state;
    only an order referred back to the court takes it as the court's decision on the referral."""
    order = ro.ReferralOrderState(child_id="C-1001", yjs="luton", hearing_date=date(2026, 1, 5), months=6, state=state)
    step = court_step(acting("order_revoked", RO_REF, grounds="further_offence"), "referral_order", order=order)
    if state == ro.OrderState.REFERRED_BACK:
        assert isinstance(step, ro.RecordCourtDecision) and step.decision == "revoke_and_resentence"
        return
    assert isinstance(step, ro.RecordRevokedByCourt)
    assert (step.step, step.grounds, step.actor) == ("revoked_by_court", "further_offence", COURT_ACTOR)
    decision = ro.decide(order, step, today=TODAY)
    assert [type(e) for e in decision.events] == [ev.OrderRevoked]
    assert ro.evolve(order, decision.events[0]).state == ro.OrderState.REVOKED


def test_every_order_kind_transfers_to_another_yjs_and_only_sentences_pass_to_probation() -> None:
    from domain.transfers import RecordTransfer

    day = date(2026, 2, 2)
    to_bedford = RecordTransfer(actor="a", effective_date=day, to="yjs", to_yjs="bedford")
    to_probation = RecordTransfer(actor="a", effective_date=day, to="probation")
    order = ro.ReferralOrderState(child_id="C-1001", yjs="luton", hearing_date=date(2026, 1, 5), months=6)
    (moved,) = ro.decide(order, to_bedford, today=TODAY).events
    assert ro.evolve(order, moved).yjs == "bedford"
    with pytest.raises(ro.StepRefused, match="does not pass to probation"):
        ro.decide(order, to_probation, today=TODAY)
    remand = rm.RemandState(
        child_id="C-1001",
        yjs="luton",
        remand_date=date(2026, 1, 5),
        type="local_authority_accommodation",
        next_hearing_date=date(2026, 1, 12),
        first_remand=True,
    )
    (moved,) = rm.decide(remand, to_bedford, today=TODAY).events
    assert rm.evolve(remand, moved).yjs == "bedford"
    with pytest.raises(rm.StepRefused, match="only a sentence passes to probation"):
        rm.decide(remand, to_probation, today=TODAY)
    with pytest.raises(rm.StepRefused, match="needs to_yjs"):
        rm.decide(remand, RecordTransfer(actor="a", effective_date=day, to="yjs"), today=TODAY)


def test_a_yro_revoked_keeps_its_grounds_and_one_revoked_for_breach_goes_through_the_breach() -> None:
    assert step_of("order_revoked", YRO_REF, grounds="good_progress").grounds == "good_progress"

    (error,) = refusal("order_revoked", YRO_REF, grounds="breach")

    assert (error.field, error.rule) == ("disposal.grounds", "order_revoked.youth_rehabilitation_order_breach")
    assert "breach_outcome" in error.message and "revoke_and_resentence" in error.message


def test_an_extension_is_months_on_a_referral_order_and_a_new_end_date_on_a_yro() -> None:
    assert step_of("order_extended", RO_REF, extension_months=3).model_dump(
        include={"decision", "extension_months"}
    ) == {
        "decision": "extend",
        "extension_months": 3,
    }
    amended = step_of("order_extended", YRO_REF, new_end_date="2027-06-01")
    assert amended.new_end_date == date(2027, 6, 1)
    assert amended.summary == "end date extended to 2027-06-01 by the court"
    assert (amended.add_requirements, amended.remove_requirements) == ((), ())


@pytest.mark.parametrize(
    ("order_ref", "fields", "expected"),
    [
        (
            RO_REF,
            {"new_end_date": "2027-06-01"},
            {
                ("disposal.new_end_date", "order_extended.field_not_for_order"),
                ("disposal.extension_months", "required"),
            },
        ),
        (
            YRO_REF,
            {"extension_months": 2},
            {
                ("disposal.extension_months", "order_extended.field_not_for_order"),
                ("disposal.new_end_date", "required"),
            },
        ),
        (RO_REF, {"extension_months": 0}, {("disposal.extension_months", "minimum")}),
        (RO_REF, {"extension_months": 1.5}, {("disposal.extension_months", "type.integer")}),
        (YRO_REF, {"new_end_date": "1 June"}, {("disposal.new_end_date", "type.date")}),
    ],
)
def test_an_extension_whose_fields_do_not_fit_the_order_is_refused_naming_them(
    order_ref: str, fields: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    errors = refusal("order_extended", order_ref, **fields)

    assert pairs(errors) == expected
    assert all(e.message for e in errors)


def test_the_extension_a_clerk_would_send_to_the_wrong_kind_of_order_is_explained() -> None:
    errors = {e.field: e.message for e in refusal("order_extended", RO_REF, new_end_date="2027-06-01")}

    assert errors["disposal.new_end_date"] == (
        "a referral order is extended by whole months: give extension_months, not a new end date"
    )


# --- breach outcomes --------------------------------------------------------------------------------------


def test_a_referral_order_breach_outcome_extends_only_with_its_months() -> None:
    step = step_of("breach_outcome", RO_REF, decision="extend", extension_months=2)
    assert (step.decision, step.extension_months) == ("extend", 2)
    assert step_of("breach_outcome", RO_REF, decision="revoke_and_resentence").decision == "revoke_and_resentence"

    assert pairs(refusal("breach_outcome", RO_REF, decision="extend")) == {
        ("disposal.extension_months", "breach_outcome.extension_months_required")
    }
    assert pairs(refusal("breach_outcome", RO_REF, decision="continue", extension_months=1)) == {
        ("disposal.extension_months", "breach_outcome.extension_months_not_for_decision")
    }
    assert pairs(refusal("breach_outcome", RO_REF, decision="revoke_good_progress")) == {
        ("disposal.decision", "one_of")
    }


def test_a_yro_breach_outcome_adds_a_requirement_and_may_move_the_end_date() -> None:
    curfew = {"kind": "curfew", "hours_per_day": 8, "end_date": "2026-09-01"}

    step = step_of("breach_outcome", YRO_REF, decision="add_requirement", requirement=curfew, new_end_date="2027-09-01")

    assert step.decision == "add_requirement"
    assert step.requirement is not None and step.requirement.kind == "curfew"
    assert step.new_end_date == date(2027, 9, 1)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"decision": "add_requirement"}, {("disposal.requirement", "breach_outcome.requirement_required")}),
        (
            {"decision": "fine", "requirement": {"kind": "supervision"}},
            {("disposal.requirement", "breach_outcome.requirement_not_for_decision")},
        ),
        (
            {"decision": "continue", "new_end_date": "2027-09-01"},
            {("disposal.new_end_date", "breach_outcome.new_end_date_not_for_decision")},
        ),
        (
            {"decision": "add_requirement", "requirement": {"kind": "curfew", "hours_per_day": "eight"}},
            {
                ("disposal.requirement.hours_per_day", "type.number"),
                ("disposal.requirement.end_date", "required"),
            },
        ),
        ({"decision": "add_requirement", "requirement": {"kind": "tea"}}, {("disposal.requirement.kind", "one_of")}),
        ({"decision": "warn"}, {("disposal.decision", "one_of")}),
        ({}, {("disposal.decision", "required")}),
        (
            {"decision": "fine", "breach_date": "2026-02-01"},
            {("disposal.breach_date", "breach_outcome.field_not_for_order")},
        ),
    ],
)
def test_a_yro_breach_outcome_whose_fields_do_not_fit_is_refused_naming_them(
    fields: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    assert pairs(refusal("breach_outcome", YRO_REF, **fields)) == expected


def test_a_dto_breach_outcome_names_the_failure_and_the_length_of_any_further_period() -> None:
    step = step_of("breach_outcome", DTO_REF, decision="further_supervision", breach_date="2026-02-20", months=2)
    assert (step.breach_date, step.decision, step.months) == (date(2026, 2, 20), "further_supervision", 2)

    assert pairs(refusal("breach_outcome", DTO_REF, decision="further_detention", breach_date="2026-02-20")) == {
        ("disposal.months", "breach_outcome.months_required")
    }
    assert pairs(refusal("breach_outcome", DTO_REF, decision="none", breach_date="2026-02-20", months=1)) == {
        ("disposal.months", "breach_outcome.months_not_for_decision")
    }
    assert pairs(refusal("breach_outcome", DTO_REF, decision="fine")) == {("disposal.breach_date", "required")}


# --- outcomes that do not act on this kind of order -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "order_ref", "fields"),
    [
        ("order_revoked", REMAND_REF, {"grounds": "good_progress"}),
        ("order_revoked", DTO_REF, {"grounds": "further_offence"}),
        ("order_extended", REMAND_REF, {"extension_months": 1}),
        ("order_extended", DTO_REF, {"extension_months": 1}),
        ("breach_outcome", REMAND_REF, {"decision": "continue"}),
        ("remand_ended", YRO_REF, {"how": "bail"}),
        ("remand_ended", RO_REF, {"how": "acquitted"}),
    ],
)
def test_an_outcome_on_a_kind_of_order_it_does_not_act_on_is_refused_on_order_ref(
    kind: str, order_ref: str, fields: dict[str, Any]
) -> None:
    (error,) = refusal(kind, order_ref, **fields)

    assert (error.field, error.rule) == ("disposal.order_ref", f"{kind}.order_kind")
    assert error.message.startswith(f"{kind} outcomes act on a ")


def test_fields_outside_the_contract_are_ignored() -> None:
    step = step_of("breach_outcome", YRO_REF, decision="continue", court_note="adjourned twice", magistrate="J")

    assert step.decision == "continue"


def test_an_order_started_outcome_is_not_a_court_step() -> None:
    body = copy.deepcopy(BASE)
    body["disposal"] = {"kind": "referral_order", "months": 6}

    with pytest.raises(ValueError, match="starts an order"):
        court_step(validate_court_outcome(body, today=TODAY), "referral_order")


@pytest.mark.parametrize(
    ("order_ref", "kind"),
    [
        (RO_REF, "referral_order"),
        (YRO_REF, "youth_rehabilitation_order"),
        (REMAND_REF, "remand"),
        (DTO_REF, "detention_and_training_order"),
        ("victim-contact:luton:41CJ1:C-1:V-1", None),
        ("referral_order:luton:41CJ1:C-1", None),
    ],
)
def test_the_order_kind_comes_from_the_order_refs_prefix(order_ref: str, kind: str | None) -> None:
    assert order_kind_of(order_ref) == kind


# --- a remand ending, and the sentence it ends in ---------------------------------------------------------


@pytest.mark.parametrize("how", ["bail", "acquitted", "discontinued"])
def test_a_remand_ended_without_conviction_names_no_sentence(how: str) -> None:
    step = step_of("remand_ended", REMAND_REF, how=how)

    assert (step.how, step.sentence_order_id) == (how, None)
    assert sentence_outcome(acting("remand_ended", REMAND_REF, how=how)) is None


def test_a_remand_ended_by_conviction_names_the_sentence_whose_workflow_it_starts() -> None:
    outcome = acting(
        "remand_ended",
        REMAND_REF,
        how="convicted_and_sentenced",
        sentence={
            "kind": "youth_rehabilitation_order",
            "end_date": "2027-03-01",
            "requirements": [{"kind": "supervision"}],
            "iss": False,
        },
    )

    step = court_step(outcome, "remand")
    sentence = sentence_outcome(outcome)

    assert step.how == "convicted_and_sentenced"
    assert step.sentence_order_id == YRO_REF
    assert sentence is not None
    assert sentence.disposal.kind == "youth_rehabilitation_order"
    assert (sentence.outcome_id, sentence.hearing_date, sentence.child) == (
        outcome.outcome_id,
        outcome.hearing_date,
        outcome.child,
    )
    assert outcome_workflow_ids(outcome) == [REMAND_REF, YRO_REF]


def test_the_sentences_victims_get_contacts_as_any_sentences_do() -> None:
    body = copy.deepcopy(BASE)
    body["victims"] = [{"ref": "V-9", "kind": "person", "under_18": False}]
    body["disposal"] = {
        "kind": "remand_ended",
        "order_ref": REMAND_REF,
        "how": "convicted_and_sentenced",
        "sentence": {"kind": "referral_order", "months": 6},
    }

    ids = outcome_workflow_ids(validate_court_outcome(body, today=TODAY))

    assert ids == [REMAND_REF, RO_REF, "victim-contact:luton:41CJ1234526:C-1001:V-9"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"how": "convicted_and_sentenced"}, {("disposal.sentence", "remand_ended.sentence_required")}),
        (
            {"how": "acquitted", "sentence": {"kind": "referral_order", "months": 6}},
            {("disposal.sentence", "remand_ended.sentence_only_on_conviction")},
        ),
        (
            {"how": "convicted_and_sentenced", "sentence": {"kind": "referral_order", "months": 14}},
            {("disposal.sentence.months", "referral_order.months_range")},
        ),
        (
            {"how": "convicted_and_sentenced", "sentence": {"kind": "referral_order"}},
            {("disposal.sentence.months", "required")},
        ),
        (
            {"how": "convicted_and_sentenced", "sentence": {"kind": "remand", "type": "bail"}},
            {("disposal.sentence.kind", "remand_ended.sentence_kind")},
        ),
        (
            {"how": "convicted_and_sentenced", "sentence": {"kind": "breach_outcome", "order_ref": RO_REF}},
            {("disposal.sentence.kind", "remand_ended.sentence_kind")},
        ),
        ({"how": "convicted_and_sentenced", "sentence": "a YRO"}, {("disposal.sentence", "type.object")}),
        (
            {"how": "convicted_and_sentenced", "sentence": {"kind": "detention_and_training_order", "months": 30}},
            {("disposal.sentence.months", "detention_and_training_order.months_range")},
        ),
        ({"how": "sentenced"}, {("disposal.how", "one_of")}),
        ({}, {("disposal.how", "required")}),
    ],
)
def test_a_remand_ending_whose_fields_do_not_fit_is_refused_naming_them(
    fields: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    assert pairs(refusal("remand_ended", REMAND_REF, **fields)) == expected


def test_the_sentence_is_judged_by_its_own_law_with_the_outcomes_child_offences_and_court() -> None:
    body = copy.deepcopy(BASE)
    body["court"]["kind"] = "crown"
    body["offences"][0]["plea"] = "not_guilty"  # convicted after trial
    body["disposal"] = {
        "kind": "remand_ended",
        "order_ref": REMAND_REF,
        "how": "convicted_and_sentenced",
        "sentence": {"kind": "referral_order", "months": 6},
    }
    outcome = validate_court_outcome(body, today=TODAY)

    with pytest.raises(OutcomeRejected) as info:
        court_step(outcome, "remand")

    assert pairs(info.value.errors) == {
        ("offences", "referral_order.guilty_plea"),
        ("court.kind", "referral_order.youth_or_magistrates_court"),
    }
    with pytest.raises(OutcomeRejected):
        sentence_outcome(outcome)


def test_a_conviction_needs_a_convicted_offence() -> None:
    body = copy.deepcopy(BASE)
    body["offences"][0].update(plea="not_guilty", convicted=False)
    body["disposal"] = {
        "kind": "remand_ended",
        "order_ref": REMAND_REF,
        "how": "convicted_and_sentenced",
        "sentence": {"kind": "detention_and_training_order", "months": 6},
    }

    with pytest.raises(OutcomeRejected) as info:
        court_step(validate_court_outcome(body, today=TODAY), "remand")

    assert pairs(info.value.errors) == {("offences", "remand_ended.conviction_needs_a_convicted_offence")}


# --- the steps are what the orders' own domains decide on ------------------------------------------------

EARLIER = date(2025, 10, 1)


def _fold(state: Any, evolve: Any, decision: Any) -> Any:
    for payload in decision.events:
        state = evolve(state, payload)
    return state


def test_a_referral_order_referred_back_is_revoked_by_the_court() -> None:
    state = ro.ReferralOrderState(child_id="C-1001", yjs="luton", hearing_date=EARLIER, months=6)
    for s in (
        ro.RecordInitialPanel(actor="a", effective_date=EARLIER, contract_signed_date=EARLIER),
        ro.RecordReferralBack(actor="a", effective_date=date(2026, 2, 1), grounds="breach", reason="missed panels"),
    ):
        state = _fold(state, ro.evolve, ro.decide(state, s, today=TODAY))

    decision = ro.decide(state, step_of("order_revoked", RO_REF, grounds="breach"), today=TODAY)

    assert [type(p) for p in decision.events] == [ev.CourtDecisionRecorded, ev.OrderRevoked]
    assert _fold(state, ro.evolve, decision).state == ro.OrderState.REVOKED


def test_a_yro_takes_a_breach_outcome_only_with_a_breach_before_the_court() -> None:
    state = yro.YroState(
        child_id="C-1001", yjs="luton", hearing_date=EARLIER, end_date=date(2027, 1, 1), warned_period_months=12
    )
    step = step_of("breach_outcome", YRO_REF, decision="continue")

    with pytest.raises(yro.StepRefused, match="this step needs it to be breach_laid"):
        yro.decide(state, step, today=TODAY)

    for s in (
        yro.RecordAppointmentMissed(actor="a", effective_date=date(2026, 1, 5)),
        yro.RecordAbsenceExplained(actor="a", effective_date=date(2026, 1, 6), acceptable=False),
        yro.RecordBreachLaid(actor="a", effective_date=date(2026, 1, 7), reason="second failure, serious"),
    ):
        state = _fold(state, yro.evolve, yro.decide(state, s, today=TODAY))
    decision = yro.decide(state, step, today=TODAY)

    assert decision.events == (ev.CourtBreachOutcome(decision_date=HEARING, decision="continue"),)


def test_a_remand_takes_its_ending_with_the_sentence_it_names() -> None:
    state = rm.RemandState(
        child_id="C-1001",
        yjs="luton",
        remand_date=EARLIER,
        type="bail_with_support",
        next_hearing_date=HEARING,
        first_remand=True,
    )
    outcome = acting(
        "remand_ended",
        REMAND_REF,
        how="convicted_and_sentenced",
        sentence={"kind": "detention_and_training_order", "months": 8},
    )

    decision = rm.decide(state, court_step(outcome, "remand"), today=TODAY)

    assert decision.events == (
        ev.RemandEnded(how="convicted_and_sentenced", ended_on=HEARING, sentence_order_id=DTO_REF),
    )


# --- nothing but OutcomeRejected ---------------------------------------------------------------------------

_WORDS = [
    "continue", "extend", "fine", "add_requirement", "revoke_and_resentence", "further_detention", "none",
    "good_progress", "breach", "bail", "convicted_and_sentenced", "2026-02-01", "2027-06-01", "referral_order",
    "youth_rehabilitation_order", "detention_and_training_order", "curfew", "remand",
]  # fmt: skip
_KEYS = ["kind", "months", "hours_per_day", "end_date", "requirements", "iss"]
_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=40)
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.sampled_from(_WORDS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["remand_ended", "order_revoked", "order_extended", "breach_outcome"]),
    order_ref=st.sampled_from(sorted(KIND_OF)),
    fields=st.dictionaries(st.sampled_from(sorted(DECISION_FIELDS)), _values, max_size=4),
)
def test_any_decision_fields_give_a_step_or_outcome_rejected(kind: str, order_ref: str, fields: dict[str, Any]) -> None:
    outcome = acting(kind, order_ref, **fields)
    try:
        court_step(outcome, KIND_OF[order_ref])
    except OutcomeRejected as rejected:
        assert rejected.errors
        assert all(e.field and e.rule and e.message for e in rejected.errors)
    try:
        outcome_workflow_ids(outcome)
    except OutcomeRejected as rejected:
        assert rejected.errors


# --- a further remand ----------------------------------------------------------------------------------


def further_remand(**disposal: Any) -> CourtOutcome:
    body = copy.deepcopy(BASE)
    body["disposal"] = {"kind": "remand", "first_remand": False, **disposal}
    return validate_court_outcome(body, today=TODAY)


def running_remand(type_: str, ctl: tuple[date, int] | None) -> rm.RemandState:
    start, days = ctl if ctl is not None else (None, None)
    return rm.RemandState(
        child_id="C-1001",
        yjs="luton",
        remand_date=date(2026, 2, 20),
        type=type_,
        next_hearing_date=HEARING,
        first_remand=True,
        ctl_start_date=start,
        ctl_days=days,
        ctl_expiry=WorkingCalendar.england_and_wales().ctl_expiry(start, days) if ctl is not None else None,
    )


def test_a_further_remand_is_the_remands_renewal_recorded_by_the_court() -> None:
    calendar = WorkingCalendar.england_and_wales()
    outcome = further_remand(
        type="youth_detention_accommodation", next_hearing_date="2026-03-30", ctl_start_date="2026-02-20", ctl_days=182
    )
    running = running_remand("youth_detention_accommodation", (date(2026, 2, 20), 56))

    step = remand_renewal(outcome, calendar=calendar, order=running)

    assert isinstance(step, rm.RecordRemandRenewed) and step.step == "remand_renewed"
    assert (step.actor, step.effective_date, step.reason) == (COURT_ACTOR, HEARING, outcome_reason(outcome.outcome_id))
    assert (step.type, step.next_hearing_date) == ("youth_detention_accommodation", date(2026, 3, 30))
    assert (step.ctl_start_date, step.ctl_days) == (date(2026, 2, 20), 182)
    assert step.ctl_expiry == calendar.ctl_expiry(date(2026, 2, 20), 182)


def test_a_further_remand_keeps_the_running_limit_and_sends_none_on_bail() -> None:
    calendar = WorkingCalendar.england_and_wales()
    same = further_remand(
        type="youth_detention_accommodation", next_hearing_date="2026-03-30", ctl_start_date="2026-02-20", ctl_days=56
    )
    running = running_remand("youth_detention_accommodation", (date(2026, 2, 20), 56))
    kept = remand_renewal(same, calendar=calendar, order=running)
    assert (kept.ctl_start_date, kept.ctl_days, kept.ctl_expiry) == (None, None, None)
    # From bail into custody the court's limit is needed afresh.
    into = remand_renewal(same, calendar=calendar, order=running_remand("bail_with_support", None))
    assert (into.ctl_start_date, into.ctl_days) == (date(2026, 2, 20), 56)
    bailed = further_remand(
        type="bail_with_support", next_hearing_date="2026-03-30", ctl_start_date="2026-02-20", ctl_days=56
    )
    step = remand_renewal(bailed, calendar=calendar, order=running)
    assert (step.ctl_start_date, step.ctl_days, step.ctl_expiry) == (None, None, None)
    with pytest.raises(ValueError, match="not a further remand"):
        remand_renewal(acting("remand_ended", REMAND_REF, how="bail"), calendar=calendar)


def test_a_court_extends_a_referral_order_on_a_further_conviction_without_a_referral_back() -> None:
    """SA 2020 Sch 4 paras 13–16: a court dealing with a further offence may extend the compliance period
    instead of revoking, with no referral back and no 3-month cap, to 12 months in all (para 16)."""
    signed = date(2026, 2, 2)
    order = ro.ReferralOrderState(
        child_id="C-1001",
        yjs="luton",
        hearing_date=date(2026, 1, 5),
        months=6,
        state=ro.OrderState.CONTRACT_AGREED,
        contract_signed_date=signed,
        compliance_end=date(2026, 8, 2),
    )
    step = court_step(acting("order_extended", RO_REF, extension_months=5), "referral_order", order=order)
    assert isinstance(step, ro.RecordExtendedByCourt)
    assert (step.step, step.extension_months, step.actor) == ("extended_by_court", 5, COURT_ACTOR)
    decision = ro.decide(order, step.model_copy(update={"effective_date": date(2026, 3, 2)}), today=TODAY)
    assert [type(e) for e in decision.events] == [ev.ExtendedOnFurtherConviction, ev.OrderExtended]
    extended = order
    for payload in decision.events:
        extended = ro.evolve(extended, payload)
    assert extended.compliance_end == date(2027, 1, 2)
    too_long = step.model_copy(update={"effective_date": date(2026, 3, 2), "extension_months": 7})
    with pytest.raises(ro.StepRefused, match="would total 13 months; the compliance period may not exceed 12"):
        ro.decide(order, too_long, today=TODAY)
    # Referred back, the same outcome is the court's decision on the referral, capped at 3 months.
    back = order.model_copy(update={"state": ro.OrderState.REFERRED_BACK})
    assert isinstance(
        court_step(acting("order_extended", RO_REF, extension_months=2), "referral_order", order=back),
        ro.RecordCourtDecision,
    )
