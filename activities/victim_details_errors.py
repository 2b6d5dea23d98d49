"""Why a request about victims' details cannot be carried out. Each names the victim ref, never a detail."""

from __future__ import annotations

from typing import ClassVar


class VictimDetailsError(Exception):
    """A request about victims' details that cannot be carried out; retrying it gives the same answer."""

    non_retryable: ClassVar[bool] = True

    def __init__(self, message: str, *, victim_ref: str | None = None) -> None:
        super().__init__(message)
        self.victim_ref = victim_ref


class AccessDenied(VictimDetailsError, PermissionError):
    """The user's role may not do this; the refusal has been logged."""


class VictimNotFound(VictimDetailsError, LookupError):
    """No details are recorded for this victim ref."""


class DetailsErased(VictimDetailsError):
    """The victim's key was destroyed at erasure: the details can never be read or written again."""


class VictimKeyError(VictimDetailsError):
    """The victim's data key does not unwrap: a different master key (or key id) than the one that wrapped
    it, or a tampered key row. Never silently treated as "no details"."""


class DetailsIntegrityError(VictimDetailsError):
    """The stored details do not decrypt under the victim's own key: tampered, or copied from another victim."""
