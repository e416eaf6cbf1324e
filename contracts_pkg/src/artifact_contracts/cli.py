"""The ``artifact-contracts`` command: export and check the schemas, decode and list contracts.

Subcommands (each has ``--help``):

- ``schema export [--out DIR]``: write ``json-schema.json`` and ``openapi.json``. Without
  ``--out`` the command must run from a source checkout, and writes both the package
  data (``contracts_pkg/src/artifact_contracts/schemas/``) and the committed copy
  (``schemas/`` at the repository root).
- ``schema check [--dir DIR]``: exit 1 with a unified diff when the documents are stale.
  Without ``--dir`` it checks the package data and, in a source checkout, ``schemas/``.
- ``decode --type NAME [--format json|msgpack|toml] FILE|-``: decode a payload strictly into a
  registered type and print it as indented JSON; on failure print the validation issues
  (``--errors json`` for a machine-readable report) and exit 1. At most the size limit
  (``DecodeLimits.max_bytes``) is read: a larger input is refused with one line, exit 2.
  Text from the payload is printed with control characters escaped, and all output is
  written so that any output encoding can take it (JSON stays JSON).
- ``types [--format text|json]``: list the registered types.
- ``compat``: classify what changed in the contracts since a release and check that the
  version bump covers it (:mod:`artifact_contracts.evolution`, ``COMPATIBILITY.md``).

Exit codes: 0 success, 1 a failed check or decode, 2 a usage error (unknown type,
unreadable file or directory, bad arguments), 130 interrupted (Ctrl-C), 141 stdout closed
early (``| head``), as a command killed by SIGPIPE. ``--print-completion SHELL`` prints a
completion script (with the ``completion`` extra, which brings shtab).

Each subcommand declares its own exit codes and JSON output in a :class:`CommandResult`
set on its parser; the ``engine-app`` command declares its subcommands the same way, and
the documentation site's CLI reference is generated from both.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import functools
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import msgspec

from artifact_contracts._version import __version__
from artifact_contracts.base import StructBaseStrict
from artifact_contracts.codec import dumps_json, loads_json, loads_msgpack, loads_toml
from artifact_contracts.errors import ContractError
from artifact_contracts.evolution import add_compat_arguments, run_compat
from artifact_contracts.export import (
    EXPORT_NAMES,
    diff_exports,
    package_schema_dir,
    source_checkout_root,
    write_exports,
)
from artifact_contracts.limits import get_decode_limits
from artifact_contracts.registry import CONTRACT_TYPES, contract_type

__all__ = ["CommandResult", "build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]
# ``add_parser`` of the subcommands action: argparse gives that action no public type.
AddParser = Callable[..., argparse.ArgumentParser]

_LOADERS: dict[str, Callable[..., Any]] = {"json": loads_json, "msgpack": loads_msgpack, "toml": loads_toml}
_SUFFIX_FORMATS = {".msgpack": "msgpack", ".mpk": "msgpack", ".toml": "toml"}


@dataclasses.dataclass(frozen=True)
class CommandResult:
    """What a subcommand promises its callers: its exit codes and the JSON it prints.

    Declared once, where the subcommand's parser is built
    (``parser.set_defaults(result=CommandResult(...))``), so the generated CLI reference
    and the tests read the same declaration as the code it sits next to.

    Attributes:
        exits: The command's own exit codes and what each means; those every command
            shares (usage errors, interrupts, a closed stdout) are stated once by ``main``.
        emits: The registered contract type ``--format json`` prints (or a list of, with
            ``each``); None when the output is not one contract type.
        each: The JSON output is an array of ``emits`` values.
        note: More about the output, in Markdown: the fields of an output that is not a
            contract type, with any contract type it holds named in backticks.

    Examples:
        >>> from artifact_contracts.models import DiagnosticsEvent
        >>> CommandResult({0: "listed"}, emits=DiagnosticsEvent, each=True).each
        True
    """

    exits: Mapping[int, str]
    emits: type[msgspec.Struct] | None = None
    each: bool = False
    note: str = ""


class _UsageError(Exception):
    """A mistake in the command line: reported on stderr, exit code 2, no traceback."""


def _pretty(value: object) -> str:
    return msgspec.json.format(dumps_json(value), indent=2).decode("utf-8")


# Control and format characters (newlines, ANSI escapes, bidi overrides) in text that came
# from a payload would let it draw fake lines on a terminal: they are shown escaped.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _say(text: str, stream: TextIO) -> None:
    """Print one line of text from a payload, escaped, in whatever encoding ``stream`` has."""
    safe = _UNSAFE.sub(_escape, text)
    encoding = getattr(stream, "encoding", None) or "utf-8"
    print(safe.encode(encoding, "backslashreplace").decode(encoding), file=stream)


def _json_out(text: str, stream: TextIO) -> None:
    """Print JSON; characters the stream cannot encode become JSON unicode escapes."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = re.sub(r"[^\x00-\x7f]", _json_escape, text)  # outside strings JSON is ASCII
    _write(text, stream)


