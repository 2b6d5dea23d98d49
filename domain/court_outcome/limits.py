"""How long an outcome's text may be, field by field, and how large its body.

Without limits a 1 MB name was accepted and a refused 1 MB outcome was stored twice (whole, and as the
text received). The limits are generous for what courts send: the longest court names are under 100
characters, offence wordings under 300 (the CJS offence code list), identifiers under 100."""

from __future__ import annotations

from domain.court_outcome.errors import FieldError

# A court outcome's body, as sent. A real one is a few kilobytes; 256 KiB leaves room for dozens of
# offences and victims.
MAX_BODY_BYTES = 256 * 1024
# Per field, by its path with list positions left out (offences[3].description -> offences.description).
TEXT_LIMITS: dict[str, int] = {
    "court.name": 200,
    "child.given_name": 100,
    "child.family_name": 100,
    "offences.code": 20,
    "offences.description": 500,
}
# Any other text field (an identifier has its own check, at most 100).
DEFAULT_TEXT_LIMIT = 1000


def _walk(value: object, path: str, plain: str) -> list[FieldError]:
    if isinstance(value, str):
        limit = TEXT_LIMITS.get(plain, DEFAULT_TEXT_LIMIT)
        if len(value) <= limit:
            return []
        rule = f"{plain or 'body'}.max_length"
        return [
            FieldError(field=path or "body", rule=rule, message=f"{path} is {len(value)} characters: at most {limit}")
        ]
    if isinstance(value, dict):
        return [
            e
            for key, item in value.items()
            for e in _walk(item, f"{path}.{key}" if path else str(key), f"{plain}.{key}" if plain else str(key))
        ]
    if isinstance(value, list):
        return [e for i, item in enumerate(value) for e in _walk(item, f"{path}[{i}]", plain)]
    return []


def text_limit_errors(body: object) -> list[FieldError]:
    """Every text field of `body` longer than its limit, named by its path (`offences[0].description`)."""
    return _walk(body, "", "")


def body_too_large(size: int | None) -> FieldError:
    """The refusal of a body over `MAX_BODY_BYTES` (`size` when the sender declared it)."""
    what = f"is {size} bytes" if size is not None else f"is over {MAX_BODY_BYTES} bytes"
    return FieldError(
        field="body",
        rule="body.max_bytes",
        message=f"the body {what}: a court outcome is at most {MAX_BODY_BYTES} bytes",
    )
