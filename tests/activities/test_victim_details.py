"""Victims' details on a real PostgreSQL: encrypted per victim, read only by victim workers and managers,
every access logged in an append-only log, and erasure by destroying the victim's key."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
import pytest_asyncio
from psycopg import sql
from psycopg.rows import dict_row, tuple_row
from psycopg_pool import AsyncConnectionPool
from pydantic import ValidationError
from structlog.testing import capture_logs

from activities.db import open_pool
from activities.users import User
from activities.victim_details import (
    AccessDenied,
    DetailsErased,
    DetailsIntegrityError,
    VictimDetailsStore,
    VictimKeyError,
    VictimNotFound,
)
from domain.access import Role
from domain.victim_details import ContactRoute, VictimDetails, VictimKind, VictimSummary

MASTER_KEY = os.urandom(32)
KEY_ID = "victim-test-1"

# --- fixtures and helpers -------------------------------------------------------------------------


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[AsyncConnectionPool[Any]]:
    pool = await open_pool(database_url, max_size=6)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def store(pool: AsyncConnectionPool[Any]) -> VictimDetailsStore:
    return VictimDetailsStore(pool, MASTER_KEY, KEY_ID)


def tag() -> str:
    return uuid.uuid4().hex[:10]


def ref() -> str:
    # The session database is shared by every test, so each test makes its own victims.
    return f"V-{tag()}"


def user(role: Role, *, disabled: bool = False) -> User:
    return User(username=f"{role.value}-{tag()}", role=role, disabled=disabled)


def digits() -> str:
    return str(uuid.uuid4().int)[:9]


def person(**changes: Any) -> VictimDetails:
    t = tag()
    fields: dict[str, Any] = {
        "name": f"Alice Victim-{t}",
        "contact_route": "phone",
        "phone": f"07{digits()}",
        "email": f"alice.{t}@example.org",
        "address": {"lines": [f"{t} Acacia Avenue"], "town": "Leeds", "postcode": "LS1 4DY"},
        "preferred_contact_times": f"weekday evenings after 6 ({t})",
        "under_18": False,
        "enhanced_rights": False,
        "notes": f"prefers not to meet in person ({t})",
    }
    fields.update(changes)
    return VictimDetails.model_validate(fields)


def child_victim() -> VictimDetails:
    t = tag()
    return VictimDetails.model_validate(
        {
            "name": f"Bobby Young-{t}",
            "contact_route": "via_parent_or_guardian",
            "under_18": True,
            "enhanced_rights": True,
            "parent_or_guardian": {
                "name": f"Carol Young-{t}",
                "relationship": "mother",
                "phone": f"+44 7{digits()}",
                "email": f"carol.{t}@example.net",
            },
        }
    )


def organisation() -> VictimDetails:
    t = tag()
    return VictimDetails.model_validate(
        {
            "kind": "organisation",
            "organisation_name": f"Corner Shop {t} Ltd",
            "named_contact": f"Dev Manager-{t}",
            "contact_route": "email",
            "email": f"manager.{t}@cornershop.example.com",
            "under_18": False,
            "enhanced_rights": False,
        }
    )


def identifying_strings(details: VictimDetails) -> list[str]:
    """Every identifying value in `details`: none of these may appear anywhere in clear."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key not in {"kind", "contact_route", "relationship", "town"}:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)
        elif isinstance(value, str):
            found.append(value)

    walk(details.model_dump(mode="json"))
    assert found
    return found


async def dump_database(pool: AsyncConnectionPool[Any]) -> tuple[str, bytes]:
    """Every row of every table as text, and every bytea value raw: where a leak would show up."""
    texts: list[str] = []
    raw: list[bytes] = []
    async with pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
        await cur.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in await cur.fetchall()]
        assert {"victim_keys", "victim_details", "access_log"} <= set(tables)
        for table in tables:
            await cur.execute(sql.SQL("SELECT t::text FROM {} t").format(sql.Identifier(table)))
            texts += [row[0] for row in await cur.fetchall()]
            await cur.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name = %s AND data_type = 'bytea'",
                (table,),
            )
            for (column,) in await cur.fetchall():
                await cur.execute(
                    sql.SQL("SELECT {} FROM {} WHERE {} IS NOT NULL").format(
                        sql.Identifier(column), sql.Identifier(table), sql.Identifier(column)
                    )
                )
                raw += [bytes(row[0]) for row in await cur.fetchall()]
    return "\n".join(texts), b"\n".join(raw)


