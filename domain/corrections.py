"""Correcting a step recorded by mistake, for every kind of case: one generic, pure decision.

A workflow keeps the steps people recorded (`RecordedStep`: the step as sent, the stream versions of
the events it recorded, the deadlines it met and scheduled). A correction names one of those events
by stream version and either voids the step or replaces it with the step as it should have been.
`decide_correction` then

1. finds the step and refuses a correction of anything else (a deadline's reminder, the court's
   opening, a step already corrected) naming what that version is;
2. asks the correction policy (`CorrectionPolicy`, from `domain/rules/corrections.toml` or a YJS's
   file: policy, never constants) whether it needs a manager, and refuses anyone else, saying which rule;
3. folds the case again from its opening, with every step re-decided in order by the kind's own
   `decide` and the superseded step removed or replaced: if any later step would now be refused, the
   correction is refused naming that step and why (correct or void the later one first);
4. returns the `StepCorrected` event, the replacement's events and deadline effects, the deadlines
   the original met that are owed again (a deadline met by a voided step reopens) and the ones it
   scheduled that are no longer owed, and the case's state as if the correction had been there.

Deadlines recompute for the corrected step itself: what it met is reopened and met again by the
replacement (on its date, so on time or late as that date says), what it scheduled is cancelled and
scheduled again from the replacement's date. A deadline that a *later* step met or scheduled stays as
it was recorded: the later step happened as recorded. A deadline the original met late (so already
recorded as missed) that the replacement's earlier date meets in time reads as met on that date, as any
back-dated entry does; the miss, the late meeting and the correction all stay in the stream. A deadline
a voided step met whose day has passed is missed again at once, and escalated as any miss is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from domain import events as ev
from domain.decisions import Decision, Step, StepRefused

S = TypeVar("S")

MANAGER_ROLES = frozenset({"manager", "admin"})


class CorrectionPolicy(BaseModel):
    """Which corrections a manager must make. Shipped in domain/rules/corrections.toml, with its source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    manager_to_void: bool = Field(description="Voiding any step needs a manager.")
    manager_if_date_moves_more_than_days: int = Field(
        ge=0, description="A replacement dated more than this many days from the original needs a manager."
    )
    manager_if_statutory_deadline_met: bool = Field(
        description="Correcting a step that met a statute deadline (rule type `statute`) needs a manager."
    )
    manager_if_court_step: bool = Field(
        default=True, description="Correcting a step a court outcome recorded (actor court-intake) needs a manager."
    )
    source: str = Field(min_length=1)


def load_policy(text: str, *, source_name: str = "corrections.toml") -> CorrectionPolicy:
    """The correction policy in a TOML text; a bad file names the key and the rule it breaks."""
    try:
        return CorrectionPolicy.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValueError) as e:
        raise ValueError(f"{source_name}: not a correction policy: {e}") from None


class MetDeadline(BaseModel):
    """A deadline a step met, with its schedule, so it can be owed again however long ago it was met."""

    model_config = ConfigDict(frozen=True)

    schedule: ev.DeadlineScheduled
    met_on: date


class RecordedStep(BaseModel):
    """A person's step as the workflow recorded it: carried across continue-as-new."""

    model_config = ConfigDict(frozen=True)

    first_version: int
    last_version: int
    step: dict[str, Any] = Field(description="The step as sent (JSON), to decide it again.")
    met: tuple[MetDeadline, ...] = ()
    scheduled: tuple[str, ...] = Field(default=(), description="Ids of the deadlines the step scheduled.")
    superseded_by: int | None = Field(default=None, description="Stream version of the StepCorrected event.")

    @property
    def name(self) -> str:
        return str(self.step.get("step", "step"))

    @property
    def effective_date(self) -> date:
        return date.fromisoformat(str(self.step["effective_date"]))


class StepCorrection(BaseModel):
    """What a person sends to correct a step (the Update `correct_step`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actor: str = Field(min_length=1, description="The correcting user (set by the API from the token).")
    actor_role: str = Field(min_length=1, description="The correcting user's role (set by the API).")
    supersedes: int = Field(ge=1, description="The stream version of an event the mistaken step recorded.")
    reason: str = Field(min_length=1, max_length=2000, description="Why the step was wrong.")
    replacement: dict[str, Any] | None = Field(
        default=None, description="The step as it should have been recorded; leave out to void the step."
    )
    policy: CorrectionPolicy


class CorrectionDecision(BaseModel):
    """What the workflow carries out: the events to record, deadlines to reopen, cancel, meet and schedule."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    index: int  # which recorded step is superseded
    corrected: ev.StepCorrected
    replacement: Decision | None
    replacement_step: dict[str, Any] | None
    reopen: tuple[MetDeadline, ...]
    cancel: tuple[str, ...]
    state: Any


def _refuse(why: str) -> StepRefused:
    return StepRefused(f"correction refused: {why}")


def find_step(steps: Sequence[RecordedStep], version: int) -> int:
    """The index of the recorded step whose events include `version`, or a refusal saying what it is."""
    for i, s in enumerate(steps):
        if s.first_version <= version <= s.last_version:
            if s.superseded_by is not None:
                raise _refuse(
                    f"event {version} is the {s.name} of {s.effective_date}, already corrected by event "
                    f"{s.superseded_by}; correct that correction's step instead"
                )
            return i
    raise _refuse(
        f"event {version} was not recorded by a person's step on this case (an opening, a deadline's "
        "reminder, miss or escalation, or a step recorded before corrections were kept), so it cannot be corrected"
    )


