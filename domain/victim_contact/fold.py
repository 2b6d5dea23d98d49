"""Folding a recorded event into a contact's state (`evolve`)."""

from __future__ import annotations

from datetime import date

from domain import events as ev
from domain.victim_contact.deadlines import _keeps_informed
from domain.victim_contact.state import PATH, ContactState, OptionConsent, VictimContactState


def _advance(state: VictimContactState, to: ContactState) -> ContactState:
    """The furthest point reached: a later fact never moves the contact back along the path."""
    if state.state not in PATH:
        return state.state
    return to if PATH.index(to) > PATH.index(state.state) else state.state


def evolve(state: VictimContactState, payload: ev.EventPayload) -> VictimContactState:
    """The state after a recorded event; events that do not change the contact leave it as it was."""
    after = _evolve(state, payload)
    on = getattr(payload, "on", None)
    if isinstance(on, date) and (after.last_step_on is None or on > after.last_step_on):
        after = after.model_copy(update={"last_step_on": on})
    return after


def _evolve(state: VictimContactState, payload: ev.EventPayload) -> VictimContactState:
    match payload:
        case ev.VictimContactOpened():
            return state.model_copy(update={"enhanced_rights": payload.enhanced_rights})
        case ev.VictimWorkerAllocated():
            return state.model_copy(update={"victim_worker": payload.victim_worker})
        case ev.VictimDetailsReceived():
            return state.model_copy(
                update={
                    "details_received_on": payload.on,
                    "enhanced_rights": payload.enhanced_rights,
                    "state": _advance(state, ContactState.DETAILS_RECEIVED),
                }
            )
        case ev.SuitabilityDecided():
            return state.model_copy(
                update={
                    "invited": payload.invite,
                    "suitability_decided_on": payload.on,
                    "state": _advance(state, ContactState.SUITABILITY_DECIDED),
                }
            )
        case ev.ContactAttempted():
            refused = payload.on if payload.result == "refused" else state.contact_refused_on
            return state.model_copy(
                update={
                    "contact_attempts": payload.attempt,
                    "contact_refused_on": refused,
                    "state": _advance(state, ContactState.CONTACT_ATTEMPTED),
                }
            )
        case ev.VictimContacted():
            return state.model_copy(
                update={"contacted_on": payload.on, "state": _advance(state, ContactState.CONTACTED)}
            )
        case ev.RjInformationGiven():
            return state.model_copy(update={"rj_information_given_on": payload.on})
        case ev.InformedChoiceGiven():
            return state.model_copy(
                update={
                    "informed_choice_on": state.informed_choice_on or payload.on,
                    "options_explained": _explained(state, payload),
                    "state": _advance(state, ContactState.INFORMED_CHOICE_GIVEN),
                }
            )
        case ev.ConsentRecorded():
            return _fold_consent(state, payload)
        case ev.KeepInformedChoiceRecorded():
            return state.model_copy(
                update={"keep_informed_choice": payload.opt_in, "keep_informed_opt_in": payload.opt_in}
            )
        case ev.RiskAssessed():
            return state.model_copy(
                update={
                    "risk_outcome": payload.outcome,
                    "risk_assessed_on": payload.on,
                    "state": _advance(state, ContactState.RISK_ASSESSED),
                }
            )
        case ev.PreparationMeetingHeld():
            parties = tuple(sorted({*state.prepared_with, payload.with_party}))
            return state.model_copy(
                update={
                    "prepared_with": parties,
                    "prepared_on": {**state.prepared_on, payload.with_party: payload.on},
                    "state": _advance(state, ContactState.PREPARING),
                }
            )
        case ev.ShuttleMessageRelayed():
            if payload.message is None:  # recorded when each message counted as a round
                counts: dict[str, object] = {"shuttle_rounds": payload.round, "shuttle_messages": payload.round}
            else:
                carried = state.shuttle_round_directions if payload.round == state.shuttle_rounds else ()
                counts = {
                    "shuttle_rounds": payload.round,
                    "shuttle_messages": payload.message,
                    "shuttle_round_directions": (*carried, payload.direction),
                }
            return state.model_copy(update={**counts, "last_shuttle_on": payload.on})
        case ev.ConferenceHeld():
            return state.model_copy(
                update={
                    "conferences_held": state.conferences_held + 1,
                    "last_conference_on": payload.on,
                    "outcome_agreement": state.outcome_agreement or payload.outcome_agreement,
                }
            )
        case ev.InterventionDelivered():
            return state.model_copy(
                update={
                    "delivered": (*state.delivered, payload.option),
                    "delivered_on": {**state.delivered_on, payload.option: payload.on},
                    "conclusion_owed": True,
                    "state": _advance(state, ContactState.INTERVENTION_DELIVERED),
                }
            )
        case ev.KeptInformed():
            pending = list(state.pending_milestones)
            if payload.milestone in pending:
                pending.remove(payload.milestone)
            return state.model_copy(update={"pending_milestones": tuple(pending)})
        case ev.ConclusionNotified():
            return state.model_copy(
                update={
                    "conclusion_owed": False,
                    "conclusion_deadline_open": False,
                    "conclusion_notified_on": payload.on,
                }
            )
        case ev.FeedbackRecorded():
            return state.model_copy(
                update={
                    "feedback_on": payload.on,
                    "feedback_satisfied": payload.satisfied,
                    "state": _advance(state, ContactState.FEEDBACK_RECORDED),
                }
            )
        case ev.ContactConsentRecorded():
            return state.model_copy(update={"contact_consent": payload.consented})
        case ev.VictimViewsSought():
            return state.model_copy(
                update={"views_sought_on": payload.on, "views_given": state.views_given or payload.views_given}
            )
        case ev.SupportRequested():
            return state.model_copy(update={"support_requested_on": payload.on})
        case ev.SupportSignposted():
            return state.model_copy(update={"support_signposted_on": payload.on})
        case ev.VcsReferralMade():
            return state.model_copy(update={"vcs_referral_made_on": payload.on})
        case ev.OrderMilestoneReceived():
            return _fold_milestone(state, payload)
        case ev.ContactWithdrawn():
            return _fold_withdrawal(state, payload)
        case ev.ContactReopened():
            before = state.state_before_withdrawal or ContactState.IDENTIFIED
            # Consents lapsed on withdrawal, so a contact that had got past the informed choice resumes there.
            cap = ContactState.INFORMED_CHOICE_GIVEN
            resumed = before if PATH.index(before) <= PATH.index(cap) else cap
            return state.model_copy(update={"state": resumed, "state_before_withdrawal": None, "withdrawn_on": None})
        case ev.ContactClosed():
            return state.model_copy(
                update={
                    "state": ContactState.CLOSED,
                    "closed_outcome": payload.outcome,
                    "closed_on": payload.on,
                    "pending_milestones": (),
                    "conclusion_deadline_open": False,
                }
            )
    return state


