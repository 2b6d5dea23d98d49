"""A timeline's entries as the page lists them: each event in its sentence, its deadline's tag, the
corrections that superseded it, and the stored record one click away (`client.web.timeline_data` reads
what the entries are made from)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from activities import audit
from activities.inspection import paper_note
from client.web.timeline_data import ChildTimeline, DeadlineTag, _json_text
from domain.events import sentences, wording

_LATE = '\n      <strong class="govuk-tag govuk-tag--orange" data-testid="late-entry">Late entry</strong>'


def timeline_items(
    timeline: ChildTimeline, *, victim_step_details: bool, may_open_case: Callable[[str], bool] = lambda _: False
) -> Markup:
    """The shown events as the timeline's `<li>` items, each deadline's bookkeeping folded under the event
    that set it; a victim's step is its reference and name only unless the viewer's role may see victim
    step details.

    Written here rather than in the template: a 2,000-event page spent most of its time in Jinja2,
    escaping a dozen values a row one call at a time. Every value from the store goes through
    `markupsafe.escape` (quotes included, so attributes are safe too); the rest is our own text and numbers."""
    times = _Times(may_open_case)
    return Markup(
        "".join(
            _item(timeline, f.event, f.under, times, victim_step_details=victim_step_details) for f in timeline.folded
        )
    )


class _Times:
    """Instants in words, each minute worked out once a page: a case's steps share their London midnights
    and a batch of events its recorded minute."""

    def __init__(self, may_open_case: Callable[[str], bool]) -> None:
        self._said: dict[tuple[bool, int], str] = {}
        self.may_open_case = may_open_case  # whether the viewer may open a stream's case page (a link)

    def when(self, instant: datetime) -> str:
        return self._say(instant, took_effect=True)

    def at(self, instant: datetime) -> str:
        return self._say(instant, took_effect=False)

    def _say(self, instant: datetime, *, took_effect: bool) -> str:
        key = (took_effect, int(instant.timestamp()) // 60)
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = wording.when(instant) if took_effect else wording.at(instant)
        return said


def _item(
    timeline: ChildTimeline,
    e: audit.TimelineEntry,
    under: list[audit.TimelineEntry],
    times: _Times,
    *,
    victim_step_details: bool,
    folded: bool = False,
) -> str:
    ref = timeline.victim_refs.get(e.workflow_id)
    title = (f"Victim {ref}: " if ref else "") + sentences.title(e.event_type)
    tag = None if ref else event_tag(e, timeline.tags, folded=folded)
    tag_html = (
        f'\n      <strong class="govuk-tag {tag.colour}" data-testid="deadline-tag">{escape(tag.text)}</strong>'
        if tag
        else ""
    )
    stored = json.dumps(e.payload, ensure_ascii=False)
    said = _sentence(e.event_type, e.payload, stored, timeline.rule_names) if not ref or victim_step_details else None
    note = paper_note(timeline.paper_notes, e) if timeline.paper_notes else None
    if said and note:
        said = f"{said} {note}."
    said_html = (
        f'\n    <p class="govuk-body app-timeline__details" data-testid="event-sentence">{escape(said)}</p>'
        if said
        else ""
    )
    reason = f'\n    <p class="govuk-body app-timeline__details">Reason: {escape(e.reason)}</p>' if e.reason else ""
    superseded = _superseded(e)
    if superseded:
        # The event stays as recorded; struck through, with what superseded it, who and why.
        said_html = (
            f'\n    <p class="govuk-body app-timeline__details" data-testid="event-sentence"><s>{escape(said)}</s></p>'
            if said
            else ""
        )
        reason += superseded
    stream = escape(e.workflow_id)
    case = (
        f'<a class="govuk-link" href="/app/cases/{escape(quote(e.workflow_id, safe=":"))}">{stream}</a>'
        if times.may_open_case(e.workflow_id)
        else stream
    )
    more = ""
    if under:
        inner = "".join(
            _item(timeline, u, [], times, victim_step_details=victim_step_details, folded=True) for u in under
        )
        more = (
            '\n    <details class="govuk-details app-timeline__folded" data-testid="deadline-folded">'
            '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
            f"What followed: {escape(followed(under))}</span></summary>"
            '\n    <div class="govuk-details__text"><ol class="app-timeline govuk-list">'
            f"\n{inner}    </ol></div></details>"
        )
    effective, recorded = e.effective_at.isoformat(), e.recorded_at.isoformat()
    return (
        f'  <li class="app-timeline__item{" app-timeline__item--victim" if ref else ""}"'
        f' data-event-type="{escape(e.event_type)}" data-stream="{stream}">\n'
        f'    <h3 class="govuk-heading-s app-timeline__title">{escape(title)}{_LATE if e.late_entry else ""}'
        f"{_SUPERSEDED if superseded else ''}{tag_html}\n    </h3>{said_html}\n"
        f'    <p class="govuk-body-s app-timeline__byline">Took effect'
        f' <time datetime="{effective}">{times.when(e.effective_at)}</time>,'
        f' recorded <time datetime="{recorded}">'
        f"{times.at(e.recorded_at)}</time> by {escape(e.actor)} · {case} entry {e.stream_version}</p>"
        f"{reason}{_stored_record(e, title, effective, recorded, stored)}{more}\n  </li>\n"
    )


_SUPERSEDED = '\n      <strong class="govuk-tag govuk-tag--grey" data-testid="superseded">Superseded</strong>'


def _superseded(e: audit.TimelineEntry) -> str:
    by = e.superseded_by
    if by is None:
        return ""
    return (
        '\n    <p class="govuk-body app-timeline__details" data-testid="superseded-by">'
        f"Superseded by entry {by.stream_version}, corrected by {escape(by.actor)}: {escape(by.reason)}</p>"
    )


# Sentences by event type and payload as stored: the same payload always reads the same, so a timeline
# read again (a filter, a reload) does not validate and word its events again. Keyed by the payload's
# own text, so a payload edited behind the store's back is worded afresh. Bounded: cleared when full.
_SAID: dict[tuple[str, str], str | None] = {}
_SAID_MAX = 50_000


def _sentence(event_type: str, payload: dict[str, Any], stored: str, names: wording.RuleNames) -> str | None:
    key = (event_type, stored)
    if key in _SAID:
        return _SAID[key]
    if len(_SAID) >= _SAID_MAX:
        _SAID.clear()
    said = _SAID[key] = sentences.sentence(event_type, payload, names)
    return said


def _stored_record(e: audit.TimelineEntry, title: str, effective: str, recorded: str, payload: str) -> str:
    """The event exactly as stored (envelope and payload, as JSON), one click away for an auditor."""
    text = _json_text
    reason = "null" if e.reason is None else text(e.reason)
    record = (
        f'{{"global_position": {e.global_position}, "stream_id": {text(e.workflow_id)},'
        f' "stream_version": {e.stream_version}, "event_type": {text(e.event_type)},'
        f' "effective_at": "{effective}", "recorded_at": "{recorded}", "actor": {text(e.actor)},'
        f' "reason": {reason}, "payload": {payload}}}'
    )
    return (
        '\n    <details class="govuk-details app-timeline__record" data-testid="stored-record">'
        '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">Stored record'
        f'<span class="govuk-visually-hidden"> of {escape(title)}</span></span></summary>'
        '<div class="govuk-details__text"><code class="app-key-value govuk-body-s" data-testid="stored-json">'
        f"{escape(record)}</code></div></details>"
    )


def event_tag(e: audit.TimelineEntry, tags: dict[str, DeadlineTag], *, folded: bool = False) -> DeadlineTag | None:
    """The tag a deadline's event wears: the deadline's standing now on the event that set it, and on each
    later event what that event itself says, so a "Deadline missed" row reads "missed" even when the
    deadline was met in the end."""
    deadline_id = e.payload.get("deadline_id")
    if not isinstance(deadline_id, str):
        return None
    match e.event_type:
        case "DeadlineScheduled":
            return None if folded else tags.get(deadline_id)
        case "DeadlineMissed":
            return DeadlineTag("missed", "missed", "govuk-tag--red")
        case "DeadlineEscalated":
            return DeadlineTag("missed", "escalated", "govuk-tag--red")
        case "DeadlineCancelled":
            return DeadlineTag("cancelled", "cancelled", "govuk-tag--grey")
        case "DeadlineMet":
            days = e.payload.get("days_late") or 0
            if e.payload.get("late"):
                late = f"met {days} day{'s' if days != 1 else ''} late" if days else "met late"
                return DeadlineTag("met", late, "govuk-tag--orange")
            return DeadlineTag("met", "met", "govuk-tag--green")
    return None


_FOLLOWED = {
    "DeadlineReminderSent": ("reminder", "reminders"),
    "DeadlineMissed": ("missed", "missed"),
    "DeadlineEscalated": ("escalated", "escalated"),
    "DeadlineMet": ("met", "met"),
    "DeadlineCancelled": ("no longer needed", "no longer needed"),
    "DeadlineScheduled": ("date moved", "date moved"),
}


def followed(under: list[audit.TimelineEntry]) -> str:
    """'3 reminders, missed, escalated twice and met': what a deadline's folded events say, in order."""
    counts: dict[str, int] = {}
    for u in under:
        counts[u.event_type] = counts.get(u.event_type, 0) + 1
    said = []
    for event_type, n in counts.items():
        one, many = _FOLLOWED.get(event_type, (sentences.title(event_type).lower(),) * 2)
        if event_type == "DeadlineReminderSent":
            said.append(wording.count(n, one, many))
        else:
            said.append(one if n == 1 else f"{many} {'twice' if n == 2 else f'{n} times'}")
    return wording.and_list(said)
