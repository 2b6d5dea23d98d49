"""Which law applies to a disposal, with the child's age at the hearing."""

from __future__ import annotations

from domain.court_outcome.dates import age_on
from domain.court_outcome.disposals import (
    DetentionAndTrainingOrderDisposal,
    ReferralOrderDisposal,
    RemandDisposal,
    YouthRehabilitationOrderDisposal,
)
from domain.court_outcome.errors import FieldError
from domain.court_outcome.law_dto import _detention_and_training_order
from domain.court_outcome.law_referral_order import _referral_order
from domain.court_outcome.law_remand import _remand
from domain.court_outcome.law_yro import _youth_rehabilitation_order
from domain.court_outcome.readable import _Readable


def _age_at_hearing(p: _Readable) -> int | None:
    # Age at conviction is taken on the hearing date; a birth date on or after it is reported on its own.
    if p.child is None or p.hearing_date is None or p.child.date_of_birth >= p.hearing_date:
        return None
    return age_on(p.child.date_of_birth, p.hearing_date)


def _law_checks(p: _Readable) -> list[FieldError]:
    age = _age_at_hearing(p)
    d = p.disposal
    if isinstance(d, ReferralOrderDisposal):
        return _referral_order(d, p, age)
    if isinstance(d, YouthRehabilitationOrderDisposal):
        return _youth_rehabilitation_order(d, p, age)
    if isinstance(d, RemandDisposal):
        return _remand(d, p, age)
    if isinstance(d, DetentionAndTrainingOrderDisposal):
        return _detention_and_training_order(d, age, p.hearing_date)
    # A decision on a running order is checked by intake once the outcome is valid: its own fields against
    # the order's kind (domain.court_decisions), then against the order's state (activities.order_states).
    return []
