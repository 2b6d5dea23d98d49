"""Every workflow a worker runs.

Kept out of `workflows/__init__.py` on purpose: the sandbox re-imports a workflow's module (and its
package's `__init__`) for every run it starts, and an `__init__` importing all five workflows made each
new run import them all.
"""

from workflows.custody import CustodyWorkflow
from workflows.referral_order import ReferralOrderWorkflow
from workflows.remand import RemandWorkflow
from workflows.victim_contact import VictimContactWorkflow
from workflows.youth_rehabilitation_order import YouthRehabilitationOrderWorkflow

ALL_WORKFLOWS = [
    ReferralOrderWorkflow,
    VictimContactWorkflow,
    YouthRehabilitationOrderWorkflow,
    RemandWorkflow,
    CustodyWorkflow,
]
