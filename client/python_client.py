"""A small, typed Python client for the yjflow HTTP API (what the CLI uses).

with YjflowClient("http://127.0.0.1:8000", token) as yj:
    yj.submit_outcome(outcome)
    yj.timeline("C-1001")
"""

from __future__ import annotations

import json
from typing import Any

import httpx


class ApiError(Exception):
    """The API refused a call; `status` is the HTTP status and `detail` its explanation."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


class YjflowClient:
    def __init__(self, base_url: str, token: str | None, *, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout)

    def __enter__(self) -> YjflowClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kw: Any) -> Any:
        r = self._http.request(method, path, **kw)
        if r.status_code not in ok:
            try:
                body = r.json()
                detail = body.get("detail", body) if isinstance(body, dict) else body
            except ValueError:
                detail = r.text
            raise ApiError(r.status_code, detail)
        return r.json()

    def submit_outcome_text(self, text: str) -> tuple[int, dict[str, Any]]:
        """Submit one outcome as raw JSON text; returns (status, body) for 200, 202 and 422 alike."""
        r = self._http.post("/court-outcomes", content=text, headers={"Content-Type": "application/json"})
        if r.status_code not in (200, 202, 422):
            raise ApiError(r.status_code, r.text)
        return r.status_code, r.json()

    def submit_court_results(self, feed: str, data: bytes, *, yjs: str | None = None) -> tuple[int, dict[str, Any]]:
        """Submit one court message as the court wrote it (`feed`: `common-platform` JSON or `spi` XML);
        returns (status, body) for 200, 202 and 422 alike: per defendant, what became of them."""
        kind = "application/json" if feed == "common-platform" else "application/xml"
        params = {"yjs": yjs} if yjs else None
        r = self._http.post(f"/court-results/{feed}", content=data, params=params, headers={"Content-Type": kind})
        if r.status_code not in (200, 202, 422):
            raise ApiError(r.status_code, r.text)
        return r.status_code, r.json()

    def submit_outcome(self, outcome: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Submit one outcome given as a dict; (status, body) as for `submit_outcome_text`."""
        return self.submit_outcome_text(json.dumps(outcome))

    def rejected(self, *, limit: int = 100, outcome_id: str | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if outcome_id is not None:
            params["outcome_id"] = outcome_id
        return list(self._call("GET", "/court-outcomes/rejected", params=params))

    def timeline(self, child_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/children/{child_id}/timeline"))

    def deadlines(self, **filters: Any) -> list[dict[str, Any]]:
        params = {k: v for k, v in filters.items() if v is not None}
        return list(self._call("GET", "/deadlines", params=params))

    def order(self, workflow_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/orders/{workflow_id}"))

    def export_order(self, workflow_id: str) -> dict[str, Any]:
        """The order's whole timeline with its hash chain, as a receiving service takes it on transfer."""
        return dict(self._call("GET", f"/orders/{workflow_id}/export"))

    def record_step(self, workflow_id: str, step: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("POST", f"/orders/{workflow_id}/steps", json=step))

    def correct_step(self, workflow_id: str, correction: dict[str, Any]) -> dict[str, Any]:
        """Void or replace a step recorded by mistake: {supersedes, reason, replacement?}."""
        cases = "victim-contacts" if workflow_id.startswith("victim-contact:") else "orders"
        return dict(self._call("POST", f"/{cases}/{workflow_id}/corrections", json=correction))

    def inspection_sample(self, *, start: str, end: str, **options: Any) -> dict[str, Any]:
        """An inspection sample for the period (YYYY-MM-DD); options: yjs, seed, children, victims,
        gaps_only (children's cases only where oversight.md flags a gap)."""
        params = {"start": start, "end": end, **{k: v for k, v in options.items() if v is not None}}
        return dict(self._call("GET", "/inspection/sample", params=params))

    def verify(self) -> dict[str, Any]:
        return dict(self._call("GET", "/verify"))

    def yjb_extract(self, *, start: str, end: str, yjs: str) -> dict[str, Any]:
        """The YJB case-level extract for a service over [start, end) (YYYY-MM-DD)."""
        return dict(self._call("GET", "/reports/yjb-extract", params={"from": start, "to": end, "yjs": yjs}))

    # --- victims ---

    def record_victim_details(
        self, victim_ref: str, details: dict[str, Any], *, purpose: str | None = None, received_on: str | None = None
    ) -> dict[str, Any]:
        """Store a victim's details (encrypted); returns the contacts updated, never the details."""
        params = {"purpose": purpose} if purpose else {}
        if received_on:
            params["received_on"] = received_on
        return dict(self._call("POST", f"/victims/{victim_ref}", json=details, params=params))

    def victim_details(self, victim_ref: str, *, purpose: str) -> dict[str, Any]:
        """A victim's details; the read is logged with `purpose`."""
        return dict(self._call("GET", f"/victims/{victim_ref}", params={"purpose": purpose}))

    def erase_victim_details(self, victim_ref: str, *, reason: str) -> dict[str, Any]:
        return dict(self._call("POST", f"/victims/{victim_ref}/erase", json={"reason": reason}))

    def access_log(
        self, *, victim_ref: str | None = None, since: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if victim_ref is not None:
            params["victim_ref"] = victim_ref
        if since is not None:
            params["since"] = since
        return list(self._call("GET", "/access-log", params=params))

    def victim_contacts(self, **filters: Any) -> list[dict[str, Any]]:
        """Filters: worker, due_before (YYYY-MM-DD), yjs, include_closed."""
        params = {k: v for k, v in filters.items() if v is not None}
        return list(self._call("GET", "/victim-contacts", params=params))

    def victim_contact(self, workflow_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/victim-contacts/{workflow_id}"))

    def record_victim_step(self, workflow_id: str, step: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("POST", f"/victim-contacts/{workflow_id}/steps", json=step))
