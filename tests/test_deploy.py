"""The docker-compose namespace step registers exactly the search attributes the workflows upsert."""

from __future__ import annotations

import re
from pathlib import Path

from workflows import search_attributes as sa

ROOT = Path(__file__).parent.parent


def test_namespace_script_registers_every_search_attribute_the_workflows_use() -> None:
    """A workflow upserting an unregistered attribute hangs (ENGINEERING-NOTES §1.12.8)."""
    script = (ROOT / "deploy/temporal/scripts/create-namespace.sh").read_text()
    registered = set(re.findall(r"(Yjs\w+)=Keyword", script))
    assert registered == {k.name for k in sa.ALL}
