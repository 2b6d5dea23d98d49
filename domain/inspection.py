"""Choosing an inspection sample the way the inspectorate does: children's cases and victims' cases,
sized by policy (data, `rules/inspection.toml`), stratified by order kind and reproducible from a seed.

Pure: the caller gives the eligible cases; the same cases, policy and seed always give the same sample.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Group = Literal["children", "victims"]
VICTIM_KIND = "victim_contact"


class InspectionError(ValueError):
    """A sample request that cannot be met as asked; the message names the field and the rule."""


class SizePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    minimum: int = Field(ge=0)
    maximum: int = Field(ge=1)
    share: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> SizePolicy:
        if self.minimum > self.maximum:
            raise ValueError(f"minimum ({self.minimum}) must not exceed maximum ({self.maximum})")
        return self


class SamplePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    source: str
    children: SizePolicy
    victims: SizePolicy

    def for_group(self, group: Group) -> SizePolicy:
        return self.children if group == "children" else self.victims


def load_policy(text: str) -> SamplePolicy:
    """The sample policy from TOML text (the shipped one: `activities.rule_source.inspection_policy`)."""
    return SamplePolicy.model_validate(tomllib.loads(text))


class Candidate(BaseModel):
    """An eligible case: an order (children's sample) or a victim's contact (victims' sample)."""

    model_config = ConfigDict(frozen=True)

    workflow_id: str
    kind: str
    child_id: str
    yjs: str
    opened_on: date

    @property
    def group(self) -> Group:
        return "victims" if self.kind == VICTIM_KIND else "children"


class SampleRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    yjs: str | None = None
    seed: int = 0
    children: int | None = None  # None: sized by policy
    victims: int | None = None
    # Children's cases only from those with a gap oversight.md flags ("show me what an inspector will find").
    gaps_only: bool = False

    @model_validator(mode="after")
    def _period(self) -> SampleRequest:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) must be on or after start ({self.start})")
        return self


class Stratum(BaseModel):
    kind: str
    eligible: int
    chosen: int


class GroupSample(BaseModel):
    group: Group
    eligible: int
    size: int
    strata: list[Stratum]
    cases: list[Candidate]


class Sample(BaseModel):
    policy_version: str
    request: SampleRequest
    children: GroupSample
    victims: GroupSample


def sample_size(eligible: int, policy: SizePolicy, requested: int | None, field: str) -> int:
    """How many to take: `requested` (checked against the policy) or the policy's share, clamped to its
    minimum and maximum, and never more than there are."""
    if requested is not None:
        if not policy.minimum <= requested <= policy.maximum:
            raise InspectionError(
                f"{field}: {requested} is outside the policy's range {policy.minimum}–{policy.maximum}"
            )
        return min(requested, eligible)
    share = math.ceil(eligible * policy.share)
    return min(eligible, max(policy.minimum, min(policy.maximum, share)))


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Split `total` across strata in proportion to their sizes (largest remainder; ties by name), so
    every kind is represented as it is in the caseload."""
    population = sum(sizes.values())
    if population == 0 or total == 0:
        return dict.fromkeys(sizes, 0)
    quotas = {k: total * n / population for k, n in sizes.items()}
    chosen = {k: math.floor(q) for k, q in quotas.items()}
    left = total - sum(chosen.values())
    for k in sorted(sizes, key=lambda k: (-(quotas[k] - chosen[k]), k))[:left]:
        chosen[k] += 1
    return chosen


def _draw_rank(seed: int, group: Group, kind: str, workflow_id: str) -> str:
    return hashlib.sha256(f"{seed}:{group}:{kind}:{workflow_id}".encode()).hexdigest()


def _group_sample(
    group: Group, candidates: Sequence[Candidate], policy: SizePolicy, requested: int | None, seed: int
) -> GroupSample:
    by_kind: dict[str, list[Candidate]] = defaultdict(list)
    for c in sorted(candidates, key=lambda c: c.workflow_id):
        by_kind[c.kind].append(c)
    size = sample_size(len(candidates), policy, requested, group)
    quotas = allocate({k: len(v) for k, v in by_kind.items()}, size)
    chosen: list[Candidate] = []
    strata = []
    for kind in sorted(by_kind):
        # A case's place in the draw is a hash of the seed, its stratum and its own id: reproducible
        # without a random generator, and adding cases of another kind never changes this kind's choice.
        ranked = sorted(by_kind[kind], key=lambda c: _draw_rank(seed, group, kind, c.workflow_id))
        picked = ranked[: quotas[kind]]
        chosen += sorted(picked, key=lambda c: c.workflow_id)
        strata.append(Stratum(kind=kind, eligible=len(by_kind[kind]), chosen=quotas[kind]))
    return GroupSample(group=group, eligible=len(candidates), size=size, strata=strata, cases=chosen)


def choose_sample(candidates: Sequence[Candidate], request: SampleRequest, policy: SamplePolicy) -> Sample:
    """The children's and victims' samples from the eligible cases."""
    children = [c for c in candidates if c.group == "children"]
    victims = [c for c in candidates if c.group == "victims"]
    return Sample(
        policy_version=policy.version,
        request=request,
        children=_group_sample("children", children, policy.children, request.children, request.seed),
        victims=_group_sample("victims", victims, policy.victims, request.victims, request.seed),
    )
