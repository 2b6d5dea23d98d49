"""One realistic payload of every event type the schema holds, with the facts its sentence must state:
shared by the domain's sentence test and the timeline page's (which appends each through the store)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from domain.calendar import WorkingCalendar
from domain.deadlines import compute_deadline
from domain.events import sentences
from domain.rules import parse_rule_pack
from tests.domain.cycle_event_examples import CYCLE_EXAMPLES

PACK = parse_rule_pack((Path(__file__).resolve().parents[2] / "domain" / "rules" / "default.toml").read_text())
CALENDAR = WorkingCalendar.england_and_wales()
NAMES = sentences.rule_names(PACK)
HEARING = date(2026, 9, 7)  # a Monday in British Summer Time

# The first YJS appointment of a referral order made on Tuesday 6 October 2026, as the workflow records it.
FIRST_CONTACT = compute_deadline(
    PACK.rule("ro.first_contact"), date(2026, 10, 6), CALENDAR, deadline_id="d-1", rule_pack_version=PACK.version
)
CURFEW = {"kind": "curfew", "hours_per_day": 8.0, "end_date": "2027-01-07"}

# One realistic payload of every event type, and the facts its sentence must state.
EXAMPLES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "DeadlineScheduled": (FIRST_CONTACT.model_dump(mode="json"), []),  # the whole sentence is checked below
    "DeadlineReminderSent": (
        {
            "deadline_id": "d-1",
            "rule_id": "ro.first_contact",
            "due_date": "2026-10-13",
            "reminder_at": "2026-10-12T08:00:00Z",
            "recipient": "team:luton",
            "unconfirmed": True,
        },
        [
            "Reminder sent to the luton team at 9am on Monday 12 October 2026",
            "First YJS appointment with the child (rule ro.first_contact)",
            "Tuesday 13 October 2026",
            "[U] unconfirmed",
        ],
    ),
    "DeadlineMet": (
        {
            "deadline_id": "d-1",
            "rule_id": "ro.first_contact",
            "due_date": "2026-10-13",
            "met_on": "2026-10-16",
            "late": True,
            "days_late": 3,
            "met_by": "referral-order:luton:C1:child-1",
        },
        ["First YJS appointment with the child (rule ro.first_contact)", "Friday 16 October 2026", "3 days late"],
    ),
    "DeadlineMissed": (
        {"deadline_id": "d-1", "rule_id": "ro.first_contact", "due_date": "2026-10-13"},
        ["First YJS appointment with the child (rule ro.first_contact): missed", "Tuesday 13 October 2026"],
    ),
    "DeadlineEscalated": (
        {
            "deadline_id": "d-1",
            "rule_id": "ro.first_contact",
            "due_date": "2026-10-13",
            "recipient": "maya.manager",
            "escalation_number": 2,
        },
        ["Escalated to maya.manager (escalation 2)", "not yet recorded as met", "Tuesday 13 October 2026"],
    ),
    "DeadlineCancelled": (
        {"deadline_id": "d-1", "rule_id": "victim.rj_information", "why": "victim contact closed (no_response)"},
        ["Information about restorative justice given to the victim (rule victim.rj_information)", "no response"],
    ),
    "CourtOutcomeRecorded": (
        {
            "outcome_id": "o-1",
            "case_reference": "12AB3456789",
            "court_kind": "youth",
            "hearing_date": "2026-09-07",
            "disposal_kind": "referral_order",
            "victim_refs": ["V-102", "V-103"],
        },
        ["Youth court", "Monday 7 September 2026", "12AB3456789", "a referral order", "Victims V-102 and V-103"],
    ),
    "ReferralOrderMade": (
        {"months": 6, "hearing_date": "2026-09-07", "victim_refs": ["V-102"]},
        ["referral order of 6 months", "Monday 7 September 2026", "Victim V-102"],
    ),
    "CaseWorkerAllocated": ({"case_worker": "sam.worker"}, ["The case worker is sam.worker"]),
    "ChildRecordCorrected": ({"fields": ["date_of_birth", "ethnicity"]}, ["date of birth and ethnicity corrected"]),
    "ChildRecordErased": ({"policy": "six years after the last order closed"}, ["erased", "six years"]),
    "LegalHoldPlaced": ({"record_kind": "child_record", "subject": "C-1001"}, ["legal hold", "child's record"]),
    "LegalHoldLifted": ({"record_kind": "victim_details", "subject": "V-102"}, ["lifted", "victim's details"]),
    "VictimDetailsErased": ({"victim_ref": "V-102", "policy": "6 years after the last closure"}, ["V-102", "erased"]),
    "VictimAdded": (
        {"victim_ref": "V-310", "victim_kind": "person", "under_18": True, "added_date": "2026-09-14"},
        ["Victim V-310", "under 18", "Monday 14 September 2026", "contact starts"],
    ),
    "FirstContactMade": ({"contact_date": "2026-09-10", "method": "in_person"}, ["Thursday 10 September 2026"]),
    "VictimViewsRecorded": ({"victim_ref": "V-102"}, ["Victim V-102", "views"]),
    "InitialPanelHeld": ({"panel_date": "2026-10-01"}, ["Initial youth offender panel", "Thursday 1 October 2026"]),
    "ContractSigned": (
        {"signed_date": "2026-10-01", "compliance_start": "2026-10-01", "compliance_end": "2027-04-01", "months": 6},
        ["Thursday 1 October 2026", "6 months", "Thursday 1 April 2027"],
    ),
    "StepCorrected": (
        {
            "supersedes": [12, 13],
            "step": "first_contact_made",
            "correction": "replaced",
            "original_date": "2027-01-20",
            "corrected_date": "2027-01-08",
            "reason": "keyed the wrong month",
            "reopened": ["ro.first_contact"],
        },
        ["first contact made", "Wednesday 20 January 2027", "Friday 8 January 2027", "12, 13", "wrong month"],
    ),
    "PanelAdjourned": ({"panel_date": "2026-10-01", "adjourned_to": "2026-10-08"}, ["Thursday 8 October 2026"]),
    "ProgressPanelHeld": (
        {"panel_date": "2027-01-07", "next_panel_due_by": "2027-04-07"},
        ["Thursday 7 January 2027", "Wednesday 7 April 2027"],
    ),
    "ContractVaried": ({"varied_date": "2027-01-07", "summary": "Reparation hours moved to Saturdays"}, ["Saturdays"]),
    "ReferredBackToCourt": ({"referral_date": "2027-01-07", "grounds": "no_agreement"}, ["no contract"]),
    "CourtDecisionRecorded": (
        {"decision_date": "2027-01-21", "decision": "extend", "extension_months": 2},
        ["Thursday 21 January 2027", "extended by 2 months"],
    ),
    "OrderExtended": (
        {"extension_months": 2, "total_months": 8, "compliance_end": "2027-06-01"},
        ["2 months", "8 months", "Tuesday 1 June 2027"],
    ),
    "ExtendedOnFurtherConviction": (
        {"decision_date": "2027-01-21", "extension_months": 4},
        ["Thursday 21 January 2027", "further offence", "4 months", "without a referral back"],
    ),
    "RevocationRefused": (
        {"decision_date": "2027-01-21", "bar_until": "2027-04-21"},
        ["refused to revoke", "Wednesday 21 April 2027"],
    ),
    "OrderRevoked": ({"revoked_date": "2027-02-01", "grounds": "good_progress"}, ["for good progress"]),
    "FinalPanelHeld": ({"panel_date": "2027-03-25", "discharged": True}, ["Final panel", "discharged"]),
    "OrderCompleted": ({"completed_date": "2027-04-01"}, ["Order completed on Thursday 1 April 2027"]),
    "YouthRehabilitationOrderMade": (
        {
            "hearing_date": "2026-09-07",
            "end_date": "2027-09-06",
            "iss": True,
            "requirements": [{"kind": "supervision"}, {"kind": "unpaid_work", "hours": 60}, CURFEW],
        },
        [
            "intensive supervision and surveillance",
            "Monday 6 September 2027",
            "supervision, unpaid work (60 hours) and curfew (8 hours a day until Thursday 7 January 2027)",
        ],
    ),
    "FirstAppointmentAttended": ({"appointment_date": "2026-09-09"}, ["Wednesday 9 September 2026"]),
    "ReviewHeld": ({"review_date": "2026-12-07"}, ["Monday 7 December 2026"]),
    "RequirementProgressRecorded": (
        {
            "requirement": "unpaid_work",
            "kind": "unpaid_work",
            "recorded_date": "2026-11-02",
            "unpaid_work_hours_done": 24,
        },
        ["unpaid work", "24 hours done so far"],
    ),
    "AppointmentMissed": ({"incident_id": "i-1", "appointment_date": "2026-10-05"}, ["Monday 5 October 2026"]),
    "AbsenceExplained": (
        {"incident_id": "i-1", "explained_date": "2026-10-06", "acceptable": False},
        ["not accepted"],
    ),
    "FollowUpContactMade": ({"incident_id": "i-1", "contact_date": "2026-10-06"}, ["Tuesday 6 October 2026"]),
    "WarningIssued": (
        {"incident_id": "i-1", "warning_date": "2026-10-06", "number": 2, "warned_period_ends": "2027-10-05"},
        ["second formal warning", "Tuesday 5 October 2027"],
    ),
    "BreachLaid": ({"incident_id": "i-2", "laid_date": "2026-11-02", "mandatory": True}, ["had to go to court"]),
    "CourtBreachOutcome": (
        {
            "decision_date": "2026-11-20",
            "decision": "add_requirement",
            "added_requirement": CURFEW,
            "previous_end_date": "2027-09-06",
            "new_end_date": "2027-12-06",
        },
        [
            "curfew (8 hours a day until Thursday 7 January 2027) is added to the order",
            "Monday 6 September 2027 to Monday 6 December 2027",
        ],
    ),
    "OrderAmended": (
        {
            "amended_date": "2026-12-01",
            "summary": "Curfew added after the review",
            "added_requirements": [CURFEW],
            "removed_requirements": ["curfew#2"],
            "new_end_date": "2027-12-06",
        },
        ["Curfew added after the review", "Removed: the second curfew", "Monday 6 December 2027"],
    ),
    "YroRevoked": ({"revoked_date": "2027-02-01", "grounds": "further_offence"}, ["after a further offence"]),
    "YroCompleted": ({"completed_date": "2027-09-06"}, ["Monday 6 September 2027"]),
    "OrderTransferred": (
        {"transfer_date": "2027-01-11", "to": "yjs", "from_yjs": "luton", "to_yjs": "bedford"},
        ["from luton to bedford", "Monday 11 January 2027", "continues there"],
    ),
    "RemandStarted": (
        {
            "type": "youth_detention_accommodation",
            "remand_date": "2026-09-07",
            "looked_after": True,
            "next_hearing_date": "2026-09-15",
            "first_remand": True,
            "ctl_start_date": "2026-09-07",
            "ctl_days": 56,
            "ctl_expiry": "2026-11-02",
        },
        ["youth detention accommodation", "Tuesday 15 September 2026", "looked after", "56 days", "2 November 2026"],
    ),
    "NextHearingLimitBreached": (
        {
            "remand_date": "2026-09-07",
            "limit_clear_days": 8,
            "latest_lawful_date": "2026-09-16",
            "court_date": "2026-09-21",
        },
        ["8 clear days", "Wednesday 16 September 2026", "Monday 21 September 2026"],
    ),
    "RemandRenewed": (
        {
            "remand_date": "2026-09-15",
            "type": "local_authority_accommodation",
            "looked_after": True,
            "next_hearing_date": "2026-10-13",
            "first_custodial_remand": False,
        },
        ["local authority accommodation", "Tuesday 13 October 2026"],
    ),
    "LacReviewHeld": ({"number": 2, "review_date": "2026-12-07"}, ["second looked-after child review"]),
    "SocialWorkerVisitMade": ({"number": 1, "visit_date": "2026-09-14"}, ["first visit", "Monday 14 September 2026"]),
    "CtlExtended": (
        {
            "extended_on": "2026-10-30",
            "previous_expiry": "2026-11-02",
            "new_expiry": "2026-12-14",
            "reason": "Expert evidence not ready",
        },
        ["Monday 14 December 2026", "Monday 2 November 2026", "Expert evidence not ready"],
    ),
    "RemandEnded": (
        {"how": "convicted_and_sentenced", "ended_on": "2026-12-01", "sentence_order_id": "dto:luton:C1:child-1"},
        ["convicted and sentenced", "dto:luton:C1:child-1"],
    ),
    "CustodialSentenceMade": (
        {
            "kind": "dto",
            "sentence_date": "2026-12-01",
            "months": 8,
            "term_end": "2027-07-31",
            "half_way_date": "2027-04-01",
            "earliest_release": "2027-02-01",
            "latest_release": "2027-06-01",
            "further_supervision": False,
            "remand_days": 85,
            "tagged_bail_days": 10,
            "release_method": "hmpps-2024",
        },
        ["detention and training order of 8 months", "Thursday 1 April 2027", "85 days on remand and 10 days"],
    ),
    "InitialPlanningMeetingHeld": ({"meeting_date": "2026-12-10"}, ["Thursday 10 December 2026"]),
    "CustodyReviewHeld": ({"number": 1, "review_date": "2027-03-01"}, ["first sentence plan review"]),
    "ReleaseDateSet": (
        {"release_date": "2027-03-02", "source": "secure_estate", "further_supervision": True},
        ["Tuesday 2 March 2027", "secure estate", "Further supervision follows"],
    ),
    "PreReleaseConfirmed": (
        {"review_date": "2027-02-01", "accommodation": True, "ete": False},
        ["accommodation is in place", "employment is not in place"],
    ),
    "Released": ({"released_on": "2027-03-02"}, ["released from custody on Tuesday 2 March 2027"]),
    "ReleaseContactMade": ({"contact_date": "2027-03-02"}, ["Tuesday 2 March 2027"]),
    "FurtherSupervisionStarted": ({"starts": "2027-07-31", "ends": "2028-04-01"}, ["Saturday 1 April 2028"]),
    "SupervisionBreachOutcome": (
        {
            "decision_date": "2027-05-10",
            "breach_date": "2027-04-20",
            "decision": "further_detention",
            "months": 1,
            "until": "2027-06-10",
        },
        ["a further period of detention of 1 month", "Thursday 10 June 2027", "Tuesday 20 April 2027"],
    ),
    "CustodyCompleted": ({"completed_date": "2027-07-31"}, ["Saturday 31 July 2027"]),
    "VictimContactOpened": (
        {
            "victim_ref": "V-102",
            "victim_kind": "person",
            "under_18": True,
            "enhanced_rights": True,
            "linked_order_id": "referral-order:luton:C1:child-1",
            "vcs_referral_needed": True,
            "sentence_date": "2026-09-07",
            "on": "2026-09-07",
        },
        ["V-102", "a person under 18 with enhanced rights", "Victim Contact Scheme"],
    ),
    "VictimWorkerAllocated": ({"victim_worker": "vicky.worker", "on": "2026-09-08"}, ["vicky.worker"]),
    "VictimDetailsReceived": ({"enhanced_rights": False, "on": "2026-09-09"}, ["Wednesday 9 September 2026"]),
    "SuitabilityDecided": ({"invite": False, "on": "2026-09-10"}, ["not to invite the victim"]),
    "ContactAttempted": (
        {"channel": "phone", "result": "no_answer", "attempt": 2, "on": "2026-09-11"},
        ["Second attempt", "by phone", "no answer"],
    ),
    "VictimContacted": ({"channel": "letter", "on": "2026-09-14"}, ["by letter"]),
    "RjInformationGiven": ({"on": "2026-09-14"}, ["restorative justice", "Monday 14 September 2026"]),
    "InformedChoiceGiven": ({"on": "2026-09-14"}, ["choose freely"]),
    "ConsentRecorded": (
        {"option": "shuttle_mediation", "given_by": "parent_or_guardian", "how": "in_person", "consented": True},
        ["Consent to shuttle mediation given by the victim's parent or guardian, in person"],
    ),
    "KeepInformedChoiceRecorded": ({"opt_in": True, "on": "2026-09-14"}, ["to be told of the order's progress"]),
    "RiskAssessed": ({"outcome": "proceed_with_safeguards", "on": "2026-09-15"}, ["go ahead with safeguards"]),
    "PreparationMeetingHeld": ({"with_party": "child", "on": "2026-09-16"}, ["with the child"]),
    "ShuttleMessageRelayed": (
        {"round": 3, "direction": "child_to_victim", "on": "2026-09-17"},
        ["Message 3", "from the child to the victim"],
    ),
    "ConferenceHeld": (
        {"attendees": ["victim", "child", "child_parent_or_carer", "facilitator"], "outcome_agreement": True},
        ["the victim, the child, the child's parent or carer and the facilitator", "outcome agreement was reached"],
    ),
    "InterventionDelivered": ({"option": "letter_of_explanation", "on": "2026-10-01"}, ["a letter of explanation"]),
    "KeptInformed": ({"milestone": "contract_signed", "on": "2026-10-02"}, ["the contract was signed"]),
    "ConclusionNotified": ({"on": "2027-04-02"}, ["concluded"]),
    "FeedbackRecorded": ({"satisfied": None, "on": "2027-04-09"}, ["chose on Friday 9 April 2027 not to say"]),
    "VcsReferralMade": ({"on": "2026-09-09"}, ["Victim Contact Scheme"]),
    "ContactConsentRecorded": ({"consented": True, "on": "2026-09-14"}, ["agreed to be contacted by the YJS"]),
    "VictimViewsSought": (
        {"views_given": True, "before_planning": True, "on": "2026-09-15"},
        ["before the plan for the child was made", "They gave their views"],
    ),
    "SupportRequested": ({"on": "2026-09-16"}, ["asked for further support"]),
    "SupportSignposted": ({"on": "2026-09-17"}, ["information on support services"]),
    "ContactWithdrawn": ({"on": "2026-09-20"}, ["withdrew"]),
    "ContactReopened": ({"on": "2026-09-27"}, ["reopened"]),
    "ContactClosed": ({"outcome": "no_response", "on": "2026-10-20"}, ["no response from the victim"]),
    "OrderMilestoneReceived": (
        {"milestone": "order_ended", "order_id": "referral-order:luton:C1:child-1", "on": "2027-04-01"},
        ["the order ended", "referral-order:luton:C1:child-1"],
    ),
}
EXAMPLES.update(CYCLE_EXAMPLES)
for _payload in (EXAMPLES["ConsentRecorded"][0], EXAMPLES["ConferenceHeld"][0]):
    _payload["on"] = "2026-09-18"
