"""Shared fixtures: every test drives the real CLI on real files in a temporary directory.

Helpers that tests import by name live in helpers.py; this file holds only fixtures."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import SHIPPED

from cli import cli
from tracker import validate


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
    # Each test checks its files as a new process would: none is taken as like a link file of an earlier test.
    validate._CLEAN_LINKS.clear()
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
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns(".tracker-cache"))  # a local cache is not shipped
    return target
