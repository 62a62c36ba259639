"""Writes are atomic and exclusive: proved by killing writers and by racing them.

CI runs small counts; TRACKER_FULL_STRESS=1 runs the full ones (200 kills; 8 processes x 100 events).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import tomli
from helpers import REPO, SHIPPED, run_tracker

from tracker.validate import load_records

FULL = os.environ.get("TRACKER_FULL_STRESS") == "1"
KILLS = 200 if FULL else 40
WRITERS, EVENTS_EACH = (8, 100) if FULL else (8, 12)
AS_OF = "2030-01-01"
AS_OF_DATE = dt.date(2030, 1, 1)
SHIPPED_EVENTS = {p.stem for p in (SHIPPED / "kz" / "events" / "2019").rglob("*.toml")}


def tracker_process(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "--records", str(root), *args],
                            env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def random_write(rng: random.Random, run: int) -> tuple[str, ...]:
    """add-event (often with a derived ID that clashes), restate or rate, with text of random length."""
    words = " ".join(rng.choice(["rally", "detained", "Алматы", "集会", "fined"]) for _ in range(rng.randint(1, 400)))
    kind = rng.choice(["add-event", "add-event", "restate", "rate"])
    if kind == "add-event":
        return ("add-event", "--country", "KZ", "--date", f"2019-10-{rng.randint(1, 3):02d}",
                "--title", f"Rally {rng.randint(1, 3)}", "--notes", words, "--detained", str(run),
                "--source", "https://example.org/a", "--contradicts", "kz-assembly-law")
    if kind == "restate":
        return ("restate", "kz-assembly-law", "--date", "2019-10", "--quote", words, "--source", "https://example.org/b")
    return ("rate", "kz-assembly-law", "--verdict", "broken", "--date", "2019-11", "--rationale", words)


def tables(root: Path, key: str) -> int:
    """The promise's statements or ratings: tables in its file, and files of their own below it."""
    with open(root / "kz" / "promises" / "kz-assembly-law.toml", "rb") as handle:
        inline = len(tomli.load(handle).get(key, []))
    folder = root / "kz" / "promises" / "kz-assembly-law" / key
    # pathlib's glob matches hidden names too: a killed write's .tmp-*.toml is no record (the loader skips it).
    return inline + sum(1 for path in folder.glob("*.toml") if not path.name.startswith("."))


