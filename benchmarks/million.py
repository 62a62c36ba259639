"""Time tracker on 1,000,000 events and 20,000 promises against the same cases at 100,000, and write
its section of RESULTS.md. Not part of CI: the corpus is about 3 million files (some 20 GB).

    python -m benchmarks.million --corpus /tmp/million     # generates both corpora there, or reuses them
    python -m benchmarks.million --corpus /tmp/million --delete   # and deletes the big one afterwards

Each case runs as a separate process (see benchmarks.run): the bare os.stat loop, a cold report that
writes the cache, warm reports and a warm check, with their peak memory. Growth is each time at
1,000,000 events divided by the time at 100,000: linear growth is 10×.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from benchmarks.run import (
    AS_OF,
    REPO,
    STAT_LOOP,
    Case,
    compile_bytecode,
    corpus,
    load_average,
    machine,
    measure,
    tracker_command,
    wait_until_cacheable,
    write_section,
)
from tracker.cache import FOLDER

MEMORY_MB = 1536  # the ceiling for the peak memory of a run on 1,000,000 events


def cases(root: Path, repeat: int) -> dict[str, Case]:
    tracker = [*tracker_command(), "--records", str(root)]
    report = [*tracker, "report", "--as-of", AS_OF]
    found = {name: Case(name) for name in ("bare os.stat loop", "cold report, writing the cache", "warm report",
                                           "warm check")}
    measure(found["cold report, writing the cache"], report, before=[str(root / FOLDER)])
    measure(Case("warm report (fills the cache)"), report)
    for _ in range(repeat):
        measure(found["bare os.stat loop"], [sys.executable, "-c", STAT_LOOP, str(root)])
        measure(found["warm report"], report)
        measure(found["warm check"], [*tracker, "check", "--as-of", AS_OF])
    return found


def markdown(small: dict[str, Case], big: dict[str, Case], generation: float, args: argparse.Namespace) -> str:
    stat_small, stat_big = small["bare os.stat loop"].wall, big["bare os.stat loop"].wall
    lines = [
        "## 1,000,000 events: `python -m benchmarks.million`", "",
        "Not part of `benchmarks.run` (nor of CI): the corpus is some 3 million files. "
        f"Machine: {machine()}; load average at the end {load_average()}. Corpora: "
        f"`python -m benchmarks.generate DIR --promises {args.promises} --events {args.events} --countries "
        f"{args.countries} --seed 1`, and the same with {args.small_promises} promises and {args.small_events} "
        f"events; generating the big one took {generation:.0f} s (target < 600 s; 0 when reused). "
        f"Medians of {args.repeat} runs (the cold run once).", "",
        f"| case | {args.small_events:,} events (s) | {args.events:,} events (s) | growth | ÷ bare stat at "
        f"{args.events:,} | peak memory at {args.events:,} (MB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, case in big.items():
        lines.append(f"| {name} | {small[name].wall:.2f} | {case.wall:.2f} | {case.wall / small[name].wall:.1f}× | "
                     f"{case.wall / stat_big:.2f}× | {case.peak_kb / 1024:.0f} |")
    warm = big["warm report"].wall / stat_big
    peak = max(case.peak_kb for case in big.values()) / 1024
    growth = max((big[name].wall / stat_big) / (small[name].wall / stat_small) for name in big)
    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    lines += ["", f"- Warm report ÷ bare stat at 1M: {warm:.2f}× (target ≤ 3×): {met(warm <= 3)}.",
              f"- Peak memory: {peak:.0f} MB (target ≤ {MEMORY_MB} MB): {met(peak <= MEMORY_MB)}.",
              f"- Each case's ratio to the bare stat grows by at most {growth:.2f}× from 100k to 1M (target: no "
              f"faster than linearly, ≤ 10×): {met(growth <= 10)}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.million", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="where to generate (or find) both corpora")
    parser.add_argument("--promises", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--small-promises", type=int, default=2000)
    parser.add_argument("--small-events", type=int, default=100_000)
    parser.add_argument("--countries", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--delete", action="store_true", help="delete the big corpus at the end")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    compile_bytecode()
    small = corpus(args.corpus / f"records-{args.small_events}", args.small_promises, args.small_events,
                   args.countries)
    started = time.perf_counter()
    big_root = args.corpus / f"records-{args.events}"
    reused = (big_root / "tracker.toml").exists()
    big = corpus(big_root, args.promises, args.events, args.countries)
    generation = 0 if reused else time.perf_counter() - started
    wait_until_cacheable(small, big)
    text = markdown(cases(small, args.repeat), cases(big, args.repeat), generation, args)
    write_section(args.output, "benchmarks.million", text)
    print(text)
    if args.delete:
        shutil.rmtree(big)


if __name__ == "__main__":
    main()
