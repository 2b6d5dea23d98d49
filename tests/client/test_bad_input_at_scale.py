"""Bad input at scale: 2,000 hypothesis-generated court outcomes against the live API.

About one in ten is a valid outcome of one of the four order kinds, built from the contract
(shared/domain/court-outcome.md) and the law `domain.court_outcome` enforces; the rest are valid outcomes
broken in one known way (a required field missing, a wrong JSON type, a bad date, months out of range, an
unknown kind, an oversized id, a NUL character, a victim's contact details, a future hearing, an order
that does not exist), or bodies that are not an outcome at all (not JSON, NaN, deep nesting, arrays, null).
A few valid outcomes carry changes the contract allows (extra fields, unicode and long free text).

Every body is generated up front by one derandomized `@given` (so every run sends the same 2,000), then
sent 16 at a time. Asserted: no 5xx; a valid outcome gets 202; every 422 lists errors that each name a
field, a rule and a message, and one of them names the field that was broken; the accepted count equals
the inbox rows for the ids sent; each rejected outcome is in `rejected_outcomes`, kept whole.

Why the accepted share is about 10%: every accepted outcome is real work for the stack's relay, worker and
Temporal dev server (an order and one workflow per victim), which the rest of the session shares on a
2-core machine. About 200 orders with few victims (about 250 workflows) keeps that to background work the
session absorbs, while 1,800 refusals exercise intake, where bad input lands.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from domain.court_outcome.limits import DEFAULT_TEXT_LIMIT, TEXT_LIMITS
from tests.client.conftest import Stack, eventually, today

CONCURRENCY = 16
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Submission:
    """One request body and what intake must answer: `expect_field` is None for a valid outcome, else the
    field (path) a 422 must name ("" when any named field will do)."""

    raw: bytes
    expect_field: str | None
    what: str
    # The body as JSON, when it is JSON (to compare with what the rejected list keeps).
    value: Any = None
    is_json: bool = False


# --- valid outcomes --------------------------------------------------------------------------------

# Free text may hold any character but NUL (which PostgreSQL cannot store) and lone surrogates (not UTF-8).
FREE_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=40)
ID_TEXT = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=12)


@st.composite
def child_aged(draw: st.DrawFn, hearing: date, low: int, high: int) -> dict[str, Any]:
    age = draw(st.integers(low, high))
    born = hearing.replace(year=hearing.year - age - 1) + timedelta(days=draw(st.integers(1, 360)))
    return {
        "id": "C-" + draw(ID_TEXT),
        "given_name": draw(FREE_TEXT),
        "family_name": draw(FREE_TEXT),
        "date_of_birth": born.isoformat(),
    }


@st.composite
def offences(draw: st.DrawFn, hearing: date, *, guilty: bool) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 3))
    found = [
        {
            "code": draw(st.sampled_from(["TH68010", "CJ88116", "OF61016", "PU86001"])),
            "description": draw(FREE_TEXT),
            "offence_date": (hearing - draw(st.integers(1, 200)) * DAY).isoformat(),
            "plea": draw(st.sampled_from(["guilty", "not_guilty"])),
            "convicted": draw(st.booleans()),
        }
        for _ in range(count)
    ]
    if guilty:
        found[0]["plea"] = "guilty"
    return found


@st.composite
def requirements(draw: st.DrawFn, hearing: date, end: date, age: int, iss: bool) -> list[dict[str, Any]]:
    def curfew() -> dict[str, Any]:
        hours = draw(st.one_of(st.integers(2, 16), st.floats(2, 16, allow_nan=False)))
        until = hearing + draw(st.integers(1, max(1, (end - hearing).days))) * DAY
        return {"kind": "curfew", "hours_per_day": hours, "end_date": until.isoformat()}

    options = ["supervision", "activity", "curfew", "electronic_monitoring", "programme", "education"]
    if 16 <= age <= 17:
        options.append("unpaid_work")
    kinds = draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True))
    found: list[dict[str, Any]] = []
    for kind in kinds:
        if kind == "activity":
            found.append({"kind": "activity", "days": draw(st.integers(1, 90))})
        elif kind == "curfew":
            found.append(curfew())
        elif kind == "unpaid_work":
            found.append({"kind": "unpaid_work", "hours": draw(st.integers(40, 240))})
        else:
            found.append({"kind": kind})
    if iss:
        found += [{"kind": "extended_activity", "days": draw(st.integers(91, 180))}, {"kind": "supervision"}, curfew()]
    return found


def _age(born: str, on: date) -> int:
    b = date.fromisoformat(born)
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


@st.composite
def valid_outcome(draw: st.DrawFn) -> dict[str, Any]:
    """A valid outcome of one of the four order kinds; ids are placeholders the sender makes unique."""
    hearing = today() - draw(st.integers(0, 3)) * DAY
    kind = draw(
        st.sampled_from(
            ["referral_order"] * 5
            + ["youth_rehabilitation_order"] * 3
            + ["remand"] * 2
            + ["detention_and_training_order"]
        )
    )
    low = 12 if kind in ("detention_and_training_order", "remand") else 10
    child = draw(child_aged(hearing, low, 17))
    court = draw(st.sampled_from(["youth", "magistrates"] if kind == "referral_order" else ["youth", "crown"]))
    disposal: dict[str, Any]
    if kind == "referral_order":
        disposal = {"kind": kind, "months": draw(st.integers(3, 12))}
    elif kind == "youth_rehabilitation_order":
        iss = draw(st.booleans())
        end = hearing + draw(st.integers(190 if iss else 30, 1000)) * DAY
        reqs = draw(requirements(hearing, end, _age(child["date_of_birth"], hearing), iss))
        disposal = {"kind": kind, "end_date": end.isoformat(), "requirements": reqs, "iss": iss}
    elif kind == "remand":
        remand_type = draw(
            st.sampled_from(
                ["bail", "bail_with_support", "local_authority_accommodation", "youth_detention_accommodation"]
            )
        )
        disposal = {
            "kind": kind,
            "type": remand_type,
            "next_hearing_date": (hearing + draw(st.integers(2, 9)) * DAY).isoformat(),
            "first_remand": draw(st.booleans()),
        }
        if remand_type.endswith("accommodation"):
            disposal |= {"ctl_start_date": hearing.isoformat(), "ctl_days": draw(st.sampled_from([56, 70, 182]))}
    else:
        disposal = {"kind": kind, "months": draw(st.sampled_from([4, 6, 8, 10, 12, 18, 24]))}
    victims = draw(
        st.lists(
            st.fixed_dictionaries(
                {"ref": st.just("V"), "kind": st.sampled_from(["person", "organisation"]), "under_18": st.booleans()}
            ),
            max_size=1,
        )
    )
    return {
        "outcome_id": "{ID}",
        "yjs": draw(st.sampled_from(["luton", "milton-keynes", "bedford-borough"])),
        "court": {"name": draw(FREE_TEXT), "kind": court},
        "hearing_date": hearing.isoformat(),
        "case_reference": "{CASE}",
        "child": child,
        "offences": draw(offences(hearing, guilty=kind == "referral_order")),
        "disposal": disposal,
        "victims": [{**v, "ref": f"V-{i}"} for i, v in enumerate(victims)],
    }


# --- mutations: each breaks a valid outcome in one known way, or changes it within the contract ------


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (path, value) in a body, parts and leaves, named as intake names fields."""
    found: list[tuple[str, Any]] = [(path, value)] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _leaves(item, f"{path}[{i}]")
    return found


