"""Say what an input should have been: contract errors as one line, in words.

msgspec reports a bad map entry as ``$.settings[...]`` (without its key), a bad enum
value without the valid ones, and a pattern as a raw regex. :func:`describe` fixes the
three: it finds the key by validating the document again with that map narrowed to one
entry at a time, lists a Literal's values from the target type, and words each pattern
of the contracts by the description of the type that declares it.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Sequence
from typing import Any

import msgspec
import msgspec.inspect as mi

from artifact_contracts import ContractError, ValidationIssue, convert
from artifact_contracts.models import EngineConfig
from artifact_contracts.models.history import RunId, StatementName
from artifact_contracts.models.types import Fingerprint, Name, SemVer

__all__ = ["describe", "describe_issue", "expected"]

# One segment of an issue path: a field name (str), a list index (int), a map key
# (_Key) or a key msgspec did not name (None, from `[...]`).
_Segment = typing.Union[str, int, "_Key", None]
_SEGMENT = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(\[\.\.\.\])')
_IN_MAP_KEY = " (in a map key)"
_ENUM = re.compile(r"^Invalid enum value (.+)$")
_REGEX = re.compile(r"^Expected `str` matching regex '(.*)'$")


class _Key(str):
    """A map key in a path (``["k"]``), as opposed to a field name (``.k``)."""


def _meta(alias: Any) -> msgspec.Meta:
    return next(m for m in typing.get_args(alias)[1:] if isinstance(m, msgspec.Meta))


def _setting_key_pattern() -> str:
    settings = typing.get_type_hints(EngineConfig, include_extras=True)["settings"]
    key_type = typing.get_args(typing.get_args(settings)[0])[0]
    return str(_meta(key_type).pattern)


def _rules() -> dict[str, str]:
    """Each pattern of the contracts' input types, in words (keyed as msgspec quotes it too)."""
    worded = {
        str(_meta(alias).pattern): str(_meta(alias).description).rstrip(".")
        for alias in (Name, Fingerprint, SemVer, RunId, StatementName)
    }
    worded[_setting_key_pattern()] = (
        "a DataFusion setting name: `datafusion.` then lowercase letters, digits, `_` or `.`"
    )
    # msgspec quotes the pattern with its backslashes doubled, as repr() does.
    return {**worded, **{repr(pattern)[1:-1]: words for pattern, words in worded.items()}}


_RULES = _rules()


def _parse(path: str) -> list[_Segment]:
    segments: list[_Segment] = []
    for field, index, key, unnamed in _SEGMENT.findall(path[1:]):
        if field:
            segments.append(field)
        elif index:
            segments.append(int(index))
        elif key:
            segments.append(_Key(json.loads(key)))
        elif unnamed:
            segments.append(None)
    return segments


def _render(segments: Sequence[_Segment]) -> str:
    parts = ["$"]
    for segment in segments:
        if isinstance(segment, _Key):
            parts.append(f"[{json.dumps(str(segment))}]")
        elif isinstance(segment, str):
            parts.append(f".{segment}")
        else:
            parts.append("[...]" if segment is None else f"[{segment}]")
    return "".join(parts)


def _get(document: Any, segments: Sequence[_Segment]) -> Any:
    for segment in segments:
        document = document[segment]
    return document


def _replace(document: Any, segments: Sequence[_Segment], value: Any) -> Any:
    if not segments:
        return value
    head, rest = segments[0], segments[1:]
    copy: Any = list(document) if isinstance(document, list) else dict(document)
    copy[head] = _replace(document[head], rest, value)
    return copy


def _issue_of(document: Any, target: Any) -> ValidationIssue | None:
    try:
        convert(document, target)
    except ContractError as exc:
        return exc.issues[0]
    return None


def _name_keys(issue: ValidationIssue, target: Any, document: Any) -> list[_Segment]:
    """The issue's path with every ``[...]`` replaced by the key it stands for."""
    segments = _parse(issue.path)
    if issue.message.endswith(_IN_MAP_KEY):  # the map's path: its bad key is one segment deeper
        segments.append(None)
    narrowed = document
    while None in segments:
        at = segments.index(None)
        try:
            entries = _get(narrowed, segments[:at])
        except (KeyError, IndexError, TypeError):
            break
        if not isinstance(entries, dict):
            break
        for key, value in entries.items():
            candidate = _replace(narrowed, segments[:at], {key: value})
            if _issue_of(candidate, target) == issue:
                narrowed, segments[at] = candidate, _Key(key)
                break
        else:
            break
    return segments


def _strip(info: mi.Type) -> mi.Type | None:
    while isinstance(info, (mi.Metadata, mi.UnionType)):
        if isinstance(info, mi.Metadata):
            info = info.type
            continue
        members = [t for t in info.types if not isinstance(t, mi.NoneType)]
        if len(members) != 1:
            return None
        info = members[0]
    return info


def _type_at(target: Any, segments: Sequence[_Segment]) -> mi.Type | None:
    info: mi.Type | None = _strip(mi.type_info(target))
    for segment in segments:
        if isinstance(info, mi.StructType) and isinstance(segment, str) and not isinstance(segment, _Key):
            fields = {f.encode_name: f.type for f in info.fields}
            info = fields.get(segment)
        elif isinstance(info, (mi.ListType, mi.VarTupleType, mi.SetType, mi.FrozenSetType)):
            info = info.item_type
        elif isinstance(info, mi.TupleType) and isinstance(segment, int) and segment < len(info.item_types):
            info = info.item_types[segment]
        elif isinstance(info, mi.DictType):
            info = info.value_type
        else:
            return None
        info = None if info is None else _strip(info)
    return info


def expected(message: str, target: Any = None, segments: Sequence[_Segment] = ()) -> str:
    """Reword a msgspec message to say what was expected.

    Args:
        message: The issue's message.
        target: The type the document decoded into, to list an enum's values.
        segments: Where the issue is in that type.

    Returns:
        The message, with a pattern in words and an enum's valid values appended.
    """
    regex = _REGEX.match(message)
    if regex and regex.group(1) in _RULES:
        return f"expected {_RULES[regex.group(1)][0].lower()}{_RULES[regex.group(1)][1:]}"
    enum = _ENUM.match(message)
    if enum and target is not None:
        info = _type_at(target, segments)
        values = info.values if isinstance(info, mi.LiteralType) else None
        if values:
            return f"invalid value {enum.group(1)}; expected one of: {', '.join(map(str, values))}"
    return message


def describe_issue(issue: ValidationIssue, target: Any = None, document: Any = None) -> str:
    """One issue as ``path: what was expected`` (just the message at the root).

    Args:
        issue: The issue.
        target: The type the document was decoded into (for enum values and map keys).
        document: The document as builtins (to name the key of a bad map entry).

    Returns:
        The text.
    """
    segments = _name_keys(issue, target, document) if document is not None else _parse(issue.path)
    message = issue.message.strip()
    if message.endswith(_IN_MAP_KEY):
        text = "invalid key: " + expected(message[: -len(_IN_MAP_KEY)])
    else:
        text = expected(message, target, segments)
    return text if not segments else f"{_render(segments)}: {text}"


def describe(issues: Sequence[ValidationIssue], target: Any = None, document: Any = None) -> str:
    """Every issue of a contract error on one line (``; ``-separated).

    Args:
        issues: The error's issues.
        target: The type the document was decoded into.
        document: The document as builtins.

    Returns:
        The text.
    """
    return "; ".join(describe_issue(issue, target, document) for issue in issues)
