"""Register Delta tables and parquet files with a session, and remember where they live.

Delta tables go through deltalake's DataFusion table provider (FFI): it reads the
table's current snapshot, whatever files the log has tombstoned, which reading the
directory as parquet would not. Parquet goes through DataFusion's listing table, whose
plans DataFusion's protobuf codec can serialize (the FFI provider's cannot).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from datafusion import SessionContext
from deltalake import DeltaTable

from artifact_contracts.models import TableSpec
from engine_app.errors import EngineError, error_text
from engine_app.lake import is_delta_table

__all__ = [
    "TableFormat",
    "detect_format",
    "parse_table_arg",
    "register_table",
]

TableFormat = Literal["delta", "parquet"]


def detect_format(path: Path) -> TableFormat:
    """Tell a Delta table from parquet data at ``path``.

    Args:
        path: A Delta table root, a directory of parquet files or one parquet file.

    Returns:
        ``"delta"`` or ``"parquet"``.

    Raises:
        EngineError: Nothing exists at ``path``.
    """
    if not path.exists():
        raise EngineError(f"no table at {path}")
    return "delta" if is_delta_table(path) else "parquet"


def parse_table_arg(argument: str) -> TableSpec:
    """Parse a ``NAME=PATH`` command-line argument into a :class:`TableSpec`.

    Args:
        argument: The argument, e.g. ``orders=./data/orders``.

    Returns:
        The spec, with an absolute path and the detected format.

    Raises:
        EngineError: The argument has no ``=``, an empty side, or no table at PATH.
    """
    name, sep, raw_path = argument.partition("=")
    if not sep or not name.strip() or not raw_path.strip():
        raise EngineError(f"--table expects NAME=PATH, got {argument!r}")
    path = Path(raw_path).expanduser().resolve()
    return TableSpec(name=name.strip(), path=str(path), format=detect_format(path))


def register_table(ctx: SessionContext, spec: TableSpec) -> None:
    """Register one table with a session under ``spec.name``.

    Args:
        ctx: The session.
        spec: Name, path and format.

    Raises:
        EngineError: The table cannot be opened (missing, not a Delta table, no
            parquet files, ...).
    """
    path = Path(spec.path)
    try:
        if spec.format == "delta":
            ctx.register_table(spec.name, DeltaTable(str(path)))
        else:
            target = str(path) + "/" if path.is_dir() else str(path)
            ctx.register_parquet(spec.name, target)
    except Exception as exc:  # deltalake and DataFusion raise several unrelated types
        raise EngineError(f"cannot register {spec.format} table {spec.name!r} at {path}: {error_text(exc)}") from exc
