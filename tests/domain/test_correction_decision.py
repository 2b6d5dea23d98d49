"""The correction decision alone (domain.corrections): which step a version names, the policy's manager
rules, refolding the case with the step removed or replaced, and a later step the correction would break."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter

from domain import events as ev
from domain import referral_order as ro
from domain.corrections import (
    CorrectionPolicy,
    MetDeadline,
    RecordedStep,
    StepCorrection,
    decide_correction,
    load_policy,
    superseded,
)
from domain.decisions import Step, StepRefused
from tests.domain.test_referral_order_state import TODAY, made

STEP: TypeAdapter[Any] = TypeAdapter(ro.ReferralOrderStep)
POLICY = CorrectionPolicy(
    manager_to_void=False,
    manager_if_date_moves_more_than_days=14,
    manager_if_statutory_deadline_met=True,
    source="test",
)


def parse(body: dict[str, Any]) -> Step:
    return STEP.validate_python(body)  # type: ignore[no-any-return]


def recorded(first: int, last: int, met: tuple[MetDeadline, ...] = (), **body: Any) -> RecordedStep:
    """A step as the workflow keeps it: the whole step as decided, in JSON."""
    step = parse({"actor": "alice", **body}).model_dump(mode="json")
    return RecordedStep(first_version=first, last_version=last, step=step, met=met)


def correct(steps: list[RecordedStep], *, role: str = "case_worker", **body: Any) -> Any:
    correction = StepCorrection.model_validate(
        {"actor": "bob", "actor_role": role, "policy": POLICY, "reason": "keyed wrongly", **body}
    )
    return decide_correction(
        correction,
        steps,
        opened=made(6),
        parse=parse,
        decide=lambda s, st: ro.decide(s, st, today=TODAY),
        evolve=ro.evolve,
    )


def schedule(rule_id: str, rule_type: str) -> ev.DeadlineScheduled:
    at = datetime.fromisoformat("2027-01-11T23:59:59+00:00")
    return ev.DeadlineScheduled(
        deadline_id=f"{rule_id}#1",
        rule_id=rule_id,
        rule_pack_version="v",
        calendar_version="c",
        rule_type=rule_type,
        confidence="S✓",
        unconfirmed=False,
        source="s",
        description="d",
        clock_start=date(2027, 1, 4),
        due_date=date(2027, 1, 11),
        due_at=at,
        escalate_at=at,
    )


PANEL = recorded(10, 16, step="initial_panel_held", effective_date="2027-01-20", contract_signed_date="2027-01-20")
PROGRESS = recorded(20, 22, step="progress_panel_held", effective_date="2027-03-01")


def test_a_replacement_gives_only_what_was_wrong_and_the_rest_stands() -> None:
    contact = recorded(3, 4, step="first_contact_made", effective_date="2027-01-06", method="phone")
    decision = correct([contact], supersedes=3, replacement={"effective_date": "2027-01-05"})
    assert decision.replacement_step["method"] == "phone"
    assert decision.state.first_contact_date == date(2027, 1, 5)
    panel = correct([PANEL], supersedes=10, replacement={"contract_signed_date": "2027-01-21"})
    assert panel.state.contract_signed_date == date(2027, 1, 21)
    assert panel.corrected.corrected_date == date(2027, 1, 20)


def test_a_replacement_refolds_the_case_as_if_it_had_been_recorded_so() -> None:
    decision = correct(
        [PANEL, PROGRESS],
        supersedes=12,
        replacement={"effective_date": "2027-01-18", "contract_signed_date": "2027-01-18"},
    )
    assert decision.index == 0
    assert decision.state.contract_signed_date == date(2027, 1, 18)
    assert decision.state.compliance_end == date(2027, 7, 18)
    assert decision.state.step_dates["progress_panel_held"] == date(2027, 3, 1)
    assert decision.corrected.supersedes == list(range(10, 17))
    assert (decision.corrected.correction, decision.corrected.corrected_date) == ("replaced", date(2027, 1, 18))
    assert decision.replacement is not None
    assert [type(e) for e in decision.replacement.events] == [ev.InitialPanelHeld, ev.ContractSigned]


def test_voiding_a_step_a_later_one_depends_on_is_refused_naming_the_later_step() -> None:
    with pytest.raises(StepRefused, match=r"the later progress_panel_held of 2027-03-01 \(event 20\)"):
        correct([PANEL, PROGRESS], supersedes=10)
    decision = correct([PANEL, PROGRESS.model_copy(update={"superseded_by": 30})], supersedes=10)
    assert decision.state.state == ro.OrderState.ORDER_MADE and decision.replacement is None


def test_only_a_persons_live_step_can_be_corrected_and_a_replacement_is_the_same_step() -> None:
    with pytest.raises(StepRefused, match="event 5 was not recorded by a person's step"):
        correct([PANEL], supersedes=5)
    with pytest.raises(StepRefused, match="already corrected by event 30"):
        correct([PANEL.model_copy(update={"superseded_by": 30})], supersedes=10)
    with pytest.raises(StepRefused, match="progress_panel_held is not initial_panel_held"):
        correct([PANEL], supersedes=10, replacement={"step": "progress_panel_held", "effective_date": "2027-01-20"})
    with pytest.raises(StepRefused, match="nothing would change"):
        correct(
            [PANEL], supersedes=10, replacement={"effective_date": "2027-01-20", "contract_signed_date": "2027-01-20"}
        )
    with pytest.raises(StepRefused, match=r"the replacement would not be allowed: .*in the future"):
        correct(
            [PANEL],
            role="manager",
            supersedes=10,
            replacement={"effective_date": "2031-01-20", "contract_signed_date": "2031-01-20"},
        )
    with pytest.raises(StepRefused, match="not a valid initial_panel_held"):
        correct([PANEL], supersedes=10, replacement={"effective_date": "soon"})


def test_the_policy_names_the_rule_that_makes_it_a_managers_correction() -> None:
    moved = {"supersedes": 10, "replacement": {"effective_date": "2027-01-05", "contract_signed_date": "2027-01-05"}}
    with pytest.raises(StepRefused, match=r"moves by 15 days, more than 14 .*ask a manager"):
        correct([PANEL], **moved)
    assert correct([PANEL], role="manager", **moved).corrected.needed_manager is not None
    contact = recorded(
        3,
        4,
        (MetDeadline(schedule=schedule("ro.first_contact", "statute"), met_on=date(2027, 1, 6)),),
        step="first_contact_made",
        effective_date="2027-01-06",
    )
    with pytest.raises(StepRefused, match=r"statutory deadline ro\.first_contact"):
        correct([contact], supersedes=3)
    guidance = contact.model_copy(
        update={"met": (MetDeadline(schedule=schedule("ro.first_contact", "guidance"), met_on=date(2027, 1, 6)),)}
    )
    court = recorded(5, 6, step="extended_by_court", effective_date="2027-02-01", extension_months=1)
    court = court.model_copy(update={"step": {**court.step, "actor": ev.COURT_INTAKE}})
    with pytest.raises(StepRefused, match=r"corrections\.manager_if_court_step"):
        correct([PANEL, court], supersedes=5)
    voided = correct([guidance], supersedes=4)
    assert voided.corrected.reopened == ["ro.first_contact"] and voided.state.first_contact_date is None


def test_the_shipped_policy_loads_and_a_bad_one_names_the_key() -> None:
    from pathlib import Path

    shipped = (Path(__file__).resolve().parents[2] / "domain" / "rules" / "corrections.toml").read_text()
    assert load_policy(shipped).manager_if_date_moves_more_than_days == 14
    with pytest.raises(ValueError, match="manager_to_void"):
        load_policy('source = "x"\nmanager_if_date_moves_more_than_days = 1\nmanager_if_statutory_deadline_met = true')


def test_superseded_events_are_found_from_the_corrections_in_the_stream() -> None:
    rows = [
        ("s", 3, "FirstContactMade", {}, "alice"),
        ("s", 9, "StepCorrected", {"supersedes": [3, 4], "reason": "wrong day"}, "bob"),
    ]
    found = superseded(rows)
    assert set(found) == {("s", 3), ("s", 4)}
    assert (found[("s", 3)].stream_version, found[("s", 3)].actor, found[("s", 3)].reason) == (9, "bob", "wrong day")
