"""A case as its page shows it: the order's key facts in words, what it owes, what the domain would accept
next, its history (each step with what it recorded, in the order it took effect), and the court outcomes
refused for its child, with their reasons, so the people working the case see what never arrived."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from markupsafe import Markup
from temporalio.service import RPCError, RPCStatusCode

from activities import audit, inspection, rejected_reads, victim_contacts
from client import steps
from client.order_kinds import kind_of
from client.web import step_forms
from client.web.plain_words import in_words
from client.web.session import PageRefused
from client.web.timeline_data import shipped_rule_names
from client.web.worker_next_steps import case_next_steps
from domain.acceptable_steps import Acceptable
from domain.events import sentences, wording
from domain.victim_contact import VictimContactState, victim_views_for_panel

LONDON = ZoneInfo("Europe/London")
VICTIM_CONTACT = "victim_contact"


@dataclass(frozen=True)
class HistoryItem:
    """One recorded step: its title, its sentence (None where the reader may not see a victim's step in
    detail), the London day it took effect, who recorded it, and whether it was a late entry."""

    title: str
    sentence: str | None
    on: date
    actor: str
    late: bool


@dataclass(frozen=True)
class RefusedOutcome:
    """A court outcome for this case's child that yjflow refused, with the reasons, as intake kept it."""

    received_at: datetime
    outcome_id: str | None
    reasons: list[str]


@dataclass(frozen=True)
class CaseView:
    workflow_id: str
    is_victim_contact: bool
    title: str
    child_id: str
    state: str
    responsible: str | None
    facts: list[tuple[str, str]]  # (label, value) for the summary list, every value in words
    deadlines: list[audit.DeadlineItem]
    next_steps: list[str]
    all_steps: list[str]
    history: list[HistoryItem] = field(default_factory=list)  # in the order they took effect
    later_steps: list[Acceptable] = field(default_factory=list)  # owed, accepted from a day ahead
    refused_outcomes: list[RefusedOutcome] = field(default_factory=list)
    closed: bool = False
    yjs: str = ""


def _ctx(request: Request) -> Any:
    return request.app.state.ctx


def not_found(what: str) -> PageRefused:
    return PageRefused(what, status_code=404, title="Page not found")


async def order_view(request: Request, workflow_id: str) -> Any:
    """The order's view from its workflow (a query: what the order holds now); a 404 page if none."""
    kind = kind_of(workflow_id)
    if kind is None:
        raise not_found(f"there is no order {workflow_id}: an order's id starts with its kind")
    handle = (await _ctx(request).temporal()).get_workflow_handle(workflow_id)
    try:
        return await handle.query(kind.workflow.view)
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            raise not_found(f"there is no order {workflow_id}") from e
        raise PageRefused(f"the order could not be read: {e.message}", status_code=503, title="Sorry") from e


def _day(d: date | None) -> str | None:
    return wording.day(d) if d is not None else None


def _months(n: int) -> str:
    return wording.count(n, "month")


def order_facts(model: Any) -> list[tuple[str, str]]:
    """The order's key facts, each in words; a fact the order does not hold yet is left out, except the
    ones a worker looks for (the contract, the victims), which say so."""
    facts: list[tuple[str | None, str | None]] = [("Child", model.child_id), ("Service", model.yjs)]

    def get(name: str) -> Any:  # each kind's state names its own facts
        return getattr(model, name, None)

    if get("hearing_date") is not None:
        facts.append(("Order made", _day(get("hearing_date"))))
    if get("sentence_date") is not None:
        facts.append(("Sentenced", _day(get("sentence_date"))))
    if get("remand_date") is not None:
        facts.append(("Remanded", _day(get("remand_date"))))
    if isinstance(get("months"), int) and get("months"):
        extension = get("extension_months") or 0
        length = _months(get("months")) + (f", extended by {_months(extension)}" if extension else "")
        facts.append(("Length", length))
    elif isinstance(get("weeks"), int) and get("weeks"):
        facts.append(("Length", wording.count(get("weeks"), "week")))
    if "contract_signed_date" in type(model).model_fields:
        facts.append(("Contract signed", _day(get("contract_signed_date")) or "Not yet"))
        facts.append(("Compliance period ends", _day(get("compliance_end")) or "When the contract is signed"))
    if get("end_date") is not None:
        facts.append(("Ends", _day(get("end_date"))))
    if get("requirements"):
        facts.append(("Requirements", wording.and_list(in_words(r.ordered.kind) for r in get("requirements"))))
    if get("iss") is not None:
        facts.append(("Intensive supervision and surveillance", "Yes" if get("iss") else "No"))
    for label, name in (
        ("Next hearing", "next_hearing_date"),
        ("Custody time limit expires", "ctl_expiry"),
        ("Release date", "release_date"),
        ("Supervision until", "supervision_until"),
        ("Completed", "completed_date"),
    ):
        if get(name) is not None:
            facts.append((label, _day(get(name))))
    if "victim_refs" in type(model).model_fields:
        victims = list(get("victim_refs") or ())
        heard = set(get("victims_with_views") or ())
        facts.append(
            (
                "Victims",
                wording.and_list(f"{v} (views recorded)" if v in heard else v for v in victims)
                if victims
                else "None named by the court",
            )
        )
    return [(label, value) for label, value in facts if label and value]