def test_killed_writers_leave_every_file_absent_or_whole(kz):
    """SIGKILL at random moments, and in the middle of writes: every record is either absent or complete and
    valid, every append whole or absent, and check passes."""
    rng = random.Random(int(os.environ.get("TRACKER_STRESS_SEED", "5")))
    durations = [run_timed(kz, random_write(rng, 0))]
    outcomes = {"finished": 0, "killed before writing": 0, "killed mid-write": 0, "killed after writing": 0}
    for run in range(1, KILLS + 1):
        args = random_write(rng, run)
        before = {key: tables(kz, key) for key in ("statements", "ratings")}
        events_before = event_files(kz)
        temps_before = len(list(kz.rglob(".tmp-*")))
        typical = sorted(durations)[len(durations) // 2]
        started = time.monotonic()
        process = tracker_process(kz, *args)
        if run % 2:
            # Kill at a random moment of a typical run (start-up takes most of it).
            try:
                process.wait(timeout=rng.uniform(0.3, 1.0) * typical)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
        else:
            kill_on_first_temporary_file(process, kz, started + 2 * typical)
        code = process.wait(timeout=120)
        assert code in (0, -signal.SIGKILL), process.stderr.read()
        # An append lands whole or not at all: the promise has the same tables, or exactly one more.
        appended = {"restate": "statements", "rate": "ratings"}.get(args[0])
        grown = {name: tables(kz, name) - count for name, count in before.items()}
        assert all(grew == (1 if code == 0 and name == appended else grew) and grew in (0, 1) and
                   (grew == 0 or name == appended) for name, grew in grown.items()), (args[0], code, grown)
        # A new record is there whole, or not at all.
        new_events = event_files(kz) - events_before
        made = 1 if args[0] == "add-event" else 0
        assert len(new_events) == made if code == 0 else len(new_events) <= made
        records = load_records(kz, AS_OF_DATE)
        assert not records.errors, [f"{p.path}:{p.line}: {p.message}" for p in records.errors]
        if code == 0:
            durations.append(time.monotonic() - started)
            outcomes["finished"] += 1
        elif len(list(kz.rglob(".tmp-*"))) > temps_before:
            outcomes["killed mid-write"] += 1  # a hidden temporary file is left; the loader never reads it
        else:
            outcomes["killed after writing" if new_events or any(grown.values()) else "killed before writing"] += 1
    result = run_tracker("--records", str(kz), "check", "--as-of", AS_OF)
    assert result.returncode == 0 and "0 errors" in result.stderr, result.stderr
    print(f"\n{KILLS} runs: " + ", ".join(f"{count} {what}" for what, count in outcomes.items())
          + f"; {len(list((kz / 'kz' / 'events').rglob('*.toml')))} event files, {tables(kz, 'statements')} "
          f"statements, {tables(kz, 'ratings')} ratings, all valid; check passes")
    assert KILLS - outcomes["finished"] >= KILLS // 4, "too few runs were killed part-way to prove anything"


def event_files(root: Path) -> set[Path]:
    """The event records: not a killed write's temporary file, which can be left beside the record it became
    (atomic.create links it into place, then removes it) and which the loader never reads."""
    return {path for path in (root / "kz" / "events").rglob("*.toml") if not path.name.startswith(".")}


def kill_on_first_temporary_file(process: subprocess.Popen[str], root: Path, deadline: float) -> None:
    """SIGKILL the writer the moment a new temporary file shows: in the middle of its write. Writes land in
    folders below the promise's and in month folders, so every folder of the country is watched."""
    def temporary() -> set[str]:
        return {os.path.join(folder, name) for folder, _, names in os.walk(root / "kz") for name in names
                if name.startswith(".tmp-")}

    seen = temporary()
    while process.poll() is None and time.monotonic() < deadline:
        if temporary() - seen:
            process.send_signal(signal.SIGKILL)
            return
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)


def run_timed(root: Path, args: tuple[str, ...]) -> float:
    started = time.monotonic()
    process = tracker_process(root, *args)
    assert process.wait(timeout=120) == 0, process.stderr.read()
    return time.monotonic() - started


WRITER = """
import sys
from cli import cli

root, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
made = []
for n in range(count):
    # Half the titles clash with every other writer's, so their derived IDs collide.
    title = f"Rally in Almaty {n % 4}" if n % 2 else f"Writer {worker} event {n}"
    args = ["--records", root, "add-event", "--country", "KZ", "--date", "2019-10-05", "--title", title,
            "--source", "https://example.org/a", "--contradicts", "kz-assembly-law"]
    try:
        cli.main(args, prog_name="tracker", standalone_mode=False)
    except SystemExit as stop:
        assert not stop.code, stop.code
    if n % 10 == 0:
        cli.main(["--records", root, "restate", "kz-assembly-law", "--date", "2019-10",
                  "--venue", f"writer {worker} at {n}"], prog_name="tracker", standalone_mode=False)
"""


def test_concurrent_writers_all_land_with_distinct_ids(kz, tmp_path):
    """Several processes add events at once, with clashing derived IDs: every one lands, once."""
    statements = tables(kz, "statements")
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(kz), str(worker), str(EVENTS_EACH)],
                                env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for worker in range(WRITERS)]
    ids: list[str] = []
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
        ids += [line for line in out.splitlines() if line.startswith("kz-")]
    ids = [i for i in ids if i != "kz-assembly-law"]  # restate prints the promise's ID
    assert len(ids) == WRITERS * EVENTS_EACH
    assert len(set(ids)) == len(ids)
    on_disk = {p.stem for p in (kz / "kz" / "events" / "2019").rglob("*.toml")} - SHIPPED_EVENTS
    assert on_disk == set(ids)
    assert tables(kz, "statements") == statements + WRITERS * len(range(0, EVENTS_EACH, 10))
    result = run_tracker("--records", str(kz), "check")
    assert result.returncode == 0 and "0 errors" in result.stderr, result.stderr
    print(f"\n{WRITERS} writers x {EVENTS_EACH} events: {len(set(ids))} distinct IDs, "
          f"{tables(kz, 'statements') - statements} restatements appended, check passes")
