"""The sample year's plan (`client.sample_data.year` loads it): the cases, the court outcome each opens
with, and the steps people take on it, all counted back from today. Data and pure functions only: nothing
here touches the database or Temporal.

A sample year for one service ("luton"): court outcomes over the last twelve months and the steps
people took on them, so the dashboard, KPI 10, the board report and the oversight page have figures on
the first `yjflow dev` start.

The plan is data: each `SampleCase` names its order, how far back its hearing was, how promptly its
worker acted (`pace`), its victims' paths and how it ended. Dates are counted back from today, so the
year always looks current; outcome ids are fixed, so a second load finds them in the inbox (answered as
duplicates) and takes no steps again. Steps go through `client.steps`, the API's own way, on the running
workflows; cases run in parallel, each case's steps in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

SERVICE = "luton"
Pace = Literal["on_time", "late", "missed"]
Ending = Literal["completed", "revoked"] | None
VictimPath = Literal["consents", "declines", "withdraws"]
# How much later than on time a late worker acts; a missed step is never taken.
LATE_FACTOR = 3
# Order lengths, in days from the hearing where a step depends on them (a referral order's six months
# end about day 183: its final panel is held before, its completion recorded after).
YRO_DAYS = 240
FINAL_PANEL_DAY, RO_COMPLIANCE_DAYS, DTO_COMPLETED_DAY = 170, 186, 125


@dataclass(frozen=True)
class Actors:
    """Who acts in the sample: a case worker, their manager (countersigning, oversight) and a victim worker."""

    case_worker: str = "dev-case-worker"
    manager: str = "dev-manager"
    victim_worker: str = "dev-victim-worker"


@dataclass(frozen=True)
class SampleCase:
    number: int
    disposal: str  # referral_order, yro, yro_iss, remand_bail, remand_yda, dto
    days_ago: int
    pace: Pace = "on_time"
    ending: Ending = None
    victims: tuple[tuple[VictimPath, str], ...] = ()  # (path, restorative option)
    given_name: str = "Sam"
    family_name: str = "Example"
    # When a revoked order or an ended remand closed, in days before today (completions follow the law).
    closes_days_ago: int = 5


# The first eight cover every order kind, each victim path and a closure, so a small scale still
# shows every figure; the rest fill the year. Orders with victims close about every two months (days
# before today: 300, 225, 164, 119, 90, 49, 19), so each of the last three quarters has KPI 10 figures.
PLAN: tuple[SampleCase, ...] = (
    SampleCase(1, "referral_order", 365, "on_time", "completed", (("consents", "direct_reparation"),), "Ava", "Hill"),
    SampleCase(2, "yro", 364, "late", "revoked", (("declines", "letter_of_explanation"),), "Ben", "Shaw", 300),
    SampleCase(3, "yro_iss", 200, "on_time", None, (("withdraws", "shuttle_mediation"),), "Cara", "Lee"),
    SampleCase(4, "remand_yda", 40, "on_time", None, (), "Dan", "Moss"),
    SampleCase(5, "remand_bail", 150, "late", "completed", (), "Eve", "Ford", 75),
    SampleCase(6, "dto", 350, "on_time", "completed", (("consents", "information_only"),), "Finn", "Cole"),
    SampleCase(7, "referral_order", 120, "missed", None, (("consents", "indirect_reparation"),), "Gia", "Ward"),
    SampleCase(8, "referral_order", 220, "on_time", "completed", (("consents", "direct_conference"),), "Hal", "Reed"),
    SampleCase(9, "referral_order", 20, "late", None, (("consents", "letter_of_explanation"),), "Ida", "Page"),
    SampleCase(10, "yro", 90, "on_time", None, (), "Jay", "Kent"),
    SampleCase(11, "referral_order", 280, "late", "completed", (("declines", "direct_conference"),), "Kit", "Lamb"),
    SampleCase(12, "yro", 360, "on_time", "completed", (("consents", "indirect_reparation"),), "Lou", "Nash"),
    SampleCase(13, "referral_order", 60, "on_time", None, (("consents", "direct_reparation"),), "Max", "Owen"),
    SampleCase(14, "remand_yda", 100, "late", "completed", (), "Nia", "Pike", 60),
    SampleCase(15, "referral_order", 10, "on_time", None, (), "Oli", "Rowe"),
    SampleCase(16, "yro", 180, "missed", None, (("consents", "shuttle_mediation"),), "Pia", "Snow"),
    SampleCase(17, "yro", 200, "on_time", "revoked", (("consents", "letter_of_explanation"),), "Quin", "Tate", 90),
)


@dataclass
class Loaded:
    cases: int = 0
    accepted: int = 0
    duplicate: int = 0
    steps: int = 0
    refused: list[str] = field(default_factory=list)


def _case_ref(case: SampleCase) -> str:
    return f"41SY{case.number:07d}"


def _child_id(case: SampleCase) -> str:
    return f"C-S{case.number:03d}"


def _victim_ref(case: SampleCase, index: int) -> str:
    return f"V-S{case.number:03d}-{index + 1}"


def hearing_of(case: SampleCase, today: date) -> date:
    return today - timedelta(days=case.days_ago)


def _disposal(case: SampleCase, hearing: date) -> dict[str, Any]:
    if case.disposal == "referral_order":
        return {"kind": "referral_order", "months": 6}
    if case.disposal in ("yro", "yro_iss"):
        iss = case.disposal == "yro_iss"
        end = hearing + timedelta(days=YRO_DAYS)
        curfew = {"kind": "curfew", "hours_per_day": 8, "end_date": (hearing + timedelta(days=90)).isoformat()}
        requirements = [{"kind": "supervision"}, *([curfew, {"kind": "extended_activity", "days": 120}] if iss else [])]
        return {
            "kind": "youth_rehabilitation_order",
            "end_date": end.isoformat(),
            "requirements": requirements,
            "iss": iss,
        }
    if case.disposal.startswith("remand"):
        yda = case.disposal == "remand_yda"
        body: dict[str, Any] = {
            "kind": "remand",
            "type": "youth_detention_accommodation" if yda else "bail_with_support",
            "next_hearing_date": (hearing + timedelta(days=28)).isoformat(),
            "first_remand": True,
        }
        if yda:
            body |= {"ctl_start_date": hearing.isoformat(), "ctl_days": 56}
        return body
    return {"kind": "detention_and_training_order", "months": 4}


def outcome_body(case: SampleCase, today: date) -> dict[str, Any]:
    """The court outcome of a sample case, as a court system would send it."""
    hearing = hearing_of(case, today)
    return {
        "outcome_id": f"LUT-SAMPLE-{case.number:04d}-1",
        "yjs": SERVICE,
        "court": {"name": "Luton and South Bedfordshire Youth Court", "kind": "youth"},
        "hearing_date": hearing.isoformat(),
        "case_reference": _case_ref(case),
        "child": {
            "id": _child_id(case),
            "given_name": case.given_name,
            "family_name": case.family_name,
            "date_of_birth": date(hearing.year - 15, 1 + case.number % 12, 10).isoformat(),
        },
        "offences": [
            {
                "code": "TH68010",
                "description": "Theft from a shop",
                "offence_date": (hearing - timedelta(days=40)).isoformat(),
                "plea": "guilty",
                "convicted": True,
            }
        ],
        "disposal": _disposal(case, hearing),
        "victims": [
            {"ref": _victim_ref(case, i), "kind": "person", "under_18": False} for i in range(len(case.victims))
        ],
    }


def order_id(case: SampleCase) -> str:
    kind = {
        "yro": "youth-rehabilitation-order",
        "yro_iss": "youth-rehabilitation-order",
        "dto": "detention-and-training-order",
    }
    prefix = kind.get(case.disposal, "remand" if case.disposal.startswith("remand") else "referral-order")
    return f"{prefix}:{SERVICE}:{_case_ref(case)}:{_child_id(case)}"


def contact_id(case: SampleCase, index: int) -> str:
    return f"victim-contact:{SERVICE}:{_case_ref(case)}:{_child_id(case)}:{_victim_ref(case, index)}"


# --- the steps ------------------------------------------------------------------------------------------

CLOSING_STEPS = frozenset({"order_completed", "revoked", "remand_ended", "completed"})
Step = tuple[int, str, dict[str, Any]]  # (days after the hearing, who acts: worker|manager, body)


def _cycle(case: SampleCase, actors: Actors) -> list[Step]:
    assessment = {
        "step": "assessment_completed",
        "tool": "asset_plus",
        "stage": "start",
        "likelihood_of_reoffending": ("low", "medium", "high")[case.number % 3],
        "risk_of_serious_harm": "low",
        "safety_and_wellbeing": "medium",
    }
    steps: list[Step] = [
        (
            1 if case.pace == "on_time" else 6,
            "worker",
            {"step": "case_worker_allocated", "case_worker": actors.case_worker},
        )
    ]
    if case.pace == "missed":
        return steps  # allocated, then nothing on time: the deadlines run out and show as missed
    late = LATE_FACTOR if case.pace == "late" else 1
    steps += [
        (10 * late, "worker", assessment),
        (12 * late, "manager", {"step": "assessment_countersigned"}),
        (14 * late, "worker", {"step": "plan_agreed"}),
        (
            15 * late,
            "manager",
            {
                "step": "oversight_recorded",
                "covers": ["allocation", "assessment", "plan"],
                "summary": "Allocation, assessment and plan reviewed in supervision.",
                "direction": "Keep to the plan; review at three months.",
            },
        ),
    ]
    return steps


def order_steps(case: SampleCase, actors: Actors, hearing: date, today: date) -> list[Step]:
    late = LATE_FACTOR if case.pace == "late" else 1
    steps = _cycle(case, actors)
    ends = (today - hearing).days - case.closes_days_ago
    if case.pace == "missed":
        return steps
    if case.disposal == "referral_order":
        steps += [
            (3 * late, "worker", {"step": "first_contact_made"}),
            (
                15 * late,
                "worker",
                {
                    "step": "initial_panel_held",
                    "contract_signed_date": (hearing + timedelta(days=15 * late)).isoformat(),
                },
            ),
            (90, "worker", {"step": "progress_panel_held"}),
        ]
        if case.ending == "completed":
            steps += [
                (FINAL_PANEL_DAY, "worker", {"step": "final_panel_held", "discharged": True}),
                # The compliance period runs from the contract's signing, not the hearing.
                (15 * late + RO_COMPLIANCE_DAYS, "worker", {"step": "order_completed"}),
            ]
    elif case.disposal.startswith("yro"):
        steps += [
            (5 * late, "worker", {"step": "first_appointment_attended"}),
            (30, "worker", {"step": "appointment_missed"}),
            (31, "worker", {"step": "absence_explained", "acceptable": True}),
            (90, "worker", {"step": "review_held"}),
        ]
        if case.ending == "completed":
            steps.append((YRO_DAYS + 1, "worker", {"step": "order_completed"}))
        elif case.ending == "revoked":
            steps.append((ends, "worker", {"step": "revoked", "grounds": "good_progress"}))
    elif case.disposal.startswith("remand"):
        if case.disposal == "remand_yda":  # visits are for a child looked after through the remand
            steps.append((5 * late, "worker", {"step": "social_worker_visit_made"}))
        if case.ending == "completed":
            steps.append((ends, "worker", {"step": "remand_ended", "how": "bail"}))
    else:
        release = hearing + timedelta(days=60)
        steps += [
            (8 * late, "worker", {"step": "initial_planning_held"}),
            (
                30,
                "worker",
                {"step": "release_date_set", "release_date": release.isoformat(), "source": "secure_estate"},
            ),
            (50, "worker", {"step": "pre_release_confirmed", "accommodation": True, "ete": True}),
            (60, "worker", {"step": "released"}),
            (61, "worker", {"step": "release_contact_made"}),
        ]
        if case.ending == "completed":
            steps.append((DTO_COMPLETED_DAY, "worker", {"step": "completed"}))
    closing = [day for day, _, body in steps if body["step"] in CLOSING_STEPS]
    # Nothing is recorded on an order after it closed (an early revocation or remand end comes first).
    return [s for s in steps if not closing or s[0] <= closing[0]]


def victim_steps(path: VictimPath, option: str, actors: Actors, pace: Pace) -> list[Step]:
    late = LATE_FACTOR if pace == "late" else 1
    steps: list[Step] = [
        (2 * late, "victim", {"step": "victim_worker_allocated", "victim_worker": actors.victim_worker}),
        (3 * late, "victim", {"step": "details_received"}),
        (4 * late, "victim", {"step": "suitability_decided", "invite": True}),
        (6 * late, "victim", {"step": "contacted", "channel": "phone"}),
        (7 * late, "victim", {"step": "informed_choice_given", "options_explained": [option]}),
    ]
    consent = {"step": "consent_recorded", "option": option, "given_by": "victim", "how": "phone"}
    if path == "declines":
        return [
            *steps,
            (8 * late, "victim", consent | {"consented": False}),
            (9 * late, "victim", {"step": "closed", "outcome": "declined"}),
        ]
    steps += [
        (8 * late, "victim", consent | {"consented": True}),
        # What KPI 10's later rows count: views before planning, updates and support asked for and given.
        (8 * late, "victim", {"step": "views_sought", "views_given": True, "before_planning": True}),
        (9 * late, "victim", {"step": "keep_informed_choice", "opt_in": True}),
        (10 * late, "victim", {"step": "support_requested"}),
        (11 * late, "victim", {"step": "support_signposted"}),
    ]
    if path == "withdraws":
        return [
            *steps,
            (20, "victim", {"step": "withdrawn"}),
            (21, "victim", {"step": "closed", "outcome": "withdrawn"}),
        ]
    return [
        *steps,
        (25 * late, "victim", {"step": "risk_assessed", "outcome": "proceed"}),
        *[(26 * late + i, "victim", body) for i, body in enumerate(MEETING_STEPS.get(option, ()))],
        (30 * late, "victim", {"step": "intervention_delivered", "option": option}),
        (32 * late, "victim", {"step": "conclusion_notified"}),
        (33 * late, "victim", {"step": "closed", "outcome": "completed"}),
    ]


_PREPARATION: tuple[dict[str, Any], ...] = (
    {"step": "preparation_meeting_held", "with_party": "victim"},
    {"step": "preparation_meeting_held", "with_party": "child"},
)
# What a meeting between the parties needs before it counts as delivered.
MEETING_STEPS: dict[str, tuple[dict[str, Any], ...]] = {
    "direct_conference": (
        *_PREPARATION,
        {"step": "conference_held", "attendees": ["victim", "child", "facilitator"], "outcome_agreement": True},
    ),
    "shuttle_mediation": (
        *_PREPARATION,
        {"step": "shuttle_message_relayed", "direction": "victim_to_child"},
        {"step": "shuttle_message_relayed", "direction": "child_to_victim"},
    ),
}


# --- loading --------------------------------------------------------------------------------------------


def plan(scale: float = 1.0) -> tuple[SampleCase, ...]:
    """The cases to load: all of them at scale 1, at least the first eight (every kind) at any scale."""
    return PLAN[: max(8, round(len(PLAN) * scale))]
