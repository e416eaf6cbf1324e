"""A catalogue of bad inputs for any contract type, and the text its golden records.

Each case is built from the type's representative instances and type info, never by
hand: malformed JSON and MessagePack, a wrong type at the root and in a field, a violated
constraint, a missing required field, an unknown field (rejected by Strict types, skipped
by Compat ones, and the golden shows which), and an unknown or mismatched ext code where
the type carries a binary payload.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from msgspec import inspect as mi

from artifact_contracts import (
    ContractError,
    DataFusionProtoBytes,
    ExtPayload,
    SubstraitBytes,
    dumps_json,
    dumps_msgpack,
    loads_json,
    loads_msgpack,
)
from tests.contracts.trees import jsonpath, struct_sites, tree_of

__all__ = ["Case", "catalogue", "outcome", "render_catalogue"]

Format = Literal["json", "msgpack"]
_WRONG_TYPES: tuple[Any, ...] = (12345, "wrong-type", [], {}, True)
_LONGEST_PROBE = 4096  # a max_length above this is not worth a golden-sized payload


@dataclass(frozen=True)
class Case:
    """One bad input: a name, the format it is in, and its bytes."""

    name: str
    fmt: Format
    payload: bytes


def outcome(tp: type, case: Case) -> tuple[str, list[Any]]:
    """Decode the case; return the error class name and its issues, or ``("accepted", [])``."""
    decode = loads_json if case.fmt == "json" else loads_msgpack
    try:
        decode(case.payload, tp)
    except ContractError as exc:
        return type(exc).__name__, list(exc.issues)
    return "accepted", []


def _fields(tp: type) -> list[tuple[Any, mi.Field]]:
    """Return (tree key, field info) per field: encoded names, or positions if array-like."""
    info = mi.type_info(tp)
    assert isinstance(info, mi.StructType)
    offset = 1 if info.array_like and info.tag_field is not None else 0
    return [(i + offset if info.array_like else f.encode_name, f) for i, f in enumerate(info.fields)]


def _path(key: Any) -> str:
    return f"$[{key}]" if isinstance(key, int) else f"$.{key}"


def _violations(node: mi.Type) -> Iterator[Any]:
    while isinstance(node, mi.Metadata):
        node = node.type
    if isinstance(node, mi.UnionType):
        for member in node.types:
            yield from _violations(member)
    elif isinstance(node, (mi.IntType, mi.FloatType)):
        if node.ge is not None:
            yield node.ge - 1
        if node.gt is not None:
            yield node.gt
        if node.le is not None:
            yield node.le + 1
        if node.lt is not None:
            yield node.lt
        if node.multiple_of is not None:
            yield node.multiple_of + 1
    elif isinstance(node, mi.StrType):
        if node.min_length:
            yield "x" * (node.min_length - 1)
        if node.max_length is not None and node.max_length < _LONGEST_PROBE:
            yield "x" * (node.max_length + 1)
        if node.pattern is not None:
            yield from ("", "!", "not a match ✗")
    elif isinstance(node, (mi.ListType, mi.VarTupleType, mi.SetType, mi.FrozenSetType, mi.DictType)):
        if node.min_length:
            yield {} if isinstance(node, mi.DictType) else []
    elif isinstance(node, (mi.LiteralType, mi.EnumType)):
        yield from ("not-a-listed-value", 987654)
    elif isinstance(node, mi.DateTimeType) and node.tz:
        yield "2024-01-02T03:04:05"


def _holding(small: Any, big: Any, key: Any) -> Any:
    """The minimal tree if it holds ``key`` (shorter goldens), else the full one."""
    has = key < len(small) if isinstance(small, list) else key in small
    return small if has else big


def _first_failure(tp: type, tree: Any, path: tuple[Any, ...], candidates: Any, kinds: set[str]) -> Case | None:
    """Put each candidate at ``path`` in turn; return the first the decoder refuses as wanted."""
    for candidate in candidates:
        edited = copy.deepcopy(tree)
        parent = edited
        for key in path[:-1]:
            parent = parent[key]
        case = Case("", "json", dumps_json(_with_in_place(parent, path[-1], candidate, edited)))
        _, issues = outcome(tp, case)
        if issues and issues[0].kind in kinds and issues[0].path.startswith(jsonpath(path)):
            return case
    return None


def _with_in_place(parent: Any, key: Any, value: Any, root: Any) -> Any:
    if isinstance(parent, list):
        while len(parent) <= key:
            parent.append(None)
    parent[key] = value
    return root


def _find_ext(tree: Any) -> tuple[list[Any], ExtPayload] | None:
    """Return the path to the first ext payload in a MessagePack tree."""
    if isinstance(tree, ExtPayload):
        return [], tree
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for key, sub in items:
        found = _find_ext(sub)
        if found is not None:
            return [key, *found[0]], found[1]
    return None


def _replace_at(tree: Any, path: list[Any], value: Any) -> Any:
    edited = copy.deepcopy(tree)
    target = edited
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return edited


def _first_violation(tp: type, full: Any, small: Any, big: Any) -> Case | None:
    """Violate the first constraint found, at the root's fields first, then nested ones."""
    for path, struct in struct_sites(full, big):
        for key, field in _fields(type(struct)):
            tree = _holding(small, big, key) if not path else big
            found = _first_failure(tp, tree, (*path, key), _violations(field.type), {"constraint", "invalid_value"})
            if found is not None:
                return Case(f"constraint violated in field {jsonpath((*path, key))}", "json", found.payload)
    return None


