"""The codec server (`/codec/decode`, `/codec/encode`) against the real API, a real Temporal dev server and
the real `temporal` CLI: a workflow's encrypted history decodes to its input, only admins may call it,
every call is logged without the payloads' content, and browsers only from the configured UI origin."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import structlog
import yaml  # type: ignore[import-untyped]  # PyYAML comes with schemathesis, a test dependency
from fastapi import FastAPI
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.client import Client

from activities import web_sessions
from activities.codec import ENCODING
from activities.users import get_user
from client.api import AppContext, codec, create_app
from client.dev import dev_ui_origins, start_temporal
from client.web.session import COOKIE
from domain.access import Role, why_refused
from tests.client.conftest import Stack, outcome, temporal_converter, workflow_id_of
from tests.workflows.conftest import venv_binary

UI = "http://temporal-ui.example:8080"
NAMESPACE = "default"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def plain(value: Any) -> dict[str, Any]:
    """A payload as the SDK's JSON converter writes it, before any codec."""
    return {"metadata": {"encoding": b64(b"json/plain")}, "data": b64(json.dumps(value).encode())}


def value_of(payload: dict[str, Any]) -> Any:
    assert base64.b64decode(payload["metadata"]["encoding"]) == b"json/plain", payload["metadata"]
    return json.loads(base64.b64decode(payload["data"]))


def headers(token: str | None, **extra: str) -> dict[str, str]:
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    return {"X-Namespace": NAMESPACE, **auth, **extra}


@pytest_asyncio.fixture(scope="module")
async def order(stack: Stack) -> dict[str, Any]:
    """A referral order submitted through the API; returned once its workflow has started in Temporal."""
    body = outcome()
    async with stack.http("intake") as http:
        r = await http.post("/court-outcomes", json=body)
    assert r.status_code == 202, r.text
    handle = stack.temporal.get_workflow_handle(workflow_id_of(body))
    for _ in range(200):
        try:
            await handle.describe()
            return body
        except Exception:
            await asyncio.sleep(0.1)
    raise AssertionError(f"{handle.id} did not start")


async def started_input(stack: Stack, workflow_id: str) -> list[Payload]:
    """The workflow's input as its history holds it: what Temporal (and its UI) see."""
    history = await stack.temporal.get_workflow_handle(workflow_id).fetch_history()
    return list(history.events[0].workflow_execution_started_event_attributes.input.payloads)


def as_json(payloads: list[Payload]) -> list[dict[str, Any]]:
    return list(json_format.MessageToDict(Payloads(payloads=payloads))["payloads"])


async def test_a_workflows_history_decodes_to_its_input_and_foreign_payloads_pass_through(
    stack: Stack, order: dict[str, Any]
) -> None:
    encrypted = await started_input(stack, workflow_id_of(order))
    assert [p.metadata["encoding"] for p in encrypted] == [ENCODING]
    assert order["case_reference"].encode() not in encrypted[0].data  # Temporal holds ciphertext only
    foreign = plain({"not": "ours"})
    with structlog.testing.capture_logs() as logs:
        async with stack.http("admin") as http:
            r = await http.post(
                "/codec/decode", json={"payloads": [*as_json(encrypted), foreign]}, headers=headers(None)
            )
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    decoded, passed = r.json()["payloads"]
    started = value_of(decoded)
    assert (started["outcome_id"], started["case_reference"], started["child_id"]) == (
        order["outcome_id"],
        order["case_reference"],
        order["child"]["id"],
    )
    assert passed == foreign
    calls = [e for e in logs if e["event"].startswith("codec.")]
    assert calls == [
        {
            "event": "codec.decoded",
            "log_level": "info",
            "user": stack.usernames["admin"],
            "role": "admin",
            "namespace": NAMESPACE,
            "payloads": 2,
            "unchanged": 1,
            "via": "token",
            "origin": None,
        }
    ]


