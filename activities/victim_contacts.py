"""Read side of victims' contacts: each contact's state, folded from its own event stream.

A victim contact's stream (`victim-contact:<yjs>:<case>:<child>:<victim_ref>`) starts with
`VictimContactOpened`; its payload and the stream's child and service give the starting state, and every
later event is folded through `domain.victim_contact.evolve`, exactly as the workflow did. The next open
deadline comes from the `deadlines` projection. Everything here is references and steps: victims'
personal details live only in the encrypted store (`activities.victim_details`) and are never read here.

Simple and correct before fast: each call reads the streams it needs whole. A projection table can take
over when the number of contacts makes that slow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

from psycopg.rows import dict_row
from pydantic import BaseModel, Field

from activities.audit import DeadlineItem, deadlines
from activities.db import Pool
from activities.service_scope import in_services
from activities.users import User
from activities.victim_notes import VictimNotes
from domain import events as ev
from domain import victim_contact as vc
from domain.access import Permission, allows
from domain.victim_contact import ContactState, VictimContactState
from domain.victim_details import note_id_of

STREAM_PREFIX = "victim-contact:"
OPENED = ev.VictimContactOpened.event_type


class NextDeadline(BaseModel):
    rule_id: str
    due_date: date
    description: str
    deadline_id: str


class ContactSummary(BaseModel):
    """One contact as a victim worker's list shows it: references, state and what comes next."""

    workflow_id: str
    victim_ref: str
    victim_kind: str
    child_id: str
    yjs: str
    linked_order_id: str | None
    opened_on: date
    state: ContactState
    victim_worker: str | None
    next_steps: list[str]
    next_deadline: NextDeadline | None
    version: int
    last_recorded_at: datetime


NoteShown = Literal["none", "shown", "withheld", "erased", "unreadable"]


class ContactEvent(BaseModel):
    stream_version: int
    event_type: str
    effective_at: datetime
    recorded_at: datetime
    actor: str
    reason: str | None = Field(
        description="The step's reason or note in clear, only for those who may read victim step details "
        "(it is stored sealed under the victim's key); None otherwise."
    )
    note: NoteShown = Field(
        default="none",
        description="Whether the step has a note and what became of it here: shown, withheld (your role may "
        "not read it), erased (the victim's key was destroyed) or unreadable.",
    )
    payload: dict[str, Any]


class ContactHistory(BaseModel):
    """A contact's whole record: every event of its stream, its state now and its deadlines."""

    workflow_id: str
    summary: ContactSummary
    contact: VictimContactState
    events: list[ContactEvent]
    deadlines: list[DeadlineItem]


def is_contact_id(workflow_id: str) -> bool:
    return workflow_id.startswith(STREAM_PREFIX)


# --- folding ------------------------------------------------------------------------------------------


def fold(rows: list[dict[str, Any]]) -> VictimContactState:
    """The contact's state from its stream's rows (in stream order), as the workflow holds it."""
    if not rows or rows[0]["event_type"] != OPENED:
        first = rows[0]["event_type"] if rows else "nothing"
        raise ValueError(f"a victim contact stream starts with {OPENED}, not {first}")
    opened = ev.parse_payload(OPENED, rows[0]["payload"])
    assert isinstance(opened, ev.VictimContactOpened)
    state = VictimContactState(
        victim_ref=opened.victim_ref,
        victim_kind=opened.victim_kind,
        under_18=opened.under_18,
        enhanced_rights=opened.enhanced_rights,
        linked_order_id=opened.linked_order_id,
        child_id=rows[0]["child_id"],
        yjs=rows[0]["yjs"],
        opened_on=opened.on,
        vcs_referral_needed=opened.vcs_referral_needed,
        sentence_date=opened.sentence_date,
    )
    for row in rows:
        state = vc.evolve(state, ev.parse_payload(row["event_type"], row["payload"]))
    return state