def _split(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for chunk in path.replace("[", ".[").split("."):
        if chunk.startswith("["):
            parts.append(int(chunk[1:-1]))
        elif chunk:
            parts.append(chunk)
    return parts


def _parent(body: Any, path: str) -> tuple[Any, str | int]:
    parts = _split(path)
    node = body
    for part in parts[:-1]:
        node = node[part]
    return node, parts[-1]


def _set(body: Any, path: str, value: Any) -> None:
    node, last = _parent(body, path)
    node[last] = value


def _delete(body: Any, path: str) -> None:
    node, last = _parent(body, path)
    del node[last]


OPTIONAL = {"victims", "disposal.ctl_start_date", "disposal.ctl_days", "disposal.release_date"}
FREE_TEXT_FIELDS = ("court.name", "child.given_name", "child.family_name", "offences[0].description")


def _required(body: dict[str, Any]) -> list[str]:
    """Paths whose absence the contract refuses: every object field but the optional ones (and none
    inside a list of victims or requirements, whose items are whole)."""
    return [
        p
        for p, _ in _leaves(body)
        if not p.endswith("]") and p not in OPTIONAL and not p.startswith("victims") and ".requirements[" not in p
    ]


def _typed(body: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(p, v) for p, v in _leaves(body) if p in _required(body)]


def _wrong_type(value: Any) -> st.SearchStrategy[Any]:
    """A JSON value of another type than `value`'s (never null for a field that may be null)."""
    others: list[st.SearchStrategy[Any]] = [
        st.integers(-5, 10**6),
        st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f != int(f)),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.sampled_from(["a", "kind"]), st.integers(), max_size=1),
        st.none(),
    ]
    if isinstance(value, bool):
        others = [st.sampled_from(["true", "yes", "1"]), st.sampled_from([0, 1]), st.none(), st.just([])]
    elif isinstance(value, int):
        others = [st.sampled_from(["6", "six"]), st.sampled_from([6.5, 3.25]), st.none(), st.just({})]
    elif isinstance(value, str):
        others = [st.integers(-5, 99), st.booleans(), st.none(), st.just([value]), st.just({"value": value})]
    elif isinstance(value, (dict, list)):
        others = [st.sampled_from(["", "x"]), st.integers(), st.none(), st.just([] if isinstance(value, dict) else {})]
    return st.one_of(others)


