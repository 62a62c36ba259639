"""Large records: the benchmark corpus is what tracker writes, and long loads show progress on a terminal only."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomli
from helpers import REPO, run_tracker

from tracker.cache import SLOW_FILES


def generate(target: Path, *args: str, jobs: str = "") -> None:
    env = {**os.environ, "TRACKER_JOBS": jobs} if jobs else None
    subprocess.run([sys.executable, "-m", "benchmarks.generate", str(target), *args], cwd=REPO, check=True,
                   capture_output=True, env=env)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "records"
    generate(root, "--promises", "30", "--events", "300", "--countries", "4", "--seed", "3")
    return root


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.toml"))}


def test_generated_records_pass_check_and_repeat_with_the_seed(corpus: Path, tmp_path: Path):
    result = run_tracker("--records", str(corpus), "check", "--as-of", "2026-01-01")
    assert result.returncode == 0, result.stderr
    assert result.stderr.endswith("30 promises and 300 events valid; 0 errors, 0 warnings\n")
    text = "\n".join(p.read_text(encoding="utf-8") for p in corpus.rglob("*.toml"))
    assert '"2' in text and "Łódź" in text  # partial dates, Unicode
    assert any(corpus.glob("*/promises/*/ratings/*.toml")) and any(corpus.glob("*/promises/*/statements/*.toml"))
    again = tmp_path / "again"
    generate(again, "--promises", "30", "--events", "300", "--countries", "4", "--seed", "3")
    assert files(again) == files(corpus)


def test_the_records_are_the_same_written_by_one_process_or_by_several(tmp_path: Path):
    """The generator makes every choice in one process and has forked workers write the records, a chunk
    at a time: the bytes do not depend on how many workers there are."""
    size = ("--promises", "40", "--events", "2500", "--countries", "5", "--seed", "6")
    generate(tmp_path / "one", *size, jobs="1")
    generate(tmp_path / "three", *size, jobs="3")
    alone = files(tmp_path / "one")
    assert len(alone) > 2540 and alone == files(tmp_path / "three")


def test_a_generated_event_is_byte_for_byte_what_add_event_writes(corpus: Path, tmp_path: Path):
    links = {}
    for link in corpus.glob("*/promises/*/links/*/*.toml"):
        links.setdefault(link.stem, []).append(link)
    ident = max(links, key=lambda event: (len(links[event]), event))
    assert len(links[ident]) > 1
    (path,) = corpus.glob(f"*/events/*/*/{ident}.toml")
    event = tomli.loads(path.read_text(encoding="utf-8"))
    root = tmp_path / "records"
    assert run_tracker("init", str(root)).returncode == 0
    args = ["--records", str(root), "add-event", "--id", event["id"], "--country", event["country"],
            "--date", str(event["date"]), "--title", event["title"], "--kind", event["kind"],
            "--location", event["location"], "--severity", str(event["severity"])]
    args += [part for url in event["sources"] for part in ("--source", url)]
    args += ["--notes", event["notes"]] if "notes" in event else []
    args += [part for name, value in event.get("counts", {}).items() for part in (f"--{name}", str(value))]
    for link in links[ident]:
        promise = link.parents[2].with_suffix(".toml")
        target = root / promise.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(promise, target)
        args += [f"--{tomli.loads(link.read_text())['stance']}", promise.stem]
    result = run_tracker(*args)
    assert result.returncode == 0, result.stderr
    for written in (path, *links[ident]):
        assert (root / written.relative_to(corpus)).read_bytes() == written.read_bytes()


def test_a_long_cold_load_shows_progress_on_a_terminal_only(tmp_path: Path):
    root = tmp_path / "records"
    generate(root, "--promises", "20", "--events", str(SLOW_FILES), "--countries", "3", "--seed", "4")
    piped = run_tracker("--records", str(root), "--no-cache", "check", "--as-of", "2026-01-01")
    assert "Reading records" not in piped.stderr
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm", "COLUMNS": "80"}
    child = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "--records", str(root),
                              "--no-cache", "check", "--as-of", "2026-01-01"],
                             stdout=subprocess.PIPE, stderr=terminal, env=env)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the child exits
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert child.wait(timeout=120) == 0
    assert child.stdout.read() == b""  # data only on stdout, and there is none for check
    child.stdout.close()
    assert b"Reading records" in shown
    assert b"0 errors" in shown