def next_steps(state: VictimContactState) -> list[str]:
    """The steps a victim worker would most likely record next, derived from the state alone.

    A guide for the worker's list, not a promise: the workflow's `decide` is what accepts or refuses.
    """
    s = state.state
    if s == ContactState.CLOSED:
        return []
    steps: list[str] = []
    if state.victim_worker is None and s != ContactState.WITHDRAWN:
        steps.append("victim_worker_allocated")
    granted = vc.granted(state)
    safe = state.risk_outcome in vc.SAFE_TO_PROCEED
    match s:
        case ContactState.WITHDRAWN:
            steps += ["reopened", "closed"]
        case ContactState.IDENTIFIED:
            steps.append("details_received")
        case ContactState.DETAILS_RECEIVED:
            steps.append("suitability_decided")
        case ContactState.SUITABILITY_DECIDED:
            steps += ["contact_attempted", "contacted"]
        case ContactState.CONTACT_ATTEMPTED:
            steps += ["closed"] if state.contact_refused_on is not None else ["contact_attempted", "contacted"]
        case ContactState.CONTACTED:
            steps.append("informed_choice_given")
        case ContactState.INFORMED_CHOICE_GIVEN:
            steps += ["consent_recorded", "closed"]
        case ContactState.CONSENT_RECORDED:
            if granted & vc.RISK_GATED:
                steps.append("risk_assessed")
            elif granted:
                steps.append("intervention_delivered")
            else:
                steps += ["consent_recorded", "closed"]
        case ContactState.RISK_ASSESSED | ContactState.PREPARING:
            if not safe:
                steps += ["intervention_delivered", "closed"] if granted - vc.RISK_GATED else ["closed"]
            elif granted & vc.PREPARED and not {"victim", "child"} <= set(state.prepared_with):
                steps.append("preparation_meeting_held")
            else:
                if vc.RjOption.SHUTTLE_MEDIATION in granted:
                    steps.append("shuttle_message_relayed")
                if vc.RjOption.DIRECT_CONFERENCE in granted:
                    steps.append("conference_held")
                steps.append("intervention_delivered")
        case ContactState.INTERVENTION_DELIVERED:
            steps.append("feedback_recorded")
        case ContactState.FEEDBACK_RECORDED:
            steps.append("closed")
    # What is owed whatever the stage: these have deadlines of their own.
    if state.conclusion_owed or state.conclusion_deadline_open:
        steps.insert(0, "conclusion_notified")  # before closing: a completed contact waits for it
    if state.pending_milestones and s != ContactState.WITHDRAWN:
        steps.append("kept_informed")
    asked = state.support_requested_on
    if asked is not None and (state.support_signposted_on is None or state.support_signposted_on < asked):
        steps.append("support_signposted")  # the victim asked for support and is waiting for it
    if (
        state.vcs_referral_needed
        and state.vcs_referral_made_on is None
        and state.details_received_on is not None
        and s != ContactState.WITHDRAWN
    ):
        steps.append("vcs_referral_made")
    return list(dict.fromkeys(steps))


# --- reading ------------------------------------------------------------------------------------------

_COLUMNS = "stream_id, stream_version, event_type, child_id, yjs, effective_at, recorded_at, actor, reason, payload"


async def _rows(pool: Pool, where: str, params: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Rows of victim-contact streams matching `where`, grouped by stream, each in stream order."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM events WHERE stream_id LIKE 'victim-contact:%%' AND ({where})"
            " ORDER BY stream_id, stream_version",
            params,
        )
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in await cur.fetchall():
            grouped.setdefault(row["stream_id"], []).append(row)
    return grouped


async def _next_deadlines(pool: Pool, workflow_ids: list[str]) -> dict[str, NextDeadline]:
    if not workflow_ids:
        return {}
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT DISTINCT ON (stream_id) stream_id, deadline_id, rule_id, due_date, description FROM deadlines"
            " WHERE stream_id = ANY(%s) AND status = 'open' ORDER BY stream_id, due_date, deadline_id",
            (workflow_ids,),
        )
        rows = await cur.fetchall()
    return {
        r["stream_id"]: NextDeadline(
            rule_id=r["rule_id"], due_date=r["due_date"], description=r["description"], deadline_id=r["deadline_id"]
        )
        for r in rows
    }


def _summary(
    workflow_id: str, rows: list[dict[str, Any]], state: VictimContactState, nxt: NextDeadline | None
) -> ContactSummary:
    return ContactSummary(
        workflow_id=workflow_id,
        victim_ref=state.victim_ref,
        victim_kind=state.victim_kind,
        child_id=state.child_id,
        yjs=state.yjs,
        linked_order_id=state.linked_order_id,
        opened_on=state.opened_on,
        state=state.state,
        victim_worker=state.victim_worker,
        next_steps=next_steps(state),
        next_deadline=nxt,
        version=rows[-1]["stream_version"],
        last_recorded_at=rows[-1]["recorded_at"],
    )