BAD_DATES = ["2026-02-30", "2025-13-01", "20260302", "02/03/2026", "2026-3-2", "2026-03-02T10:00:00", "", "yesterday"]


BREAKAGES = (
    "missing",
    "wrong_type",
    "bad_date",
    "months_out_of_range",
    "unknown_kind",
    "oversized_id",
    "nul",
    "victim_details",
    "future_hearing",
    "born_after_hearing",
    "no_offences",
    "unknown_order",
    "bad_enum",
)
NOT_OUTCOMES = ("bytes", "truncated", "nan", "deep", "array", "scalar")


@st.composite
def broken_outcome(draw: st.DrawFn, how: str) -> Submission:
    """A valid outcome broken in the way `how` names."""
    body = draw(valid_outcome())
    expect = ""
    if how == "missing":
        expect = draw(st.sampled_from(_required(body)))
        _delete(body, expect)
    elif how == "wrong_type":
        expect, value = draw(st.sampled_from(_typed(body)))
        _set(body, expect, draw(_wrong_type(value)))
    elif how == "bad_date":
        expect = draw(st.sampled_from([p for p, v in _leaves(body) if isinstance(v, str) and _is_date(v)]))
        _set(body, expect, draw(st.sampled_from(BAD_DATES)))
    elif how == "months_out_of_range":
        expect = "disposal.months"
        if body["disposal"]["kind"] == "detention_and_training_order":
            body["disposal"]["months"] = draw(st.sampled_from([-1, 0, 3, 25, 36, 1000]))
        else:
            body["disposal"] = {"kind": "referral_order", "months": draw(st.sampled_from([-3, 0, 1, 2, 13, 24, 10**9]))}
            body["court"]["kind"] = "youth"
            body["offences"][0]["plea"] = "guilty"
    elif how == "unknown_kind":
        expect = "disposal.kind"
        body["disposal"]["kind"] = draw(
            st.sampled_from(["community_order", "fine", "REFERRAL_ORDER", "referral-order", ""])
        )
    elif how == "oversized_id":
        expect = draw(st.sampled_from(["outcome_id", "case_reference", "child.id", "yjs"]))
        size = draw(st.integers(101, 2000))
        _set(body, expect, ("a" if expect == "yjs" else "X") * size)
    elif how == "nul":
        text_paths = [p for p, v in _leaves(body) if isinstance(v, str)]
        expect = draw(st.sampled_from(text_paths))
        node, last = _parent(body, expect)
        where = draw(st.integers(0, len(node[last])))
        node[last] = node[last][:where] + "\x00" + node[last][where:]
    elif how == "victim_details":
        body["victims"] = [{"ref": "V-0", "kind": "person", "under_18": False}]
        body["victims"][0][draw(st.sampled_from(["name", "phone", "address", "email"]))] = draw(FREE_TEXT)
        expect = "victims[0]"
    elif how == "future_hearing":
        expect = "hearing_date"
        body["hearing_date"] = (today() + draw(st.integers(1, 400)) * DAY).isoformat()
    elif how == "born_after_hearing":
        expect = "child.date_of_birth"
        body["child"]["date_of_birth"] = (
            date.fromisoformat(body["hearing_date"]) + draw(st.integers(0, 30)) * DAY
        ).isoformat()
    elif how == "no_offences":
        expect = "offences"
        body["offences"] = []
    elif how == "unknown_order":
        kind = draw(st.sampled_from(["order_revoked", "order_extended", "breach_outcome", "remand_ended"]))
        body["disposal"] = {"kind": kind, "order_ref": f"referral-order:luton:NO-SUCH-{draw(ID_TEXT)}:C-0"}
        expect = ""  # the order's id, or the decision's own fields: either names a field
    else:  # an enum field given a value outside its list
        expect = draw(st.sampled_from(["court.kind", "offences[0].plea", "victims[0].kind"]))
        if expect == "victims[0].kind":
            body["victims"] = [{"ref": "V-0", "kind": "person", "under_18": True}]
        _set(body, expect, draw(st.sampled_from(["YOUTH", "unknown", "", "guilty ", "corporate"])))
    return _as_submission(body, expect, how)


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


