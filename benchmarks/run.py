"""Time tracker on a generated corpus against the targets of the performance issue, and write RESULTS.md.

    python -m benchmarks.run                      # 2,000 promises, 100,000 events, 150 countries
    python -m benchmarks.run --corpus /tmp/big    # reuse (or keep) the generated records there

Every case runs as a separate process, several times, in this one run; the table
gives the median wall-clock time (what a user waits) and the median CPU time of
the process (user + system; steadier on a busy machine). Each ratio compares
with a baseline measured in the same run. Peak memory is the process's maximum
resident set size, from the kernel's accounting for that one process (os.wait4).

The kernel starts a new process's peak at the size of the process that started it,
so each case is started by a small launcher (LAUNCH), never by this runner, and the
corpus is generated in a process of its own: the figures are the cases' own, not the
runner's. The launcher, a bare Python of about 10 MB, is their floor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
# Starts the command, output discarded, and prints its wall time, CPU time, peak memory and exit code.
LAUNCH = """
import os, sys, time
null = os.open(os.devnull, os.O_WRONLY)
started = time.perf_counter()
child = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, null, 1)])
_, status, usage = os.wait4(child, 0)
wall = time.perf_counter() - started
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
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
        launched = subprocess.run([sys.executable, "-c", LAUNCH, *argv], stdout=subprocess.PIPE, stderr=stderr,
                                  env=env, text=True)
        figures = launched.stdout.split()
        code = int(figures[3]) if launched.returncode == 0 and len(figures) == 4 else launched.returncode
        if code != 0:
            stderr.seek(0)
            raise SystemExit(f"{' '.join(argv)} exited {code}:\n{stderr.read().decode()}")
    wall, cpu, peak_kb = figures[:3]
    case.walls.append(float(wall))
    case.cpus.append(float(cpu))
    case.peak_kb = max(case.peak_kb, int(peak_kb))


def compile_bytecode() -> None:
    """Compile tracker's modules as an install does (pip compiles a wheel's; an editable checkout, or one
    run with PYTHONDONTWRITEBYTECODE, has none), so start-up is measured as users meet it."""
    import compileall

    compileall.compile_dir(REPO / "tracker", quiet=1)
    compileall.compile_file(REPO / "cli.py", quiet=1)


def toml_files(root: Path) -> Iterator[str]:
    """Every .toml file below root, as Path.rglob finds them, without the set of every path found that
    rglob keeps (some 2 GB at 1,000,000 events, which would stay this runner's size)."""
    for folder, _, files in os.walk(root):
        yield from (os.path.join(folder, name) for name in files if name.endswith(".toml"))


def wait_until_cacheable(*roots: Path) -> None:
    """Files are cached only once they are a little old (tracker.cache.MARGIN_NS); wait for the newest."""
    newest = max(os.stat(p).st_mtime_ns for root in roots for p in toml_files(root))
    delay = (newest + MARGIN_NS) / 1e9 - time.time() + 0.5
    if delay > 0:
        time.sleep(delay)


def corpus(path: Path, promises: int, events: int, countries: int) -> Path:
    """The corpus at path, generated there first unless it is already, in a process of its own: this
    runner stays small."""
    if not (path / "tracker.toml").exists():
        print(f"generating {path}: {promises} promises, {events} events …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "benchmarks.generate", str(path.absolute()), "--promises", str(promises),
                        "--events", str(events), "--countries", str(countries), "--seed", "1"], cwd=REPO, check=True)
    return path


def biggest_country(root: Path) -> str:
    sizes = {d.name: sum(1 for _ in toml_files(d / "events")) for d in root.iterdir()
             if (d / "events").is_dir()}
    return max(sizes, key=lambda name: (sizes[name], name)).upper()


