"""Run the fuzzers and the kill loops with a given budget and write docs/RELIABILITY.md.

    python3 tools/reliability_report.py --examples 2000 --kill-rounds 20
    python3 tools/reliability_report.py --examples 50 --kill-rounds 2 --format json --output -

Every public decoder gets at least ``--examples`` inputs (noise, and byte-level and
structural mutations of valid payloads of every registered type); every crash (an exception other
than a ContractError with $-rooted paths) is counted and the first few are shown. The
kill loops SIGKILL store writers at random moments ``--kill-rounds`` times each.
"""

from __future__ import annotations

import argparse
import functools
import concurrent.futures
import datetime
import json
import platform
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed as hypothesis_seed, settings, strategies as st  # noqa: E402
from rich.progress import Progress  # noqa: E402
from tests.contracts.fuzzing import BAD_PATH, DECODERS, Decoder, check, mutated, mutated_builtins, noise  # noqa: E402

from artifact_contracts import dumps_json, dumps_msgpack  # noqa: E402
from artifact_contracts.registry import CONTRACT_TYPES  # noqa: E402
from artifact_contracts.testing import strategy_for  # noqa: E402

DEFAULT_OUTPUT = ROOT / "docs" / "RELIABILITY.md"


CORPUS_SIZE = 64
"""Valid values per registered type that the mutators start from."""


