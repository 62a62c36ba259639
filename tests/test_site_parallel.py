"""A site drawn and written on several processes is the site one process builds, byte for byte: every
page, the feed, data.json and the manifest; and so is a rebuild over it, with its stale pages removed.
Ctrl-C in the middle of it leaves the old site whole and says so in one line."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, ctrl_c_reaches_it, run_tracker, snapshot

from benchmarks.generate import generate
from tracker.parallel import CHUNK

AS_OF = "2026-01-01"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site-parallel") / "records"
    generate(root, promises=40, events=4000, countries=3, seed=11)
    return root


def build(root: Path, out: Path, jobs: str) -> str:
    """Build the site of root into out on `jobs` processes; what the command said."""
    result = run_tracker("--records", str(root), "site", str(out), "--as-of", AS_OF, "--title", "Parallel & <serial>",
                         "--base-url", "https://example.org/site/", env={"TRACKER_JOBS": jobs, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def started_while_writing(corpus: Path, out: Path, **popen: Any) -> subprocess.Popen[str]:
    """A site build on two processes over an earlier one, once its workers have begun to write the new site."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRACKER_JOBS": "2", "NO_COLOR": "1"}
    process = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "--records", str(corpus), "site",
                                str(out), "--as-of", AS_OF, "--title", "Second"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, **popen)
    deadline = time.monotonic() + 60
    while not list(out.parent.glob(f".{out.name}.tmp-*/events/*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    return process


def test_a_parallel_build_and_a_serial_build_are_the_same_bytes(corpus: Path, tmp_path: Path):
    root = tmp_path / "records"
    shutil.copytree(corpus, root)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    said = build(root, serial, "1"), build(root, parallel, "2")
    assert said[0].replace(str(serial), "OUT") == said[1].replace(str(parallel), "OUT")
    files = snapshot(serial)
    assert len(files) > 2 * CHUNK, "too few files for each process to draw some"
    assert ".tracker-site" in files and "feed.xml" in files
    assert snapshot(parallel) == files

    # A rebuild over each: a promise gone with its links (its page is stale and removed), an event renamed.
    promise = sorted(root.rglob("promises/*.toml"))[0]
    promise.unlink()
    shutil.rmtree(promise.with_suffix(""), ignore_errors=True)
    event = sorted(root.rglob("events/*/*/*.toml"))[1]
    event.write_text(event.read_text(encoding="utf-8").replace('title = "', 'title = "Renamed <b>&amp; ', 1),
                     encoding="utf-8")
    said = build(root, serial, "1"), build(root, parallel, "2")
    assert "removed 1 stale file(s)" in said[0]
    assert said[0].replace(str(serial), "OUT") == said[1].replace(str(parallel), "OUT")
    rebuilt = snapshot(serial)
    assert rebuilt != files and "Renamed &lt;b&gt;&amp;amp; " in "".join(
        page.decode("utf-8") for name, page in rebuilt.items() if name.startswith("events/"))
    assert snapshot(parallel) == rebuilt


def test_ctrl_c_while_the_workers_write_leaves_the_old_site_whole(corpus: Path, tmp_path: Path):
    out = tmp_path / "site"
    build(corpus, out, "1")
    before = snapshot(out)
    # Its own process group, as a shell gives a command: Ctrl-C reaches the command and its workers alike.
    process = started_while_writing(corpus, out, preexec_fn=ctrl_c_reaches_it, start_new_session=True)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.count("\n") == 1 and "interrupted" in stderr and "Traceback" not in stderr
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".site.*"))  # no half-built folder left


def test_a_worker_killed_while_it_writes_ends_the_build_and_leaves_the_old_site_whole(corpus: Path, tmp_path: Path):
    """As the kernel's out-of-memory killer would end one: one line and exit 1, not a build waiting for ever."""
    out = tmp_path / "site"
    build(corpus, out, "1")
    before = snapshot(out)
    process = started_while_writing(corpus, out)
    workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    assert workers, "the build must have workers to kill"
    os.kill(int(workers[0]), signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert stderr.count("\n") == 1 and "worker process ended" in stderr and "Traceback" not in stderr
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".site.*"))  # no half-built folder left
