"""Build the pages' static assets from the locked npm packages, at install time (run by `setup.py`).

GOV.UK Frontend's precompiled CSS, JS, fonts and images are copied into `client/web/static/` (gitignored,
shipped as package data); axe-core stays in `node_modules/axe-core/` for the browser tests (never served).
With `npm` on PATH this runs `npm ci --ignore-scripts` against the committed `package-lock.json`; without
it, each locked tarball is fetched from registry.npmjs.org and checked against the lock file's sha512
`integrity` before anything is unpacked, so a machine with only Python and pip builds the same files.

Standard library only: it runs inside pip's isolated build environment, before yjflow's dependencies exist.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = Path(__file__).resolve().parent
STATIC = WEB / "static"
OWN_ASSETS = WEB / "assets_src"
NODE_MODULES = ROOT / "node_modules"
REGISTRY = "https://registry.npmjs.org"
GOVUK_DIST = Path("govuk-frontend") / "dist" / "govuk"
# Swagger UI for the API docs at /docs, served from here rather than a CDN (swagger-ui-dist).
SWAGGER_DIST = Path("swagger-ui-dist")
SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE")
AXE = NODE_MODULES / "axe-core" / "axe.min.js"


class AssetBuildError(RuntimeError):
    """The assets could not be built; the message says which step failed and why."""


def _locked_packages(lock_file: Path) -> dict[str, dict[str, str]]:
    lock = json.loads(lock_file.read_text(encoding="utf-8"))
    found: dict[str, dict[str, str]] = {}
    for key, entry in lock.get("packages", {}).items():
        if not key.startswith("node_modules/"):
            continue
        name = key.removeprefix("node_modules/")
        if "integrity" not in entry or "version" not in entry:
            raise AssetBuildError(f"package-lock.json: {name} has no version or integrity; run npm install again")
        found[name] = entry
    return found


def _tarball_url(name: str, entry: dict[str, str]) -> str:
    if entry.get("resolved"):
        return entry["resolved"]
    return f"{REGISTRY}/{name}/-/{name.rsplit('/', 1)[-1]}-{entry['version']}.tgz"


def _check_integrity(name: str, data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise AssetBuildError(f"{name}: integrity {algorithm!r} is not sha512; refusing an unverifiable tarball")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise AssetBuildError(f"{name}: tarball sha512 {actual} does not match the lock file's {expected}")


def _unpack(name: str, data: bytes, into: Path) -> None:
    target = into / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            # npm tarballs hold everything under "package/"; anything else (or an escape) is not unpacked.
            parts = Path(member.name).parts
            if not parts or parts[0] != "package" or ".." in parts or not (member.isfile() or member.isdir()):
                continue
            dest = target.joinpath(*parts[1:])
            if member.isdir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            extracted = tar.extractfile(member)
            assert extracted is not None
            dest.write_bytes(extracted.read())


def fetch_locked_packages(root: Path = ROOT) -> None:
    """`npm ci` without npm: every locked package from the registry, checked against its integrity."""
    packages = _locked_packages(root / "package-lock.json")
    for name, entry in packages.items():
        url = _tarball_url(name, entry)
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
        except OSError as e:
            raise AssetBuildError(f"{name}: could not fetch {url}: {e}") from e
        _check_integrity(name, data, entry["integrity"])
        _unpack(name, data, root / "node_modules")


def install_packages(root: Path = ROOT) -> str:
    """Install the locked packages into `node_modules/`; returns how ("npm ci" or "python fetch")."""
    npm = None if os.environ.get("YJFLOW_ASSETS_NO_NPM") else shutil.which("npm")
    if npm:
        result = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise AssetBuildError(f"npm ci failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
        return "npm ci"
    fetch_locked_packages(root)
    return "python fetch"


def copy_assets(root: Path = ROOT, static: Path = STATIC) -> None:
    """GOV.UK Frontend's built CSS, JS and assets (fonts, images, manifest), Swagger UI's bundle, and our
    own scripts."""
    dist = root / "node_modules" / GOVUK_DIST
    if not dist.is_dir():
        raise AssetBuildError(f"{dist} is missing: govuk-frontend was not installed")
    if static.exists():
        shutil.rmtree(static)
    static.mkdir(parents=True)
    for file in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        shutil.copy2(dist / file, static / file)
    shutil.copytree(dist / "assets", static / "assets")
    swagger = root / "node_modules" / SWAGGER_DIST
    if not swagger.is_dir():
        raise AssetBuildError(f"{swagger} is missing: swagger-ui-dist was not installed")
    (static / "swagger").mkdir()
    for file in SWAGGER_FILES:
        shutil.copy2(swagger / file, static / "swagger" / file)
    for own in sorted(OWN_ASSETS.glob("*")):
        if own.is_file():
            shutil.copy2(own, static / own.name)


def build(root: Path = ROOT) -> str:
    """Install the locked packages and copy the served assets; returns a one-line summary."""
    how = install_packages(root)
    copy_assets(root)
    if not (root / "node_modules" / "axe-core" / "axe.min.js").is_file():
        raise AssetBuildError("axe-core's axe.min.js is missing after install")
    return f"web assets built ({how}) into {STATIC}"


if __name__ == "__main__":
    try:
        print(build())
    except AssetBuildError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
