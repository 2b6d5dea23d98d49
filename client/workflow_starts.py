"""Starting the workflows of a court outcome that opens an order: the order's workflow, then each
victim's contact, with the inputs each workflow starts from.

Starting is idempotent: workflow ids come from the outcome, and an id that already exists (running or
closed) counts as started, so a retry after a partial start starts only what is missing.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.rule_source import load_rule_pack
from activities.settings import Settings
from domain.calendar import WorkingCalendar, add_calendar_months
from domain.court_outcome import (
    ActingDisposal,
    CourtOutcome,
    DetentionAndTrainingOrderDisposal,
    ReferralOrderDisposal,
    RemandDisposal,
    YouthRehabilitationOrderDisposal,
    custodial_months,
    order_workflow_id,
    victim_workflow_id,
)
from domain.messages import (
    CustodyInput,
    ReferralOrderInput,
    RemandInput,
    VictimContactInput,
    YouthRehabilitationOrderInput,
)
from domain.remand import start_remand
from domain.victim_contact import vcs_referral_due
from workflows.changes import baseline_memo
from workflows.custody import CustodyWorkflow
from workflows.referral_order import ReferralOrderWorkflow
from workflows.remand import RemandWorkflow
from workflows.victim_contact import VictimContactWorkflow
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow


async def _start(client: Client, run: Any, arg: Any, *, wid: str, task_queue: str) -> None:
    try:
        await client.start_workflow(
            run,
            arg,
            id=wid,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            memo=baseline_memo(),  # born on the current baseline: its patches in force without markers
        )
    except WorkflowAlreadyStartedError:
        pass  # a closed workflow of this id: this outcome was relayed before


async def start_for_outcome(
    client: Client, outcome: CourtOutcome, task_queue: str, *, calendar: WorkingCalendar | None = None
) -> list[str]:
    """Start every workflow the outcome names: the order, then each victim's contact. The order's
    first milestone needs a person's step days later, so its victims' contacts exist by then; a retry
    after a partial start starts only what is missing.

    `calendar` counts a remand's custody time limit: the relay passes the one in force (bank holidays
    with the service's overrides, as deadlines are scheduled on); left out, the England and Wales
    calendar without overrides.
    """
    disposal = outcome.disposal
    if isinstance(disposal, ActingDisposal):
        raise ValueError(f"a {disposal.kind} outcome acts on an order (client.delivery); it starts none")
    wid = order_workflow_id(outcome)
    if isinstance(disposal, YouthRehabilitationOrderDisposal):
        await _start(
            client, YouthRehabilitationOrderWorkflow.run, yro_input(outcome, disposal), wid=wid, task_queue=task_queue
        )
        return [wid, *await _start_victims(client, outcome, wid, task_queue)]
    if isinstance(disposal, RemandDisposal):
        arg = remand_input(outcome, disposal, calendar or WorkingCalendar.england_and_wales())
        await _start(client, RemandWorkflow.run, arg, wid=wid, task_queue=task_queue)
        return [wid, *await _start_victims(client, outcome, wid, task_queue)]
    if isinstance(disposal, DetentionAndTrainingOrderDisposal):
        await _start(client, CustodyWorkflow.run, dto_input(outcome, disposal), wid=wid, task_queue=task_queue)
        return [wid, *await _start_victims(client, outcome, wid, task_queue)]
    if not isinstance(disposal, ReferralOrderDisposal):
        raise ValueError(f"no workflow for {disposal.kind} yet")
    await _start(
        client,
        ReferralOrderWorkflow.run,
        ReferralOrderInput(
            outcome_id=outcome.outcome_id,
            case_reference=outcome.case_reference,
            court_kind=outcome.court.kind,
            child_id=outcome.child.id,
            yjs=outcome.yjs,
            hearing_date=outcome.hearing_date,
            months=disposal.months,
            victim_refs=[v.ref for v in outcome.victims],
        ),
        wid=wid,
        task_queue=task_queue,
    )
    return [wid, *await _start_victims(client, outcome, wid, task_queue)]


async def _start_victims(client: Client, outcome: CourtOutcome, wid: str, task_queue: str) -> list[str]:
    ids = []
    months = custodial_months(outcome.disposal)
    violent = any(o.violent_or_sexual and o.convicted for o in outcome.offences)
    vcs = months is not None and vcs_referral_due(months, violent)
    for victim in outcome.victims:
        vid = victim_workflow_id(outcome, victim.ref)
        await _start(
            client,
            VictimContactWorkflow.run,
            VictimContactInput(
                victim_ref=victim.ref,
                victim_kind=victim.kind,
                under_18=victim.under_18,
                linked_order_id=wid,
                child_id=outcome.child.id,
                yjs=outcome.yjs,
                opened_on=outcome.hearing_date,
                outcome_id=outcome.outcome_id,
                vcs_referral_needed=vcs,
                sentence_date=outcome.hearing_date if vcs else None,
            ),
            wid=vid,
            task_queue=task_queue,
        )
        ids.append(vid)
    return ids


def yro_input(outcome: CourtOutcome, disposal: YouthRehabilitationOrderDisposal) -> YouthRehabilitationOrderInput:
    """The YRO's start, with the warned period read from the rule pack now (it is [U] and may change;
    a running order keeps the length it started with)."""
    pack = load_rule_pack(Settings().rules_file)
    months = pack.rule("yro.warned_period").amount
    if months is None:
        raise ValueError("rule yro.warned_period has no amount in the rule pack in force")
    dob = outcome.child.date_of_birth
    return YouthRehabilitationOrderInput(
        outcome_id=outcome.outcome_id,
        case_reference=outcome.case_reference,
        court_kind=outcome.court.kind,
        child_id=outcome.child.id,
        yjs=outcome.yjs,
        hearing_date=outcome.hearing_date,
        disposal=disposal,
        warned_period_months=months,
        eighteenth_birthday=add_calendar_months(dob, 18 * 12),
        victim_refs=[v.ref for v in outcome.victims],
    )


def remand_input(outcome: CourtOutcome, disposal: RemandDisposal, calendar: WorkingCalendar) -> RemandInput:
    """The remand's start: its opening state with the custody time limit's expiry counted now, on
    `calendar`, and recorded once (a later holiday override never moves a running remand's expiry)."""
    return RemandInput(
        outcome_id=outcome.outcome_id,
        case_reference=outcome.case_reference,
        court_kind=outcome.court.kind,
        hearing_date=outcome.hearing_date,
        remand=start_remand(
            child_id=outcome.child.id,
            yjs=outcome.yjs,
            remand_date=outcome.hearing_date,
            disposal=disposal,
            calendar=calendar,
        ),
        victim_refs=[v.ref for v in outcome.victims],
    )


def dto_input(outcome: CourtOutcome, disposal: DetentionAndTrainingOrderDisposal) -> CustodyInput:
    """A DTO's start: the term and the secure estate's date if the court sent one; the release dates
    are the domain's to compute. Of the child and offences, only what s.247 needs (see CustodyInput)."""
    return CustodyInput(
        outcome_id=outcome.outcome_id,
        case_reference=outcome.case_reference,
        court_kind=outcome.court.kind,
        child_id=outcome.child.id,
        yjs=outcome.yjs,
        sentence_date=outcome.hearing_date,
        kind="dto",
        months=disposal.months,
        weeks=disposal.weeks,
        remand_days=disposal.remand_days,
        tagged_bail_days=disposal.tagged_bail_days,
        secure_estate_release_date=disposal.release_date,
        date_of_birth=outcome.child.date_of_birth,
        offence_date=min(o.offence_date for o in outcome.offences),
        victim_refs=[v.ref for v in outcome.victims],
    )
