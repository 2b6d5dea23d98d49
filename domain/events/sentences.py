"""Each stored event as people read it: its title and its sentence, from the payload class's own
`title` and `describe` (written beside its fields), and the rule pack's names for the rules it cites.

Pages, charts and exports call these rather than printing a payload's fields, so a rule is named
before its id, every date is a London date in one format, and no stored code reaches a reader.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from domain.events import wording
from domain.events.envelope import PAYLOAD_TYPES
from domain.rules import RulePack

__all__ = ["rule_names", "sentence", "title"]


@functools.lru_cache(maxsize=1024)  # a page names the same few dozen types thousands of times
def title(event_type: str) -> str:
    """The event's name on a page: 'Referral to the Victim Contact Scheme made'."""
    cls = PAYLOAD_TYPES.get(event_type)
    if cls is not None and cls.title:
        return cls.title
    # A type this build does not know (a newer writer's): its name in words rather than a class name.
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in event_type).strip()
    return wording.words(spaced).capitalize()


def sentence(event_type: str, payload: Mapping[str, Any], rule_names: wording.RuleNames) -> str | None:
    """What the event recorded, in one or two plain sentences; None when the payload is not the type's
    whole record (a victim's step shown as its reference only) or the type is unknown."""
    cls = PAYLOAD_TYPES.get(event_type)
    if cls is None:
        return None
    try:
        event = cls.model_validate(payload)
    except ValidationError:
        return None
    return event.describe(rule_names)


def rule_names(pack: RulePack) -> dict[str, str]:
    """Every rule's name in `pack`, by id: the words a sentence names a rule by, before its id."""
    return {rule_id: wording.rule_name_of(rule.description) for rule_id, rule in pack.rules.items()}
