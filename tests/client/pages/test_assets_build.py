"""The install-time asset build (client/web/assets_build.py): what the lock file pins, and that a tarball
whose sha512 differs from the lock file's integrity is refused before anything is unpacked."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from client.web import assets_build
from client.web.assets_build import AssetBuildError

ROOT = Path(__file__).resolve().parents[3]


def _tarball(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_the_lock_file_pins_govuk_frontend_5_and_axe_core_with_sha512() -> None:
    packages = assets_build._locked_packages(ROOT / "package-lock.json")
    assert packages["govuk-frontend"]["version"].startswith("5.")
    # swagger-ui-dist serves the API docs; @scarf/scarf is its dependency, never run (--ignore-scripts).
    assert set(packages) == {"govuk-frontend", "axe-core", "swagger-ui-dist", "@scarf/scarf"}
    assert all(p["integrity"].startswith("sha512-") for p in packages.values())
    manifest = json.loads((ROOT / "package.json").read_text())
    assert manifest["dependencies"]["govuk-frontend"] == packages["govuk-frontend"]["version"]


def test_a_tampered_tarball_is_refused(tmp_path: Path) -> None:
    good = _tarball({"package/index.js": b"ok"})
    bad = _tarball({"package/index.js": b"evil"})
    with pytest.raises(AssetBuildError, match="does not match the lock file"):
        assets_build._check_integrity("pkg", bad, _integrity(good))
    with pytest.raises(AssetBuildError, match="not sha512"):
        assets_build._check_integrity("pkg", good, "sha1-abc")
    assets_build._check_integrity("pkg", good, _integrity(good))
    assets_build._unpack("pkg", good, tmp_path)
    assert (tmp_path / "pkg" / "index.js").read_bytes() == b"ok"


def test_unpacking_never_writes_outside_the_package(tmp_path: Path) -> None:
    sneaky = _tarball({"package/../../escaped.txt": b"x", "other/file.txt": b"y", "package/ok.txt": b"z"})
    assets_build._unpack("pkg", sneaky, tmp_path / "node_modules")
    assert not (tmp_path / "escaped.txt").exists()
    assert sorted(p.name for p in (tmp_path / "node_modules" / "pkg").rglob("*")) == ["ok.txt"]


def test_the_built_assets_are_in_place() -> None:
    static = ROOT / "client" / "web" / "static"
    assert (static / "govuk-frontend.min.css").stat().st_size > 50_000
    assert (static / "assets" / "manifest.json").is_file()
    assert any((static / "assets" / "fonts").glob("*.woff2"))
    assert (ROOT / "node_modules" / "axe-core" / "axe.min.js").is_file()
    assert not (static / "axe.min.js").exists()  # test-only: never served