async def test_encode_then_decode_round_trips_and_the_workers_codec_reads_what_it_encodes(stack: Stack) -> None:
    sent = [plain({"child_id": "C-ROUND-1", "months": 6}), plain([1, 2, 3])]
    async with stack.http("admin") as http:
        r = await http.post("/codec/encode", json={"payloads": sent}, headers=headers(None))
        assert r.status_code == 200, r.text
        encoded = r.json()["payloads"]
        assert [base64.b64decode(p["metadata"]["encoding"]) for p in encoded] == [ENCODING, ENCODING]
        assert all(b"C-ROUND-1" not in base64.b64decode(p["data"]) for p in encoded)
        r = await http.post("/codec/decode", json={"payloads": encoded}, headers=headers(None))
    assert r.status_code == 200, r.text
    assert r.json()["payloads"] == sent
    # What the codec server encrypts, the workers' own codec decrypts: one key, one codec.
    codec_ = temporal_converter(stack.settings).payload_codec
    protos = Payloads()
    json_format.ParseDict({"payloads": encoded}, protos)
    assert [json_format.MessageToDict(p) for p in await codec_.decode(list(protos.payloads))] == sent


@pytest.mark.parametrize("role", [r.value for r in Role if r is not Role.ADMIN])
async def test_every_role_but_admin_is_refused_403_and_the_refusal_logged(stack: Stack, role: str) -> None:
    with structlog.testing.capture_logs() as logs:
        async with stack.http(role) as http:
            for operation in ("decode", "encode"):
                r = await http.post(f"/codec/{operation}", json={"payloads": [plain(1)]}, headers=headers(None))
                assert r.status_code == 403, r.text
                assert r.json()["detail"] == why_refused(role, "decode_payloads")
    refused = [(e["event"], e["operation"], e["status"], e["user"]) for e in logs if e["event"].startswith("codec.")]
    assert refused == [("codec.refused", op, 403, stack.usernames[role]) for op in ("decode", "encode")]


async def test_no_token_or_an_unknown_token_is_401_and_logged(stack: Stack) -> None:
    with structlog.testing.capture_logs() as logs:
        async with httpx.AsyncClient(base_url=stack.api_url) as http:
            r = await http.post("/codec/decode", json={"payloads": []}, headers=headers(None))
            assert r.status_code == 401, r.text
            r = await http.post("/codec/decode", json={"payloads": []}, headers=headers("not-a-token"))
            assert r.status_code == 401, r.text
    assert [(e["event"], e["status"]) for e in logs if e["event"].startswith("codec.")] == [("codec.refused", 401)] * 2


async def test_a_body_that_is_not_payloads_or_will_not_decode_is_a_400_naming_the_payload(
    stack: Stack, order: dict[str, Any]
) -> None:
    encrypted = as_json(await started_input(stack, workflow_id_of(order)))[0]
    tampered = dict(
        encrypted, data=b64(bytes(b ^ (i == 20) for i, b in enumerate(base64.b64decode(encrypted["data"]))))
    )
    other_key = dict(encrypted, metadata={**encrypted["metadata"], "encryption-key-id": b64(b"another-key")})
    async with stack.http("admin") as http:
        for body, field, rule in (
            (b"{not json", "body", "json"),
            (b'{"payloads": {"data": ""}}', "payloads", "list_type"),
            (b'{"payloads": [{"data": "%%%"}]}', "payloads.0.data", "string_pattern_mismatch"),
            (json.dumps({"payloads": [plain(1), tampered]}).encode(), "payloads.1", "codec.decode"),
            (json.dumps({"payloads": [other_key]}).encode(), "payloads.0", "codec.decode"),
        ):
            r = await http.post(
                "/codec/decode", content=body, headers=headers(None, **{"Content-Type": "application/json"})
            )
            assert r.status_code == 400, (body, r.text)
            assert (r.json()["detail"][0]["field"], r.json()["detail"][0]["rule"]) == (field, rule), r.text
    assert "another-key" in r.json()["detail"][0]["message"]
    huge = {"payloads": [{"data": "A" * (codec.MAX_BODY_BYTES + 4)}]}
    async with stack.http("admin") as http:
        r = await http.post("/codec/decode", json=huge, headers=headers(None))
    assert r.status_code == 413, r.text
    assert r.json()["detail"][0]["rule"] == "codec.body_size"


@pytest_asyncio.fixture
async def ui_app(stack: Stack) -> AsyncIterator[FastAPI]:
    """The real API app (same pool and Temporal as the stack) with the codec server's UI origin set."""

    async def connect() -> Client:
        return stack.temporal

    app = create_app(AppContext(stack.pool, connect))
    codec.configure(app, ui_origins=[UI])
    yield app


