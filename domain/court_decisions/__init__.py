"""What a court outcome acting on a running order means for that order: the order's own step.

The contract (court-outcome.md) gives the acting kinds `order_ref`, the workflow id of the order the
outcome acts on, and "the decision's own fields". These are those fields, flat beside `order_ref` in
`disposal`, and the step each outcome becomes on each kind of order. Every step is recorded with the
court as its actor (`court-intake`), the hearing date as its effective date and `court outcome <outcome_id>`
as its reason, so each event it causes says which outcome it came from.

Per kind, and per kind of order it acts on:

- `order_revoked` on a referral order: `grounds` (`good_progress`, `further_offence` or `breach`) →
  `court_decision` `revoke_good_progress` for good progress, else `revoke_and_resentence`; except that an
  order not referred back to the court, revoked because the court sentenced a further offence (a
  custodial sentence or a further order, youth-justice.md §1.2), is `revoked_by_court`.
- `order_revoked` on a YRO: `grounds` (`good_progress` or `further_offence`) → `revoked`. Revocation for
  breach is a `breach_outcome` (`revoke_and_resentence`), on the breach laid before the court.
- `order_extended` on a referral order: `extension_months` (whole) → `court_decision` `extend`.
- `order_extended` on a YRO: `new_end_date` → `order_amended` to that end date.
- `breach_outcome` on a referral order: `decision` (`continue`, `extend` with `extension_months`, or
  `revoke_and_resentence`) → `court_decision`.
- `breach_outcome` on a YRO: `decision` (`continue`, `fine`, `revoke_and_resentence`, or
  `add_requirement` with `requirement` and, if the court moved it, `new_end_date`) → `court_breach_outcome`.
- `breach_outcome` on a DTO: `breach_date` (the first day of the failure) and `decision`
  (`further_detention` or `further_supervision` with `months`, `fine` or `none`) → `supervision_breach_outcome`.
- `remand_ended` on a remand: `how` (`bail`, `acquitted`, `discontinued` or `convicted_and_sentenced`
  with `sentence`) → `remand_ended`.
- `remand` for a case and child whose remand is already running (its stream exists): a further hearing's
  remand, not a new one → `remand_renewed` (`remand_renewal`), with the type, the next hearing and, in
  custody, the custody time limit the court sent, its expiry counted on the calendar in force. It acts on
  the remand its workflow id names (`order_workflow_id`: the same case and child), so it needs no
  `order_ref`.

A remand ended by conviction and sentence carries the sentence in the same outcome, because one outcome
is one hearing's result: `sentence` is a disposal of an order kind yjflow runs (`referral_order`,
`youth_rehabilitation_order`, `detention_and_training_order`, each with its usual fields), checked by
the same law as if it were the outcome's own disposal (with the outcome's hearing, child, offences and
court). The remand's `RemandEnded` names the sentence's workflow (`sentence_order_id`), whose id is
derived as any order's is, and the relay starts that workflow once the remand has taken the outcome.

Whether the order can take the step now (its state, the law on its dates) is for the order's own
`decide`; this package only says which step an outcome is and refuses one whose fields do not fit,
with a `FieldError` naming the field. Fields outside the list above are ignored, as everywhere in the
contract; a listed field that does not belong to this kind on this order is refused.

Where things are (every public name is importable from this package):
- `kinds`: the order kinds by name and workflow-id prefix, `CourtStep`, the court as actor, the outcome as reason;
- `fields`: the decision's own fields per kind and order, and the errors for fields that do not fit;
- `sentence`: the sentence a remand ends in, checked as an outcome of its own;
- `mapping`: `court_step`, the step an acting outcome records on an order;
- `renewal`: `remand_renewal`, a further remand on the running remand.
"""

from __future__ import annotations

from domain.calendar import WorkingCalendar
from domain.court_decisions.fields import DECISION_FIELDS, WholeMonths
from domain.court_decisions.kinds import COURT_ACTOR, SENTENCE_KINDS, CourtStep, order_kind_of, outcome_reason
from domain.court_decisions.mapping import court_step
from domain.court_decisions.renewal import remand_renewal
from domain.court_decisions.sentence import outcome_workflow_ids, sentence_outcome
from domain.court_outcome import (
    CUSTODIAL_REMANDS,
    ORDER_KINDS,
    ActingDisposal,
    CourtOutcome,
    FieldError,
    IsoDate,
    OutcomeRejected,
    RemandDisposal,
    RemandEndedDisposal,
    Requirement,
    field_errors,
    order_workflow_id,
    validate_court_outcome,
    workflow_ids,
)

__all__ = [
    "COURT_ACTOR",
    "CUSTODIAL_REMANDS",
    "DECISION_FIELDS",
    "ORDER_KINDS",
    "SENTENCE_KINDS",
    "ActingDisposal",
    "CourtOutcome",
    "CourtStep",
    "FieldError",
    "IsoDate",
    "OutcomeRejected",
    "RemandDisposal",
    "RemandEndedDisposal",
    "Requirement",
    "WholeMonths",
    "WorkingCalendar",
    "court_step",
    "field_errors",
    "order_kind_of",
    "order_workflow_id",
    "outcome_reason",
    "outcome_workflow_ids",
    "remand_renewal",
    "sentence_outcome",
    "validate_court_outcome",
    "workflow_ids",
]
