"""How long `tracker site` takes on many records, against `report` on the same records.

    python benchmarks/site.py [PROMISES] [EVENTS]

Writes generated records to a temporary directory, then times each command, the best of three
runs in a fresh process: `report`, `site` into a new directory, and `site` again over a site
(which rewrites only the files that changed). The site assesses each promise once per day its verdict could change,
so its cost grows with events per promise as well as with the number of pages.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks import tracker


def build(root: Path, promises: int, events: int) -> None:
    tracker(root.parent, "init", str(root))
    (root / "kz" / "promises").mkdir(parents=True)
    (root / "kz" / "events" / "2019").mkdir(parents=True)
    for n in range(promises):
        (root / "kz" / "promises" / f"p-{n}.toml").write_text(
            f'id = "p-{n}"\ncountry = "KZ"\nofficial = "Official {n % 50}"\ntitle = "Pledge {n}"\n'
            f'topics = ["topic-{n % 20}"]\n\n[[statements]]\ndate = 2019-01-01\nsources = ["https://example.org/{n}"]\n')
    for n in range(events):
        stance = ("contradicts", "consistent", "advances")[n % 3]
        (root / "kz" / "events" / "2019" / f"e-{n}.toml").write_text(
            f'id = "e-{n}"\ncountry = "KZ"\ndate = 2019-{n % 12 + 1:02d}-{n % 28 + 1:02d}\ntitle = "Event {n}"\n'
            f'severity = {n % 5 + 1}\nsources = ["https://example.org/e/{n}"]\n\n'
            f'[[links]]\npromise = "p-{n % promises}"\nstance = "{stance}"\n')


def main() -> None:
    promises, events = (int(a) for a in (sys.argv[1:] + ["500", "5000"][len(sys.argv) - 1:])[:2])
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        build(work / "records", promises, events)
        print(f"{promises} promises, {events} events; best of 3, seconds")
        report = min(tracker(work, "report", "--as-of", "2019-12-31") for _ in range(3))
        new = min(tracker(work, "site", f"new-{n}", "--as-of", "2019-12-31") for n in range(3))
        again = min(tracker(work, "site", "new-0", "--as-of", "2019-12-31") for _ in range(3))
        for label, seconds in (("report", report), ("site, new", new), ("site, again", again)):
            print(f"  {label:12} {seconds:.2f}")


if __name__ == "__main__":
    main()
