"""Dependencies: what the code imports is declared in pyproject.toml and pinned in the locks."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = {"app", "tests", "bench", "wsgi", "migrations"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(requirements: list[str]) -> set[str]:
    return {_normalise(re.match(r"[A-Za-z0-9._-]+", line).group()) for line in requirements}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = _declared(PROJECT["dependencies"])
DEV = _declared(PROJECT["optional-dependencies"]["dev"])


def _imported_distributions(*folders: str) -> dict[str, set[str]]:
    """Each third-party distribution imported by the code in folders, with one file that does."""
    providers = packages_distributions()
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in sys.stdlib_module_names or top in OUR_PACKAGES:
                        continue
                    for dist in providers.get(top, [top]):
                        found.setdefault(_normalise(dist), set()).add(str(path.relative_to(ROOT)))
    return found


def _pinned(lock: str) -> set[str]:
    text = (ROOT / lock).read_text()
    return {_normalise(name) for name in re.findall(r"^([A-Za-z0-9._-]+)==", text, re.M)}


def test_the_app_imports_only_declared_runtime_packages() -> None:
    undeclared = {
        dist: sorted(files)
        for dist, files in _imported_distributions("app").items()
        if dist not in RUNTIME
    }
    assert not undeclared, f"Declare these in [project] dependencies: {undeclared}"


def test_tests_and_benchmarks_import_only_declared_packages() -> None:
    undeclared = {
        dist: sorted(files)
        for dist, files in _imported_distributions("tests", "bench").items()
        if dist not in RUNTIME | DEV
    }
    assert not undeclared, f"Declare these in the dev extra: {undeclared}"


@pytest.mark.parametrize(
    ("lock", "declared"),
    [("requirements.lock", RUNTIME), ("requirements-dev.lock", RUNTIME | DEV)],
)
def test_every_declared_package_is_pinned_in_the_lock(lock: str, declared: set[str]) -> None:
    missing = sorted(declared - _pinned(lock))
    assert not missing, f"{lock} lacks {missing}: run `make lock`"


def test_test_only_packages_stay_out_of_the_runtime_lock() -> None:
    assert not (DEV - RUNTIME) & _pinned("requirements.lock")