def _fold_consent(state: VictimContactState, payload: ev.ConsentRecorded) -> VictimContactState:
    before = state.consents.get(payload.option)
    answer = OptionConsent(
        granted=payload.consented,
        given_by=payload.given_by,
        how=payload.how,
        on=payload.on,
        ever_granted=payload.consented or (before is not None and before.ever_granted),
    )
    consents = {**state.consents, payload.option: answer}
    # Any consent but a "no" means the victim is taking part, and so wants to hear how the order goes,
    # unless they said otherwise themselves.
    opt_in = state.keep_informed_opt_in or (payload.consented and state.keep_informed_choice is None)
    return state.model_copy(
        update={
            "consents": consents,
            "keep_informed_opt_in": opt_in,
            "state": _advance(state, ContactState.CONSENT_RECORDED),
        }
    )


def _explained(state: VictimContactState, payload: ev.InformedChoiceGiven) -> tuple[ev.RjOption, ...] | None:
    """The options explained so far; an informed choice recorded without naming them explained every one."""
    if payload.options_explained is None or (state.informed_choice_on is not None and state.options_explained is None):
        return None
    return tuple(dict.fromkeys((*(state.options_explained or ()), *payload.options_explained)))


def _fold_milestone(state: VictimContactState, payload: ev.OrderMilestoneReceived) -> VictimContactState:
    state = state.model_copy(update={"milestones_on": {**state.milestones_on, payload.milestone: payload.on}})
    if payload.milestone == "order_ended":
        return state.model_copy(
            update={"order_ended_on": payload.on, "conclusion_owed": True, "conclusion_deadline_open": True}
        )
    if _keeps_informed(state):
        return state.model_copy(update={"pending_milestones": (*state.pending_milestones, payload.milestone)})
    return state


def _fold_withdrawal(state: VictimContactState, payload: ev.ContactWithdrawn) -> VictimContactState:
    # Withdrawal ends every consent, the risk assessment and the preparation: if the victim comes back,
    # they choose afresh and the work is reassessed, rather than resuming under an old "yes".
    lapsed = {
        option: c.model_copy(update={"granted": False, "on": payload.on, "lapsed_by_withdrawal": True})
        if c.granted
        else c
        for option, c in state.consents.items()
    }
    return state.model_copy(
        update={
            "state": ContactState.WITHDRAWN,
            "state_before_withdrawal": state.state,
            "withdrawn_on": payload.on,
            "consents": lapsed,
            "keep_informed_choice": None,
            "keep_informed_opt_in": False,
            "risk_outcome": None,
            "risk_assessed_on": None,
            "prepared_with": (),
            "pending_milestones": (),
        }
    )