async def log_rows(pool: AsyncConnectionPool[Any], victim_ref: str) -> list[dict[str, Any]]:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT username, role, action, victim_ref, purpose, outcome FROM access_log"
            " WHERE victim_ref = %s ORDER BY id",
            (victim_ref,),
        )
        return await cur.fetchall()


async def key_row(pool: AsyncConnectionPool[Any], victim_ref: str) -> dict[str, Any]:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT * FROM victim_keys WHERE victim_ref = %s", (victim_ref,))
        row = await cur.fetchone()
    assert row is not None
    return row


async def details_row(pool: AsyncConnectionPool[Any], victim_ref: str) -> dict[str, Any] | None:
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute("SELECT * FROM victim_details WHERE victim_ref = %s", (victim_ref,))
        return await cur.fetchone()


VICTIM_WORKER = user(Role.VICTIM_WORKER)
MANAGER = user(Role.MANAGER)
ADMIN = user(Role.ADMIN)


# --- round trip -----------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [person, child_victim, organisation], ids=["person", "child", "organisation"])
async def test_round_trip(store: VictimDetailsStore, make: Any) -> None:
    victim, details = ref(), make()
    assert not await store.exists(victim)

    await store.record(victim, details, user=VICTIM_WORKER, purpose="police referral received")

    assert await store.exists(victim)
    assert await store.read(victim, user=VICTIM_WORKER, purpose="first contact call") == details
    assert await store.read(victim, user=MANAGER, purpose="case supervision") == details


async def test_update_re_encrypts_with_a_fresh_nonce_and_counts_versions(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any]
) -> None:
    victim, first = ref(), person()
    await store.record(victim, first, user=VICTIM_WORKER, purpose="police referral received")
    before = await details_row(pool, victim)
    key_before = await key_row(pool, victim)

    second = first.model_copy(update={"contact_route": ContactRoute.EMAIL})
    await store.record(victim, second, user=MANAGER, purpose="victim asked for email instead")
    after = await details_row(pool, victim)

    assert before is not None and after is not None
    assert (before["version"], after["version"]) == (1, 2)
    assert after["nonce"] != before["nonce"] and after["ciphertext"] != before["ciphertext"]
    assert (after["recorded_by"], after["updated_by"]) == (VICTIM_WORKER.username, MANAGER.username)
    assert after["updated_at"] >= before["updated_at"]
    assert (await key_row(pool, victim))["wrapped_key"] == key_before["wrapped_key"]  # one key per victim
    assert await store.read(victim, user=VICTIM_WORKER, purpose="check") == second


async def test_concurrent_first_writes_of_one_victim_share_one_key(store: VictimDetailsStore) -> None:
    victim = ref()
    versions = [person() for _ in range(5)]
    await asyncio.gather(*(store.record(victim, d, user=VICTIM_WORKER, purpose="referral") for d in versions))
    assert await store.read(victim, user=VICTIM_WORKER, purpose="check") in versions
    entries = await store.access_log(user=MANAGER, victim_ref=victim)
    assert [(e.action, e.outcome) for e in entries] == [("read", "ok")] + [("write", "ok")] * 5


