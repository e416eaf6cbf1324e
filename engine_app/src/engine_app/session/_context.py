"""The DataFusion session, built from an :class:`EngineConfig`, and its runtime profile.

Every value that would otherwise follow the machine is pinned: target partitions (the
physical plan's shape), planning concurrency (defaults to the CPU count) and the
information schema (on; ``SessionConfig()`` turns it off). Two sessions built from equal
configs therefore plan identically on any machine with the same library versions.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
from typing import Any

from datafusion import SessionConfig, SessionContext

import artifact_contracts
from artifact_contracts import ContractValidationError, ValidationIssue, fingerprint
from artifact_contracts.models import (
    EngineConfig,
    LibraryVersion,
    RuntimeProfileSnapshot,
    SessionSetting,
)
from engine_app._version import __version__
from engine_app.errors import error_text

__all__ = [
    "LIBRARIES",
    "build_session",
    "library_versions",
    "read_settings",
    "rulepack_hash",
    "runtime_profile",
]

LIBRARIES = ("datafusion", "deltalake", "pyarrow")
"""The libraries whose versions can change a plan."""

# Defaults DataFusion derives from the machine; pinned unless the config overrides them.
_PINNED_DEFAULTS = {"datafusion.execution.planning_concurrency": "1"}

# Settings that describe the machine rather than the plan; kept out of every snapshot.
_MACHINE_SETTINGS = frozenset({"datafusion.runtime.temp_directory"})

# Settings that shape what the optimizer produces, besides `datafusion.optimizer.*`.
_PLAN_SHAPING = ("datafusion.execution.target_partitions", "datafusion.execution.batch_size")


def build_session(config: EngineConfig) -> SessionContext:
    """Build a :class:`SessionContext` from a validated engine configuration.

    Args:
        config: The configuration.

    Returns:
        A session with the information schema on and every machine default pinned.

    Raises:
        ContractValidationError: DataFusion rejects a key or value of
            ``config.settings``; the issue's path names it.
    """
    settings = {**_PINNED_DEFAULTS, **config.settings}
    session_config = (
        SessionConfig()
        .with_information_schema(True)
        .with_target_partitions(config.target_partitions)
        .with_batch_size(config.batch_size)
    )
    for key in sorted(settings):
        try:
            session_config = session_config.set(key, settings[key])
        except Exception as exc:  # DataFusion raises bare Exception/ValueError subclasses
            issue = ValidationIssue(
                path=f"$.settings[{key!r}]".replace("'", '"'),
                message=f"DataFusion rejects {key}={settings[key]!r}: {error_text(exc)}",
                kind="invalid_value",
            )
            raise ContractValidationError((issue,)) from exc
    return SessionContext(session_config)


def read_settings(ctx: SessionContext) -> tuple[SessionSetting, ...]:
    """Return the session's settings (``information_schema.df_settings``), sorted by name.

    Args:
        ctx: The session.

    Returns:
        Every setting except those that describe the machine.
    """
    rows = ctx.sql("SELECT name, value FROM information_schema.df_settings").to_pylist()
    return tuple(
        SessionSetting(name=row["name"], value=row["value"])
        for row in sorted(rows, key=lambda row: str(row["name"]))
        if row["name"] not in _MACHINE_SETTINGS
    )


@functools.cache
def library_versions() -> tuple[LibraryVersion, ...]:
    """Return the installed versions of the libraries that can change a plan, by name.

    Returns:
        One entry per name in :data:`LIBRARIES`.
    """
    return tuple(LibraryVersion(name=name, version=importlib.metadata.version(name)) for name in sorted(LIBRARIES))


def _datafusion_version() -> str:
    return next(lib.version for lib in library_versions() if lib.name == "datafusion")


@functools.lru_cache(maxsize=8)
def _optimizer_rules(settings: tuple[SessionSetting, ...]) -> tuple[str, ...]:
    """Name the analyzer, optimizer and physical rules DataFusion runs, in order.

    ``EXPLAIN VERBOSE`` lists one row per rule (``logical_plan after <rule>``), so the
    list changes exactly when DataFusion adds, removes or reorders a rule. Cached per
    settings, because a fresh session with equal settings runs the same rules.
    """
    ctx = SessionContext(
        functools.reduce(
            lambda cfg, item: cfg.set(item.name, item.value) if item.value is not None else cfg,
            (s for s in settings if s.name.startswith("datafusion.optimizer.")),
            SessionConfig().with_information_schema(True),
        )
    )
    rows = ctx.sql("EXPLAIN VERBOSE SELECT 1").to_pylist()
    rules: list[str] = []
    for row in rows:
        stage = str(row["plan_type"])
        if " after " in stage and stage not in rules:
            rules.append(stage)
    return tuple(rules)


def rulepack_hash(settings: tuple[SessionSetting, ...]) -> str:
    """Fingerprint the optimizer's configuration: its version, rules and settings.

    Args:
        settings: The session's settings (from :func:`read_settings`).

    Returns:
        The fingerprint of the DataFusion version, the ordered rule names and every
        ``datafusion.optimizer.*`` setting plus target partitions and batch size.
    """
    relevant = [
        (s.name, s.value) for s in settings if s.name.startswith("datafusion.optimizer.") or s.name in _PLAN_SHAPING
    ]
    document: dict[str, Any] = {
        "datafusion_version": _datafusion_version(),
        "rules": list(_optimizer_rules(settings)),
        "settings": relevant,
    }
    return fingerprint(document)


def runtime_profile(ctx: SessionContext, config: EngineConfig) -> RuntimeProfileSnapshot:
    """Snapshot the runtime a session plans in, with its planning environment hash.

    Args:
        ctx: The session (built by :func:`build_session`).
        config: The configuration it was built from.

    Returns:
        The profile. ``planning_env_hash`` covers the engine, contract and library
        versions, target partitions, batch size and every setting; the Python version
        and the CPU count are recorded but left out, since neither changes a plan.
    """
    settings = read_settings(ctx)
    hashed: dict[str, Any] = {
        "engine_version": __version__,
        "contract_version": artifact_contracts.__version__,
        "libraries": library_versions(),
        "target_partitions": config.target_partitions,
        "batch_size": config.batch_size,
        "settings": settings,
    }
    return RuntimeProfileSnapshot(
        engine_version=__version__,
        contract_version=artifact_contracts.__version__,
        python_version=platform.python_version(),
        libraries=library_versions(),
        target_partitions=config.target_partitions,
        batch_size=config.batch_size,
        settings=settings,
        cpu_count=os.cpu_count() or 0,
        planning_env_hash=fingerprint(hashed),
    )
