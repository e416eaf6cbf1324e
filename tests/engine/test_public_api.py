from __future__ import annotations

import importlib
import pkgutil

import pytest

import engine_app

pytestmark = pytest.mark.engine

MODULES = sorted(m.name for m in pkgutil.iter_modules(engine_app.__path__) if not m.name.startswith("_"))


@pytest.mark.parametrize("name", MODULES)
def test_every_module_has_a_sorted_complete_all(name: str) -> None:
    module = importlib.import_module(f"engine_app.{name}")
    assert list(module.__all__) == sorted(set(module.__all__))
    for exported in module.__all__:
        assert hasattr(module, exported), exported


def test_version_matches_the_distribution() -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("engine-app")
    except PackageNotFoundError:
        pytest.skip("engine-app is not installed (sources on PYTHONPATH)")
    assert engine_app.__version__ == installed