# --- who may do what ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_only_victim_workers_and_managers_read(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any], role: Role
) -> None:
    victim, details = ref(), person()
    await store.record(victim, details, user=VICTIM_WORKER, purpose="referral")
    reader = user(role)

    if role in (Role.VICTIM_WORKER, Role.MANAGER):
        assert await store.read(victim, user=reader, purpose="contact") == details
        expected = ("read", "ok")
    else:
        with pytest.raises(AccessDenied, match=f"role {role.value}.*allowed roles are victim_worker, manager"):
            await store.read(victim, user=reader, purpose="curious")
        expected = ("denied", "read")

    last = (await log_rows(pool, victim))[-1]
    assert (last["username"], last["role"]) == (reader.username, role.value)
    assert (last["action"], last["outcome"]) == expected


async def test_a_disabled_victim_worker_is_refused_and_logged(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any]
) -> None:
    victim = ref()
    await store.record(victim, person(), user=VICTIM_WORKER, purpose="referral")
    gone = user(Role.VICTIM_WORKER, disabled=True)
    with pytest.raises(AccessDenied, match="is disabled"):
        await store.read(victim, user=gone, purpose="contact")
    assert (await log_rows(pool, victim))[-1]["action"] == "denied"


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.INSPECTOR, Role.INTAKE, Role.ADMIN])
async def test_other_roles_may_not_record_and_the_refusal_is_logged(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any], role: Role
) -> None:
    victim, writer = ref(), user(role)
    with pytest.raises(AccessDenied):
        await store.record(victim, person(), user=writer, purpose="trying")
    assert not await store.exists(victim)
    assert [(r["action"], r["outcome"], r["username"]) for r in await log_rows(pool, victim)] == [
        ("denied", "write", writer.username)
    ]


@pytest.mark.parametrize("role", list(Role))
async def test_only_managers_and_admins_erase(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any], role: Role
) -> None:
    victim = ref()
    await store.record(victim, person(), user=VICTIM_WORKER, purpose="referral")
    if role in (Role.MANAGER, Role.ADMIN):
        await store.erase(victim, user=user(role), reason="retention period ended")
        assert not await store.exists(victim)
        assert (await log_rows(pool, victim))[-1]["action"] == "erase"
    else:
        with pytest.raises(AccessDenied, match="allowed roles are manager, admin"):
            await store.erase(victim, user=user(role), reason="retention period ended")
        assert await store.exists(victim)
        assert [(r["action"], r["outcome"]) for r in await log_rows(pool, victim)][-1] == ("denied", "erase")


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.MANAGER])
async def test_only_managers_review_the_access_log(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any], role: Role
) -> None:
    victim, reviewer = ref(), user(role)
    with pytest.raises(AccessDenied, match="may not review log"):
        await store.access_log(user=reviewer, victim_ref=victim)
    assert [(r["action"], r["outcome"], r["username"]) for r in await log_rows(pool, victim)] == [
        ("denied", "review_log", reviewer.username)
    ]


# --- the access log -------------------------------------------------------------------------------


