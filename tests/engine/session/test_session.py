from __future__ import annotations

import pytest

from artifact_contracts import ContractValidationError
from artifact_contracts.models import EngineConfig
from engine_app.session import EngineSession, build_session, read_settings, rulepack_hash, runtime_profile

pytestmark = pytest.mark.engine


def _setting(ctx, name: str) -> str | None:  # type: ignore[no-untyped-def]
    return {s.name: s.value for s in read_settings(ctx)}[name]


@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_session_pins_partitions_and_turns_information_schema_on(partitions: int) -> None:
    ctx = build_session(EngineConfig(target_partitions=partitions))
    assert _setting(ctx, "datafusion.execution.target_partitions") == str(partitions)
    assert _setting(ctx, "datafusion.catalog.information_schema") == "true"
    # planning_concurrency defaults to the CPU count; it is pinned so that snapshots agree across machines.
    assert _setting(ctx, "datafusion.execution.planning_concurrency") == "1"


def test_settings_reach_the_session() -> None:
    ctx = build_session(EngineConfig(settings={"datafusion.optimizer.max_passes": "5"}))
    assert _setting(ctx, "datafusion.optimizer.max_passes") == "5"


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"datafusion.optimizer.no_such_rule": "true"}, "not found"),
        ({"datafusion.execution.batch_size": "many"}, "parsing 'many'"),
    ],
)
def test_bad_settings_are_validation_errors_with_a_path(settings: dict[str, str], match: str) -> None:
    with pytest.raises(ContractValidationError, match=match) as caught:
        build_session(EngineConfig(settings=settings))
    [issue] = caught.value.issues
    assert issue.path == f'$.settings["{next(iter(settings))}"]'
    assert "/root/.cargo" not in issue.message


def test_runtime_profile_hash_follows_plan_shaping_values_only() -> None:
    base = EngineConfig(target_partitions=2)
    a = runtime_profile(build_session(base), base)
    b = runtime_profile(build_session(base), base)
    assert a == b
    assert a.planning_env_hash == b.planning_env_hash
    assert [lib.name for lib in a.libraries] == ["datafusion", "deltalake", "pyarrow"]
    other = EngineConfig(target_partitions=3)
    assert runtime_profile(build_session(other), other).planning_env_hash != a.planning_env_hash


def test_rulepack_hash_follows_optimizer_settings() -> None:
    default = rulepack_hash(read_settings(build_session(EngineConfig())))
    assert default == rulepack_hash(read_settings(build_session(EngineConfig())))
    changed = EngineConfig(settings={"datafusion.optimizer.max_passes": "1"})
    assert rulepack_hash(read_settings(build_session(changed))) != default
    # Settings outside the optimizer's reach leave it alone.
    unrelated = EngineConfig(settings={"datafusion.format.null": "NULL"})
    assert rulepack_hash(read_settings(build_session(unrelated))) == default


def test_environment_rebuilds_an_equal_session(tpch_session: EngineSession) -> None:
    tpch_session.register_view("v_nations", "SELECT n_name FROM nation")
    rebuilt = EngineSession.from_environment(tpch_session.environment())
    assert rebuilt.environment() == tpch_session.environment()
    assert rebuilt.profile.planning_env_hash == tpch_session.profile.planning_env_hash
    assert rebuilt.ctx.sql("SELECT count(*) AS n FROM v_nations").to_pylist() == [{"n": 25}]


def test_duplicate_names_are_refused(tpch_session: EngineSession) -> None:
    from engine_app.errors import EngineError

    with pytest.raises(EngineError, match="already registered"):
        tpch_session.register_view("nation", "SELECT 1")
