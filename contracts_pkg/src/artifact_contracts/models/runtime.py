"""The runtime an artifact was produced in."""

from typing import Annotated

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models.plan import SessionSetting
from artifact_contracts.models.types import Count, Fingerprint, Name, SemVer

__all__ = ["LibraryVersion", "RuntimeProfileSnapshot"]


class LibraryVersion(StructBaseCompat):
    """One library and the version that was loaded."""

    name: Annotated[Name, msgspec.Meta(description="The distribution name, e.g. `datafusion`.")]
    version: Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="The version loaded.")]


class RuntimeProfileSnapshot(StructBaseCompat, tag="runtime_profile", tag_field="kind"):
    """Engine and library versions and the session settings that shape planning.

    ``planning_env_hash`` is the fingerprint of everything here that can change a plan
    (versions, target partitions, settings); machine facts such as paths are left out.
    """

    engine_version: Annotated[SemVer, msgspec.Meta(description="The engine-app version.")]
    contract_version: Annotated[SemVer, msgspec.Meta(description="The artifact-contracts version.")]
    python_version: Annotated[
        str, msgspec.Meta(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+", description="The Python version, e.g. `3.11.7`.")
    ]
    libraries: Annotated[tuple[LibraryVersion, ...], msgspec.Meta(description="Sorted by name.")] = ()
    target_partitions: Annotated[int, msgspec.Meta(ge=1, le=4096, description="The session's `target_partitions`.")]
    batch_size: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1, description="The session's batch size, in rows.")] = (
        8192
    )
    settings: Annotated[tuple[SessionSetting, ...], msgspec.Meta(description="Sorted by name.")] = ()
    cpu_count: Annotated[Count, msgspec.Meta(description="Informational; not in the hash.")] = 0
    planning_env_hash: Annotated[
        Fingerprint, msgspec.Meta(description="Fingerprint of everything here that can change a plan.")
    ]
