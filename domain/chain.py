"""The per-stream SHA-256 hash chain over canonical JSON (RFC 8785).

Each event's hash covers the previous event's hash and every field a person could dispute:
where it sits in its stream, what happened, to whom, when it took effect, when it was recorded,
who did it and why. Canonical JSON keeps the hash stable whatever serialiser wrote the row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import rfc8785

GENESIS_HASH = "0" * 64
# What json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) does, built once.
_SORTED_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_SAFE_INTEGER = 2**53 - 1  # RFC 8785 (I-JSON): integers beyond this are refused, not printed


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical JSON of `value`, as UTF-8.

    The `rfc8785` package is pure Python and was most of the cost of an append and of a timeline page's
    chain check. For JSON holding only strings, booleans, nulls, safe integers, lists and objects whose
    keys sort the same by code point as by UTF-16 code unit, sorted `json.dumps` is byte for byte the
    RFC 8785 form: both escape exactly `"`, `\\` and U+0000–U+001F (with the same short forms and
    lower-case `\\u00xx`), print integers in decimal, and write everything else as UTF-8. Anything else
    (a float above all, whose form differs, or a lone surrogate) goes to `rfc8785` itself."""
    if _plain_json(value):
        try:
            return _SORTED_JSON.encode(value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 refuses it
            pass
    return bytes(rfc8785.dumps(value))


def _plain_json(value: Any) -> bool:
    """Whether `value` is JSON on which sorted `json.dumps` and RFC 8785 agree (see `canonical_json`)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            # Keys below U+D800 sort the same by code point as by UTF-16 code unit (only surrogate pairs move).
            if type(key) is not str or not (key.isascii() or max(key) < "\ud800"):
                return False
            if type(item) is not str and not _plain_json(item):  # str first: most values are
                return False
        return True
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_SAFE_INTEGER <= value <= _SAFE_INTEGER)
    if kind is list:
        return all(_plain_json(item) for item in value)
    return False


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    prev_hash: str,
    event_id: str,
    stream_id: str,
    stream_version: int,
    event_type: str,
    child_id: str,
    yjs: str,
    effective_at: datetime,
    recorded_at: datetime,
    actor: str,
    reason: str | None,
    payload: dict[str, Any],
    canonical: Callable[[Any], bytes] = canonical_json,
) -> str:
    """The hex SHA-256 of `prev_hash` followed by the canonical JSON of the event's fields (`canonical`
    is for a second look with the reference serialiser, `rfc8785.dumps`)."""
    body = canonical(
        {
            "event_id": event_id,
            "stream_id": stream_id,
            "stream_version": stream_version,
            "event_type": event_type,
            "child_id": child_id,
            "yjs": yjs,
            "effective_at": _instant(effective_at),
            "recorded_at": _instant(recorded_at),
            "actor": actor,
            "reason": reason,
            "payload": payload,
        }
    )
    return hashlib.sha256(prev_hash.encode("ascii") + body).hexdigest()
