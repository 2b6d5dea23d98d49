"""Who may do what: roles, permissions and the one table that joins them.

Every check in the API, the CLI and the pages goes through `allows`, so the table below is the whole
access policy; a refusal carries `why_refused`, which names the roles that would have been allowed, so a
person refused knows whom to ask rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType


class Role(StrEnum):
    INTAKE = "intake"
    CASE_WORKER = "case_worker"
    VICTIM_WORKER = "victim_worker"
    MANAGER = "manager"
    INSPECTOR = "inspector"
    ADMIN = "admin"


class Permission(StrEnum):
    SUBMIT_OUTCOME = "submit_outcome"
    READ_REJECTED = "read_rejected"
    READ_TIMELINE = "read_timeline"
    READ_DEADLINES = "read_deadlines"
    READ_ORDER = "read_order"
    ACT_ON_ORDER = "act_on_order"
    MANAGE_USERS = "manage_users"
    READ_NOTIFICATIONS = "read_notifications"
    VERIFY_CHAIN = "verify_chain"
    READ_VICTIM_CONTACTS = "read_victim_contacts"
    ACT_ON_VICTIM_CONTACT = "act_on_victim_contact"
    READ_VICTIM_DETAILS = "read_victim_details"
    RECORD_VICTIM_DETAILS = "record_victim_details"
    ERASE_VICTIM_DETAILS = "erase_victim_details"
    READ_VICTIM_ACCESS_LOG = "read_victim_access_log"
    READ_VICTIM_STEP_DETAILS = "read_victim_step_details"
    READ_DASHBOARD = "read_dashboard"
    TAKE_INSPECTION_SAMPLE = "take_inspection_sample"
    EXPORT_CHRONOLOGY = "export_chronology"
    READ_EXPORT_LOG = "read_export_log"
    DECODE_PAYLOADS = "decode_payloads"
    READ_CHILD_RECORD = "read_child_record"
    CORRECT_CHILD_RECORD = "correct_child_record"
    READ_RETENTION = "read_retention"
    HOLD_RECORDS = "hold_records"
    DECIDE_AMENDMENT = "decide_amendment"


_R = Role
# Inspectors appear only against read and verify permissions: an inspection must never change a case.
PERMISSIONS: Mapping[Permission, frozenset[Role]] = MappingProxyType(
    {
        Permission.SUBMIT_OUTCOME: frozenset({_R.INTAKE, _R.ADMIN}),
        Permission.READ_REJECTED: frozenset({_R.INTAKE, _R.MANAGER, _R.ADMIN}),
        # Victim workers read the child's timeline too: it is where their steps sit beside the order's.
        Permission.READ_TIMELINE: frozenset({_R.CASE_WORKER, _R.VICTIM_WORKER, _R.MANAGER, _R.INSPECTOR, _R.ADMIN}),
        Permission.READ_DEADLINES: frozenset({_R.CASE_WORKER, _R.MANAGER, _R.INSPECTOR, _R.ADMIN}),
        Permission.READ_ORDER: frozenset({_R.CASE_WORKER, _R.MANAGER, _R.INSPECTOR, _R.ADMIN}),
        Permission.ACT_ON_ORDER: frozenset({_R.CASE_WORKER, _R.MANAGER}),
        Permission.MANAGE_USERS: frozenset({_R.ADMIN}),
        Permission.READ_NOTIFICATIONS: frozenset({_R.MANAGER, _R.ADMIN, _R.INSPECTOR}),
        Permission.VERIFY_CHAIN: frozenset({_R.MANAGER, _R.INSPECTOR, _R.ADMIN}),
        # Victim work: contacts' steps (references only) are open to inspection; personal details
        # only to victim workers and their managers, every read logged (Victims' Code).
        Permission.READ_VICTIM_CONTACTS: frozenset({_R.VICTIM_WORKER, _R.MANAGER, _R.INSPECTOR}),
        Permission.ACT_ON_VICTIM_CONTACT: frozenset({_R.VICTIM_WORKER, _R.MANAGER}),
        Permission.READ_VICTIM_DETAILS: frozenset({_R.VICTIM_WORKER, _R.MANAGER}),
        Permission.RECORD_VICTIM_DETAILS: frozenset({_R.VICTIM_WORKER, _R.MANAGER}),
        Permission.ERASE_VICTIM_DETAILS: frozenset({_R.MANAGER, _R.ADMIN}),
        Permission.READ_VICTIM_ACCESS_LOG: frozenset({_R.MANAGER}),
        # What a victim worker recorded at each step (reasons, choices) shows on a child's timeline only to
        # victim work; everyone else sees the victim reference and the step's name.
        Permission.READ_VICTIM_STEP_DETAILS: frozenset({_R.VICTIM_WORKER, _R.MANAGER}),
        Permission.READ_DASHBOARD: frozenset({_R.MANAGER, _R.INSPECTOR, _R.ADMIN}),
        Permission.TAKE_INSPECTION_SAMPLE: frozenset({_R.MANAGER, _R.INSPECTOR}),
        # Every export is logged with who made it; the log is evidence for the same people.
        Permission.EXPORT_CHRONOLOGY: frozenset({_R.MANAGER, _R.INSPECTOR}),
        Permission.READ_EXPORT_LOG: frozenset({_R.MANAGER, _R.INSPECTOR}),
        # The codec server (decode and encode) opens every Temporal history of every service in clear:
        # operators only, every call logged. Nobody else needs Temporal's view of a case.
        Permission.DECODE_PAYLOADS: frozenset({_R.ADMIN}),
        # The child's record (name, date of birth, ethnicity…): those who work with or inspect the child,
        # every read logged; corrected by the child's own workers. Operators and court systems never read it.
        Permission.READ_CHILD_RECORD: frozenset({_R.CASE_WORKER, _R.VICTIM_WORKER, _R.MANAGER, _R.INSPECTOR}),
        Permission.CORRECT_CHILD_RECORD: frozenset({_R.CASE_WORKER, _R.MANAGER}),
        # What retention will erase, and the legal holds that stop it: managers decide holds; operators
        # see what the schedule will do.
        Permission.READ_RETENTION: frozenset({_R.MANAGER, _R.ADMIN}),
        Permission.HOLD_RECORDS: frozenset({_R.MANAGER}),
        # A court's changed resend of a result waits for a manager: it changes a running order.
        Permission.DECIDE_AMENDMENT: frozenset({_R.MANAGER}),
    }
)


def allows(role: Role | str, permission: Permission | str) -> bool:
    """True when `role` holds `permission`; an unknown role or permission is simply not allowed."""
    try:
        return Role(role) in PERMISSIONS[Permission(permission)]
    except (ValueError, KeyError):
        return False


def allowed_roles(permission: Permission | str) -> list[Role]:
    """The roles holding `permission`, in the order `Role` declares them (stable for messages)."""
    granted = PERMISSIONS[Permission(permission)]
    return [role for role in Role if role in granted]


def why_refused(role: Role | str, permission: Permission | str) -> str:
    """A one-line reason naming the roles that would be allowed, e.g. for a 403 body or a CLI error."""
    try:
        perm = Permission(permission)
    except ValueError:
        return f"unknown permission {permission!s}"
    roles = ", ".join(allowed_roles(perm))
    try:
        known = Role(role)
    except ValueError:
        return f"unknown role {role!s} may not {perm}: allowed roles are {roles}"
    if allows(known, perm):
        return f"role {known} may {perm}"
    return f"role {known} may not {perm}: allowed roles are {roles}"


# A service's slug, as intake checks an outcome's `yjs` (domain.court_outcome.intake_checks).
_SERVICE_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def check_service(slug: str) -> str:
    """`slug` when it reads as a service's slug (lowercase letters, digits, single hyphens; at most 50
    characters), else a ValueError saying so."""
    if not (0 < len(slug) <= 50 and _SERVICE_SLUG.fullmatch(slug)):
        raise ValueError(f"invalid service {slug!r}: use the service's lowercase slug, such as luton or milton-keynes")
    return slug


def holds_service(services: frozenset[str] | None, yjs: str | None) -> bool:
    """True when a user holding `services` may see (and act on) what service `yjs` holds.

    `None` is every service: a single-service deployment, or an operator. A record with no service at all
    (`yjs` None: a refused outcome that never named one) is seen only by those holding every service,
    since nothing says it is theirs."""
    if services is None:
        return True
    return yjs is not None and yjs in services


def services_in_view(services: frozenset[str] | None, asked: str | None) -> frozenset[str] | None:
    """The services a list or report covers: the one `asked` for (when held; else none at all), or every
    service the user holds (`None`: no limit)."""
    if asked is None:
        return services
    return frozenset({asked}) if holds_service(services, asked) else frozenset()


def window_refusal(valid_from: date | None, valid_until: date | None, today: date) -> str | None:
    """Why access is refused on `today` under a time-boxed grant (both days included), or None when in force."""
    if valid_from is not None and today < valid_from:
        return f"access is granted from {valid_from.isoformat()}, not before"
    if valid_until is not None and today > valid_until:
        return f"access ended on {valid_until.isoformat()}"
    return None
