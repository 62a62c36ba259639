"""`check` on events with 10,000 links that all fail: the time must grow with the file, not its square.

    python -m benchmarks.many_links DIR   # makes DIR (a records directory), times check, updates RESULTS.md

Every link is a problem with a line and an excerpt; before line positions were found once per file,
one such file took minutes.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LINKS = 10_000
SECTION = "## Files with 10,000 links"


def make(root: Path, links: int = LINKS) -> list[Path]:
    """A copy of the shipped records plus two event files with `links` failing links each: links to promises
    that do not exist (found across files), and links with an unknown stance (found in the file itself)."""
    shutil.copytree(REPO / "records", root)
    paths = []
    for name, promise, stance in (("missing", "kz-missing-{n}", "contradicts"),
                                  ("stances", "kz-assembly-law", "refutes-{n}")):
        body = "".join(f'\n[[links]]\npromise = "{promise.format(n=n)}"\nstance = "{stance.format(n=n)}"\n'
                       for n in range(links))
        path = root / f"kz/events/2019/kz-2019-09-30-{name}.toml"
        path.write_text(f'id = "kz-2019-09-30-{name}"\ncountry = "KZ"\ndate = 2019-09-30\ntitle = "Many links"\n'
                        'sources = ["https://example.org/a"]\n' + body, encoding="utf-8")
        paths.append(path)
    return paths


def time_check(root: Path, runs: int = 5) -> tuple[float, str]:
    """Median wall time of a cold `check` (no parse cache), and its last line."""
    times, last = [], ""
    for _ in range(runs):
        shutil.rmtree(root / ".tracker-cache", ignore_errors=True)
        started = time.perf_counter()
        process = subprocess.run([sys.executable, "-c", "from cli import main; main()", "--records", str(root),
                                  "check", "--as-of", "2019-12-31"], cwd=REPO, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        last = process.stderr.splitlines()[-1]
    return statistics.median(times), last


def main() -> None:
    root = Path(sys.argv[1])
    paths = make(root)
    seconds, last = time_check(root)
    section = (f"{SECTION}\n\nWritten by `python -m benchmarks.many_links DIR`. `check` (cold: no parse cache, "
               f"in a new process) on the shipped records plus two event files of {paths[0].stat().st_size:,} "
               f"and {paths[1].stat().st_size:,} bytes with {LINKS:,} links each, every link a problem (a "
               f"promise that does not exist; an unknown stance): median of 5 runs **{seconds:.2f} s** (target < 2 s). "
               f"It printed: `{last}`\n")
    results = REPO / "benchmarks/RESULTS.md"
    text = results.read_text(encoding="utf-8")
    text = re.sub(rf"\n{re.escape(SECTION)}\n.*?(?=\n## |\Z)", "", text, flags=re.S).rstrip("\n")
    results.write_text(text + "\n\n" + section, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