async def test_every_read_write_and_erase_is_in_the_access_log(store: VictimDetailsStore) -> None:
    victim, other = ref(), ref()
    start = datetime.now(UTC) - timedelta(seconds=1)
    worker, boss, nosy = user(Role.VICTIM_WORKER), user(Role.MANAGER), user(Role.CASE_WORKER)

    await store.record(victim, person(), user=worker, purpose="police referral received")
    await store.read(victim, user=worker, purpose="first contact call")
    await store.record(victim, person(), user=worker, purpose="new phone number")
    with pytest.raises(AccessDenied):
        await store.read(victim, user=nosy, purpose="curious")
    await store.read(victim, user=boss, purpose="supervision")
    await store.erase(victim, user=boss, reason="retention period ended")
    with pytest.raises(DetailsErased):
        await store.read(victim, user=worker, purpose="follow-up")
    await store.erase(victim, user=boss, reason="retention job re-run")
    with pytest.raises(VictimNotFound):
        await store.read(other, user=worker, purpose="typo in ref")

    entries = await store.access_log(user=boss, victim_ref=victim)
    assert [(e.username, e.role, e.action, e.purpose, e.outcome) for e in reversed(entries)] == [
        (worker.username, "victim_worker", "write", "police referral received", "ok"),
        (worker.username, "victim_worker", "read", "first contact call", "ok"),
        (worker.username, "victim_worker", "write", "new phone number", "ok"),
        (nosy.username, "case_worker", "denied", "curious", "read"),
        (boss.username, "manager", "read", "supervision", "ok"),
        (boss.username, "manager", "erase", "retention period ended", "ok"),
        (worker.username, "victim_worker", "read", "follow-up", "erased"),
        (boss.username, "manager", "erase", "retention job re-run", "already_erased"),
    ]
    assert all(e.victim_ref == victim for e in entries)
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert [e.id for e in entries] == sorted((e.id for e in entries), reverse=True)

    assert [(e.action, e.outcome) for e in await store.access_log(user=boss, victim_ref=other)] == [
        ("read", "not_found")
    ]
    recent = await store.access_log(user=boss, since=start, limit=1000)
    assert {e.victim_ref for e in recent} >= {victim, other}
    assert len(await store.access_log(user=boss, since=start, limit=3)) == 3
    assert await store.access_log(user=boss, since=datetime.now(UTC) + timedelta(hours=1)) == []
    with pytest.raises(ValueError, match="limit"):
        await store.access_log(user=boss, limit=0)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET outcome = 'ok' WHERE action = 'denied'",
        "UPDATE access_log SET purpose = 'nothing to see'",
        "DELETE FROM access_log",
        "TRUNCATE access_log",
    ],
)
async def test_the_access_log_refuses_update_and_delete(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any], statement: str
) -> None:
    victim = ref()
    await store.record(victim, person(), user=VICTIM_WORKER, purpose="referral")
    with pytest.raises(AccessDenied):
        await store.read(victim, user=user(Role.CASE_WORKER), purpose="curious")
    before = await log_rows(pool, victim)

    async with pool.connection() as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            await conn.execute(statement)
    assert await log_rows(pool, victim) == before


# --- nothing in clear -----------------------------------------------------------------------------


async def test_the_raw_database_and_the_logs_never_hold_details_in_clear(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any]
) -> None:
    victims = {ref(): person(), ref(): child_victim(), ref(): organisation()}
    erased = next(iter(victims))
    with capture_logs() as logs:
        for victim, details in victims.items():
            await store.record(victim, details, user=VICTIM_WORKER, purpose="police referral received")
            await store.read(victim, user=MANAGER, purpose="supervision")
            with pytest.raises(AccessDenied):
                await store.read(victim, user=user(Role.CASE_WORKER), purpose="curious")
        await store.record(erased, person(name="Zed Updated"), user=VICTIM_WORKER, purpose="correction")
        await store.erase(erased, user=MANAGER, reason="retention period ended")

    text, raw = await dump_database(pool)
    secrets = [s for d in victims.values() for s in identifying_strings(d)] + ["Zed Updated"]
    for secret in secrets:
        assert secret not in text, secret
        assert secret.encode() not in raw, secret
        assert secret.lower() not in text.lower(), secret
    assert all(victim in text for victim in victims)  # the dump did see the victims' rows

    assert logs, "the store logs its actions"
    for entry in logs:
        assert set(entry) <= {"event", "log_level", "victim_ref", "action", "outcome"}, entry
        assert not any(secret in json.dumps(entry, default=str) for secret in secrets)


def test_validation_errors_and_reprs_do_not_echo_personal_details() -> None:
    details = person()
    assert details.name is not None and details.name not in repr(details) and details.name not in str(details)
    bad = details.model_dump(mode="json") | {"email": "alice at example dot org", "phone": "call 0113 496 0000"}
    with pytest.raises(ValidationError) as caught:
        VictimDetails.model_validate(bad)
    assert "alice at example" not in str(caught.value) and "0113" not in str(caught.value)


