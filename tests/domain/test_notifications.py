"""Reminder and escalation wording: ids in the subject, never personal data; unconfirmed rules flagged."""

from __future__ import annotations

from datetime import date

import pytest

from domain.notifications import Message, escalation_message, reminder_message

CHILD_NAME = "Jayden Okonkwo-Smith"
DOB = date(2009, 11, 17)
DOB_FORMS = ("2009-11-17", "17/11/2009", "17 November 2009", "17.11.2009")
SOURCE = "YJB case management guidance 2022, section 5 (number not confirmed)"


def _reminder(**overrides: object) -> Message:
    args: dict[str, object] = {
        "workflow_id": "ro-T20240123-C42-referral_order",
        "child_id": "C42",
        "rule_id": "ro.initial_panel",
        # Free text that, in real life, may quote whatever a worker typed: name and DoB included.
        "description": f"Initial panel for {CHILD_NAME} (born {DOB_FORMS[2]}, {DOB_FORMS[1]})",
        "due_date": date(2024, 3, 8),
        "unconfirmed": True,
        "source": SOURCE,
        "reminder_label": "5 working days before",
    }
    args.update(overrides)
    return reminder_message(**args)  # type: ignore[arg-type]


def _escalation(**overrides: object) -> Message:
    args: dict[str, object] = {
        "workflow_id": "ro-T20240123-C42-referral_order",
        "child_id": "C42",
        "rule_id": "ro.first_contact",
        "description": f"First contact with {CHILD_NAME}, DoB {DOB_FORMS[0]}",
        "due_date": date(2024, 3, 8),
        "escalation_number": 2,
        "responsible": "Priya Raman",
    }
    args.update(overrides)
    return escalation_message(**args)  # type: ignore[arg-type]


def _no_personal_data(subject: str) -> None:
    for word in (*CHILD_NAME.split(), CHILD_NAME, *DOB_FORMS, "2009", "Priya", "Raman", "C42 "):
        assert word not in subject, f"{word!r} leaked into the subject {subject!r}"


def test_reminder_subject_has_ids_and_no_personal_data() -> None:
    message = _reminder()
    assert message.subject.startswith("yjflow:")
    assert "ro.initial_panel" in message.subject
    assert "ro-T20240123-C42-referral_order" in message.subject
    assert "2024-03-08" in message.subject
    _no_personal_data(message.subject)
    # The body is for the worker and may carry the description as given.
    assert CHILD_NAME in message.body


def test_escalation_subject_has_ids_and_no_personal_data() -> None:
    message = _escalation()
    assert message.subject.startswith("yjflow:")
    assert "ro.first_contact" in message.subject
    assert "escalation 2" in message.subject
    _no_personal_data(message.subject)
    assert "Responsible worker: Priya Raman" in message.body
    assert "notice number 2" in message.body


def test_unconfirmed_rule_is_flagged_in_subject_and_body() -> None:
    message = _reminder(unconfirmed=True)
    assert "[unconfirmed rule]" in message.subject
    assert f"This rule's source is unconfirmed: {SOURCE}" in message.body


def test_confirmed_rule_is_not_flagged() -> None:
    message = _reminder(unconfirmed=False, source="Crime and Disorder Act 1998 s.39")
    assert "unconfirmed" not in message.subject
    assert "unconfirmed" not in message.body
    assert "Source: Crime and Disorder Act 1998 s.39" in message.body


def test_unconfirmed_escalation_is_flagged() -> None:
    message = _escalation(unconfirmed=True, source=SOURCE)
    assert "[unconfirmed rule]" in message.subject
    assert f"This rule's source is unconfirmed: {SOURCE}" in message.body
    assert "unconfirmed" not in _escalation().subject


@pytest.mark.parametrize("build", [_reminder, _escalation])
def test_subject_is_one_line_even_from_hostile_input(build: object) -> None:
    message = build(workflow_id="wf-1\r\nBcc: someone@example.org")  # type: ignore[operator]
    assert "\n" not in message.subject and "\r" not in message.subject


def test_body_states_due_date_in_words() -> None:
    body = _reminder().body
    assert "Friday 8 March 2024 (2024-03-08)" in body
    assert "Reminder (5 working days before)" in body
    assert "Workflow: ro-T20240123-C42-referral_order" in body
