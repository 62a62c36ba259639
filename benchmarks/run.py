"""Time tracker on a generated corpus against the targets of the performance issue, and write RESULTS.md.

    python -m benchmarks.run                      # 2,000 promises, 100,000 events, 150 countries
    python -m benchmarks.run --corpus /tmp/big    # reuse (or keep) the generated records there

Every case runs as a separate process, several times, in this one run; the table
gives the median wall-clock time (what a user waits) and the median CPU time of
the process (user + system; steadier on a busy machine). Each ratio compares
with a baseline measured in the same run. Peak memory is the child's maximum
resident set size, from the kernel's accounting for that one process (os.wait4).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.generate import generate
from tracker import __version__
from tracker.cache import FOLDER, MARGIN_NS

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-01-01"  # after every generated date, so no warnings about the future

PARSE_LOOP = """
import os, sys, tomllib
for folder, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith(".toml"):
            with open(os.path.join(folder, name), "rb") as handle:
                tomllib.loads(handle.read().decode())
"""
STAT_LOOP = """
import os, sys
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".toml"):
            os.stat(os.path.join(folder, name))
"""


@dataclass
class Case:
    name: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peak_kb: int = 0

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def tracker_command() -> list[str]:
    """The installed `tracker` script beside this interpreter, as a user runs it; else the module."""
    script = Path(sys.executable).parent / "tracker"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from cli import main; main()"]


def measure(case: Case, argv: list[str], before: list[str] | None = None) -> None:
    """Run argv once (output discarded) and add its wall time, CPU time and peak memory to case.

    before: files to delete first (a cache to make a run cold, a record an earlier run wrote)."""
    for path in before or []:
        shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else Path(path).unlink(missing_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        _, status, usage = os.wait4(child.pid, 0)  # this one child's own resource use
        case.walls.append(time.perf_counter() - started)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"{' '.join(argv)} exited {child.returncode}:\n{stderr.read().decode()}")
    case.cpus.append(usage.ru_utime + usage.ru_stime)
    case.peak_kb = max(case.peak_kb, usage.ru_maxrss)


def wait_until_cacheable(*roots: Path) -> None:
    """Files are cached only once they are a little old (tracker.cache.MARGIN_NS); wait for the newest."""
    newest = max(os.stat(p).st_mtime_ns for root in roots for p in map(str, root.rglob("*.toml")))
    delay = (newest + MARGIN_NS) / 1e9 - time.time() + 0.5
    if delay > 0:
        time.sleep(delay)


def corpus(path: Path, promises: int, events: int, countries: int) -> Path:
    if not (path / "tracker.toml").exists():
        print(f"generating {path}: {promises} promises, {events} events …", file=sys.stderr)
        generate(path, promises, events, countries, seed=1)
    return path


def biggest_country(root: Path) -> str:
    sizes = {d.name: sum(1 for _ in (d / "events").rglob("*.toml")) for d in root.iterdir()
             if (d / "events").is_dir()}
    return max(sizes, key=lambda name: (sizes[name], name)).upper()


def first_promise(root: Path, country: str) -> str:
    return sorted((root / country.lower() / "promises").glob("*.toml"))[0].stem


def run(big: Path, small: Path, slow: int, fast: int) -> tuple[dict[str, Case], dict[str, str]]:
    tracker = tracker_command()
    country = biggest_country(big)
    promise = first_promise(big, country)
    facts = {"country": country, "files": str(sum(1 for _ in big.rglob("*.toml")) - 1)}
    cases: dict[str, Case] = {}

    def case(name: str, repeat: int, argv: list[str], before: list[str] | None = None) -> None:
        cases[name] = cases.get(name) or Case(name)
        for _ in range(repeat):
            measure(cases[name], argv, before)
        print(f"{name}: {cases[name].wall:.3f} s", file=sys.stderr)

    report = [*tracker, "--records", str(big), "report", "--as-of", AS_OF]
    cache = str(big / FOLDER)
    # Cold and bare parse in turn, so that a change in the machine's load hits both alike.
    for _ in range(slow):
        case("bare tomllib parse loop", 1, [sys.executable, "-c", PARSE_LOOP, str(big)])
        case("cold report --no-cache", 1, [*report[:3], "--no-cache", *report[3:]])
        case("cold report, writing the cache", 1, report, before=[cache])
    case("warm report (fills the cache)", 1, report)
    for _ in range(fast):
        case("bare os.stat loop", 1, [sys.executable, "-c", STAT_LOOP, str(big)])
        case(f"warm report --country {country}", 1, [*report, "--country", country])
    case("warm report", fast, report)
    case("warm report --format csv", fast, [*report, "--format", "csv"])
    case("warm report --format json", fast, [*report, "--format", "json"])
    case("warm check", fast, [*tracker, "--records", str(big), "check", "--as-of", AS_OF])
    small_report = [*tracker, "--records", str(small), "report", "--as-of", AS_OF]
    case("warm report, 10k events (fills the cache)", 1, small_report)
    case("warm report, 10k events", fast, small_report)
    for n in range(fast):
        ident = f"benchmark-event-{n}"
        case("add-event, one link", 1, [*tracker, "--records", str(big), "add-event", "--country", country,
                                        "--date", "2025-06-01", "--title", "Benchmark event", "--id", ident,
                                        "--contradicts", promise, "--source", "https://example.org/benchmark"])
        (big / country.lower() / "events" / "2025" / f"{ident}.toml").unlink()
    for _ in range(fast):
        case("python -c 'import click'", 1, [sys.executable, "-c", "import click"])
        case("tracker --version", 1, [*tracker, "--version"])
    return cases, facts


def targets(cases: dict[str, Case], country: str) -> list[tuple[str, str, float, float, str]]:
    """(case, compared with, measured ratio or value, target, unit) for every target of the issue."""
    c = cases
    return [
        ("cold report --no-cache", "bare tomllib parse loop",
         c["cold report --no-cache"].wall / c["bare tomllib parse loop"].wall, 1.15, "×"),
        ("cold report, writing the cache", "bare tomllib parse loop",
         c["cold report, writing the cache"].wall / c["bare tomllib parse loop"].wall, 1.15, "×"),
        (f"warm report --country {country}", "bare os.stat loop",
         c[f"warm report --country {country}"].wall / c["bare os.stat loop"].wall, 4, "×"),
        ("warm report", "", c["warm report"].wall, 1.5, "s"),
        ("warm report --format csv", "", c["warm report --format csv"].wall, 1.5, "s"),
        ("add-event, one link", "tracker --version",
         c["add-event, one link"].wall / c["tracker --version"].wall, 2, "×"),
        ("tracker --version", "python -c 'import click'",
         c["tracker --version"].wall / c["python -c 'import click'"].wall, 1.5, "×"),
        ("warm check", "warm report", c["warm check"].wall / c["warm report"].wall, 1.5, "×"),
        ("warm report: peak memory", "", c["warm report"].peak_kb / 1024, 400, "MB"),
        ("warm report, 100k events", "warm report, 10k events",
         c["warm report"].wall / c["warm report, 10k events"].wall, 11, "×"),
    ]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; tracker {__version__}; load average before the run {load}")


def markdown(cases: dict[str, Case], facts: dict[str, str], args: argparse.Namespace, took: float) -> str:
    lines = [
        "# Benchmark results", "",
        "Written by `python -m benchmarks.run`; do not edit by hand.", "",
        f"- Machine: {machine()}",
        f"- Corpus: `python -m benchmarks.generate DIR --promises {args.promises} --events {args.events} "
        f"--countries {args.countries} --seed 1` ({facts['files']} record files); the growth case uses "
        f"{args.small_events:,} events. `--country {facts['country']}` is the country with the most events.",
        f"- Each case ran {args.slow} (slow cases) or {args.fast} times; medians. The whole run took {took:.0f} s.",
        "", "## Targets", "",
        "| case | compared with | measured | target | met |", "|---|---|---:|---:|---|",
    ]
    for name, baseline, value, target, unit in targets(cases, facts["country"]):
        shown = f"{value:.2f}{unit}" if unit == "×" else f"{value:.2f} {unit}" if unit == "s" else f"{value:.0f} {unit}"
        limit = f"≤ {target}{unit}" if unit == "×" else f"≤ {target} {unit}"
        lines.append(f"| {name} | {baseline} | {shown} | {limit} | {'yes' if value <= target else '**no**'} |")
    lines += ["", "## Every case", "",
              "| case | median wall (s) | median CPU (s) | peak memory (MB) | runs |", "|---|---:|---:|---:|---:|"]
    for case in cases.values():
        lines.append(f"| {case.name} | {case.wall:.3f} | {case.cpu:.3f} | {case.peak_kb / 1024:.0f} | "
                     f"{len(case.walls)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="where to generate (or find) the records; default: a temporary folder")
    parser.add_argument("--promises", type=int, default=2000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--countries", type=int, default=150)
    parser.add_argument("--small-events", type=int, default=10_000, help="events in the corpus of the growth case")
    parser.add_argument("--slow", type=int, default=3, help="runs of each cold case")
    parser.add_argument("--fast", type=int, default=5, help="runs of each other case")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as scratch:
        base = args.corpus or Path(scratch)
        big = corpus(base / f"records-{args.events}", args.promises, args.events, args.countries)
        small = corpus(base / f"records-{args.small_events}", args.promises, args.small_events, args.countries)
        wait_until_cacheable(big, small)
        cases, facts = run(big, small, args.slow, args.fast)
    text = markdown(cases, facts, args, time.perf_counter() - started)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