def catalogue(tp: type, minimal: Any, full: Any) -> list[Case]:
    """Return the bad inputs for ``tp``, derived from its minimal and full instances."""
    array_like = tp.__struct_config__.array_like  # type: ignore[attr-defined]
    small, big = tree_of(minimal, "json"), tree_of(full, "json")
    cases = [
        Case("malformed JSON (truncated)", "json", dumps_json(minimal)[:-1]),
        Case("malformed MessagePack (0xc1 is never valid)", "msgpack", b"\xc1"),
        Case("truncated MessagePack", "msgpack", dumps_msgpack(minimal)[:-1]),
        Case("wrong type at the root", "json", b"{}" if array_like else b"[]"),
    ]
    fields = _fields(tp)
    for key, _ in fields:
        found = _first_failure(tp, _holding(small, big, key), (key,), _WRONG_TYPES, {"type_mismatch"})
        if found is not None:
            cases.append(Case(f"wrong type in field {_path(key)}", "json", found.payload))
            break
    violated = _first_violation(tp, full, small, big)
    if violated is not None:
        cases.append(violated)
    required = [key for key, field in fields if field.required]
    if required and not array_like:
        tree = copy.deepcopy(small)
        del tree[required[0]]
        cases.append(Case(f"missing required field {_path(required[0])}", "json", dumps_json(tree)))
    elif required:
        cases.append(Case("missing required items (empty array)", "json", b"[]"))
    unknown = [*small, "unknown"] if array_like else {**small, "x_unknown": "unknown"}
    cases.append(Case("unknown field", "json", dumps_json(unknown)))
    packed = tree_of(full, "msgpack")
    found_ext = _find_ext(packed)
    if found_ext is not None:
        path, payload = found_ext
        unknown_code = msgspec.msgpack.Ext(99, payload.data)
        cases.append(Case("unknown ext code 99", "msgpack", dumps_msgpack(_replace_at(packed, path, unknown_code))))
        other = DataFusionProtoBytes if isinstance(payload, SubstraitBytes) else SubstraitBytes
        swapped = _replace_at(packed, path, other(payload.data))
        cases.append(Case(f"ext code {int(other.ext_code)} where {int(payload.ext_code)} belongs", "msgpack",
                          dumps_msgpack(swapped)))  # fmt: skip
    return cases


def render_catalogue(tp: type, cases: list[Case]) -> str:
    """Render each case's input and the error (or acceptance) it produces."""
    blocks = []
    for case in cases:
        if case.fmt == "json":
            shown = [case.payload.decode("utf-8", "backslashreplace") or "(empty)"]
        else:
            shown = [case.payload[i : i + 32].hex(" ") for i in range(0, len(case.payload), 32)] or ["(empty)"]
        error, issues = outcome(tp, case)
        lines = [f"== {case.name} ==", f"input ({case.fmt}):", *(f"  {line}" for line in shown), f"result: {error}"]
        lines += [
            "  " + json.dumps({"path": i.path, "kind": i.kind, "message": i.message}, ensure_ascii=False)
            for i in issues
        ]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)
