"""The court outcome: yjflow's intake contract (shared/domain/court-outcome.md), as types and checks.

`validate_court_outcome` turns a submitted body into a `CourtOutcome` or raises `OutcomeRejected`
listing every failing field with a stable rule id, so a court clerk can correct the whole outcome in
one pass. Shape errors come first (translated from pydantic), then the law for the disposal kind,
run on whatever parts of the body could be read. Messages never quote submitted values that could
identify a child or a victim, because rejected outcomes are shown and logged.

Workflow ids are derived from the outcome (service, court case reference, child, disposal), so a
second delivery of the same outcome maps onto the workflows it already started.

Where things are (every public name is importable from this package):
- `errors`: `FieldError` and `OutcomeRejected`, how a refusal is reported;
- `field_types`: the contract's field types (`IsoDate`, whole numbers, hours) and the parts' base model;
- `parts`: the court, the child, the offences and the victims (by reference only);
- `requirements`: a YRO's requirements (Sch 6);
- `disposals`: every disposal kind, the order and acting kinds, and a custodial sentence's months;
- `outcome`: `CourtOutcome`, one hearing's result for one child;
- `dates`: ages and calendar arithmetic the checks use;
- `translation`: pydantic's errors as `FieldError`s (`field_errors`);
- `readable`: the parts of a body that could be read, for checking a broken body as far as it goes;
- `intake_checks`: the checks every kind shares (ids safe for workflow ids, the hearing date, offences, victims);
- `law_referral_order`, `law_yro`, `law_remand`, `law_dto`: the law for each disposal kind;
- `law`: which law applies to a disposal;
- `validation`: `validate_court_outcome` and `court_outcome_warnings`, the entry points;
- `ids`: the workflow ids an outcome starts or acts on.
"""

from __future__ import annotations

from domain.court_outcome.dates import age_on
from domain.court_outcome.disposals import (
    ACTING_KINDS,
    CTL_DAYS,
    CUSTODIAL_REMANDS,
    DISPOSAL_KINDS,
    ORDER_KINDS,
    SUPPORTED_KINDS,
    ActingDisposal,
    AnyDisposal,
    BreachOutcomeDisposal,
    DetentionAndTrainingOrderDisposal,
    Disposal,
    OrderExtendedDisposal,
    OrderRevokedDisposal,
    ReferralOrderDisposal,
    RemandDisposal,
    RemandEndedDisposal,
    RemandType,
    YouthRehabilitationOrderDisposal,
    custodial_months,
)
from domain.court_outcome.errors import FieldError, OutcomeRejected
from domain.court_outcome.field_types import Hours, IsoDate, WholeNumber
from domain.court_outcome.ids import order_workflow_id, victim_contact_id, victim_workflow_id, workflow_ids
from domain.court_outcome.intake_checks import MAX_ID_LENGTH
from domain.court_outcome.law_dto import DTO_ANY_TERM_FROM, DTO_MAX_WEEKS, DTO_MIN_WEEKS
from domain.court_outcome.outcome import CourtOutcome
from domain.court_outcome.parts import VICTIM_FIELDS, Child, Court, CourtKind, Offence, Plea, Victim
from domain.court_outcome.requirements import (
    ActivityRequirement,
    CurfewRequirement,
    ExtendedActivityRequirement,
    OtherRequirement,
    Requirement,
    UnpaidWorkRequirement,
)
from domain.court_outcome.translation import field_errors
from domain.court_outcome.validation import court_outcome_warnings, validate_court_outcome

__all__ = [
    "ACTING_KINDS",
    "CTL_DAYS",
    "CUSTODIAL_REMANDS",
    "DISPOSAL_KINDS",
    "DTO_ANY_TERM_FROM",
    "DTO_MAX_WEEKS",
    "DTO_MIN_WEEKS",
    "MAX_ID_LENGTH",
    "ORDER_KINDS",
    "SUPPORTED_KINDS",
    "VICTIM_FIELDS",
    "ActingDisposal",
    "ActivityRequirement",
    "AnyDisposal",
    "BreachOutcomeDisposal",
    "Child",
    "Court",
    "CourtKind",
    "CourtOutcome",
    "CurfewRequirement",
    "DetentionAndTrainingOrderDisposal",
    "Disposal",
    "ExtendedActivityRequirement",
    "FieldError",
    "Hours",
    "IsoDate",
    "Offence",
    "OrderExtendedDisposal",
    "OrderRevokedDisposal",
    "OtherRequirement",
    "OutcomeRejected",
    "Plea",
    "ReferralOrderDisposal",
    "RemandDisposal",
    "RemandEndedDisposal",
    "RemandType",
    "Requirement",
    "UnpaidWorkRequirement",
    "Victim",
    "WholeNumber",
    "YouthRehabilitationOrderDisposal",
    "age_on",
    "court_outcome_warnings",
    "custodial_months",
    "field_errors",
    "order_workflow_id",
    "validate_court_outcome",
    "victim_contact_id",
    "victim_workflow_id",
    "workflow_ids",
]
