"""Shared fixtures: every test drives the real CLI on real files in a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import cli

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "records"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No colour, a fixed width, a private HOME and git identity, and the cwd in a temporary directory."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("TRACKER_RECORDS", "FORCE_COLOR", "GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in {"GIT_AUTHOR_NAME": "Ana Researcher", "GIT_AUTHOR_EMAIL": "ana@example.org",
                       "GIT_COMMITTER_NAME": "Ana Researcher", "GIT_COMMITTER_EMAIL": "ana@example.org"}.items():
        monkeypatch.setenv(key, value)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def tracker() -> Callable[..., Result]:
    """Run `tracker ARGS` in-process; exceptions are not swallowed, so a traceback fails the test."""

    def run(*args: str, input: str | None = None, code: int | None = 0) -> Result:
        result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False, prog_name="tracker")
        if code is not None:
            assert result.exit_code == code, (
                f"exit {result.exit_code}, wanted {code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        assert "Traceback" not in result.output
        return result

    return run


@pytest.fixture
def records(tracker: Callable[..., Result]) -> Path:
    """An empty records directory made by `tracker init`, at ./records."""
    tracker("init")
    return Path("records").resolve()


@pytest.fixture
def kz(isolated: Path) -> Path:
    """A copy of the shipped Kazakhstan records, at ./records."""
    target = isolated / "records"
    shutil.copytree(SHIPPED, target)
    return target


def run_tracker(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run tracker in a separate process, as a user's shell would."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-c", "from cli import main; main()", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def shell_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a shell in which `tracker` runs this checkout, as it runs an installed one:
    a `tracker` script in folder/bin, put first on PATH."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "tracker"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'from cli import main; main()' \"$@\"\n")
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(REPO), **extra}


def edit_file(path: str | Path, old: str, new: str) -> None:
    """Change a record by hand, as a person would: the first `old` becomes `new` (which must be there)."""
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, to prove that nothing changed (tracker's parse cache is not data)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".tracker-cache" not in p.parts}