def _write(text: str, stream: TextIO) -> None:
    """Print a piece at a time, so that a reader that stops early is noticed.

    CPython's buffered writer returns the partial count of one large write cut short
    without an error; the next piece raises ``BrokenPipeError`` (exit code 141).
    """
    for start in range(0, len(text), 8192):
        stream.write(text[start : start + 8192])
    stream.write("\n")
    stream.flush()


def _json_escape(match: re.Match[str]) -> str:
    data = match.group().encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(data[i : i + 2], 'big'):04x}" for i in range(0, len(data), 2))


# --- schema ------------------------------------------------------------------------------


def _schema_dirs() -> list[Path]:
    """The directories ``schema export``/``check`` handle when no directory is given."""
    root = source_checkout_root()
    if root is None:
        return [package_schema_dir()]
    return [package_schema_dir(), root / "schemas"]


def _run_schema_export(args: argparse.Namespace) -> int:
    if args.out is not None:
        targets = [Path(args.out)]
    elif source_checkout_root() is None:
        raise _UsageError(
            "not running from a source checkout, so there is no schemas/ directory to update; "
            "pass --out DIR to write the documents elsewhere"
        )
    else:
        targets = _schema_dirs()
    for directory in targets:
        try:
            changed = write_exports(directory)
        except OSError as exc:
            raise _UsageError(f"cannot write to {directory}: {exc}") from exc
        for name in EXPORT_NAMES:
            path = directory / name
            print(f"{'wrote' if path in changed else 'unchanged'} {path}", file=sys.stdout)
    return 0


def _run_schema_check(args: argparse.Namespace) -> int:
    if args.dir is not None and not Path(args.dir).is_dir():
        raise _UsageError(f"--dir {args.dir}: no such directory")
    directories = [Path(args.dir)] if args.dir is not None else _schema_dirs()
    stale = False
    for directory in directories:
        diff = diff_exports(directory)
        if diff:
            stale = True
            sys.stdout.writelines(diff)
            print(f"stale: {directory}", file=sys.stderr)
        else:
            print(f"up to date: {directory}", file=sys.stdout)
    if stale:
        print("run `artifact-contracts schema export` and commit the result", file=sys.stderr)
        return 1
    return 0


def _add_schema(add_parser: AddParser) -> None:
    schema = add_parser(
        "schema",
        help="export or check the JSON Schema and OpenAPI documents",
        description="Export the JSON Schema 2020-12 and OpenAPI 3.1 documents, or check they are current.",
    )
    actions = schema.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write json-schema.json and openapi.json",
        description=(
            "Write json-schema.json and openapi.json. Without --out, run from a source checkout: "
            "both the package data (contracts_pkg/src/artifact_contracts/schemas/) and the committed "
            "copy (schemas/) are written. Files already up to date are left untouched."
        ),
    )
    export.add_argument("--out", metavar="DIR", help="write only into DIR (created if missing)")
    export.set_defaults(
        handler=_run_schema_export,
        result=CommandResult(
            {0: "written, or already current", 2: "not a source checkout and no `--out`, or unwritable"}
        ),
    )
    check = actions.add_parser(
        "check",
        help="fail with a diff when the exported documents are stale",
        description=(
            "Compare the exported documents with what the code renders; exit 1 and print a unified "
            "diff when they differ. Without --dir: the package data, and schemas/ in a source checkout."
        ),
    )
    check.add_argument("--dir", metavar="DIR", help="check only the documents in DIR")
    check.set_defaults(handler=_run_schema_check, result=CommandResult({0: "current", 1: "stale (with a diff)"}))


