"""The words of a reminder or an escalation, built from ids and rule facts only.

A subject line is read where a body is not: lock screens, mail previews, server logs. So a subject carries
only yjflow's own identifiers and labels (workflow id, rule id, due date, which reminder) and never free
text a person or the court supplied; that is why `description`, `child_id` and `responsible` appear only in
the body.
A rule whose source is unconfirmed says so in the subject too, so nobody acts on it as settled law
without seeing the caveat.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

SUBJECT_PREFIX = "yjflow:"
UNCONFIRMED_TAG = "[unconfirmed rule]"


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str
    body: str


def _one_line(text: str) -> str:
    # A newline in a mail header would be header injection (and EmailMessage refuses it outright).
    return " ".join(text.split())


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y} ({day.isoformat()})"


def _unconfirmed_paragraph(source: str | None) -> str:
    where = _one_line(source).rstrip(".") if source else "no source recorded"
    return (
        f"This rule's source is unconfirmed: {where}. "
        "The date follows yjflow's default; check it against your local practice before relying on it."
    )


def reminder_message(
    *,
    workflow_id: str,
    child_id: str,
    rule_id: str,
    description: str,
    due_date: date,
    unconfirmed: bool,
    source: str,
    reminder_label: str,
) -> Message:
    """A reminder to the responsible worker that a deadline is coming up (or due today)."""
    tag = f" {UNCONFIRMED_TAG}" if unconfirmed else ""
    subject = _one_line(
        f"{SUBJECT_PREFIX} reminder{tag} {rule_id} due {due_date.isoformat()} ({reminder_label}) - {workflow_id}"
    )
    paragraphs = [
        f"Reminder ({_one_line(reminder_label)}): {description}",
        f"Due by the end of {_long_date(due_date)}.",
        *([_unconfirmed_paragraph(source)] if unconfirmed else []),
        f"Rule: {rule_id}\nSource: {_one_line(source)}\nChild: {child_id}\nWorkflow: {workflow_id}",
        "Record the step in yjflow once it is done; reminders stop when the deadline is met.",
    ]
    return Message(subject=subject, body="\n\n".join(paragraphs) + "\n")


def escalation_message(
    *,
    workflow_id: str,
    child_id: str,
    rule_id: str,
    description: str,
    due_date: date,
    escalation_number: int,
    responsible: str,
    unconfirmed: bool = False,
    source: str | None = None,
) -> Message:
    """A notice to the responsible worker's manager that a deadline was missed and is still open."""
    tag = f" {UNCONFIRMED_TAG}" if unconfirmed else ""
    subject = _one_line(
        f"{SUBJECT_PREFIX} missed deadline{tag} {rule_id} due {due_date.isoformat()} "
        f"(escalation {escalation_number}) - {workflow_id}"
    )
    repeat = (
        "This is the first notice."
        if escalation_number <= 1
        else f"This is notice number {escalation_number}; the deadline is still open."
    )
    facts = [f"Responsible worker: {responsible}", f"Rule: {rule_id}"]
    if source:
        facts.append(f"Source: {_one_line(source)}")
    facts += [f"Child: {child_id}", f"Workflow: {workflow_id}"]
    paragraphs = [
        f"Missed deadline: {description}",
        f"It was due by the end of {_long_date(due_date)} and has not been recorded as met. {repeat}",
        *([_unconfirmed_paragraph(source)] if unconfirmed else []),
        "\n".join(facts),
        "Notices repeat weekly while the deadline stays open. A deadline met late stays recorded as missed.",
    ]
    return Message(subject=subject, body="\n\n".join(paragraphs) + "\n")
