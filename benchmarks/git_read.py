"""How long reading records from git takes, against reading them from the files.

    python benchmarks/git_read.py [PROMISES] [EVENTS] [COMMITS]

Builds a repository of generated records in a temporary directory, then times, each the best of
three runs in a fresh process: `report` (the files), `report --at HEAD` (git ls-tree + cat-file),
`diff HEAD~1` and `history ID --revisions` over the last COMMITS commits that touch one promise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tracker.schema import header

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


def build(root: Path, promises: int, events: int) -> None:
    tracker(root.parent, "init", str(root))
    for n in range(promises):
        path = root / "kz" / "promises" / f"p-{n}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header("promise") + f'id = "p-{n}"\ncountry = "KZ"\nofficial = "Official {n % 50}"\n'
                        f'title = "Pledge {n}"\n\n[[statements]]\ndate = 2019-06-01\nsources = ["https://example.org/{n}"]\n')
    for n in range(events):
        path = root / "kz" / "events" / "2019" / f"e-{n}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        stance = ("contradicts", "consistent", "advances")[n % 3]
        path.write_text(header("event") + f'id = "e-{n}"\ncountry = "KZ"\ndate = 2019-{n % 12 + 1:02d}-15\n'
                        f'title = "Event {n}"\nseverity = {n % 5 + 1}\n\n[[links]]\npromise = "p-{n % promises}"\nstance = "{stance}"\n')


def main() -> None:
    promises, events, commits = (int(a) for a in (sys.argv[1:] + ["200", "2000", "20"][len(sys.argv) - 1:])[:3])
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        root = work / "records"
        build(root, promises, events)
        git(work, "init", "-q")
        git(work, "add", ".")
        git(work, "commit", "-qm", "Generated records")
        for n in range(commits):
            tracker(work, "restate", "p-0", "--date", f"2019-{n % 12 + 1:02d}-20", "--commit")
        print(f"{promises} promises, {events} events, {commits + 1} commits; best of 3, seconds")
        for label, args in (("report (files)", ["report"]), ("report --at HEAD", ["report", "--at", "HEAD"]),
                            ("diff HEAD~1 (git and files)", ["diff", "HEAD~1"]),
                            (f"history --revisions ({commits + 1} commits)", ["history", "p-0", "--revisions"])):
            print(f"  {label:40} {min(tracker(work, *args) for _ in range(3)):.2f}")


if __name__ == "__main__":
    main()
