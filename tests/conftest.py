"""Shared pytest configuration: Hypothesis profiles and the goldens option and fixture."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.golden import Golden, GoldenSession

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=200_000,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

_GOLDENS = pytest.StashKey[GoldenSession]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden snapshots instead of comparing against them, and remove unused ones",
    )


def pytest_configure(config: pytest.Config) -> None:
    goldens = GoldenSession(update=config.getoption("--update-goldens"), rootdir=Path(config.rootpath))
    config.stash[_GOLDENS] = goldens
    config.pluginmanager.register(goldens, "goldens")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """The goldens of the requesting test module (``goldens/`` next to it); see tests/golden.py."""
    return request.config.stash[_GOLDENS].for_test(request)