@functools.lru_cache(maxsize=1)
def corpus(seed: int) -> dict[Any, list[Any]]:
    """``CORPUS_SIZE`` valid values of every registered type, drawn once with ``strategy_for``.

    Drawing a valid PlanArtifacts costs far more than decoding a mutation of it, so the
    campaign mutates values from this corpus (the mutations are drawn fresh every time).
    """
    pool: dict[Any, list[Any]] = {target: [] for target in CONTRACT_TYPES}

    @settings(max_examples=CORPUS_SIZE, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(data=st.data())
    def collect(data: st.DataObject) -> None:
        for target, values in pool.items():
            values.append(data.draw(strategy_for(target)))

    hypothesis_seed(seed)(collect)()
    return pool


PER_EXAMPLE = 8
"""Inputs drawn in one Hypothesis example."""


def _payload(decoder: Decoder, target: Any, kind: str, data: st.DataObject, pool: dict[Any, list[Any]]) -> Any:
    """One input for ``decoder``: noise, or a mutation of a valid value from the corpus."""
    if decoder.fmt == "builtins":
        return data.draw(mutated_builtins(data.draw(st.sampled_from(pool[target]))))
    if kind == "noise" or decoder.fmt == "toml":  # no writer for valid TOML to mutate
        return data.draw(noise(decoder.fmt))
    value = data.draw(st.sampled_from(pool[target]))
    valid = dumps_json(value) if decoder.fmt == "json" else dumps_msgpack(value)
    return data.draw(mutated(valid, decoder.fmt))


def fuzz_decoder(decoder: Decoder, examples: int, seed: int) -> dict[str, Any]:
    """Feed one decoder ``examples`` inputs; count what it accepted, refused and crashed on."""
    counts: Counter[str] = Counter()
    crashes: list[str] = []
    pool = corpus(seed)

    @settings(
        # A few more than needed: an example Hypothesis discards (too much data) counts no input.
        max_examples=-(-examples // PER_EXAMPLE) * 21 // 20 + 1,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        # Several inputs per example: Hypothesis' own cost per example is most of the
        # campaign's time otherwise.
        for _ in range(PER_EXAMPLE):
            target = data.draw(st.sampled_from(CONTRACT_TYPES))
            kind = data.draw(st.sampled_from(["noise", "mutated"]))
            one(target, _payload(decoder, target, kind, data, pool))

    def one(target: Any, payload: Any) -> None:
        counts["inputs"] += 1
        try:
            accepted = check(decoder.decode, payload, target, decoder.fmt)
        except Exception as exc:  # the crash the fuzzers look for: count it, keep going
            counts["crashes"] += 1
            if isinstance(exc, AssertionError) and BAD_PATH in str(exc):
                counts["bad_paths"] += 1
            if len(crashes) < 5:
                crashes.append(f"{getattr(target, '__name__', target)}: {type(exc).__name__}: {exc}"[:300])
        else:
            counts["accepted" if accepted else "refused"] += 1

    hypothesis_seed(seed)(run)()
    return {"decoder": decoder.name, **{k: counts[k] for k in ("inputs", "accepted", "refused", "crashes", "bad_paths")},
            "crash_samples": crashes}  # fmt: skip


def _fuzz_index(index: int, examples: int, seed: int) -> dict[str, Any]:
    return fuzz_decoder(DECODERS[index], examples, seed)


def kill_loops(rounds: int, seed: int) -> list[dict[str, Any]]:
    """Run the plan-store and cursor-store kill loops in scratch warehouses."""
    from tests.reliability.killing import cursor_kill_loop, plan_kill_loop

    from artifact_contracts import dumps_msgpack as encode
    from artifact_contracts.models import EngineConfig
    from engine_app.demo import tpch
    from engine_app.planning import plan_sql
    from engine_app.session import EngineSession

    results = []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        tpch.generate(base / "tpch", 0.001)
        session = EngineSession(EngineConfig(target_partitions=2))
        for spec in tpch.table_specs(base / "tpch"):
            session.register(spec)
        template = base / "template.msgpack"
        template.write_bytes(encode(plan_sql(session, tpch.queries()["q06"])))
        budget = 30.0 * rounds
        plans = plan_kill_loop(base / "plans", template, total=20 * rounds, rounds=rounds, seed=seed, budget=budget)
        cursors = cursor_kill_loop(base / "cursors", total=20 * rounds, rounds=rounds, seed=seed, budget=budget)
        results = [asdict(plans), asdict(cursors)]
    return results


def markdown(report: dict[str, Any]) -> str:
    """Render the report as the docs page."""
    lines = [
        "# Reliability report",
        "",
        "Generated by `python3 tools/reliability_report.py "
        f"--examples {report['examples']} --kill-rounds {report['kill_rounds']} --seed {report['seed']} "
        f"--jobs {report['jobs']}` "
        f"on {report['generated']} (Python {report['python']}). Re-run it to refresh this page.",
        "",
        "## Fuzzing the public decoders",
        "",
        f"Inputs: random bytes and token soups, and valid payloads of every registered contract type "
        f"(a corpus of {CORPUS_SIZE} values per type from `strategy_for`) mutated byte by byte (bit flips, truncations, insertions, splices, huge "
        "declared lengths, deep nesting) and in structure (swapped types, duplicated and dropped keys, "
        "unknown fields, deep nesting, out-of-range numbers, unknown ext codes); TOML gets token soups "
        "and random bytes. The batch decoders get each input twice in one batch; the CLI rows run "
        "`artifact-contracts decode --errors json` in process on the input written to a file (exit 1 "
        "must report issues, exit 2 one line). A crash is any exception other than a `ContractError` "
        "whose issues all carry a `$`-rooted path (those without are also counted on their own), or an "
        "accepted value that does not round-trip.",
        "",
        "| decoder | inputs tried | accepted | refused (ContractError) | crashes (must be 0) | "
        "paths not starting with `$` (must be 0) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in report["fuzz"]:
        lines.append(
            f"| `{row['decoder']}` | {row['inputs']} | {row['accepted']} | {row['refused']} | {row['crashes']} | "
            f"{row['bad_paths']} |"
        )
    for row in report["fuzz"]:
        lines += [f"- `{row['decoder']}`: {sample}" for sample in row["crash_samples"]]
    lines += [
        "",
        "## SIGKILL loops on the Delta stores",
        "",
        "A writer (a fresh interpreter) is killed at a random moment, after 0 to a few commits; then "
        "the store must open, every row must decode into exactly an artifact that was written, no "
        "committed artifact may vanish and none may be stored twice. A last run, left alone, must "
        "finish the work.",
        "",
        "| store | kills | kills survived | rows lost (must be 0) | rows duplicated (must be 0) | seconds |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in report["kills"]:
        lines.append(
            f"| {row['store']} | {row['kills']} | {row['survived']} | {row['rows_lost']} | "
            f"{row['rows_duplicated']} | {row['seconds']:.0f} |"
        )
    for row in report["kills"]:
        lines += [f"- {row['store']}: {failure}" for failure in row["failures"]]
    lines += [
        "",
        "Also covered by the test suite, not counted here: concurrent spawned writers "
        "(`tests/reliability/test_concurrency.py`, `tests/engine/test_write_concurrency.py`), the "
        "incremental consumer killed mid-run (`tests/engine/test_incremental_kill.py`), undecodable rows "
        "and damaged data files (`tests/reliability/test_damage.py`), and the coverage-guided harness "
        "`fuzz/atheris_codecs.py` (`hatch run fuzz:codecs`).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the campaign and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=2000, help="inputs per decoder, at least (default 2000; they come 8 at a time)"
    )
    parser.add_argument("--kill-rounds", type=int, default=10, help="kills per store (default 10)")
    parser.add_argument("--seed", type=int, default=20261124, help="seed of the inputs and kill moments")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="where to write ('-' for stdout)")
    parser.add_argument("--jobs", type=int, default=1, help="decoders fuzzed at once, in worker processes")
    parser.add_argument("--format", choices=["markdown", "json"], default="markdown")
    args = parser.parse_args(argv)
    if args.examples < 1 or args.kill_rounds < 0:
        parser.error("--examples must be >= 1 and --kill-rounds >= 0")

    started = time.monotonic()
    with Progress(transient=True) as progress:
        task = progress.add_task("fuzzing the decoders", total=len(DECODERS) + 1)
        fuzz = []
        if args.jobs <= 1:  # in this process (the module need not be importable by workers)
            for index in range(len(DECODERS)):
                fuzz.append(_fuzz_index(index, args.examples, args.seed))
                progress.advance(task)
        else:
            with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
                # Each worker gets an index: the decoders hold lambdas, which do not pickle.
                futures = [pool.submit(_fuzz_index, i, args.examples, args.seed) for i in range(len(DECODERS))]
                for future in futures:
                    fuzz.append(future.result())
                    progress.advance(task)
        progress.update(task, description="kill loops")
        kills = kill_loops(args.kill_rounds, args.seed) if args.kill_rounds else []
        progress.advance(task)
    report = {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "examples": args.examples,
        "kill_rounds": args.kill_rounds,
        "seed": args.seed,
        "jobs": args.jobs,
        "seconds": round(time.monotonic() - started, 1),
        "fuzz": fuzz,
        "kills": kills,
    }
    text = json.dumps(report, indent=2) if args.format == "json" else markdown(report)
    if args.output == "-":
        print(text)
    else:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text + ("\n" if args.format == "json" else ""), encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    bad = sum(r["crashes"] for r in fuzz) + sum(
        r["rows_lost"] + r["rows_duplicated"] + len(r["failures"]) for r in kills
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
