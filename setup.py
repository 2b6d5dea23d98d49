"""Install-time hook: build the pages' static assets (GOV.UK Frontend) before the package's files are
collected. Everything else about the package is in pyproject.toml. `pip install .` and `pip install -e .`
both run `build_py`, so both end with `client/web/static/` in place."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithAssets(build_py):
    """`build_py` that first runs `client/web/assets_build.py` (loaded by path: nothing of yjflow's
    dependencies is installed yet)."""

    def run(self) -> None:
        spec = importlib.util.spec_from_file_location("yjflow_assets_build", HERE / "client/web/assets_build.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.announce(module.build(HERE), level=2)
        super().run()


setup(cmdclass={"build_py": BuildWithAssets})