# --- decode ------------------------------------------------------------------------------


def _read_input(source: str) -> bytes:
    """Read the payload, never more than the size limit (plus the byte that tells)."""
    limit = get_decode_limits().max_bytes
    name = "stdin" if source == "-" else source
    try:
        if source == "-":
            data = _read_bounded(sys.stdin.buffer, limit)
        else:
            with Path(source).open("rb") as stream:
                data = _read_bounded(stream, limit)
    except OSError as exc:
        raise _UsageError(f"cannot read {source}: {exc.strerror or exc}") from exc
    if data is None:
        raise _UsageError(f"{name} is larger than the limit of {limit} bytes; nothing was decoded")
    return data


def _read_bounded(stream: BinaryIO, limit: int) -> bytes | None:
    """The stream's bytes, or None once they pass ``limit`` (then nothing more is read)."""
    try:
        if os.fstat(stream.fileno()).st_size > limit:  # a regular file says its size
            return None
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test's stream)
        pass
    # In chunks: a file that says nothing of its size (/dev/zero, a pipe) is read only
    # until it passes the limit, and the chunks are joined only when it did not.
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    return None


def _resolve_type(name: str) -> type[msgspec.Struct]:
    try:
        return contract_type(name)
    except KeyError:
        names = [cls.__name__ for cls in CONTRACT_TYPES]
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `artifact-contracts types` lists them"
        raise _UsageError(f"unknown type {name!r}{hint}") from None


def _run_decode(args: argparse.Namespace) -> int:
    target = _resolve_type(args.type)
    fmt = args.format or _SUFFIX_FORMATS.get(Path(args.file).suffix.lower(), "json")
    data = _read_input(args.file)
    try:
        value = _LOADERS[fmt](data, target)
    except ContractError as exc:
        if args.errors == "json":
            report = {"error": type(exc).__name__, "type": target.__name__, "issues": exc.issues}
            _json_out(_pretty(report), sys.stdout)
        else:
            source = "stdin" if args.file == "-" else args.file
            _say(f"error: {source} is not a valid {target.__name__} ({type(exc).__name__})", sys.stderr)
            for issue in exc.issues:
                _say(f"  {issue.path}: {issue.message} [{issue.kind}]", sys.stderr)
        return 1
    _json_out(_pretty(value), sys.stdout)
    return 0


def _add_decode(add_parser: AddParser) -> None:
    decode = add_parser(
        "decode",
        help="decode a payload strictly into a registered type",
        description=(
            "Decode FILE (or stdin, with -) strictly into a registered contract type and print it as "
            "indented JSON. On failure, print the normalized validation issues and exit 1."
        ),
    )
    decode.add_argument("--type", required=True, metavar="NAME", help="a registered type (see `types`)")
    decode.add_argument(
        "--format",
        choices=sorted(_LOADERS),
        help="the payload's encoding (default: msgpack for .msgpack/.mpk, toml for .toml, else json)",
    )
    decode.add_argument(
        "--errors",
        choices=["json", "text"],
        default="text",
        help="how to report a failure: text on stderr (default) or a JSON report on stdout",
    )
    decode.add_argument("file", metavar="FILE", help="the payload, or - for stdin")
    decode.set_defaults(
        handler=_run_decode,
        result=CommandResult(
            {0: "decoded", 1: "the payload is invalid"},
            note="the decoded value, of the type `--type` names; with `--errors json` a failure prints "
            "`error`, `type` and `issues` (`ValidationIssue` each) instead",
        ),
    )