@st.composite
def allowed_variant(draw: st.DrawFn) -> Submission:
    """A valid outcome with changes the contract allows: extra fields, unicode and long free text."""
    body = draw(valid_outcome())
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["extra_field", "unicode", "long_text"]))
        if how == "extra_field":
            where = draw(st.sampled_from(["", "court", "child", "offences[0]", "disposal"]))
            target = body if not where else _parent(body, where)[0][_split(where)[-1]]
            json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), FREE_TEXT)
            target["x_" + draw(ID_TEXT).lower()] = draw(
                st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3), max_leaves=5)
            )
        elif how == "unicode":
            _set(body, draw(st.sampled_from(FREE_TEXT_FIELDS)), draw(FREE_TEXT) + "é 漢字 🙂 \u202e\u0301")
        else:
            # Long, up to the field's limit (domain.court_outcome.limits): longer is refused, naming it.
            field = draw(st.sampled_from(FREE_TEXT_FIELDS))
            limit = TEXT_LIMITS.get(re.sub(r"\[\d+\]", "", field), DEFAULT_TEXT_LIMIT)
            _set(body, field, (draw(FREE_TEXT) * 200)[:limit])
    return _as_submission(body, None, "allowed_variant")


@st.composite
def not_an_outcome(draw: st.DrawFn, how: str) -> Submission:
    """A body that is not a JSON object of an outcome at all (of the kind `how` names): it must name `body`."""
    if how == "bytes":
        raw = draw(st.binary(min_size=0, max_size=200).filter(lambda b: not _parses(b)))
    elif how == "truncated":
        text = json.dumps(draw(valid_outcome()))
        raw = text[: draw(st.integers(0, len(text) - 1))].encode()
    elif how == "nan":
        raw = (
            json.dumps({"disposal": {"kind": "referral_order", "months": 6}})
            .replace("6", draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400"])))
            .encode()
        )
    elif how == "deep":
        depth = draw(st.integers(40, 5000))
        raw = ("[" * depth + "]" * depth).encode()
    elif how == "array":
        return _as_submission(draw(st.lists(valid_outcome(), max_size=2)), "body", how)
    else:
        value = draw(st.one_of(st.none(), st.booleans(), st.integers(), FREE_TEXT))
        return _as_submission(value, "body", how)
    return Submission(raw=raw, expect_field="body", what=how)


def _parses(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return True


def _as_submission(value: Any, expect_field: str | None, what: str) -> Submission:
    return Submission(
        raw=json.dumps(value, ensure_ascii=False).encode(),
        expect_field=expect_field,
        what=what,
        value=value,
        is_json=True,
    )


# Each batch holds every kind of submission once, so all are sent alike (hypothesis's own choices between
# alternatives lean towards the first): 1 valid outcome, 1 with allowed changes, 13 broken, 6 not outcomes.
BATCH_OF_EACH = st.tuples(
    valid_outcome().map(lambda b: _as_submission(b, None, "valid")),
    allowed_variant(),
    *(broken_outcome(how) for how in BREAKAGES),
    *(not_an_outcome(how) for how in NOT_OUTCOMES),
)
BATCH = 2 + len(BREAKAGES) + len(NOT_OUTCOMES)
EXAMPLES = 96
TOTAL = BATCH * EXAMPLES  # 2,016


def generate() -> list[Submission]:
    """The 2,016 bodies, drawn by a derandomized `@given`: the same ones on every run."""
    drawn: list[Submission] = []

    @given(BATCH_OF_EACH)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def draw(batch: tuple[Submission, ...]) -> None:
        drawn.extend(batch)

    draw()
    return drawn


def with_fresh_ids(submission: Submission, run: str, n: int) -> Submission:
    """Placeholders replaced by ids unique to this run, so every valid outcome is new to the inbox."""
    raw = submission.raw.replace(b"{ID}", f"BI-{run}-{n}".encode()).replace(b"{CASE}", f"41BI{run}{n}".encode())
    value = json.loads(raw) if submission.is_json else None
    return Submission(raw, submission.expect_field, submission.what, value, submission.is_json)


# --- the test ----------------------------------------------------------------------------------------


@pytest.mark.timeout(240)
async def test_two_thousand_generated_outcomes(stack: Stack) -> None:
    run = uuid.uuid4().hex[:8]
    began = time.perf_counter()
    drawn = await asyncio.to_thread(generate)
    print(f"generated {len(drawn)} bodies in {time.perf_counter() - began:.1f} s")
    assert len(drawn) == TOTAL
    submissions = [with_fresh_ids(s, run, n) for n, s in enumerate(drawn)]
    valid = sum(s.expect_field is None for s in submissions)
    assert valid == 2 * EXAMPLES

    answers: list[httpx.Response | None] = [None] * TOTAL
    gate = asyncio.Semaphore(CONCURRENCY)
    async with stack.http("intake") as http:

        async def send(n: int) -> None:
            async with gate:
                answers[n] = await http.post(
                    "/court-outcomes", content=submissions[n].raw, headers={"Content-Type": "application/json"}
                )

        began = time.perf_counter()
        await asyncio.gather(*(send(n) for n in range(TOTAL)))
        print(f"sent {TOTAL} in {time.perf_counter() - began:.1f} s")

    problems: list[str] = []
    accepted: list[str] = []
    rejected: dict[int, Submission] = {}
    for n, (s, r) in enumerate(zip(submissions, answers, strict=True)):
        assert r is not None
        label = f"#{n} {s.what} ({s.expect_field!r}): {r.status_code} {r.text[:300]}"
        if r.status_code >= 500:
            problems.append("server error " + label)
        elif s.expect_field is None:
            if r.status_code != 202:
                problems.append("valid outcome not accepted " + label)
            else:
                accepted.append(r.json()["outcome_id"])
        elif r.status_code != 422:
            problems.append("bad outcome not refused " + label)
        else:
            answer = r.json()
            errors = answer["errors"]
            if not errors or not all(e["field"] and e["rule"] and e["message"] for e in errors):
                problems.append("a refusal without field, rule and message " + label)
            elif s.expect_field and not any(_related(e["field"], s.expect_field) for e in errors):
                problems.append("the broken field is not named " + label)
            rejected[answer["rejection_id"]] = s
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:20])

    async with stack.pool.connection() as conn:
        cur = await conn.execute("SELECT count(*) AS n FROM inbox WHERE outcome_id = ANY(%s)", (accepted,))
        row = await cur.fetchone()
        assert row is not None and row["n"] == len(accepted) == valid
    kept = {i: r for i in rejected if (r := await stack.rejected(i)) is not None}
    assert len(kept) == len(rejected) == TOTAL - valid
    for rejection_id, s in rejected.items():
        row = kept[rejection_id]
        text = s.raw.decode("utf-8", "replace").replace("\x00", "\ufffd")
        assert row["body_text"] == text, f"rejection {rejection_id} ({s.what}) not kept whole"
        if s.is_json and "\x00" not in s.raw.decode("utf-8", "replace") and "\\u0000" not in text:
            assert row["body"] == s.value, f"rejection {rejection_id} ({s.what}): the body kept differs"

    # Every accepted outcome's workflows start (and the session's later tests get a settled stack).
    async def pending() -> int:
        async with stack.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT count(*) AS n FROM inbox WHERE outcome_id = ANY(%s) AND relay_status <> 'started'", (accepted,)
            )
            row = await cur.fetchone()
        return int(row["n"]) if row is not None else -1

    began = time.perf_counter()
    await eventually(pending, lambda n: n == 0, timeout=150, what="the relay starting every accepted outcome")
    print(f"the relay started {len(accepted)} accepted outcomes' workflows within {time.perf_counter() - began:.1f} s")


