"""How long reading records from git takes, against reading them from the files.

    python -m benchmarks.git_read [PROMISES] [EVENTS] [COMMITS]

Builds a repository of the performance corpus (benchmarks.generate) in a temporary directory, then
COMMITS commits that each restate one promise, and times, each the best of three runs in a fresh
process: `report` (the files), `report --at HEAD` (git ls-tree + cat-file), `diff HEAD~1` and
`history ID --revisions` over every commit that touches the promise. The cost of a commit after the
first is (history - report --at HEAD) / COMMITS: each blob is read and checked once, by its ID.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO), "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org", "NO_COLOR": "1"}


def tracker(cwd: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from cli import main; main()", *args], cwd=cwd, env=ENV, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True)


def main() -> None:
    promises, events, commits = (int(a) for a in (sys.argv[1:] + ["200", "2000", "50"][len(sys.argv) - 1:])[:3])
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        root = work / "records"
        generate(root, promises, events, 10, 1)
        git(work, "init", "-q")
        git(work, "add", ".")
        git(work, "commit", "-qm", "Generated records")
        promise = min(root.glob("*/promises/*.toml")).stem
        for n in range(commits):
            tracker(work, "restate", promise, "--date", f"2019-{n % 12 + 1:02d}-20", "--venue", f"Speech {n}",
                    "--commit")
        print(f"{promises} promises, {events} events, {commits + 1} commits; best of 3, seconds")
        times = {}
        for label, args in (("report (files)", ["report"]), ("report --at HEAD", ["report", "--at", "HEAD"]),
                            ("diff HEAD~1 (git and files)", ["diff", "HEAD~1"]),
                            (f"history --revisions ({commits + 1} commits)", ["history", promise, "--revisions"])):
            times[label] = min(tracker(work, *args) for _ in range(3))
            print(f"  {label:40} {times[label]:.2f}")
        history = times[f"history --revisions ({commits + 1} commits)"]
        print(f"  {'history --revisions, a commit after the first':40} "
              f"{(history - times['report --at HEAD']) / commits:.3f}")


if __name__ == "__main__":
    main()