def asgi(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.example")


def preflight_headers(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }


async def test_a_preflight_from_the_ui_origin_is_allowed_and_from_any_other_is_not(ui_app: FastAPI) -> None:
    async with asgi(ui_app) as http:
        for operation in ("decode", "encode"):
            r = await http.options(f"/codec/{operation}", headers=preflight_headers(UI))
            assert r.status_code == 204, r.text
            assert r.headers["access-control-allow-origin"] == UI
            assert r.headers["access-control-allow-methods"] == "POST"
            allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
            assert allowed == {"authorization", "content-type", "x-namespace"}
            assert r.headers["access-control-allow-credentials"] == "true"
        for origin in ("http://evil.example", "http://temporal-ui.example:8081", "null"):
            r = await http.options("/codec/decode", headers=preflight_headers(origin))
            assert r.status_code == 400
            assert "access-control-allow-origin" not in r.headers


async def test_answers_carry_cors_headers_for_the_ui_origin_only_refusals_included(
    stack: Stack, ui_app: FastAPI
) -> None:
    body = {"payloads": [plain("x")]}
    async with asgi(ui_app) as http:
        r = await http.post("/codec/decode", json=body, headers=headers(stack.tokens["admin"], Origin=UI))
        assert r.status_code == 200, r.text
        assert (r.headers["access-control-allow-origin"], r.headers["vary"]) == (UI, "Origin")
        # A refusal the UI can read (and show), rather than an opaque network error.
        r = await http.post("/codec/decode", json=body, headers=headers(stack.tokens["manager"], Origin=UI))
        assert r.status_code == 403
        assert r.headers["access-control-allow-origin"] == UI
        r = await http.post("/codec/decode", json=body, headers=headers(None, Origin=UI))
        assert r.status_code == 401
        assert r.headers["access-control-allow-origin"] == UI
        r = await http.post(
            "/codec/decode", json=body, headers=headers(stack.tokens["admin"], Origin="http://evil.example")
        )
        assert "access-control-allow-origin" not in r.headers


async def test_without_configure_the_origin_comes_from_the_setting(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`yjflow api` never calls `configure`: YJFLOW_TEMPORAL_UI_ORIGIN is the origin, and unset, none is."""

    async def connect() -> Client:
        return stack.temporal

    monkeypatch.delenv("YJFLOW_TEMPORAL_UI_ORIGIN", raising=False)
    async with asgi(create_app(AppContext(stack.pool, connect))) as http:
        r = await http.options("/codec/decode", headers=preflight_headers(UI))
        assert "access-control-allow-origin" not in r.headers
    monkeypatch.setenv("YJFLOW_TEMPORAL_UI_ORIGIN", UI)
    async with asgi(create_app(AppContext(stack.pool, connect))) as http:
        r = await http.options("/codec/decode", headers=preflight_headers(UI))
        assert r.headers["access-control-allow-origin"] == UI


async def test_the_dev_ui_path_decodes_as_the_dev_admin_only_with_its_secret_and_from_its_origin(
    stack: Stack, ui_app: FastAPI, order: dict[str, Any]
) -> None:
    dev = codec.new_dev_ui(stack.usernames["admin"])
    codec.configure(ui_app, ui_origins=[UI], dev_ui=dev)
    encrypted = as_json(await started_input(stack, workflow_id_of(order)))
    body = {"payloads": encrypted}
    with structlog.testing.capture_logs() as logs:
        async with asgi(ui_app) as http:
            r = await http.options(f"/codec/dev/{dev.secret}/decode", headers=preflight_headers(UI))
            assert (r.status_code, r.headers["access-control-allow-origin"]) == (204, UI)
            r = await http.post(f"/codec/dev/{dev.secret}/decode", json=body, headers=headers(None, Origin=UI))
            assert r.status_code == 200, r.text
            assert value_of(r.json()["payloads"][0])["outcome_id"] == order["outcome_id"]
            for path, origin in (
                (f"/codec/dev/{dev.secret}x/decode", UI),  # not the secret
                (f"/codec/dev/{dev.secret}/decode", "http://evil.example"),  # not the UI
                (f"/codec/dev/{dev.secret}/decode", None),  # not a browser on the UI
            ):
                sent = headers(None, **({"Origin": origin} if origin else {}))
                assert (await http.post(path, json=body, headers=sent)).status_code == 404
    decoded = [e for e in logs if e["event"] == "codec.decoded"]
    assert [(e["user"], e["via"], e["origin"]) for e in decoded] == [(stack.usernames["admin"], "dev-ui", UI)]
    assert [e["status"] for e in logs if e["event"] == "codec.refused"] == [404, 404, 404]
    # The API as `yjflow api` serves it has no dev path at all.
    async with httpx.AsyncClient(base_url=stack.api_url) as http:
        r = await http.post(f"/codec/dev/{dev.secret}/decode", json=body, headers=headers(None, Origin=UI))
        assert r.status_code == 404


async def temporal_cli(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        venv_binary("temporal"), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_the_temporal_cli_shows_a_real_workflow_decoded_through_the_codec_server(
    stack: Stack, order: dict[str, Any]
) -> None:
    show = [
        "workflow",
        "show",
        "--workflow-id",
        workflow_id_of(order),
        "--address",
        stack.settings.temporal_address,
        "--namespace",
        NAMESPACE,
        "--output",
        "json",
    ]
    code, out, err = await temporal_cli(*show)
    assert code == 0, err
    assert order["outcome_id"] not in out  # without the codec server: ciphertext (the id holds the case reference)
    with structlog.testing.capture_logs() as logs:
        code, out, err = await temporal_cli(
            *show, "--codec-endpoint", f"{stack.api_url}/codec", "--codec-auth", f"Bearer {stack.tokens['admin']}"
        )
    assert code == 0, err
    started = value_of(json.loads(out)["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0])
    assert (started["outcome_id"], started["case_reference"], started["child_id"]) == (
        order["outcome_id"],
        order["case_reference"],
        order["child"]["id"],
    )
    # The CLI's own table shows the fields themselves.
    auth = ["--codec-endpoint", f"{stack.api_url}/codec", "--codec-auth", f"Bearer {stack.tokens['admin']}"]
    code, out, err = await temporal_cli(*show[:-2], "--detailed", *auth)
    assert code == 0, err
    assert order["outcome_id"] in out, out
    decoded = [e for e in logs if e["event"] == "codec.decoded"]
    assert decoded and {(e["user"], e["namespace"]) for e in decoded} == {(stack.usernames["admin"], NAMESPACE)}
    # Another role's token gets nothing decoded.
    code, out, err = await temporal_cli(
        *show, "--codec-endpoint", f"{stack.api_url}/codec", "--codec-auth", f"Bearer {stack.tokens['manager']}"
    )
    assert order["outcome_id"] not in out + err


def free_port_pair() -> int:
    """A free port whose +1000 (where the dev server puts its UI) is free too."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + 1000 < 65536:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port + 1000)) != 0:
                    return port
    raise AssertionError("no free pair of ports")


async def test_yjflow_devs_ui_is_given_the_dev_codec_path_and_decodes_through_it_from_its_origin(
    stack: Stack, order: dict[str, Any], tmp_path: Path
) -> None:
    """What `yjflow dev` wires: the dev server's UI configured with the codec path (as the browser reads
    the UI's settings), and that path answering the UI's preflight and decode from the UI's own origin."""
    port = free_port_pair()
    settings = stack.settings.model_copy(update={"temporal_address": f"127.0.0.1:{port}"})
    dev_ui = codec.new_dev_ui(stack.usernames["admin"])
    endpoint = f"http://api.example/codec/dev/{dev_ui.secret}"
    temporal = await asyncio.to_thread(start_temporal, tmp_path, settings.temporal_address, endpoint)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port + 1000}") as http:
            for _ in range(100):
                with contextlib.suppress(httpx.TransportError):
                    r = await http.get("/api/v1/settings")
                    if r.status_code == 200:
                        break
                await asyncio.sleep(0.2)
        assert r.json()["Codec"]["Endpoint"] == endpoint, r.text
    finally:
        temporal.terminate()
        await asyncio.to_thread(temporal.wait, 15)

    async def connect() -> Client:
        return stack.temporal

    app = create_app(AppContext(stack.pool, connect))
    origins = dev_ui_origins(settings)
    assert origins == [f"http://127.0.0.1:{port + 1000}", f"http://localhost:{port + 1000}"]
    codec.configure(app, ui_origins=origins, dev_ui=dev_ui)
    body = {"payloads": as_json(await started_input(stack, workflow_id_of(order)))}
    async with asgi(app) as http:
        # As the UI's fetch does it: `<endpoint>/decode`, from the UI's page, with X-Namespace and no token.
        path = endpoint.removeprefix("http://api.example") + "/decode"
        r = await http.options(path, headers=preflight_headers(origins[0]))
        assert (r.status_code, r.headers["access-control-allow-origin"]) == (204, origins[0])
        r = await http.post(path, json=body, headers=headers(None, Origin=origins[0]))
    assert r.status_code == 200, r.text
    assert value_of(r.json()["payloads"][0])["outcome_id"] == order["outcome_id"]


async def session_cookie(stack: Stack, role: str) -> str:
    """A signed-in pages session of the stack's user of `role`, as the sign-in page starts one."""
    user = await get_user(stack.pool, stack.usernames[role])
    assert user is not None
    return f"{COOKIE}={(await web_sessions.start(stack.pool, user)).session_id}"


async def test_the_ui_sending_cookies_decodes_as_the_signed_in_admin_and_only_from_its_origin(
    stack: Stack, ui_app: FastAPI, order: dict[str, Any]
) -> None:
    """TEMPORAL_CODEC_INCLUDE_CREDENTIALS: the UI's fetch carries the pages' session cookie to /app/codec."""
    admin, manager = await session_cookie(stack, "admin"), await session_cookie(stack, "manager")
    body = {"payloads": as_json(await started_input(stack, workflow_id_of(order)))}
    with structlog.testing.capture_logs() as logs:
        async with asgi(ui_app) as http:
            r = await http.options("/app/codec/decode", headers=preflight_headers(UI))
            assert (r.status_code, r.headers["access-control-allow-credentials"]) == (204, "true")
            r = await http.post("/app/codec/decode", json=body, headers=headers(None, Origin=UI, Cookie=admin))
            assert r.status_code == 200, r.text
            assert value_of(r.json()["payloads"][0])["outcome_id"] == order["outcome_id"]
            assert r.headers["access-control-allow-origin"] == UI
            for cookie, origin, status in (
                (admin, "http://evil.example", 403),  # the cookie rides along from any page: not decoded
                (admin, None, 403),
                (manager, UI, 403),
                (None, UI, 401),
                (f"{COOKIE}=ended-or-made-up", UI, 401),
            ):
                sent = headers(None, **({"Origin": origin} if origin else {}), **({"Cookie": cookie} if cookie else {}))
                r = await http.post("/app/codec/decode", json=body, headers=sent)
                assert r.status_code == status, (cookie, origin, r.text)
    decoded = [(e["user"], e["via"]) for e in logs if e["event"] == "codec.decoded"]
    assert decoded == [(stack.usernames["admin"], "session")]
    assert [e["status"] for e in logs if e["event"] == "codec.refused"] == [403, 403, 403, 401, 401]


def compose_default(value: str) -> str:
    """A compose value as docker compose resolves it with every `${VAR:-default}` unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_docker_compose_points_the_ui_at_the_apis_codec_server_and_the_api_at_the_ui() -> None:
    compose = yaml.safe_load((Path(__file__).parents[2] / "docker-compose.yml").read_text())
    ui, api = compose["services"]["temporal-ui"], compose["services"]["yjflow-api"]
    endpoint = httpx.URL(compose_default(ui["environment"]["TEMPORAL_CODEC_ENDPOINT"]))
    assert compose_default(ui["environment"]["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"]) == "true"
    # The endpoint is the API's published port and its cookie-authenticated codec path.
    assert f"127.0.0.1:{endpoint.port}:8000" in [compose_default(p) for p in api["ports"]]
    assert endpoint.path == "/app/codec"
    paths = {getattr(r, "path", None) for r in codec.router.routes}
    assert {f"{endpoint.path}/decode", f"{endpoint.path}/encode"} <= paths
    # The API answers the UI's origin: the UI's published port, on the endpoint's host (one site for the cookie).
    origin = httpx.URL(compose_default(api["environment"]["YJFLOW_TEMPORAL_UI_ORIGIN"]))
    assert f"127.0.0.1:{origin.port}:8080" in [compose_default(p) for p in ui["ports"]]
    assert origin.host == endpoint.host
