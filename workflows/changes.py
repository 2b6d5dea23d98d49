"""Whether a change to the workflows' logic is in force for this run: the one place that asks.

Every change to a running workflow's logic sits behind a named patch, so a run begun before it replays its
own way. Taking a patch costs a new run's history a marker and a `TemporalChangeVersion` search-attribute
upsert: about 0.85 ms of the Temporal server's CPU each (bench/RESULTS.md, 4 December), and a referral
order's opening took six, more than all the rest of what its opening costs Temporal beyond a bare workflow.

A run started after a set of patches has no older self to replay. The relay starts it with a memo naming
the baseline it was born on (`BASELINE_MEMO`), and every patch of that baseline is in force for it with no
marker: it runs exactly as a new run that took each patch would. A run started without the memo (every
run started before baselines, and the tests' own starts) takes each patch as before, and so does any
patch added after the run's baseline. The memo is in the run's first event, so replay decides alike; a
run that continues as new keeps its memo, and a victim's contact it starts is born on its baseline.

To shed the patches added since: name them in a new baseline and start runs on it (`CURRENT`); never
remove a patch from a baseline, or change one a run may have started on.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

BASELINE_MEMO = "yjflow-baseline"

# Baseline N: the patches in force, without markers, for a run started on it.
BASELINES: dict[int, frozenset[str]] = {
    1: frozenset(
        {
            "tell-victim-contacts",
            "step-dates-in-order",
            "progress-panels-within-order",
            "casework-cycle",
            "casework-cycle-from-next-step",
            "victim-added",
            "recorded-with-its-deadlines",
            "steps-after-the-opening",
            "cancel-misses-after-closure",
            "victim-steps-in-order",
            "hmpps-release-dates",
            "dto-victim-milestones",
        }
    ),
}
CURRENT = 1


def baseline_memo() -> dict[str, Any]:
    """The memo a new run is started with (by the relay), so it is born on the current baseline."""
    return {BASELINE_MEMO: CURRENT}


def _baseline() -> int:
    value = workflow.memo_value(BASELINE_MEMO, default=0)
    return value if isinstance(value, int) else 0


def in_force(patch_id: str) -> bool:
    """Whether the change named `patch_id` applies to this run: always on a baseline that holds it,
    otherwise as `workflow.patched` says (a new run takes it, a run from before replays without it)."""
    if patch_id in BASELINES.get(_baseline(), frozenset()):
        return True
    return workflow.patched(patch_id)


def child_memo() -> dict[str, Any] | None:
    """The memo for a workflow this run starts: its own baseline, so the child is born on it too; None for
    a run on no baseline, whose child starts as it always did (the start command replays unchanged)."""
    baseline = _baseline()
    return {BASELINE_MEMO: baseline} if baseline else None
