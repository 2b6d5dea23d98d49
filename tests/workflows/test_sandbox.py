"""The sandbox a worker runs workflows in imports nothing afresh for a new run but that run's own workflow
module: every other module is shared (passed through), because each one re-imported is paid again on
every run a worker starts (ENGINEERING-NOTES §3.3)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import CodeType

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.workflow import SandboxImportNotificationPolicy

import workflows
from activities.codec import data_converter
from activities.settings import Settings
from tests.workflows.conftest import TEST_PAYLOAD_KEY
from tests.workflows.test_replay import HISTORIES
from workflows.registry import ALL_WORKFLOWS, workflow_runner

STRICT = SandboxImportNotificationPolicy.RAISE_ON_UNINTENTIONAL_PASSTHROUGH


def replayer(runner: SandboxedWorkflowRunner) -> Replayer:
    settings = Settings(_env_file=None, payload_key=TEST_PAYLOAD_KEY)  # type: ignore[call-arg]
    return Replayer(
        workflows=ALL_WORKFLOWS,
        data_converter=data_converter(settings.payload_key_bytes, settings.payload_key_id),
        workflow_runner=runner,
    )


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_a_new_run_imports_only_its_own_workflow_module(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    await replayer(workflow_runner(STRICT)).replay_workflow(history)


async def test_a_shared_helper_left_out_of_the_passthrough_list_is_caught() -> None:
    """Without the shared case-workflow modules passed through, the strict sandbox refuses to load the
    workflows: the check above can fail."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules("domain", "holidays", "dateutil", "rfc8785")
    history = WorkflowHistory.from_json(HISTORIES[0].stem, HISTORIES[0].read_text())
    strict = replayer(SandboxedWorkflowRunner(restrictions=restrictions.with_import_notification_policy(STRICT)))
    with pytest.raises(RuntimeError, match="Failed validating workflow") as refused:
        await strict.replay_workflow(history)
    assert "was not intentionally passed through" in str(refused.value.__cause__)


def test_a_kinds_module_is_compiled_once_per_worker() -> None:
    """The sandbox executes a kind's module for every new run; its code object is made once per process
    (compiling the source each time, where no bytecode is written, was a tenth of a new run's cost)."""
    workflow_runner()

    def code_found_as_the_sandbox_finds_it(name: str) -> CodeType:
        # The sandbox has a sys.modules of its own, so each run's import asks the finders afresh.
        spec = next(s for f in sys.meta_path if (s := f.find_spec(name, workflows.__path__)) is not None)
        assert spec.loader is not None
        return spec.loader.get_code(name)  # type: ignore[attr-defined, no-any-return]

    first = code_found_as_the_sandbox_finds_it("workflows.referral_order")
    assert code_found_as_the_sandbox_finds_it("workflows.referral_order") is first
    assert first.co_filename.endswith("workflows/referral_order.py")
