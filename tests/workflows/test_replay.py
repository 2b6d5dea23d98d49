"""Saved histories replay against today's workflow code: a change that would break a running order
(without `workflow.patched`) fails here before it reaches a worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from activities.codec import data_converter
from activities.settings import Settings
from tests.workflows.conftest import TEST_PAYLOAD_KEY
from workflows.registry import ALL_WORKFLOWS, workflow_runner

HISTORIES = sorted((Path(__file__).parent.parent / "histories").glob("*.json"))


def replayer() -> Replayer:
    settings = Settings(_env_file=None, payload_key=TEST_PAYLOAD_KEY)  # type: ignore[call-arg]
    return Replayer(
        workflows=ALL_WORKFLOWS,
        data_converter=data_converter(settings.payload_key_bytes, settings.payload_key_id),
        workflow_runner=workflow_runner(),
    )


def test_there_are_saved_histories_for_every_workflow_type() -> None:
    """Every workflow type has at least one saved history to replay."""
    names = {p.name for p in HISTORIES}
    for prefix in ("referral_order", "youth_rehabilitation_order", "victim_contact", "remand", "custody", "retention"):
        assert any(n.startswith(prefix) for n in names), (prefix, names)


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_saved_history_replays_with_current_code(path: Path) -> None:
    """The saved history replays without a nondeterminism error."""
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    await replayer().replay_workflow(history)


async def test_an_unpatched_change_fails_the_replay() -> None:
    """Inserting a timer without `workflow.patched` makes the saved history fail to replay."""
    from temporalio.workflow import NondeterminismError

    from tests.workflows.unpatched_change import ReferralOrderWithUnpatchedTimer

    path = next(p for p in HISTORIES if p.name.startswith("referral_order"))
    settings = Settings(_env_file=None, payload_key=TEST_PAYLOAD_KEY)  # type: ignore[call-arg]
    changed = Replayer(
        workflows=[ReferralOrderWithUnpatchedTimer],
        data_converter=data_converter(settings.payload_key_bytes, settings.payload_key_id),
        workflow_runner=workflow_runner(),
    )
    with pytest.raises(NondeterminismError):
        await changed.replay_workflow(WorkflowHistory.from_json(path.stem, path.read_text()))