def test_the_redacted_summary_carries_no_identifying_fact() -> None:
    for details in (person(), child_victim(), organisation()):
        summary = details.redacted_summary()
        assert isinstance(summary, VictimSummary)
        dumped = summary.model_dump(mode="json")
        assert set(dumped) == {"kind", "under_18", "enhanced_rights", "contact_route"}
        assert not any(secret in json.dumps(dumped) for secret in identifying_strings(details))
    assert child_victim().redacted_summary() == VictimSummary(
        kind=VictimKind.PERSON,
        under_18=True,
        enhanced_rights=True,
        contact_route=ContactRoute.VIA_PARENT_OR_GUARDIAN,
    )


async def test_victim_refs_are_pseudonymous_ids_and_a_purpose_is_required(store: VictimDetailsStore) -> None:
    with pytest.raises(ValueError, match="invalid victim ref"):
        await store.record("Alice Victim", person(), user=VICTIM_WORKER, purpose="referral")
    with pytest.raises(ValueError, match="purpose is required"):
        await store.read(ref(), user=VICTIM_WORKER, purpose="  ")
    with pytest.raises(ValueError, match="reason is required"):
        await store.erase(ref(), user=MANAGER, reason="")


# --- binding, keys and erasure --------------------------------------------------------------------


async def test_ciphertext_swapped_between_victims_does_not_decrypt(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any]
) -> None:
    a, b = ref(), ref()
    await store.record(a, person(), user=VICTIM_WORKER, purpose="referral")
    await store.record(b, person(), user=VICTIM_WORKER, purpose="referral")
    # What someone with write access to the database could do: move b's details under a's ref.
    async with pool.connection() as conn:
        await conn.execute(
            "UPDATE victim_details d SET ciphertext = o.ciphertext, nonce = o.nonce"
            " FROM victim_details o WHERE d.victim_ref = %s AND o.victim_ref = %s",
            (a, b),
        )
    with pytest.raises(DetailsIntegrityError, match=f"victim {a}.*copied from another victim"):
        await store.read(a, user=VICTIM_WORKER, purpose="contact")
    assert (await log_rows(pool, a))[-1]["outcome"] == "integrity_error"

    # Moving b's wrapped key too does not help: the key is bound to b's ref as well.
    async with pool.connection() as conn:
        await conn.execute(
            "UPDATE victim_keys k SET wrapped_key = o.wrapped_key"
            " FROM victim_keys o WHERE k.victim_ref = %s AND o.victim_ref = %s",
            (a, b),
        )
    with pytest.raises(VictimKeyError, match=f"key of victim {a}"):
        await store.read(a, user=VICTIM_WORKER, purpose="contact")
    assert (await log_rows(pool, a))[-1]["outcome"] == "key_error"


async def test_erasure_destroys_the_key_and_nothing_else(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any]
) -> None:
    victim, kept = ref(), ref()
    await store.record(victim, person(), user=VICTIM_WORKER, purpose="referral")
    await store.record(kept, person(), user=VICTIM_WORKER, purpose="referral")
    wrapped = bytes((await key_row(pool, victim))["wrapped_key"])
    stored = await details_row(pool, victim)

    await store.erase(victim, user=MANAGER, reason="retention period ended")

    row = await key_row(pool, victim)
    assert row["wrapped_key"] is None
    assert row["destroyed_at"] is not None and row["destroyed_by"] == MANAGER.username
    assert await details_row(pool, victim) == stored  # the ciphertext stays; without its key it is noise
    _, raw = await dump_database(pool)
    assert wrapped not in raw
    assert not await store.exists(victim)
    assert await store.exists(kept)
    with pytest.raises(DetailsErased, match=f"victim {victim} were erased"):
        await store.read(victim, user=VICTIM_WORKER, purpose="contact")
    with pytest.raises(DetailsErased):
        await store.record(victim, person(), user=VICTIM_WORKER, purpose="re-referral")

    # No master key brings them back: not another one, not the original under another id.
    for other in (VictimDetailsStore(pool, os.urandom(32), KEY_ID), VictimDetailsStore(pool, MASTER_KEY, "x")):
        with pytest.raises(DetailsErased):
            await other.read(victim, user=MANAGER, purpose="recovery attempt")
    # Nor does putting the old wrapped key back: the database refuses to restore a destroyed key.
    async with pool.connection() as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="destroyed"):
            await conn.execute(
                "UPDATE victim_keys SET wrapped_key = %s, destroyed_at = NULL, destroyed_by = NULL"
                " WHERE victim_ref = %s",
                (wrapped, victim),
            )
    async with pool.connection() as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="DELETE is refused"):
            await conn.execute("DELETE FROM victim_keys WHERE victim_ref = %s", (kept,))

    await store.erase(victim, user=ADMIN, reason="retention job re-run")  # idempotent, and logged
    assert [(r["action"], r["outcome"]) for r in await log_rows(pool, victim)][-1] == ("erase", "already_erased")
    assert await store.read(kept, user=VICTIM_WORKER, purpose="contact") is not None
    with pytest.raises(VictimNotFound):
        await store.erase(ref(), user=MANAGER, reason="retention period ended")


