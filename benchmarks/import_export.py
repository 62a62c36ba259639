"""How long importing an ACLED export and exporting the records take.

    python benchmarks/import_export.py [ROWS]

Writes ROWS (default 5000) rows in ACLED's column layout to a temporary directory, then times, each
in a fresh process: the first import (every row a new file, each written atomically and synced),
the same import again (every row matched by source_id and skipped), `check`, and the three exports.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from pathlib import Path

from benchmarks import REPO, tracker

FIXTURE = REPO / "tests" / "data" / "acled-kz.csv"


def write_rows(path: Path, rows: int) -> None:
    """ROWS copies of the fixture's first row, each with its own ID, date and place."""
    with FIXTURE.open(newline="") as handle:
        template = next(csv.DictReader(handle))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(template))
        writer.writeheader()
        for n in range(rows):
            writer.writerow(template | {"event_id_cnty": f"KAZ{100000 + n}", "location": f"Town {n % 300}",
                                        "event_date": f"2019-{n % 12 + 1:02d}-{n % 28 + 1:02d}"})


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        write_rows(work / "acled.csv", rows)
        tracker(work, "init")
        timings = [
            ("import (all new)", tracker(work, "import", "events", "acled.csv", "--preset", "acled")),
            ("import again (all skipped)", tracker(work, "import", "events", "acled.csv", "--preset", "acled")),
            ("check", tracker(work, "check")),
            ("export --format json", tracker(work, "export", "--format", "json", "out-json")),
            ("export --format csv", tracker(work, "export", "--format", "csv", "out-csv")),
            ("export --format sqlite", tracker(work, "export", "--format", "sqlite", "out.db")),
        ]
    print(f"{rows} ACLED rows, {os.cpu_count()} CPUs")
    for name, seconds in timings:
        print(f"  {name:28} {seconds:7.2f} s   {1000 * seconds / rows:6.2f} ms/row")


if __name__ == "__main__":
    main()
