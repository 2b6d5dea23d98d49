"""The words a worker reads for the code's names: a step's name as the event it records is titled, a
case's state, and a refusal's reason with its step names, codes and ISO dates put into plain English.

The domain's reasons are written for both the API and people; they name steps and codes so an API client
can act on them. A page says the same thing in a worker's words: "Options explained to the victim" for
`informed_choice_given`, "Tuesday 1 December 2026" for `2026-12-01`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from domain.events import sentences, wording
from domain.events.envelope import PAYLOAD_TYPES

# Initialisms a worker writes in capitals: "VCS referral made", never "Vcs referral made".
ACRONYMS = {
    "vcs": "VCS",
    "rj": "RJ",
    "yjs": "YJS",
    "yro": "YRO",
    "dto": "DTO",
    "ctl": "CTL",
    "lac": "LAC",
    "ete": "ETE",
    "iss": "ISS",
    "spi": "SPI",
    "yjb": "YJB",
    "cjca": "CJCA",
    "pdat": "PDAT",
}
# Codes whose words are not their parts' (a name written as one word).
WHOLE_CODES = {"asset_plus": "AssetPlus"}
# Steps whose event title does not read as the step (or that record no event of their own name).
STEP_LABELS = {
    "closed": "Contact closed",
    "completed": "Supervision completed",
    "contacted": "Victim contacted",
    "court_decision": "Court decision",
    "details_received": "Victim's details received",
    "initial_planning_held": "Initial planning meeting held",
    "keep_informed_choice": "Victim's choice about being kept informed",
    "reopened": "Contact reopened",
    "requirement_progress": "Progress on a requirement",
    "revoked": "Order revoked",
    "revoked_by_court": "Order revoked by the court",
    "transferred": "Case transferred",
    "withdrawn": "Victim withdrew",
}
# A field's name as a refusal may cite it (`given_by=parent_or_guardian`), in a form's words.
FIELD_WORDS = {
    "effective_date": "the date it happened",
    "given_by": "consent given by",
    "named_contact": "the named contact",
    "parent_or_guardian": "a parent or guardian",
    "extension_months": "the extension",
    "ctl_days": "the custody time limit",
    "ctl_start_date": "the custody time limit's start date",
    "ctl_expiry": "the custody time limit's expiry",
    "contract_signed_date": "the contract signed date",
}
_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_STEP_IN_BRACKETS = re.compile(r"\s*\(([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\)")
_NAME_IS_VALUE = re.compile(r"\(([a-z_]+)=([a-z_]+)\)")
# "the order is order_made; this step needs it to be contract_agreed, referred_back": a case's state.
_STATE_IS = re.compile(r"\bthe (order|sentence|remand|contact) is ([a-z][a-z0-9_]*)")
_NEEDS_STATES = re.compile(r"this step needs it to be ([a-z0-9_]+(?:, [a-z0-9_]+)*)")


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def in_words(code: str) -> str:
    """`vcs_referral_made` → 'VCS referral made' (a code no table names, with its initialisms kept)."""
    words = code.replace("_", " ").split()
    whole = WHOLE_CODES.get("_".join(words))
    return whole if whole is not None else " ".join(ACRONYMS.get(w, w) for w in words)


@functools.lru_cache(maxsize=512)
def step_label(step_name: str) -> str:
    """A step as a worker names it: the title of the event it records, else its name in words."""
    if step_name in STEP_LABELS:
        return STEP_LABELS[step_name]
    event_type = "".join(part.capitalize() for part in step_name.split("_"))
    if event_type in PAYLOAD_TYPES and PAYLOAD_TYPES[event_type].title:
        return sentences.title(event_type)
    return sentence_case(in_words(step_name))


def is_step(code: str) -> bool:
    """Whether a code names a step (one whose event this build knows, or one named in STEP_LABELS)."""
    return code in STEP_LABELS or "".join(part.capitalize() for part in code.split("_")) in PAYLOAD_TYPES


def state_label(state: str) -> str:
    """A case's state: `contract_agreed` → 'Contract agreed'."""
    return sentence_case(in_words(state))


def plain_refusal(message: str, steps: Mapping[str, str] | None = None) -> str:
    """A refusal's reason for a page: without the leading `<step> refused:`, the steps it names by their
    labels, a field's code by its question, other codes and dates in words. `steps` maps the case's step
    names to labels (those it may cite in brackets as what to record first)."""
    _, sep, why = message.partition(" refused: ")
    text = why if sep else message
    text = wording.days_in_words(text)
    text = _STATE_IS.sub(lambda m: f"the {m[1]} is at “{state_label(m[2])}”", text)
    text = _NEEDS_STATES.sub(
        lambda m: "this step needs it to be at " + " or ".join(f"“{state_label(v)}”" for v in m[1].split(", ")), text
    )
    text = text.replace("effective date", "the date it happened").replace("(give reason)", "(give the reason)")
    text = _NAME_IS_VALUE.sub(
        lambda m: f"({FIELD_WORDS.get(m[1], in_words(m[1]))}: {FIELD_WORDS.get(m[2], in_words(m[2]))})", text
    )

    def step_first(m: re.Match[str]) -> str:
        code = m[1]
        if code in FIELD_WORDS:
            return f" ({FIELD_WORDS[code]})"
        if code in steps if steps is not None else is_step(code):
            return f" (record “{step_label(code)}” first)"
        return f" ({in_words(code)})"

    text = _STEP_IN_BRACKETS.sub(step_first, text)
    text = _CODE.sub(lambda m: FIELD_WORDS.get(m[0], in_words(m[0])), text)
    text = sentence_case(text.strip())
    return text if text.endswith((".", "?", "!")) else text + "."
