"""A cold load on several processes, a cold load on one and a warm load (from the parse cache) give the
same output, byte for byte: the same problems in the same order, the same report."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, SHIPPED, edit_file, kept_in, run_tracker

from benchmarks.generate import generate
from tracker.cache import FILE, FOLDER, MARGIN_NS, SCORING, SNAPSHOT, FileCache
from tracker.layout import shard
from tracker.load import discover
from tracker.parallel import CHUNK, in_background, jobs, map_ordered
from tracker.validate import check_bytes, load_records

AS_OF = "2024-06-30"  # events run to 2025: many are dated after it, which is a warning
# check and a report's table, CSV and Markdown read a warm load's events cut to what scoring needs (the
# scoring snapshot); JSON reads them whole (the records snapshot): each must match a cold load's output.
COMMANDS = (("check", "--as-of", AS_OF), ("report", "--as-of", AS_OF, "--format", "json"),
            ("check", "--as-of", AS_OF, "--format", "json"),
            *(("report", "--as-of", AS_OF, "--format", fmt) for fmt in ("table", "csv", "markdown")))


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A generated records directory with warnings only, and a copy with errors of every kind added."""
    base = tmp_path_factory.mktemp("parallel")
    clean = base / "clean"
    generate(clean, promises=30, events=500, countries=3, seed=7)
    promise = sorted(clean.rglob("promises/*.toml"))[0]
    edit_file(promise, "official = ", 'oficial = "a misspelt field: a warning"\nofficial = ')
    for link in sorted(clean.rglob("links/*/*.toml"))[::7]:  # a link's own severity, over its event's
        edit_file(link, "stance = ", "severity = 5\nstance = ")
    broken = base / "broken"
    shutil.copytree(clean, broken)
    events = sorted(broken.rglob("events/*/*/*.toml"))
    events[0].write_text('id = "unterminated\n', encoding="utf-8")  # not TOML
    edit_file(events[1], "severity = ", "severity = 9\nseverities = ")  # out of range
    shutil.copy(events[2], events[3].parent / events[2].name) if events[2].parent != events[3].parent \
        else shutil.copy(events[2], events[-1].parent / events[2].name)  # one ID twice, in the wrong folder
    links = sorted(broken.rglob("links/*/*.toml"))
    gone = links[1].parent.parent / shard("no-such-event") / "no-such-event.toml"  # a link to no event
    gone.parent.mkdir(exist_ok=True)
    shutil.copy(links[1], gone)
    edit_file(links[0], "stance = ", 'stance = "breaks-ish"\nnote = ')  # no such stance
    time.sleep(MARGIN_NS / 1e9 + 0.2)  # old enough to be cached
    return {"clean": clean, "broken": broken}


