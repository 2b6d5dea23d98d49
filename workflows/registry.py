"""Every workflow a worker runs, and the sandbox they run in: the one `workflow_runner` the worker, the
test harness and the replay tests all use, so what is tested is what runs.

Kept out of `workflows/__init__.py` on purpose: the sandbox re-imports a workflow's module (and its
package's `__init__`) for every run it starts, and an `__init__` importing all five workflows made each
new run import them all.
"""

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder, SourceFileLoader
from types import CodeType, ModuleType
from typing import ClassVar

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.workflow import SandboxImportNotificationPolicy

from workflows.custody import CustodyWorkflow
from workflows.referral_order import ReferralOrderWorkflow
from workflows.remand import RemandWorkflow
from workflows.retention import RetentionSweepWorkflow
from workflows.victim_contact import VictimContactWorkflow
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

ALL_WORKFLOWS = [
    ReferralOrderWorkflow,
    VictimContactWorkflow,
    YouthRehabilitationOrderWorkflow,
    RemandWorkflow,
    CustodyWorkflow,
    RetentionSweepWorkflow,
]

# Deterministic modules shared with every sandbox instead of re-imported for each new run (pydantic and
# pydantic_core pass by the SDK's default). Each kind's own workflow module is still re-imported, so the
# sandbox still checks its code; the helpers it shares are pure orchestration, their state per instance.
PASSTHROUGH = (
    "domain",  # with domain.messages, the workflow/activity message models
    "holidays",
    "dateutil",
    "rfc8785",
    "workflows.changes",  # which changes are in force for a run (no state: it reads the run's memo)
    "workflows.casework",  # the loop and step every kind shares: re-importing it was half a new run's cost
    "workflows.case_recorder",
    "workflows.step_correction",  # correcting a step, every kind alike
    "workflows.casework_cycle",  # the cycle's start and resume helpers every kind shares (no state of its own)
    "workflows.victims_added",  # starting an added victim's contact, every kind alike
    "workflows.deadline_tracker",
    "workflows.search_attributes",  # immutable SearchAttributeKey definitions
    "workflows.step_types",  # each kind's step TypeAdapter, costly to build
)


def workflow_runner(
    import_policy: SandboxImportNotificationPolicy = SandboxImportNotificationPolicy.WARN_ON_DYNAMIC_IMPORT,
) -> SandboxedWorkflowRunner:
    """The sandbox every yjflow worker runs workflows in. By default an import made while a workflow runs
    (not when its module loads) is warned of: it would be paid again on every run. The tests raise on any
    module a new run would import afresh beyond its own workflow module."""
    _keep_workflow_code()
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
    return SandboxedWorkflowRunner(restrictions=restrictions.with_import_notification_policy(import_policy))


class _KeptCode(SourceFileLoader):
    """A workflow module's loader that compiles its source once per process.

    The sandbox executes a kind's module afresh for every run it starts. Without bytecode on disk (where
    PYTHONDONTWRITEBYTECODE is set, as in our image and on these machines) each of those executions compiled
    the source again: a tenth of a new run's cost. The code is kept from the first compile, so a run also
    never executes a file edited after the worker started, which the worker's own classes do not have.
    """

    _codes: ClassVar[dict[str, CodeType]] = {}

    def get_code(self, fullname: str) -> CodeType:
        code = self._codes.get(self.path)
        if code is None:
            compiled = super().get_code(fullname)
            assert compiled is not None  # a source file always has code
            code = self._codes.setdefault(self.path, compiled)
        return code


class _WorkflowModules(MetaPathFinder):
    """Finds the `workflows` package's modules as the path finder does, loaded by `_KeptCode`."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith("workflows."):
            return None
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is not None and type(spec.loader) is SourceFileLoader:
            spec.loader = _KeptCode(spec.loader.name, spec.loader.path)
        return spec


def _keep_workflow_code() -> None:
    if not any(isinstance(finder, _WorkflowModules) for finder in sys.meta_path):
        sys.meta_path.insert(0, _WorkflowModules())
