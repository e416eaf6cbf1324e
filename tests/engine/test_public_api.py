from __future__ import annotations

import importlib
import pkgutil

import pytest

import engine_app

pytestmark = pytest.mark.engine

# Every public module and subpackage, at any depth (a private module's names reach users
# through its package's re-exports).
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(engine_app.__path__, "engine_app.")
    if not any(part.startswith("_") for part in m.name.split("."))
)
SUBPACKAGES = sorted(m.name for m in pkgutil.iter_modules(engine_app.__path__, "engine_app.") if m.ispkg)


@pytest.mark.parametrize("name", MODULES)
def test_every_module_has_a_sorted_complete_all(name: str) -> None:
    module = importlib.import_module(name)
    assert list(module.__all__) == sorted(set(module.__all__))
    for exported in module.__all__:
        assert hasattr(module, exported), exported


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_every_subpackage_says_what_it_owns(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__ is not None
    assert len(module.__doc__.strip().splitlines()) >= 3, "a docstring naming what the subpackage holds"


def test_the_layout_is_the_documented_one() -> None:
    assert [
        f"engine_app.{n}" for n in ("cli", "delta", "demo", "history", "planning", "scaleout", "session", "stores")
    ] == SUBPACKAGES


def test_version_matches_the_distribution() -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("engine-app")
    except PackageNotFoundError:
        pytest.skip("engine-app is not installed (sources on PYTHONPATH)")
    assert engine_app.__version__ == installed