def outputs(root: Path, jobs: str, cache: bool) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) of each command, on `jobs` processes; with cache, from the cache as it is."""
    found = []
    for command in COMMANDS:
        flags = () if cache else ("--no-cache",)
        result = run_tracker("--records", str(root), *flags, *command, env={"TRACKER_JOBS": jobs, "NO_COLOR": "1"})
        found.append((result.returncode, result.stdout, result.stderr))
    return found


@pytest.mark.parametrize("name", ["clean", "broken"])
def test_parallel_serial_and_warm_loads_agree(corpora: dict[str, Path], name: str):
    root = corpora[name]
    files = sum(1 for _ in root.rglob("*.toml"))
    assert files > 3 * CHUNK, "too few files to be parsed in several chunks"
    serial = outputs(root, "1", cache=False)
    assert outputs(root, "2", cache=False) == serial
    for processes in ("1", "2"):  # a cold load that writes the cache, as it goes (cache.FileCache.fill)
        for number in (1, 0):  # the JSON report (records whole), then check (events cut to what scoring reads)
            shutil.rmtree(root / FOLDER, ignore_errors=True)
            writing = run_tracker("--records", str(root), *COMMANDS[number],
                                  env={"TRACKER_JOBS": processes, "NO_COLOR": "1"})
            assert (writing.returncode, writing.stdout, writing.stderr) == serial[number]
    assert (root / FOLDER / SCORING).is_file(), "the cold run wrote no cache, so the next runs are not warm"
    assert outputs(root, "2", cache=True) == serial
    assert (root / FOLDER / SNAPSHOT).is_file(), "the JSON report read no snapshot of whole records"
    assert outputs(root, "1", cache=True) == serial

    check_code, _, check_err = serial[0]
    report_code, report_json, _ = serial[1]
    assert "after 2024-06-30" in check_err and "oficial" in check_err
    if name == "clean":
        assert check_code == 0 and report_code == 0 and '"verdict"' in report_json
    else:
        assert check_code == 1 and report_code == 1
        for problem in ("is not valid TOML", "severity: must be a whole number", "is also used by",
                        "'breaks-ish' is not a stance", "but no event has that ID"):
            assert problem in check_err


def test_a_warm_load_follows_the_as_of_date_and_files_outside_the_layout(tmp_path: Path):
    """The snapshot of the assembled records holds for one as-of date and one set of files: another date, or a
    file in a place no record goes (which is no record, so no stamp of its own), and the rules run again."""
    root = tmp_path / "records"
    shutil.copytree(SHIPPED, root, ignore=shutil.ignore_patterns(FOLDER))
    time.sleep(MARGIN_NS / 1e9 + 0.2)

    def check(*extra: str) -> tuple[int, str, str]:
        result = run_tracker("--records", str(root), *extra, "check", "--as-of", "2019-06-30", "--format", "json")
        return result.returncode, result.stdout, result.stderr

    def report(as_of: str) -> str:
        result = run_tracker("--records", str(root), "report", "--as-of", as_of, "--format", "json")
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert report("2019-09-30") == run_tracker("--records", str(root), "--no-cache", "report", "--as-of",
                                               "2019-09-30", "--format", "json").stdout
    assert (root / FOLDER / SNAPSHOT).is_file()
    assert check() == check("--no-cache")  # another date: future-dated records are warned about anew
    assert "after 2019-06-30" in check()[1]
    (root / "kz" / "notes.toml").write_text('title = "not a record"\n', encoding="utf-8")
    stray = check()
    assert "is in an unexpected place" in stray[1] and stray == check("--no-cache")


@pytest.mark.skipif(jobs(10, least=0) < 2, reason="one core, or not Linux: no pool")
@pytest.mark.parametrize("least", [0, 1, 2, 5])
def test_items_that_come_one_by_one_go_to_the_pool_from_least_items(monkeypatch: pytest.MonkeyPatch, least: int):
    """map_ordered takes a generator (the walk of the records) and decides on a pool from its first items."""
    monkeypatch.delenv("TRACKER_JOBS", raising=False)
    here = os.getpid()
    done = map_ordered(lambda item: (item, os.getpid()), (item for item in range(6)), least=least, chunk=1)
    assert [item for item, _ in done] == list(range(6))
    assert here not in {pid for _, pid in done}
    assert set(map_ordered(lambda item: os.getpid(), iter(range(least - 1)), least=least)) <= {here}  # too few


@pytest.mark.skipif(jobs(10, least=0) < 2, reason="one core, or not Linux: no pool")
def test_a_worker_killed_in_a_cold_load_leaves_no_cache_behind(tmp_path: Path):
    """As the kernel's out-of-memory killer would end one: one line and exit 1, and the cache being written
    as the files are read is dropped, not left half-written."""
    root = tmp_path / "records"
    generate(root, promises=40, events=4000, countries=3, seed=11)
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRACKER_JOBS": "2", "NO_COLOR": "1"}
    process = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "--records", str(root),
                                "report", "--as-of", AS_OF], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 60
    while not (workers := children.read_text().split()) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert workers and list((root / FOLDER).glob(".tmp-*")), "the load must be under way, writing its cache"
    os.kill(int(workers[0]), signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert stderr.count("\n") == 1 and "worker process ended" in stderr and "Traceback" not in stderr
    assert list((root / FOLDER).iterdir()) == []


@pytest.mark.skipif(jobs(10, least=0) < 2, reason="one core, or not Linux: no pool")
def test_work_in_the_background_is_done_in_a_child_and_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capfd: pytest.CaptureFixture[str]):
    """in_background: the caller goes on at once, and the function it is given waits for the child; a failure in
    the child ends it without a word."""
    monkeypatch.delenv("TRACKER_JOBS", raising=False)
    marker = tmp_path / "done"

    def work() -> None:
        time.sleep(0.5)
        marker.write_text(str(os.getpid()), encoding="utf-8")

    wait = in_background(work)
    assert not marker.exists()
    wait()
    assert marker.read_text(encoding="utf-8") not in ("", str(os.getpid()))
    in_background(lambda: 1 / 0)()
    assert capfd.readouterr() == ("", "")
    monkeypatch.setenv("TRACKER_JOBS", "1")  # one process: done here, before in_background returns
    marker.unlink()
    in_background(work)
    assert marker.read_text(encoding="utf-8") == str(os.getpid())


@pytest.mark.skipif(jobs(10, least=0) < 2, reason="one core, or not Linux: no pool")
def test_a_cold_load_over_many_chunks_keeps_what_a_load_from_a_cache_keeps(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    """The stamps, hashes and results a cold load keeps on two processes, chunk after chunk, stay with their
    paths (a hash out of place would only have its file parsed again: no output would show it)."""
    root = tmp_path / "records"
    generate(root, promises=10, events=3 * CHUNK, countries=2, seed=5)
    time.sleep(MARGIN_NS / 1e9 + 0.2)  # old enough to be kept with their stamps
    monkeypatch.setenv("TRACKER_JOBS", "2")
    load_records(root, dt.date(2024, 6, 30), whole=False)  # FileCache.fill
    cold = kept_in(root)
    assert len(cold[0]) > 3 * CHUNK and -1 not in cold[1]
    (root / FOLDER / FILE).unlink()
    monkeypatch.setenv("TRACKER_JOBS", "1")
    FileCache(root).checked(discover(root)[0], check_bytes)  # from nothing, in this process
    assert kept_in(root) == cold


@pytest.mark.skipif(jobs(10, least=0) < 2, reason="one core, or not Linux: no pool")
def test_the_child_in_the_background_neither_prints_the_parent_s_output_nor_runs_its_exit_handlers():
    code = ("import atexit, sys; from tracker.parallel import in_background\n"
            "atexit.register(lambda: sys.stderr.write('bye\\n'))\n"
            "sys.stdout.write('once')\n"  # not yet flushed when the child is forked
            "in_background(lambda: None)()\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TRACKER_JOBS", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "once", "bye\n")


@pytest.mark.skipif(jobs(10, least=0) < 2, reason="one core, or not Linux: no pool")
def test_a_command_started_with_sigchld_ignored_says_nothing_of_its_child(tmp_path: Path):
    """A supervisor may start tracker with SIGCHLD ignored, which its children inherit: the kernel then reaps the
    child that keeps the snapshot, and there is nothing to wait for."""
    root = tmp_path / "records"
    shutil.copytree(SHIPPED, root, ignore=shutil.ignore_patterns(FOLDER))
    time.sleep(MARGIN_NS / 1e9 + 0.2)  # old enough for a snapshot to be kept
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRACKER_JOBS": "2", "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, "-c", "from cli import main; main()", "--records", str(root), "check"],
                            env=env, capture_output=True, text=True, timeout=60,
                            preexec_fn=lambda: signal.signal(signal.SIGCHLD, signal.SIG_IGN))
    assert (result.returncode, result.stderr.count("error:")) == (0, 0), result.stderr
    assert (root / FOLDER / SCORING).is_file()