def _related(named: str, broken: str) -> bool:
    """The error names the broken field, a part inside it, or the part that holds it."""
    return (
        named == broken
        or named.startswith((broken + ".", broken + "["))
        or broken.startswith((named + ".", named + "["))
    )


async def test_json_postgresql_cannot_store_is_refused_naming_the_body(stack: Stack) -> None:
    """Found by this file: NaN, Infinity and 1e400 (read by Python's json, not storable in jsonb) and deep
    nesting (RecursionError) answered 500 instead of a refusal kept in the rejected list."""
    bodies = [
        b'{"outcome_id": "NAN-1", "disposal": {"kind": "referral_order", "months": NaN}}',
        b'{"outcome_id": "INF-1", "disposal": {"kind": "referral_order", "months": -Infinity}}',
        b'{"outcome_id": "BIG-1", "disposal": {"kind": "referral_order", "months": 1e400}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 40 + b"1" + b"}" * 40,
    ]
    async with stack.http("intake") as http:
        for raw in bodies:
            r = await http.post("/court-outcomes", content=raw, headers={"Content-Type": "application/json"})
            assert r.status_code == 422, r.text[:300]
            answer = r.json()
            assert [(e["field"], e["rule"].split(".")[0]) for e in answer["errors"]] == [("body", "json")]
            kept = await stack.rejected(answer["rejection_id"])
            assert kept is not None and kept["body"] is None and kept["body_text"] == raw.decode()
    # A step's body goes through the same parser.
    async with stack.http("case_worker") as http:
        r = await http.post("/orders/referral-order:luton:X:C-1/steps", content=b"[" * 100_000 + b"]" * 100_000)
        assert r.status_code == 422 and [e["rule"] for e in r.json()["detail"]] == ["json.nesting"]