def needs_manager(policy: CorrectionPolicy, original: RecordedStep, replacement_date: date | None) -> str | None:
    """The policy rule that makes this a manager's correction, or None."""
    if replacement_date is None and policy.manager_to_void:
        return "voiding a step needs a manager (corrections.manager_to_void)"
    if replacement_date is not None:
        moved = abs((replacement_date - original.effective_date).days)
        if moved > policy.manager_if_date_moves_more_than_days:
            return (
                f"the date moves by {moved} days, more than {policy.manager_if_date_moves_more_than_days} "
                "(corrections.manager_if_date_moves_more_than_days)"
            )
    if policy.manager_if_court_step and original.step.get("actor") == ev.COURT_INTAKE:
        return "the step was recorded from a court outcome (corrections.manager_if_court_step)"
    statutory = [m.schedule.rule_id for m in original.met if m.schedule.rule_type == "statute"]
    if statutory and policy.manager_if_statutory_deadline_met:
        return (
            f"the step met the statutory deadline {', '.join(statutory)} "
            "(corrections.manager_if_statutory_deadline_met)"
        )
    return None


def refold(
    opened: S,
    steps: Sequence[tuple[Step, int | None]],
    *,
    decide: Callable[[S, Step], Decision],
    evolve: Callable[[S, ev.EventPayload], S],
) -> S:
    """The case's state from its opening with `steps` re-decided in order; a step now refused refuses
    the correction, naming it (its stream version, None for the replacement itself)."""
    state = opened
    for step, version in steps:
        try:
            decision = decide(state, step)
        except StepRefused as refused:
            name = getattr(step, "step", "step")
            at = f" (event {version})" if version is not None else ""
            raise _refuse(
                f"with it, the later {name} of {step.effective_date}{at} would not be allowed: {refused}. "
                "Correct or void that step first"
            ) from None
        for payload in decision.events:
            state = evolve(state, payload)
    return state


def decide_correction(
    correction: StepCorrection,
    steps: Sequence[RecordedStep],
    *,
    opened: S,
    parse: Callable[[dict[str, Any]], Step],
    decide: Callable[[S, Step], Decision],
    evolve: Callable[[S, ev.EventPayload], S],
) -> CorrectionDecision:
    """Refuse the correction with the reason, or say what to record and the state it leaves the case in."""
    index = find_step(steps, correction.supersedes)
    original = steps[index]
    replacement: Step | None = None
    replacement_body: dict[str, Any] | None = None
    if correction.replacement is not None:
        # Only what was wrong need be given: the rest of the step stands as it was recorded.
        body = {**original.step, **correction.replacement, "actor": original.step.get("actor", correction.actor)}
        if body["step"] != original.name:
            raise _refuse(
                f"a replacement is the same step with what was wrong put right; {body['step']} is not "
                f"{original.name}: void the {original.name} and record the {body['step']} as a step"
            )
        try:
            replacement = parse(body)
        except ValueError as invalid:
            raise _refuse(f"the replacement is not a valid {original.name}: {invalid}") from None
        replacement_body = replacement.model_dump(mode="json")
        if replacement_body == original.step:
            raise _refuse("the replacement is the step exactly as recorded; nothing would change")
    why_manager = needs_manager(correction.policy, original, replacement.effective_date if replacement else None)
    if why_manager is not None and correction.actor_role not in MANAGER_ROLES:
        raise _refuse(f"{why_manager}: ask a manager to make it")
    live = [(i, s) for i, s in enumerate(steps) if s.superseded_by is None]
    before = [(parse(s.step), s.first_version) for i, s in live if i < index]
    after = [(parse(s.step), s.first_version) for i, s in live if i > index]
    prior = refold(opened, before, decide=decide, evolve=evolve)
    replacement_decision: Decision | None = None
    if replacement is not None:
        try:
            replacement_decision = decide(prior, replacement)
        except StepRefused as refused:
            raise _refuse(f"the replacement would not be allowed: {refused}") from None
        prior = refold(prior, [(replacement, None)], decide=decide, evolve=evolve)
    state = refold(prior, after, decide=decide, evolve=evolve)
    action: Literal["voided", "replaced"] = "voided" if replacement is None else "replaced"
    corrected = ev.StepCorrected(
        supersedes=list(range(original.first_version, original.last_version + 1)),
        step=original.name,
        correction=action,
        original_date=original.effective_date,
        corrected_date=replacement.effective_date if replacement is not None else None,
        reason=correction.reason,
        reopened=[m.schedule.rule_id for m in original.met],
        needed_manager=why_manager,
    )
    return CorrectionDecision(
        index=index,
        corrected=corrected,
        replacement=replacement_decision,
        replacement_step=replacement_body,
        reopen=original.met,
        cancel=original.scheduled,
        state=state,
    )


class SupersededBy(BaseModel):
    """What a reader is told of a superseded event: the correction, who made it and why."""

    model_config = ConfigDict(frozen=True)

    stream_version: int
    actor: str
    reason: str


def superseded(rows: Sequence[tuple[str, int, str, dict[str, Any], str]]) -> dict[tuple[str, int], SupersededBy]:
    """Which (stream, version) each correction supersedes, from event rows (stream, version, event type,
    payload, actor); the events themselves are never changed, so a reader learns it here."""
    out: dict[tuple[str, int], SupersededBy] = {}
    for stream, version, event_type, payload, actor in rows:
        if event_type == ev.StepCorrected.event_type:
            by = SupersededBy(stream_version=version, actor=actor, reason=str(payload.get("reason", "")))
            for v in payload.get("supersedes", []):
                out[(stream, int(v))] = by
    return out