async def test_a_wrong_master_key_fails_loudly_and_overwrites_nothing(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any]
) -> None:
    victim, details = ref(), person()
    await store.record(victim, details, user=VICTIM_WORKER, purpose="referral")
    stored = await details_row(pool, victim)

    impostor = VictimDetailsStore(pool, os.urandom(32), KEY_ID)
    with pytest.raises(VictimKeyError, match="does not unwrap with master key 'victim-test-1'"):
        await impostor.read(victim, user=VICTIM_WORKER, purpose="contact")
    with pytest.raises(VictimKeyError):
        await impostor.record(victim, person(), user=VICTIM_WORKER, purpose="update")
    assert await details_row(pool, victim) == stored

    renamed = VictimDetailsStore(pool, os.urandom(32), "victim-test-2")
    with pytest.raises(VictimKeyError, match=r"wrapped by master key 'victim-test-1'.*holds 'victim-test-2'"):
        await renamed.read(victim, user=VICTIM_WORKER, purpose="contact")

    assert [(r["action"], r["outcome"]) for r in await log_rows(pool, victim)][-3:] == [
        ("read", "key_error"),
        ("write", "key_error"),
        ("read", "key_error"),
    ]
    assert await store.read(victim, user=VICTIM_WORKER, purpose="contact") == details


@pytest.mark.parametrize(
    "key", [b"", b"k" * 16, b"k" * 31, b"k" * 64], ids=["empty", "16 bytes", "31 bytes", "64 bytes"]
)
def test_the_master_key_must_be_32_bytes(pool: AsyncConnectionPool[Any], key: bytes) -> None:
    with pytest.raises(ValueError, match="exactly 32 bytes"):
        VictimDetailsStore(pool, key, KEY_ID)


async def test_an_unknown_victim_is_not_found_and_the_attempt_logged(
    store: VictimDetailsStore, pool: AsyncConnectionPool[Any]
) -> None:
    victim = ref()
    with pytest.raises(VictimNotFound, match=f"victim {victim}"):
        await store.read(victim, user=VICTIM_WORKER, purpose="contact")
    assert [(r["action"], r["outcome"]) for r in await log_rows(pool, victim)] == [("read", "not_found")]


# --- validation -----------------------------------------------------------------------------------

_ADULT = {"under_18": False, "enhanced_rights": False}
_CHILD = {"name": "Kit", "under_18": True, "enhanced_rights": True}
_ADDRESS = {"lines": ["1 High Street"], "postcode": "LS1 4DY"}


