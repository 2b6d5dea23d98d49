"""Every workflow a worker runs, and the sandbox they run in: the one `workflow_runner` the worker, the
test harness and the replay tests all use, so what is tested is what runs.

Kept out of `workflows/__init__.py` on purpose: the sandbox re-imports a workflow's module (and its
package's `__init__`) for every run it starts, and an `__init__` importing all five workflows made each
new run import them all.
"""

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
    "workflows.casework",  # the loop and step every kind shares: re-importing it was half a new run's cost
    "workflows.case_recorder",
    "workflows.casework_cycle",  # the cycle's start and resume helpers every kind shares (no state of its own)
    "workflows.victims_added",  # starting an added victim's contact, every kind alike
    "workflows.deadline_tracker",
    "workflows.search_attributes",  # immutable SearchAttributeKey definitions
)


def workflow_runner(
    import_policy: SandboxImportNotificationPolicy = SandboxImportNotificationPolicy.WARN_ON_DYNAMIC_IMPORT,
) -> SandboxedWorkflowRunner:
    """The sandbox every yjflow worker runs workflows in. By default an import made while a workflow runs
    (not when its module loads) is warned of: it would be paid again on every run. The tests raise on any
    module a new run would import afresh beyond its own workflow module."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH)
    return SandboxedWorkflowRunner(restrictions=restrictions.with_import_notification_policy(import_policy))
