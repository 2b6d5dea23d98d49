"""What a victim contact's step forms ask differently from an order's: the options in the words of the
Victims' Code and RJC practice, who may answer for this victim, and where a note goes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from client.web.step_forms import FormField, Option
from domain.events import victim_words as vw
from domain.victim_contact import VictimContactState
from domain.victim_details import NOTE_HINT

_GIVERS_HINT = {
    "organisation": "An organisation answers only through its named contact.",
    "under_18": "A victim under 18 consents with a parent or guardian involved; either of them may say no.",
    "adult": "An adult victim answers for themselves.",
}


def _relabel(options: Sequence[Option], words: dict[str, str], keep: set[str] | None = None) -> tuple[Option, ...]:
    kept = [o for o in options if keep is None or o.value in keep]
    # GOV.UK: the group's first input carries the field's own id, so the error summary can link to it.
    name = options[0].id if options else ""
    return tuple(
        Option(o.value, words.get(o.value, o.label).capitalize(), name if i == 0 else f"{name}-{i + 1}")
        for i, o in enumerate(kept)
    )


def victim_step_fields(fields: list[FormField], contact: VictimContactState | None) -> list[FormField]:
    """The step's questions as a victim worker should see them for this contact."""
    out = []
    for f in fields:
        if f.name == "reason":
            f = dataclasses.replace(f, hint=NOTE_HINT)
        elif f.name in ("option", "options_explained") and f.options:
            f = dataclasses.replace(f, options=_relabel(f.options, vw.OPTIONS))
        elif f.name == "given_by" and f.options and contact is not None:
            if contact.victim_kind == "organisation":
                who, keep = "organisation", {"named_contact"}
            elif contact.under_18:
                who, keep = "under_18", {"parent_or_guardian", "victim"}
            else:
                who, keep = "adult", {"victim"}
            f = dataclasses.replace(f, options=_relabel(f.options, vw.GIVERS, keep), hint=_GIVERS_HINT[who])
        out.append(f)
    return out