def stages(big: Path, repeat: int) -> dict[str, float]:
    """Median time of each stage of a warm report (benchmarks.stages), in one process."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-m", "benchmarks.stages", str(big), "--as-of", AS_OF], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout
        runs.append(json.loads(out))
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def run(big: Path, scratch: Path, slow: int, fast: int) -> tuple[dict[str, Case], dict[str, str]]:
    tracker = tracker_command()
    country = biggest_country(big)
    promise, other = sorted((big / country.lower() / "promises").glob("*.toml"))[:2]
    facts = {"country": country, "files": str(sum(1 for _ in toml_files(big)) - 1)}
    cases: dict[str, Case] = {}

    def case(name: str, repeat: int, argv: list[str], before: list[str] | None = None) -> None:
        cases[name] = cases.get(name) or Case(name)
        for _ in range(repeat):
            measure(cases[name], argv, before)
        print(f"{name}: {cases[name].wall:.3f} s", file=sys.stderr)

    records = [*tracker, "--records", str(big)]
    report = [*records, "report", "--as-of", AS_OF]
    cache = str(big / FOLDER)
    site, copy, database = scratch / "site", scratch / "site-copy", scratch / "records.db"
    # Each case and its baseline run in turn, round after round, so that a change in the load of
    # the machine falls on both alike.
    for _ in range(slow):
        case("bare tomllib parse loop", 1, [sys.executable, "-c", PARSE_LOOP, str(big)])
        case("cold report --no-cache", 1, [*records, "--no-cache", *report[3:]])
        case("cold report, writing the cache", 1, report, before=[cache])
    case("warm report (fills the cache)", 1, report)
    for _ in range(fast):
        case("bare os.stat loop", 1, [sys.executable, "-c", STAT_LOOP, str(big)])
        case(f"warm report --country {country}", 1, [*report, "--country", country])
        case("warm report", 1, report)
        case("warm report --format csv", 1, [*report, "--format", "csv"])
        case("warm check", 1, [*records, "check", "--as-of", AS_OF])
    # JSON, the site and the export read the records whole, from a snapshot of their own: made here, so
    # that the first JSON run measured is as warm as the rest.
    case("warm report --format json (fills the whole snapshot)", 1, [*report, "--format", "json"])
    for _ in range(slow):
        case("warm report --format json", 1, [*report, "--format", "json"])
        case("site", 1, [*records, "site", str(site), "--as-of", AS_OF], before=[str(site)])
        case("copy the site's files (cp -r)", 1, ["cp", "-r", str(site), str(copy)], before=[str(copy)])
        case("export --format sqlite", 1, [*records, "export", "--format", "sqlite", str(database), "--as-of", AS_OF],
             before=[str(database)])
    for n in range(fast):
        ident = f"benchmark-event-{n}"
        kept = set(promise.with_suffix("").rglob("*")) | set(other.with_suffix("").rglob("*"))
        case("python -c 'import click'", 1, [sys.executable, "-c", "import click"])
        case("tracker --version", 1, [*tracker, "--version"])
        case("add-event, one link", 1, [*records, "add-event", "--country", country, "--date", "2025-06-01",
                                        "--title", "Benchmark event", "--id", ident, "--contradicts", promise.stem,
                                        "--source", "https://example.org/benchmark"])
        case("link", 1, [*records, "link", ident, "--consistent", other.stem])
        case("restate", 1, [*records, "restate", promise.stem, "--date", "2025-06-01",
                            "--source", "https://example.org/benchmark"])
        case("rate", 1, [*records, "rate", promise.stem, "--verdict", "kept", "--date", "2025-06-01",
                         "--rationale", "Benchmark rating"])
        # What the writers wrote goes, so that the corpus stays as generated.
        written = [*big.glob(f"{country.lower()}/events/2025/*/{ident}.toml"),
                   *(set(promise.with_suffix("").rglob("*")) | set(other.with_suffix("").rglob("*"))) - kept]
        for path in sorted(written, key=lambda path: len(path.parts), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
    return cases, facts


Target = tuple[str, str, float, float, float, str]


def targets(cases: dict[str, Case], country: str) -> list[Target]:
    """(case, compared with, measured by wall time, by CPU time, target, unit) for every target of the issue."""
    def ratio(name: str, baseline: str, target: float) -> Target:
        a, b = cases[name], cases[baseline]
        return name, baseline, a.wall / b.wall, a.cpu / b.cpu, target, "×"

    site, copy, json_ = cases["site"], cases["copy the site's files (cp -r)"], cases["warm report --format json"]
    return [
        ratio("warm report", "bare os.stat loop", 3),
        ratio(f"warm report --country {country}", "bare os.stat loop", 2.5),
        ratio("warm check", "bare os.stat loop", 2.5),
        ratio("cold report --no-cache", "bare tomllib parse loop", 0.7),
        ratio("cold report, writing the cache", "bare tomllib parse loop", 0.7),
        ratio("tracker --version", "python -c 'import click'", 1.3),
        *(ratio(writer, "tracker --version", 1.5) for writer in ("add-event, one link", "restate", "rate", "link")),
        ("site, less the time to copy its files", "warm report --format json", (site.wall - copy.wall) / json_.wall,
         (site.cpu - copy.cpu) / json_.cpu, 2, "×"),
        ratio("export --format sqlite", "warm report --format json", 2),
    ]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; tracker {__version__}")


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def markdown(cases: dict[str, Case], facts: dict[str, str], parts: dict[str, float], args: argparse.Namespace,
             took: float) -> str:
    lines = [
        "# Benchmark results", "",
        "Written by `python -m benchmarks.run` between its markers; do not edit that part by hand (the "
        "sections after it are kept).", "",
        f"- Machine: {machine()}; load average (1, 5, 15 min) at the start {args.load_before}, "
        f"at the end {load_average()}",
        f"- Corpus: `python -m benchmarks.generate DIR --promises {args.promises} --events {args.events} "
        f"--countries {args.countries} --seed 1` ({facts['files']} record files). `--country {facts['country']}` "
        "is the country with the most events.",
        f"- Each case ran {args.slow} (slow cases) or {args.fast} times; medians. The whole run took {took:.0f} s, "
        f"of which {args.generation:.0f} s went to generating the corpora"
        f"{' (reused from an earlier run)' if args.generation < 1 else ''}.",
        "", "## Targets", "",
        "Wall time is what a user waits; CPU time (user + system, of that process alone) is steadier when",
        "other work shares the machine. A target is met when the measure it names is within it.", "",
        "| case | compared with | wall | CPU | target | met (wall, CPU) |", "|---|---|---:|---:|---:|---|",
    ]
    def shown(x: float, unit: str) -> str:
        return f"{x:.2f}×" if unit == "×" else f"{x:.2f} s" if unit == "s" else f"{x:.0f} {unit}"

    for name, baseline, wall, cpu, target, unit in targets(cases, facts["country"]):
        limit = f"≤ {target}×" if unit == "×" else f"≤ {target} {unit}"
        met = ", ".join("yes" if x <= target else "**no**" for x in (wall, cpu))
        lines.append(f"| {name} | {baseline} | {shown(wall, unit)} | {shown(cpu, unit)} | {limit} | {met} |")
    lines.append("| 1,000,000 events, 20,000 promises | | | | | a separate command: `python -m benchmarks.million` "
                 "(below) |")
    lines += ["", "## Every case", "",
              "Peak memory is each process's own, started from a small launcher (a bare Python of about 10 MB, "
              "the floor of the figures).", "",
              "| case | median wall (s) | median CPU (s) | peak memory (MB) | runs |", "|---|---:|---:|---:|---:|"]
    for case in cases.values():
        lines.append(f"| {case.name} | {case.wall:.3f} | {case.cpu:.3f} | {case.peak_kb / 1024:.0f} | "
                     f"{len(case.walls)} |")
    lines += ["", "## Where a warm report's time goes", "",
              "`python -m benchmarks.stages`: each stage of a warm report of every country, timed in one process "
              "(after Python's own start-up); medians.", "",
              "| stage | seconds |", "|---|---:|"]
    lines += [f"| {name} | {seconds:.3f} |" for name, seconds in parts.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path,
                        help="where to generate (or find) the records; default: a temporary folder")
    parser.add_argument("--promises", type=int, default=2000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--countries", type=int, default=150)
    parser.add_argument("--slow", type=int, default=3, help="runs of each cold case")
    parser.add_argument("--fast", type=int, default=5, help="runs of each other case")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    args.load_before = load_average()
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as scratch:
        base = args.corpus or Path(scratch)
        big = corpus(base / f"records-{args.events}", args.promises, args.events, args.countries)
        args.generation = time.perf_counter() - started
        wait_until_cacheable(big)
        cases, facts = run(big, Path(scratch), args.slow, args.fast)
        parts = stages(big, args.slow)
    text = markdown(cases, facts, parts, args, time.perf_counter() - started)
    write_section(args.output, "benchmarks.run", text)
    print(text)


def write_section(path: Path, name: str, text: str) -> None:
    """Put text between the markers of section `name` in path, keeping everything else in the file
    (sections written by hand, or by other benchmarks). A file without the markers gets the section
    at its end."""
    start, end = f"<!-- {name}: start -->\n", f"<!-- {name}: end -->\n"
    block = start + text + end
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    head, found, rest = old.partition(start)
    if found and end in rest:
        new = head + block + rest.partition(end)[2]
    else:
        new = old + ("\n" if old else "") + block
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
