"""What the relay does with one accepted court outcome, decided in one pure step from the facts read
for it in one go (`activities.intake_facts`); the relay carries the decision out (`client.relay`).

An outcome for a new order starts the order's workflow and its victims' contacts. An outcome acting on
an order (`ActingDisposal`) is delivered as that order's step, the one `domain.court_decisions` maps it
to given the order's state as its stream tells it; a remand ended in a sentence then starts the
sentence's workflows. A `remand` outcome for a case and child whose remand's stream was opened by
another outcome is a further remand: delivered as that remand's `remand_renewed` step. One whose remand
another accepted outcome starts, not yet opened, waits for the opening (kept pending, never treated as a
second start, never lost).

Delivery is idempotent: the Update's id is the outcome's, and an outcome whose step is already in the
order's stream (every event of a court step carries the outcome's id as its reason) is not delivered
again. An outcome the order can no longer take is refused with the reason, for correction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.calendar import WorkingCalendar
from domain.court_decisions import (
    CourtStep,
    court_step,
    order_kind_of,
    outcome_reason,
    remand_renewal,
    sentence_outcome,
)
from domain.court_outcome import (
    ActingDisposal,
    CourtOutcome,
    FieldError,
    OutcomeRejected,
    RemandDisposal,
    order_workflow_id,
)


@dataclass(frozen=True)
class RecordedOrder:
    """An order as its own stream tells it: its kind, its state folded from its events, and the outcome
    whose `CourtOutcomeRecorded` opened the stream."""

    order_ref: str
    kind: str
    child_id: str
    yjs: str
    state: object
    opened_by: str | None = None


@dataclass(frozen=True)
class KeptOutcome:
    """The inbox's row for an outcome id: what was kept under it, the workflows named, the relay's status."""

    body: object
    workflow_ids: tuple[str, ...]
    relay_status: str


@dataclass(frozen=True)
class OutcomeFacts:
    """Everything a decision reads about one outcome, gathered in one read so it is one moment's view.

    `stream_opened`: the stream of `stream_ref` holds events (it may lack its opening event, and then
    `order` is None). `court_reasons`: the reasons of that stream's events recorded by the court, which
    say which outcomes' steps it already holds. `remand_claimed`: another accepted outcome, not refused
    and received no later, starts the remand this `remand` outcome names. For intake also `kept`, the
    inbox's row under this outcome id, and `sentence_opened`: the order of the sentence a remand ends in
    already has a stream."""

    outcome: CourtOutcome
    stream_ref: str | None = None
    stream_opened: bool = False
    order: RecordedOrder | None = None
    court_reasons: frozenset[str] = field(default_factory=frozenset)
    remand_claimed: bool = False
    kept: KeptOutcome | None = None
    sentence_opened: bool = False


@dataclass(frozen=True)
class StartWorkflows:
    """Start the outcome's order and each victim's contact (a start already made counts as made)."""

    outcome: CourtOutcome


@dataclass(frozen=True)
class DeliverStep:
    """Send `step` to the order's `record_step` Update under `update_id`, unless `already_recorded`
    (the Update succeeded before the relay could mark the outcome); then start `then_start`'s workflows."""

    order_ref: str
    kind: str
    step: CourtStep
    outcome_id: str
    update_id: str
    already_recorded: bool
    then_start: CourtOutcome | None = None


@dataclass(frozen=True)
class Wait:
    """Nothing to do yet; try again later (the outcome stays pending, `why` kept as its last error)."""

    why: str


@dataclass(frozen=True)
class Refuse:
    """The order cannot take the outcome: nothing is recorded, and the outcome goes back for correction."""

    errors: list[FieldError]

    def __str__(self) -> str:
        return "; ".join(e.message for e in self.errors)


Delivery = StartWorkflows | DeliverStep | Wait | Refuse


def update_id(outcome_id: str) -> str:
    """The id of the Update that delivers a court outcome: one per outcome, so a repeat is a no-op."""
    return f"court-outcome:{outcome_id}"


def refused_at_delivery(why: str) -> Refuse:
    return Refuse(
        [
            FieldError(
                field="disposal",
                rule="disposal.refused_by_order_at_delivery",
                message=f"accepted at intake, but refused when delivered to the order; nothing was recorded: {why}",
            )
        ]
    )


def stream_to_read(outcome: CourtOutcome) -> str | None:
    """The stream whose facts decide the outcome: the order an acting outcome names, or the remand a
    `remand` outcome opens or renews. None for an outcome that starts a new order of another kind: it is
    decided without reading anything."""
    disposal = outcome.disposal
    if isinstance(disposal, ActingDisposal):
        return disposal.order_ref
    if isinstance(disposal, RemandDisposal):
        return order_workflow_id(outcome)
    return None


def sentence_stream(outcome: CourtOutcome) -> str | None:
    """The order a remand ended in a sentence starts (its workflow id), or None."""
    try:
        sentence = sentence_outcome(outcome)
    except OutcomeRejected:  # refused for its own reasons when decided
        return None
    return order_workflow_id(sentence) if sentence is not None else None


def decide_delivery(facts: OutcomeFacts, *, calendar: WorkingCalendar | None = None) -> Delivery:
    """What the relay does with the outcome now. `calendar` counts a further remand's custody time
    limit's expiry (the one deadlines are scheduled on; left out, England and Wales without overrides,
    made only for a further remand: making one costs a tenth of a second)."""
    outcome = facts.outcome
    disposal = outcome.disposal
    if isinstance(disposal, RemandDisposal):
        return _remand(facts, calendar)
    if not isinstance(disposal, ActingDisposal):
        return StartWorkflows(outcome)
    kind = order_kind_of(disposal.order_ref)
    if kind is None:
        return refused_at_delivery("disposal.order_ref names no kind of order yjflow runs")
    try:
        step = court_step(outcome, kind, order=facts.order.state if facts.order is not None else None)
        sentence = sentence_outcome(outcome)
    except OutcomeRejected as rejected:  # accepted under other rules: say what no longer fits
        return Refuse(rejected.errors)
    return _deliver(facts, disposal.order_ref, kind, step, then_start=sentence)


def _remand(facts: OutcomeFacts, calendar: WorkingCalendar | None) -> Delivery:
    outcome, order = facts.outcome, facts.order
    if order is not None and order.opened_by != outcome.outcome_id:
        # Opened by another outcome: this hearing's remand renews the running one.
        step = remand_renewal(outcome, calendar=calendar or WorkingCalendar.england_and_wales(), order=order.state)
        return _deliver(facts, order.order_ref, "remand", step)
    if not facts.stream_opened and facts.remand_claimed:
        # Another accepted outcome starts this remand and its workflow has not recorded the opening:
        # this one renews it once it has; it must never count as a second start, or one is lost.
        return Wait(f"the remand {order_workflow_id(outcome)} has not recorded its opening yet; the renewal waits")
    # The remand's start (again, if its workflow already wrote its first events: a start is idempotent).
    return StartWorkflows(outcome)


def _deliver(
    facts: OutcomeFacts, order_ref: str, kind: str, step: CourtStep, *, then_start: CourtOutcome | None = None
) -> DeliverStep:
    outcome_id = facts.outcome.outcome_id
    return DeliverStep(
        order_ref=order_ref,
        kind=kind,
        step=step,
        outcome_id=outcome_id,
        update_id=update_id(outcome_id),
        already_recorded=outcome_reason(outcome_id) in facts.court_reasons,
        then_start=then_start,
    )
