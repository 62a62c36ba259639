"""Where the time of a warm report goes, stage by stage, in one process; printed as JSON.

    python -m benchmarks.stages RECORDS --as-of 2026-01-01
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stages")
    parser.add_argument("root", type=Path)
    parser.add_argument("--as-of", default="2026-01-01")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    gc.disable()  # as the commands run
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name] = now - clock
        clock = now

    from tracker import render, serialise
    from tracker.cache import SCORING, Snapshot, files_digest, stamps_of
    from tracker.load import discover
    from tracker.model import Records
    from tracker.score import report
    from tracker.validate import load_config
    lap("import the core")
    config, problems = load_config(args.root)
    found, layout_problems = discover(args.root)
    lap("list the files (discover)")
    stamps = stamps_of(found)
    lap("stat every file")
    files = files_digest(found, stamps)
    lap("digest the paths and stamps")
    read = Snapshot(args.root, SCORING).get(files, (as_of, tuple(problems + layout_problems)))
    kept = None if read is None else read()
    if kept is None:
        raise SystemExit("no snapshot of these records for this as-of date: run `tracker report` on them first")
    records = Records(**kept, config=config)
    lap("read the snapshot (check, unpickle)")
    assessments = report(records, as_of)
    lap("score every promise")
    serialise.to_csv(serialise.report_rows(assessments), serialise.CSV_COLUMNS)
    lap("render as CSV")
    from rich.console import Console

    render.report_table(assessments, Console(file=io.StringIO(), width=120, markup=False))
    lap("render the table")
    print(json.dumps(times))


if __name__ == "__main__":
    main()
