"""Who an organisation's account is in yjflow: its provider's claims (groups, roles, departments) mapped
to one yjflow role and the services it works in.

The mapping is a deployment's configuration, not code: `{"<claim>": {"<value>": {"role": …, "services":
[…]}}}`, for example `{"groups": {"yjs-luton-caseworkers": {"role": "case_worker", "services": ["luton"]}}}`.
A claim may hold one value or a list (a `groups` claim). Every matching entry counts: services add up,
and the role must be one role, because a person with two roles at once could not be told which they are
acting in; a person the mapping does not know is refused, never given a default role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.access import Role, check_service


class MappingError(ValueError):
    """The configured mapping cannot be used; the message names the entry and what is wrong with it."""


class Grant(BaseModel):
    """What one claim value gives: a role and the services (YJS slugs) its holder works in; no services
    is every service, as for a user added without `--service` (a single-service deployment, operators)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    services: tuple[str, ...] = Field(default=())

    @field_validator("services")
    @classmethod
    def _services_named(cls, services: tuple[str, ...]) -> tuple[str, ...]:
        for service in services:
            check_service(service)
        return services


class SignInMapping(BaseModel):
    """Claim name → claim value → grant."""

    model_config = ConfigDict(frozen=True)

    claims: dict[str, dict[str, Grant]]

    def known(self) -> str:
        """The values the mapping knows, per claim, for a refusal's message."""
        return "; ".join(f"{claim}: {', '.join(sorted(values))}" for claim, values in sorted(self.claims.items()))


class Granted(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Role
    services: tuple[str, ...]
    matched: tuple[str, ...]  # "claim=value", for the record of why this role was given


class Refused(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason: str


def parse_mapping(document: Any, source: str) -> SignInMapping:
    """The mapping from its JSON document; `source` (a file name or a variable) is named in every error."""
    if not isinstance(document, Mapping) or not document:
        raise MappingError(
            f"{source}: the mapping must be a JSON object of claims, e.g. "
            '{"groups": {"yjs-luton-caseworkers": {"role": "case_worker", "services": ["luton"]}}}'
        )
    claims: dict[str, dict[str, Grant]] = {}
    for claim, values in document.items():
        if not isinstance(values, Mapping) or not values:
            raise MappingError(
                f"{source}: claim {claim!r} must map its values to grants ({{value: {{role, services}}}})"
            )
        claims[str(claim)] = {}
        for value, grant in values.items():
            try:
                claims[str(claim)][str(value)] = Grant.model_validate(grant)
            except ValidationError as e:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in err['loc']) or 'grant'}: {err['msg']}" for err in e.errors()
                )
                roles = ", ".join(r.value for r in Role)
                raise MappingError(f"{source}: {claim}={value!r}: {problems} (roles are {roles})") from None
    return SignInMapping(claims=claims)


def _values(claim: Any) -> list[str]:
    if claim is None:
        return []
    if isinstance(claim, list | tuple):
        return [str(v) for v in claim if isinstance(v, str | int)]
    if isinstance(claim, str | int):
        return [str(claim)]
    return []


def seen_claims(mapping: SignInMapping, claims: Mapping[str, Any]) -> str:
    """What the account's mapped claims held, for a refusal's message."""
    parts = []
    for claim in sorted(mapping.claims):
        values = _values(claims.get(claim))
        parts.append(f"{claim}: {', '.join(values) if values else 'none'}")
    return "; ".join(parts)


def decide(mapping: SignInMapping, claims: Mapping[str, Any]) -> Granted | Refused:
    """The role and services the account's claims map to, or why it may not sign in."""
    matched: list[tuple[str, Grant]] = []
    for claim, values in mapping.claims.items():
        for value in _values(claims.get(claim)):
            if value in values:
                matched.append((f"{claim}={value}", values[value]))
    if not matched:
        return Refused(
            reason=f"no yjflow role is mapped to your organisation account: it has {seen_claims(mapping, claims)}; "
            f"the mapping knows {mapping.known()}. Ask your yjflow administrator to map one of your groups "
            "to a role"
        )
    roles = sorted({grant.role.value for _, grant in matched})
    if len(roles) > 1:
        which = ", ".join(f"{name} ({grant.role.value})" for name, grant in matched)
        return Refused(
            reason=f"your organisation account maps to more than one yjflow role ({which}): a person acts in "
            "one role, so ask your yjflow administrator to leave you in the groups of one role"
        )
    services = tuple(sorted({s for _, grant in matched for s in grant.services}))
    return Granted(role=matched[0][1].role, services=services, matched=tuple(name for name, _ in matched))


def username_from(claims: Mapping[str, Any], username_claim: str) -> str | None:
    """The yjflow username of a first sign-in: the configured claim, else the email, else the subject.

    The subject is unique at its issuer but unreadable in a timeline, so it is the last resort."""
    for name in (username_claim, "email", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