def _history(entries: list[audit.TimelineEntry], *, details: bool) -> list[HistoryItem]:
    names = shipped_rule_names()
    return [
        HistoryItem(
            sentences.title(e.event_type),
            sentences.sentence(e.event_type, e.payload, names) if details else None,
            e.effective_at.astimezone(LONDON).date(),
            e.actor,
            e.late_entry,
        )
        for e in entries
    ]


async def _refused_outcomes(pool: Any, child_id: str, yjs: str) -> list[RefusedOutcome]:
    """The child's outcomes refused in this case's service (another service's child may share the id)."""
    return [
        RefusedOutcome(r["received_at"], r["outcome_id"], [str(e.get("message", "")) for e in r["errors"] or []])
        for r in await rejected_reads.rejected_for_child(pool, child_id, services=[yjs])
    ]


async def _details_held(ctx: Any, victim_ref: str) -> Markup:
    """Whether the victim's details are held (asking reveals nothing and is not logged), with their page."""
    store = ctx.victim_details
    held = store is not None and await store.exists(victim_ref)
    said = "Held, encrypted" if held else "Not recorded yet"
    return Markup('{} (<a class="govuk-link" href="/app/victims/{}">the victim\'s page</a>)').format(said, victim_ref)


def _victim_views(contact: VictimContactState) -> list[tuple[str, str]]:
    """For a referral order's victim: whether their views have reached the panel, and what would do it."""
    if not (contact.linked_order_id or "").startswith("referral-order:"):
        return []
    heard = "Heard: the order was told" if victim_views_for_panel(contact) else "Not yet"
    how = (
        "Met by the victim's views given when sought (views sought, views given), consent to take part in "
        "the panel (attend or send views), or panel participation delivered."
    )
    return [("Victim's views for the panel (ro.victim_views)", f"{heard}. {how}")]


async def load_case(request: Request, workflow_id: str, *, username: str, details: bool, today: date) -> CaseView:
    """The case as its page shows it; a 404 page when there is no such order or contact. `details`: the
    reader may see a victim's steps in full (what each recorded)."""
    ctx = _ctx(request)
    owed = [
        d
        for d in await audit.deadlines(ctx.pool, workflow_id=workflow_id)
        if d.status == "open" or (d.status == "missed" and d.met_on is None)
    ]
    owed.sort(key=lambda d: (d.due_date, d.deadline_id))
    models = step_forms.step_models(workflow_id)
    all_steps = list(models)
    chron = await inspection.chronology(ctx.pool, workflow_id)
    entries = chron.entries if chron is not None else []
    due = [(d.rule_id, d.due_date) for d in owed]
    if steps.is_victim_contact(workflow_id):
        history = await victim_contacts.contact_history(ctx.pool, workflow_id)
        if history is None:
            raise not_found(f"there is no victim contact {workflow_id}")
        s, state = history.summary, history.contact
        nxt = case_next_steps(
            VICTIM_CONTACT,
            state,
            list(models.values()),
            due,
            allocated=s.victim_worker is not None,
            today=today,
            known={"victim_worker": [username]},
        )
        facts = [
            ("Victim", s.victim_ref),
            ("Child", s.child_id),
            ("Linked order", s.linked_order_id or "Not linked to an order"),
            ("Opened", wording.day(s.opened_on)),
            ("Victim's details", await _details_held(ctx, s.victim_ref)),
            *_victim_views(state),
        ]
        if state.closed_on is not None:
            facts.append(("Closed", wording.day(state.closed_on)))
        return CaseView(
            workflow_id,
            True,
            f"Victim contact {s.victim_ref}",
            s.child_id,
            s.state.value,
            s.victim_worker,
            facts,
            owed,
            nxt.likely,
            all_steps,
            _history(entries, details=details),
            nxt.later,
            closed=state.closed_on is not None,
            yjs=s.yjs,
        )
    kind = kind_of(workflow_id)
    if kind is None:
        raise not_found(f"there is no order {workflow_id}: an order's id starts with its kind")
    view = await order_view(request, workflow_id)
    model = next(getattr(view, a) for a in ("order", "remand", "custody") if getattr(view, a, None) is not None)
    worker = getattr(model, "case_worker", None)
    known: dict[str, list[Any]] = {"case_worker": [username]}
    if getattr(model, "victim_refs", None):
        known["victim_ref"] = [v for v in model.victim_refs if v not in model.victims_with_views] or list(
            model.victim_refs
        )
    if getattr(model, "requirements", None):
        known["requirement"] = [r.ref for r in model.requirements]
    nxt = case_next_steps(
        kind.name, model, kind.step_models(), due, allocated=worker is not None, today=today, known=known
    )
    return CaseView(
        workflow_id,
        False,
        step_forms.humanise(kind.name),
        model.child_id,
        kind.state_of(view),
        worker,
        order_facts(model),
        owed,
        nxt.likely,
        all_steps,
        _history(entries, details=True),
        nxt.later,
        await _refused_outcomes(ctx.pool, model.child_id, model.yjs),
        closed=chron is not None and chron.closed_at is not None,
        yjs=model.yjs,
    )
