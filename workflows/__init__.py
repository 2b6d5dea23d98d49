"""Deterministic orchestration: each workflow carries out what `domain/` decides and records it.

The list of workflows a worker runs is `workflows.registry.ALL_WORKFLOWS` (see there why not here).
"""
