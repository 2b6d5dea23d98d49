"""Failed sign-ins and bad API tokens, per client address: logged, and slowed once they repeat.

A token is 256 random bits, so guessing one is hopeless; what a stream of failures does show is someone
trying stolen, revoked or made-up tokens, or a misconfigured feed hammering the API. After
`allowed` failures from one address within `window` seconds, that address is answered 429 with
`Retry-After` (without its token even being looked up) until the oldest failure leaves the window.
A known user refused for another reason (an inspector after their dates) is not counted: that is not
guessing. The address is the one uvicorn reports: behind a proxy, set `YJFLOW_FORWARDED_ALLOW_IPS` so it
is the client's, not the proxy's.

`yjflow api` turns it on from its settings (`configure`); an app without it (tests, `yjflow dev`) only logs.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque

import structlog
from fastapi import FastAPI, HTTPException, Request

log = structlog.get_logger(__name__)

# Bounded, so that failures from very many addresses cannot grow the API's memory without limit.
MAX_ADDRESSES = 10_000


class AuthThrottle:
    def __init__(self, allowed: int, window: float) -> None:
        self.allowed = allowed
        self.window = window
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures.get(address)
        if times is None:
            return deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, address: str, now: float | None = None) -> int | None:
        """Seconds `address` must wait before trying again, or None when it may try now."""
        now = time.monotonic() if now is None else now
        times = self._recent(address, now)
        if len(times) < self.allowed:
            return None
        return max(1, math.ceil(self.window - (now - times[0])))

    def failed(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        times = self._recent(address, now)
        times.append(now)
        self._failures[address] = times
        self._failures.move_to_end(address)
        while len(self._failures) > MAX_ADDRESSES:
            self._failures.popitem(last=False)


def configure(app: FastAPI, allowed: int, window: float) -> None:
    app.state.auth_throttle = AuthThrottle(allowed, window)


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _throttle(request: Request) -> AuthThrottle | None:
    throttle = getattr(request.app.state, "auth_throttle", None)
    return throttle if isinstance(throttle, AuthThrottle) else None


def wait_required(request: Request) -> int | None:
    """Seconds this request's address must wait (too many recent failures), or None."""
    throttle = _throttle(request)
    return None if throttle is None else throttle.retry_after(address(request))


def refuse_if_throttled(request: Request) -> None:
    wait = wait_required(request)
    if wait is not None:
        log.warning("auth.throttled", address=address(request), path=request.url.path, retry_after=wait)
        raise HTTPException(
            429,
            f"too many failed sign-ins or bad tokens from this address: try again in {wait} seconds",
            {"Retry-After": str(wait)},
        )


def record_failure(request: Request, reason: str, account: str | None = None) -> None:
    """Log a failed sign-in or bad token (the address and, when known, the account; never the token)
    and count it against the address."""
    log.warning("auth.failed", address=address(request), account=account, reason=reason, path=request.url.path)
    throttle = _throttle(request)
    if throttle is not None:
        throttle.failed(address(request))
