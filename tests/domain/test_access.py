"""The access table, checked cell by cell against the policy as written in the brief."""

from __future__ import annotations

import pytest

from domain.access import PERMISSIONS, Permission, Role, allowed_roles, allows, why_refused

R = Role
# The policy restated independently of domain/access.py, so a slip in either shows up here.
EXPECTED: dict[Permission, set[Role]] = {
    Permission.SUBMIT_OUTCOME: {R.INTAKE, R.ADMIN},
    Permission.READ_REJECTED: {R.INTAKE, R.MANAGER, R.ADMIN},
    Permission.READ_TIMELINE: {R.CASE_WORKER, R.VICTIM_WORKER, R.MANAGER, R.INSPECTOR, R.ADMIN},
    Permission.READ_DEADLINES: {R.CASE_WORKER, R.MANAGER, R.INSPECTOR, R.ADMIN},
    Permission.READ_ORDER: {R.CASE_WORKER, R.MANAGER, R.INSPECTOR, R.ADMIN},
    Permission.ACT_ON_ORDER: {R.CASE_WORKER, R.MANAGER},
    Permission.MANAGE_USERS: {R.ADMIN},
    Permission.READ_NOTIFICATIONS: {R.MANAGER, R.ADMIN, R.INSPECTOR},
    Permission.VERIFY_CHAIN: {R.MANAGER, R.INSPECTOR, R.ADMIN},
    Permission.READ_VICTIM_CONTACTS: {R.VICTIM_WORKER, R.MANAGER, R.INSPECTOR},
    Permission.ACT_ON_VICTIM_CONTACT: {R.VICTIM_WORKER, R.MANAGER},
    Permission.READ_VICTIM_DETAILS: {R.VICTIM_WORKER, R.MANAGER},
    Permission.RECORD_VICTIM_DETAILS: {R.VICTIM_WORKER, R.MANAGER},
    Permission.ERASE_VICTIM_DETAILS: {R.MANAGER, R.ADMIN},
    Permission.READ_VICTIM_ACCESS_LOG: {R.MANAGER},
    Permission.READ_VICTIM_STEP_DETAILS: {R.VICTIM_WORKER, R.MANAGER},
    Permission.READ_DASHBOARD: {R.MANAGER, R.INSPECTOR, R.ADMIN},
    Permission.TAKE_INSPECTION_SAMPLE: {R.MANAGER, R.INSPECTOR},
    Permission.EXPORT_CHRONOLOGY: {R.MANAGER, R.INSPECTOR},
    Permission.READ_EXPORT_LOG: {R.MANAGER, R.INSPECTOR},
    Permission.DECIDE_AMENDMENT: {R.MANAGER},
    Permission.DECODE_PAYLOADS: {R.ADMIN},
    Permission.READ_CHILD_RECORD: {R.CASE_WORKER, R.VICTIM_WORKER, R.MANAGER, R.INSPECTOR},
    Permission.CORRECT_CHILD_RECORD: {R.CASE_WORKER, R.MANAGER},
    Permission.READ_RETENTION: {R.MANAGER, R.ADMIN},
    Permission.HOLD_RECORDS: {R.MANAGER},
}
READ_ONLY = {
    Permission.READ_REJECTED,
    Permission.READ_TIMELINE,
    Permission.READ_DEADLINES,
    Permission.READ_ORDER,
    Permission.READ_NOTIFICATIONS,
    Permission.VERIFY_CHAIN,
    Permission.READ_VICTIM_CONTACTS,
    Permission.READ_DASHBOARD,
    Permission.TAKE_INSPECTION_SAMPLE,
    Permission.EXPORT_CHRONOLOGY,
    Permission.READ_EXPORT_LOG,
    Permission.READ_CHILD_RECORD,
    Permission.READ_RETENTION,
}


def test_role_and_permission_values() -> None:
    assert [r.value for r in Role] == [
        "intake",
        "case_worker",
        "victim_worker",
        "manager",
        "inspector",
        "admin",
    ]
    assert {p.value for p in Permission} == {p.value for p in EXPECTED}


def test_table_covers_every_permission() -> None:
    assert set(PERMISSIONS) == set(Permission)
    assert {p: set(roles) for p, roles in PERMISSIONS.items()} == EXPECTED


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", list(Role))
def test_every_role_against_every_permission(role: Role, permission: Permission) -> None:
    expected = role in EXPECTED[permission]
    assert allows(role, permission) is expected
    # The API passes plain strings from tokens and routes; they must give the same answer.
    assert allows(role.value, permission.value) is expected


def test_inspector_only_reads() -> None:
    granted = {p for p in Permission if allows(Role.INSPECTOR, p)}
    assert granted <= READ_ONLY
    for permission in (Permission.ACT_ON_ORDER, Permission.SUBMIT_OUTCOME, Permission.MANAGE_USERS):
        assert not allows(Role.INSPECTOR, permission)


def test_refusal_names_the_allowed_roles() -> None:
    assert (
        why_refused(Role.INSPECTOR, Permission.ACT_ON_ORDER)
        == "role inspector may not act_on_order: allowed roles are case_worker, manager"
    )
    assert (
        why_refused("case_worker", "manage_users") == "role case_worker may not manage_users: allowed roles are admin"
    )


@pytest.mark.parametrize("permission", list(Permission))
def test_every_refusal_names_every_allowed_role(permission: Permission) -> None:
    for role in Role:
        if allows(role, permission):
            continue
        reason = why_refused(role, permission)
        assert reason.startswith(f"role {role.value} may not {permission.value}")
        for allowed in EXPECTED[permission]:
            assert allowed.value in reason
    assert allowed_roles(permission) == [r for r in Role if r in EXPECTED[permission]]


def test_unknown_role_or_permission_is_refused() -> None:
    assert not allows("superuser", Permission.READ_ORDER)
    assert not allows(Role.ADMIN, "delete_everything")
    assert "unknown role" in why_refused("superuser", Permission.READ_ORDER)
    assert "unknown permission" in why_refused(Role.ADMIN, "delete_everything")


def test_table_cannot_be_changed_at_runtime() -> None:
    with pytest.raises(TypeError):
        PERMISSIONS[Permission.MANAGE_USERS] = frozenset(Role)  # type: ignore[index]