async def list_contacts(
    pool: Pool,
    *,
    yjs: str | None = None,
    worker: str | None = None,
    due_before: date | None = None,
    include_closed: bool = False,
    services: Sequence[str] | None = None,
) -> list[ContactSummary]:
    """Contacts (open ones unless `include_closed`), optionally one service's, one victim worker's, or
    those with an open deadline due before a day; soonest next deadline first, then those with none.
    With `services`, only the contacts those services hold."""
    grouped = await _rows(
        pool,
        f"(%(yjs)s::text IS NULL OR yjs = %(yjs)s) AND {in_services('stream_id')}",
        {"yjs": yjs, "services": None if services is None else list(services)},
    )
    states = {wid: fold(rows) for wid, rows in grouped.items()}
    wanted = [
        wid
        for wid, s in states.items()
        if (include_closed or s.state != ContactState.CLOSED) and (worker is None or s.victim_worker == worker)
    ]
    nexts = await _next_deadlines(pool, wanted)
    summaries = [_summary(wid, grouped[wid], states[wid], nexts.get(wid)) for wid in wanted]
    if due_before is not None:
        summaries = [s for s in summaries if s.next_deadline is not None and s.next_deadline.due_date < due_before]
    summaries.sort(
        key=lambda s: (
            s.next_deadline is None,
            s.next_deadline.due_date if s.next_deadline else date.max,
            s.workflow_id,
        )
    )
    return summaries


async def contact_state(pool: Pool, workflow_id: str) -> VictimContactState | None:
    """The contact's state now, or None when no such contact stream exists."""
    if not is_contact_id(workflow_id):
        return None
    rows = (await _rows(pool, "stream_id = %(wid)s", {"wid": workflow_id})).get(workflow_id)
    return fold(rows) if rows else None


async def contact_history(pool: Pool, workflow_id: str) -> ContactHistory | None:
    """Every event of the contact's stream, in stream order, with its state and deadlines; None if unknown."""
    if not is_contact_id(workflow_id):
        return None
    rows = (await _rows(pool, "stream_id = %(wid)s", {"wid": workflow_id})).get(workflow_id)
    if not rows:
        return None
    state = fold(rows)
    nexts = await _next_deadlines(pool, [workflow_id])
    return ContactHistory(
        workflow_id=workflow_id,
        summary=_summary(workflow_id, rows, state, nexts.get(workflow_id)),
        contact=state,
        events=[
            ContactEvent(
                stream_version=r["stream_version"],
                event_type=r["event_type"],
                effective_at=r["effective_at"],
                recorded_at=r["recorded_at"],
                actor=r["actor"],
                reason=r["reason"],
                payload=r["payload"],
            )
            for r in rows
        ],
        deadlines=await deadlines(pool, workflow_id=workflow_id),
    )


async def contacts_for_victim(pool: Pool, victim_ref: str, *, services: Sequence[str] | None = None) -> list[str]:
    """The workflow ids of every contact opened for this victim ref (one per case), oldest first; with
    `services`, only the contacts those services hold."""
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT stream_id FROM events WHERE event_type = %(opened)s AND stream_id LIKE 'victim-contact:%%'"
            f" AND payload->>'victim_ref' = %(ref)s AND {in_services('stream_id')} ORDER BY global_position",
            {"opened": OPENED, "ref": victim_ref, "services": None if services is None else list(services)},
        )
        return [r["stream_id"] for r in await cur.fetchall()]


async def open_notes(history: ContactHistory, notes: VictimNotes | None, user: User) -> ContactHistory:
    """The history as `user` may see it: each step's note opened in clear for those who may read victim
    step details (the opening logged), withheld from everyone else, marked erased once the victim is."""
    may = allows(user.role, Permission.READ_VICTIM_STEP_DETAILS) and not user.disabled
    reasons = [e.reason for e in history.events]
    opened = (
        await notes.open_notes(history.contact.victim_ref, history.workflow_id, reasons, user=user)
        if may and notes is not None
        else {}
    )
    shown = []
    for e in history.events:
        if e.reason is None or not e.reason.strip():
            shown.append(e)
            continue
        if note_id_of(e.reason) is None:
            # Clear text recorded before notes were sealed: still victim work's alone.
            note: NoteShown = "shown" if may else "withheld"
            text = e.reason if may else None
        else:
            got = opened.get(e.reason)
            note = got.state if got is not None else ("unreadable" if may else "withheld")
            text = got.text if got is not None else None
        shown.append(e.model_copy(update={"reason": text, "note": note}))
    return history.model_copy(update={"events": shown})