# --- types -------------------------------------------------------------------------------


def _type_rows() -> list[dict[str, Any]]:
    rows = []
    for cls in CONTRACT_TYPES:
        config = cls.__struct_config__
        rows.append(
            {
                "name": cls.__name__,
                "base": "strict" if issubclass(cls, StructBaseStrict) else "compat",
                "schema": f"#/$defs/{cls.__name__}",
                "module": cls.__module__,
                "array_like": config.array_like,
                "tag": config.tag,
            }
        )
    return rows


def _run_types(args: argparse.Namespace) -> int:
    rows = _type_rows()
    if args.format == "json":
        _write(_pretty(rows), sys.stdout)
        return 0
    header = ("NAME", "BASE", "SCHEMA", "TAG")
    table = [header, *((r["name"], r["base"], r["schema"], r["tag"] or "") for r in rows)]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip(), file=sys.stdout)
    return 0


def _add_types(add_parser: AddParser) -> None:
    types = add_parser(
        "types",
        help="list the registered contract types",
        description="List the registered contract types: name, base (strict/compat), schema name, kind tag.",
    )
    types.add_argument("--format", choices=["json", "text"], default="text", help="output format (default: text)")
    types.set_defaults(
        handler=_run_types,
        result=CommandResult(
            {0: "listed"}, note="a list, per type: `name`, `base`, `schema`, `module`, `array_like`, `tag`"
        ),
    )


# --- compat ------------------------------------------------------------------------------


def _add_compat(add_parser: AddParser) -> None:
    compat = add_parser(
        "compat",
        help="classify contract changes since a release and gate the version bump",
        description=(
            "Compare today's contracts with released schema snapshots; exit 1 when the "
            "package version's bump is smaller than the changes require."
        ),
    )
    add_compat_arguments(compat)
    compat.set_defaults(
        handler=run_compat,
        result=CommandResult(
            {0: "the version bump covers the changes", 1: "the bump is too small"},
            note="the compatibility report: the verdict against the newest release compared (`current_version`, "
            "`required_bump`, `ok`, `changes`...) and `comparisons`, one such report per release",
        ),
    )


# Every subcommand group registers its parser and its handler the same way, in this order.
_COMMAND_GROUPS: tuple[Callable[[AddParser], None], ...] = (_add_schema, _add_decode, _add_types, _add_compat)


# --- entry point -------------------------------------------------------------------------


class _PrintCompletion(argparse.Action):
    """``--print-completion SHELL``: print a completion script made by shtab, and exit."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: Any = None) -> None:
        try:
            import shtab  # the `completion` extra: the library itself needs msgspec alone
        except ImportError:
            parser.exit(
                2, "artifact-contracts: error: completion needs shtab: pip install 'artifact-contracts[completion]'\n"
            )
        _write(shtab.complete(parser, shell=values), sys.stdout)
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``artifact-contracts`` argument parser, every subcommand included."""
    parser = argparse.ArgumentParser(
        prog="artifact-contracts",
        description="Inspect and maintain the artifact-contracts schemas and payloads.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--print-completion",
        action=_PrintCompletion,
        choices=("bash", "zsh", "tcsh"),
        metavar="SHELL",
        help="print a shell completion script (bash, zsh, tcsh) and exit",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in _COMMAND_GROUPS:
        register(commands.add_parser)
    return parser


@functools.lru_cache(maxsize=1)
def _parser() -> argparse.ArgumentParser:
    # Built once per process: a program (or a fuzzer) may call main() many times.
    return build_parser()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns:
        The exit code: 0 success, 1 a failed check or decode, 2 a usage error, 130
        interrupted, 141 stdout closed early.
    """
    try:
        args = _parser().parse_args(argv)
        handler: Handler = args.handler
        return handler(args)
    except _UsageError as exc:
        _say(f"artifact-contracts: error: {exc}", sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("artifact-contracts: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as SIGPIPE would
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
