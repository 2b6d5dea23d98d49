"""The victim contact's vocabulary in the words a victim worker uses, beside the codes its events store.

Keyed by the stored strings (an `RjOption` is a `StrEnum`, so it finds its own entry), and kept apart
from `victim_contact` so that module stays the schema.
"""

from __future__ import annotations

OPTIONS = {
    "information_only": "information only",
    "letter_of_explanation": "a letter of explanation or apology",
    "shuttle_mediation": "shuttle mediation",
    "direct_conference": "a restorative conference",
    "direct_reparation": "direct reparation",
    "indirect_reparation": "indirect reparation",
    "panel_participation": "attending the referral order panel or sending their views to it",
}
CHANNELS = {
    "letter": "by letter",
    "phone": "by phone",
    "email": "by email",
    "visit": "by a visit",
    "other": "another way",
}
RESULTS = {
    "no_answer": "no answer",
    "left_message": "a message was left",
    "refused": "the victim refused contact",
    "reached": "the victim was reached",
    "returned_undelivered": "it came back undelivered",
}
GIVERS = {
    "victim": "the victim",
    "parent_or_guardian": "the victim's parent or guardian",
    "named_contact": "the named contact",
}
HOW = {"in_person": "in person", "phone": "by phone", "letter": "by letter", "email": "by email"}
RISK = {
    "proceed": "go ahead",
    "proceed_with_safeguards": "go ahead with safeguards",
    "do_not_proceed": "do not go ahead",
}
DIRECTIONS = {"victim_to_child": "from the victim to the child", "child_to_victim": "from the child to the victim"}
ROLES = {
    "victim": "the victim",
    "named_contact": "the named contact",
    "parent_or_guardian": "the victim's parent or guardian",
    "victim_supporter": "the victim's supporter",
    "child": "the child",
    "child_parent_or_carer": "the child's parent or carer",
    "child_supporter": "the child's supporter",
    "facilitator": "the facilitator",
    "co_facilitator": "a co-facilitator",
    "police_officer": "a police officer",
    "other_professional": "another professional",
}
MILESTONES = {
    "panel_held": "a panel meeting was held",
    "contract_signed": "the contract was signed",
    "contract_varied": "the contract was varied",
    "progress_review": "the order's progress was reviewed",
    "breach": "the order was breached",
    "referred_back": "the case was referred back to court",
    "order_extended": "the order was extended",
    "released": "the child was released",
    "order_ended": "the order ended",
}
CLOSED = {
    "completed": "the work is complete",
    "no_response": "no response from the victim",
    "declined": "the victim declined",
    "withdrawn": "the victim withdrew",
    "not_invited": "the victim was not invited",
    "safely_closed": "closed safely",
}