@pytest.mark.parametrize(
    ("fields", "loc", "message"),
    [
        ({**_ADULT, "contact_route": "letter", "address": _ADDRESS}, ("name",), "name: a person needs a name"),
        (
            {**_ADULT, "kind": "organisation", "organisation_name": "Shop", "contact_route": "in_person"},
            ("named_contact",),
            "named_contact: an organisation needs a named contact",
        ),
        (
            {**_ADULT, "kind": "organisation", "named_contact": "Dev", "contact_route": "in_person"},
            ("organisation_name",),
            "organisation_name: an organisation needs its name",
        ),
        (
            {**_ADULT, "kind": "organisation", "name": "Shop", "contact_route": "in_person"},
            ("name",),
            "name: for an organisation give organisation_name and named_contact",
        ),
        (
            {**_CHILD, "contact_route": "in_person"},
            ("parent_or_guardian",),
            "parent_or_guardian: a victim under 18 needs a parent or guardian",
        ),
        (
            {"name": "Kit", "under_18": True, "enhanced_rights": False, "contact_route": "in_person"},
            ("enhanced_rights",),
            "enhanced_rights: a victim under 18 is entitled to enhanced rights",
        ),
        (
            {**_CHILD, "contact_route": "in_person", "parent_or_guardian": {"name": "Mum"}},
            ("parent_or_guardian", "address"),
            "parent_or_guardian: give at least one of phone, email or address",
        ),
        (
            {**_ADULT, "name": "A", "contact_route": "email", "email": "not-an-email"},
            ("email",),
            "email: not a valid email address",
        ),
        ({**_ADULT, "name": "A", "contact_route": "email"}, ("email",), "email: required when contact_route is email"),
        (
            {**_ADULT, "name": "A", "contact_route": "phone", "phone": "0113 496 OOOO"},
            ("phone",),
            "phone: use digits only",
        ),
        ({**_ADULT, "name": "A", "contact_route": "phone", "phone": "12345"}, ("phone",), "phone: a phone number has"),
        (
            {**_ADULT, "name": "A", "contact_route": "text_message"},
            ("phone",),
            "phone: required when contact_route is text_message",
        ),
        (
            {**_ADULT, "name": "A", "contact_route": "letter"},
            ("address",),
            "address: required when contact_route is letter",
        ),
        (
            {**_ADULT, "name": "A", "contact_route": "letter", "address": {"lines": ["1 St"], "postcode": "LEEDS"}},
            ("address", "postcode"),
            "postcode: not a UK postcode",
        ),
        (
            {**_ADULT, "name": "A", "contact_route": "via_parent_or_guardian"},
            ("parent_or_guardian",),
            "parent_or_guardian: required when contact_route is via_parent_or_guardian",
        ),
        ({**_ADULT, "name": "A", "contact_route": "carrier_pigeon"}, ("contact_route",), "Input should be"),
        ({**_ADULT, "name": "  ", "contact_route": "in_person"}, ("name",), "at least 1 character"),
        (
            {**_ADULT, "name": "A", "contact_route": "in_person", "nickname": "Al"},
            ("nickname",),
            "Extra inputs are not permitted",
        ),
        (
            {"kind": "organisation", "organisation_name": "Shop", "named_contact": "Dev", "under_18": True}
            | {"enhanced_rights": True, "contact_route": "in_person"},
            ("under_18",),
            "under_18: an organisation cannot be under 18",
        ),
    ],
)
def test_validation_messages_name_the_field(fields: dict[str, Any], loc: tuple[str, ...], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        VictimDetails.model_validate(fields)
    errors = caught.value.errors(include_input=False)
    matching = [e for e in errors if e["loc"] == loc]
    assert matching, errors
    assert message in matching[0]["msg"]
    assert ".".join(loc) in str(caught.value)


def test_valid_details_are_normalised() -> None:
    details = VictimDetails.model_validate(
        {
            **_ADULT,
            "name": "  Alice  ",
            "contact_route": "letter",
            "phone": "(0113) 496-0000",
            "address": {"lines": ["1 High Street"], "postcode": "ls14dy"},
        }
    )
    assert details.name == "Alice"
    assert details.phone == "01134960000"
    assert details.address is not None and details.address.postcode == "LS1 4DY"
    assert VictimDetails.model_validate({**_ADULT, "name": "A", "contact_route": "via_police"}).phone is None
